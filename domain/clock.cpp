#include "domain/clock.hpp"

#include <atomic>
#include <ctime>

namespace boutique::domain {

namespace {

std::atomic<std::int64_t> offset{0};

}  // namespace

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)) + offset.load(std::memory_order_relaxed); }

void set_clock_offset_for_tests(std::int64_t seconds) { offset.store(seconds, std::memory_order_relaxed); }

}  // namespace boutique::domain
