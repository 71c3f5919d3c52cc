#pragma once

#include <cstdint>
#include <string>

namespace boutique::domain {

/// Checks a payment notification's `X-Boutique-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
/// "<t>.<raw body>" with `secret`, in constant time, refusing timestamps more than `max_skew_s` from `now`.
/// Returns an empty string when valid, else why not.
std::string signature_problem(const std::string& header, const std::string& body, const std::string& secret,
                              std::int64_t now, std::int64_t max_skew_s = 300);

/// The header value a provider would send for `body` at time `t` (used by tests and the load generator).
std::string sign_notification(const std::string& body, const std::string& secret, std::int64_t t);

}  // namespace boutique::domain
