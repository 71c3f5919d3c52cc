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

/// Lower-case hex HMAC-SHA256 of `message` under `secret`.
std::string hmac_sha256_hex(const std::string& message, const std::string& secret);

/// The CSRF token of the browser whose binding cookie holds `binding`: HMAC-SHA256 under the server's `secret`,
/// so that a token cannot be made, nor a cookie/field pair planted, without the secret.
inline std::string csrf_token(const std::string& secret, const std::string& binding) {
  return hmac_sha256_hex("boutique-csrf-v1." + binding, secret);
}

/// The admin dashboard's pass, kept in its cookie: "v1.<expires, unix seconds>.<hex HMAC-SHA256>" keyed by the
/// admin token, so that no server state is kept and a new admin token ends every pass.
std::string admin_pass(const std::string& admin_token, std::int64_t expires);

/// Whether `pass` was made by admin_pass under `admin_token` and has not expired at `now` (compared in constant
/// time; an empty token never validates).
bool admin_pass_valid(const std::string& admin_token, const std::string& pass, std::int64_t now);

}  // namespace boutique::domain
