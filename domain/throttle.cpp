#include "domain/throttle.hpp"

#include <algorithm>

namespace boutique::domain {

attempt_admission admit_attempt(attempt_window& w, std::int64_t now, int max_attempts, std::int64_t window_s) {
  if (w.empty() || now - w.started >= window_s) {
    w.started = now;
    w.failures = 0;  // attempts still in flight from the passed window count in the new one
  }
  if (w.in_flight + w.failures >= max_attempts) {
    // Held by failures: wait for the window. Held by attempts in flight: they may end (and be forgiven) soon.
    if (w.failures < max_attempts) return {1, 0};
    return {std::max<std::int64_t>(1, w.started + window_s - now), 0};
  }
  ++w.in_flight;
  return {0, w.failures};
}

void fail_attempt(attempt_window& w, std::int64_t now) {
  if (w.empty()) w.started = now;  // forgotten meanwhile: the failure opens a new window
  w.in_flight = std::max(0, w.in_flight - 1);
  ++w.failures;
}

void finish_attempt(attempt_window& w, int forgiven_failures) {
  w.in_flight = std::max(0, w.in_flight - 1);
  w.failures -= std::min(w.failures, forgiven_failures);
}

attempt_limiter::admission attempt_limiter::admit(const std::string& key, std::int64_t now) {
  forget_expired(now);
  return admit_attempt(counts_[key], now, max_attempts_, window_s_);
}

void attempt_limiter::failed(const std::string& key, std::int64_t now) { fail_attempt(counts_[key], now); }

void attempt_limiter::succeeded(const std::string& key, const admission& admitted) {
  finish(key, admitted.forgivable);
}

void attempt_limiter::withdrawn(const std::string& key) { finish(key, 0); }

void attempt_limiter::finish(const std::string& key, int forgiven_failures) {
  auto it = counts_.find(key);
  if (it == counts_.end()) return;
  finish_attempt(it->second, forgiven_failures);
  if (it->second.empty()) counts_.erase(it);
}

void attempt_limiter::forget_expired(std::int64_t now) {
  if (now - last_sweep_ < window_s_) return;
  last_sweep_ = now;
  for (auto it = counts_.begin(); it != counts_.end();) {
    const auto& w = it->second;
    it = w.in_flight == 0 && now - w.started >= window_s_ ? counts_.erase(it) : std::next(it);
  }
}

}  // namespace boutique::domain
