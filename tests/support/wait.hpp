#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace boutique::testing {

/// Polls `done` every `every` for up to `limit`; true as soon as it holds. For state another process or thread
/// changes in its own time (a mail folder, a relay, metrics): a bounded wait on a condition, never a bare sleep.
inline bool within(std::chrono::milliseconds limit, const std::function<bool()>& done,
                   std::chrono::milliseconds every = std::chrono::milliseconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(every);
  }
  return true;
}

}  // namespace boutique::testing
