#pragma once

#include "domain/messages.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace boutique::domain {

/// `length` characters of [0-9A-Za-z] drawn from the OS's secure random source (libsodium), without bias.
std::string random_base62(std::size_t length);

/// A product instance reference (PID): 8 random base62 characters.
inline std::string new_product_reference() { return random_base62(8); }

/// Session ids, transids and secret tokens: 22 base62 characters (> 130 bits).
inline std::string new_secret_id() { return random_base62(22); }

/// A new checkout-session id that proves, under `key`, that this service made it and when: 22 random base62
/// characters, the creation time as 8 hex digits and 16 hex digits of HMAC-SHA-256 (46 characters). A session
/// holding nothing is never stored: its id alone lets it be restored, blank, until it expires.
std::string new_signed_id(const std::string& key, std::int64_t now);

/// The creation time carried by an id that `new_signed_id` made under `key`; nothing for any other string.
/// The MAC is compared in constant time.
std::optional<std::int64_t> signed_id_time(const std::string& key, const std::string& id);

/// Lower-case hex SHA-256 of `text`: how secret tokens are stored.
std::string sha256_hex(const std::string& text);

/// The rule for a new password: 10 to 1024 bytes of valid UTF-8 without control characters.
/// Returns the problem (message "too_short", n = 10), or none.
std::optional<message> password_problem(const std::string& password);

/// Constant-time equality of two strings of the same length (false when lengths differ).
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace boutique::domain
