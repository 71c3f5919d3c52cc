#include "domain/deposit.hpp"

namespace boutique::domain {

deposit_action deposit_policy(const contact& deposited, const std::optional<existing_account>& existing,
                              const std::optional<depositor>& acting) {
  if (acting && normalize_email(deposited.email) != acting->own_email_norm) return deposit_action::refuse;
  if (!existing) return deposit_action::create;
  bool may_change = !existing->user_id || (acting && *existing->user_id == acting->user_id);
  if (!may_change || existing->details == deposited) return deposit_action::keep;
  return deposit_action::update;
}

}  // namespace boutique::domain
