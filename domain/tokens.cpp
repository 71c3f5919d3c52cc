#include "domain/tokens.hpp"

#include "domain/contact.hpp"

#include <sodium.h>

#include <cstdio>
#include <stdexcept>

namespace boutique::domain {

namespace {

constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

std::string random_base62(std::size_t length) {
  ensure_sodium();
  // One draw of random bytes per id (each randombytes_uniform() call was a getrandom() system call, 22 per id).
  // A byte below 248 = 4 x 62 maps to a character without bias; the others are rejected, and drawn again.
  constexpr unsigned char limit = 248;
  std::string out;
  out.reserve(length);
  unsigned char bytes[64];
  while (out.size() < length) {
    randombytes_buf(bytes, sizeof bytes);
    for (auto b : bytes)
      if (b < limit && out.size() < length) out.push_back(alphabet[b % 62]);
  }
  sodium_memzero(bytes, sizeof bytes);
  return out;
}

namespace {

constexpr std::size_t signed_random = 22, signed_time = 8, signed_mac = 16;

std::string mac_hex(const std::string& key, const std::string& text) {
  ensure_sodium();
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex, signed_mac);
}

}  // namespace

std::string new_signed_id(const std::string& key, std::int64_t now) {
  char time_hex[signed_time + 1];
  std::snprintf(time_hex, sizeof time_hex, "%08llx", static_cast<unsigned long long>(now) & 0xffffffffULL);
  auto body = random_base62(signed_random) + time_hex;
  return body + mac_hex(key, body);
}

std::optional<std::int64_t> signed_id_time(const std::string& key, const std::string& id) {
  if (id.size() != signed_random + signed_time + signed_mac) return std::nullopt;
  auto body = id.substr(0, signed_random + signed_time);
  if (!constant_time_equal(mac_hex(key, body), id.substr(body.size()))) return std::nullopt;
  std::int64_t t = 0;
  for (char c : body.substr(signed_random)) {
    int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (digit < 0) return std::nullopt;
    t = t * 16 + digit;
  }
  return t;
}

std::string sha256_hex(const std::string& text) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::optional<message> password_problem(const std::string& password) {
  if (password.size() < 10) return message{"too_short", 10};
  if (password.size() > 1024) return message{"too_long", 1024};
  if (!is_clean_text(password)) return message{"bad_text"};
  return std::nullopt;
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace boutique::domain
