#include "domain/clock.hpp"

#include <atomic>
#include <ctime>

namespace boutique::domain {

namespace {

std::atomic<std::int64_t> offset{0};

}  // namespace

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)) + offset.load(std::memory_order_relaxed); }

std::string utc_text(std::int64_t unix_seconds, const char* format) {
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[64];
  return {out, std::strftime(out, sizeof out, format, &tm)};
}

void set_clock_offset_for_tests(std::int64_t seconds) { offset.store(seconds, std::memory_order_relaxed); }

}  // namespace boutique::domain
