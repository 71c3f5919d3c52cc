#pragma once

#include <cstddef>
#include <string>

namespace boutique::domain {

/// `length` characters of [0-9A-Za-z] drawn from the OS's secure random source (libsodium), without bias.
std::string random_base62(std::size_t length);

/// A product instance reference (PID): 8 random base62 characters.
inline std::string new_product_reference() { return random_base62(8); }

/// Session ids, transids and secret tokens: 22 base62 characters (> 130 bits).
inline std::string new_secret_id() { return random_base62(22); }

/// Lower-case hex SHA-256 of `text`: how secret tokens are stored.
std::string sha256_hex(const std::string& text);

/// The rule for a new password: 10 to 1024 bytes of valid UTF-8 without control characters.
/// Returns the problem ("must be at least 10 characters"), or an empty string.
std::string password_problem(const std::string& password);

/// Constant-time equality of two strings of the same length (false when lengths differ).
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace boutique::domain
