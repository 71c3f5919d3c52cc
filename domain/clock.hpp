#pragma once

#include <cstdint>
#include <string>

namespace boutique::domain {

/// The service's wall clock, in unix seconds: the one place every layer reads the date from (expiry, retention,
/// timelines, tokens), so that a test moves it instead of waiting for it. Thread-safe.
std::int64_t now_s();

/// `unix_seconds` as UTC text in strftime's `format` (e.g. "%Y-%m-%d"); at most 63 characters.
std::string utc_text(std::int64_t unix_seconds, const char* format);

/// Moves the clock `seconds` ahead of the system's (tests only; 0 puts it back).
void set_clock_offset_for_tests(std::int64_t seconds);

}  // namespace boutique::domain
