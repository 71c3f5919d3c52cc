#pragma once

#include <cstdint>

namespace boutique::domain {

/// The service's wall clock, in unix seconds: the one place every layer reads the date from (expiry, retention,
/// timelines, tokens), so that a test moves it instead of waiting for it. Thread-safe.
std::int64_t now_s();

/// Moves the clock `seconds` ahead of the system's (tests only; 0 puts it back).
void set_clock_offset_for_tests(std::int64_t seconds);

}  // namespace boutique::domain
