#include "domain/mail.hpp"
#include "domain/mail_body.hpp"

#include <algorithm>

namespace boutique::domain {

std::int64_t retry_delay_s(int failures, const retry_policy& policy) {
  std::int64_t delay = std::max<std::int64_t>(policy.first_delay_s, 1);
  for (int i = 1; i < failures && delay < policy.max_delay_s; ++i) delay *= 2;
  return std::min(delay, std::max<std::int64_t>(policy.max_delay_s, 1));
}

outbox_mail rendered(outbox_mail mail) {
  if (mail.blocks.empty()) return mail;
  auto content = mail_body::from_json(mail.blocks);
  mail.body = content.text();
  mail.html = content.html(mail.subject);
  mail.blocks.clear();
  return mail;
}

std::optional<mail_outcome> after_attempt(const outbox_mail& mail, delivery result, std::string detail,
                                          std::int64_t now, const retry_policy& policy) {
  if (result == delivery::unreachable) return std::nullopt;
  mail_outcome out{mail.id, mail_outcome::state::sent, mail.attempts + 1, now, {}};
  if (result == delivery::accepted) return out;
  out.error = std::move(detail);
  if (result == delivery::refused || out.attempts >= policy.max_attempts) {
    out.after = mail_outcome::state::failed;
    return out;
  }
  out.after = mail_outcome::state::waiting;
  out.at = now + retry_delay_s(out.attempts, policy);
  return out;
}

}  // namespace boutique::domain
