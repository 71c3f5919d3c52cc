#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace boutique::domain {

/// Counts failed attempts per key in a sliding window: after `max_failures` failures within `window_s`
/// seconds, the key is refused until the oldest failure leaves the window. Not thread-safe.
class attempt_limiter {
 public:
  attempt_limiter(int max_failures, std::int64_t window_s) : max_failures_(max_failures), window_s_(window_s) {}

  /// Seconds to wait before `key` may try again at `now`; 0 when it may try now.
  std::int64_t retry_after(const std::string& key, std::int64_t now);
  void record_failure(const std::string& key, std::int64_t now);
  void record_success(const std::string& key);
  std::size_t tracked() const { return failures_.size(); }

 private:
  struct window {
    std::int64_t started = 0;
    int failures = 0;
  };
  void forget_expired(std::int64_t now);

  int max_failures_;
  std::int64_t window_s_;
  std::unordered_map<std::string, window> failures_;
  std::int64_t last_sweep_ = 0;
};

}  // namespace boutique::domain
