#pragma once

// The deposit rule: what depositing contact details during a checkout does to the customer account of their email.
// Decided here from what the database holds; the storage actor carries it out in the deposit's transaction.

#include "domain/contact.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace boutique::domain {

/// The customer account that holds the deposited email, as the rule needs it.
struct existing_account {
  contact details;
  std::optional<std::int64_t> user_id;  ///< the user account it is attached to, if any
};

/// The logged-in shopper making the deposit.
struct depositor {
  std::int64_t user_id = 0;
  std::string own_email_norm;  ///< their customer account's email (or their user's, before they have one), normalised
};

enum class deposit_action {
  refuse,  ///< a logged-in shopper deposits another email than their own: refused, whether or not it is known
  create,  ///< no account holds the email: a new one
  keep,    ///< the account stays as it is (nothing changed, or the depositor may not change it); it is marked seen
  update,  ///< the account takes the deposited details
};

/// - A logged-in shopper edits only their own account: any other email is refused (the answer is the same whether
///   or not the email is known; changing one's email is done in the account space).
/// - An email no account holds creates one.
/// - An account attached to a user is changed only by that user, logged in; an unattached one by anyone who knows
///   the email (a guest checkout keeps the details of its latest deposit).
deposit_action deposit_policy(const contact& deposited, const std::optional<existing_account>& existing,
                              const std::optional<depositor>& acting);

}  // namespace boutique::domain
