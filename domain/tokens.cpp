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
