#include "domain/throttle.hpp"

namespace boutique::domain {

std::int64_t attempt_limiter::retry_after(const std::string& key, std::int64_t now) {
  forget_expired(now);
  auto it = failures_.find(key);
  if (it == failures_.end() || it->second.failures < max_failures_) return 0;
  auto until = it->second.started + window_s_;
  return until > now ? until - now : 0;
}

void attempt_limiter::record_failure(const std::string& key, std::int64_t now) {
  auto& w = failures_[key];
  if (w.failures == 0 || now - w.started >= window_s_) w = {now, 0};
  ++w.failures;
}

void attempt_limiter::record_success(const std::string& key) { failures_.erase(key); }

void attempt_limiter::forget_expired(std::int64_t now) {
  if (now - last_sweep_ < window_s_) return;
  last_sweep_ = now;
  for (auto it = failures_.begin(); it != failures_.end();)
    it = now - it->second.started >= window_s_ ? failures_.erase(it) : std::next(it);
}

}  // namespace boutique::domain
