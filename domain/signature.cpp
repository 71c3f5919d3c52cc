#include "domain/signature.hpp"

#include "domain/tokens.hpp"

#include <sodium.h>

#include <charconv>

namespace boutique::domain {

std::string hmac_sha256_hex(const std::string& message, const std::string& secret) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

std::string signature_problem(const std::string& header, const std::string& body, const std::string& secret,
                              std::int64_t now, std::int64_t max_skew_s) {
  std::string t, v1;
  std::size_t start = 0;
  while (start < header.size()) {
    auto end = header.find(',', start);
    if (end == std::string::npos) end = header.size();
    auto part = header.substr(start, end - start);
    if (part.rfind("t=", 0) == 0) t = part.substr(2);
    else if (part.rfind("v1=", 0) == 0) v1 = part.substr(3);
    start = end + 1;
  }
  std::int64_t timestamp = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), timestamp);
  if (t.empty() || ec != std::errc{} || ptr != t.data() + t.size() || v1.empty()) return "malformed signature header";
  if (timestamp > now + max_skew_s || timestamp < now - max_skew_s) return "stale signature timestamp";
  if (!constant_time_equal(hmac_sha256_hex(t + "." + body, secret), v1)) return "signature does not match";
  return {};
}

std::string sign_notification(const std::string& body, const std::string& secret, std::int64_t t) {
  auto ts = std::to_string(t);
  return "t=" + ts + ",v1=" + hmac_sha256_hex(ts + "." + body, secret);
}

namespace {
std::string admin_pass_mac(const std::string& admin_token, const std::string& expires) {
  return hmac_sha256_hex("boutique-admin-dashboard-v1." + expires, admin_token);
}
}  // namespace

std::string admin_pass(const std::string& admin_token, std::int64_t expires) {
  auto text = std::to_string(expires);
  return "v1." + text + "." + admin_pass_mac(admin_token, text);
}

bool admin_pass_valid(const std::string& admin_token, const std::string& pass, std::int64_t now) {
  if (admin_token.empty() || pass.size() > 128 || pass.rfind("v1.", 0) != 0) return false;
  auto dot = pass.find('.', 3);
  if (dot == std::string::npos) return false;
  auto text = pass.substr(3, dot - 3);
  std::int64_t expires = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), expires);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return false;
  return constant_time_equal(admin_pass_mac(admin_token, text), pass.substr(dot + 1)) && now < expires;
}

}  // namespace boutique::domain
