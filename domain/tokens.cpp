#include "domain/tokens.hpp"

#include "domain/contact.hpp"

#include <sodium.h>

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
  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < length; ++i) out.push_back(alphabet[randombytes_uniform(62)]);
  return out;
}

std::string sha256_hex(const std::string& text) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string password_problem(const std::string& password) {
  if (password.size() < 10) return "must be at least 10 characters";
  if (password.size() > 1024) return "must be at most 1024 characters";
  if (!is_clean_text(password)) return "must be valid UTF-8 without control characters";
  return {};
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace boutique::domain
