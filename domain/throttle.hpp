#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace boutique::domain {

// Counting attempts per key in a window that opens at the key's first counted attempt. An attempt is admitted
// (and counted) before its verification starts, so that concurrent attempts cannot all pass the check before
// the first failure is recorded: at most `max_attempts` attempts of one key, in flight or failed, are counted
// per window. A failure stays counted until the window passes; a success forgives its own attempt and the
// failures completed before it was admitted (attempts running beside it stay counted); a withdrawn attempt
// (never verified: overload, deadline) no longer counts.
//
// The rules below act on one key's window. attempt_limiter keeps the windows of one process; in a cluster the
// nodes share theirs as rows of the database (storage::apply_attempt_step), so that N nodes do not give an
// attacker N budgets.

/// One key's count.
struct attempt_window {
  std::int64_t started = 0;
  int in_flight = 0;
  int failures = 0;
  bool empty() const { return in_flight + failures == 0; }
};

/// The answer to one attempt: refused (retry_after > 0, seconds to wait) or admitted and counted.
struct attempt_admission {
  std::int64_t retry_after = 0;
  int forgivable = 0;  ///< failures completed before this attempt was admitted
  bool admitted() const { return retry_after == 0; }
};

attempt_admission admit_attempt(attempt_window& w, std::int64_t now, int max_attempts, std::int64_t window_s);
void fail_attempt(attempt_window& w, std::int64_t now);
/// An admitted attempt that ended without failing: succeeded (forgiving `forgiven_failures`) or withdrawn (0).
void finish_attempt(attempt_window& w, int forgiven_failures);

/// The windows of one process. Not thread-safe: one actor owns it.
class attempt_limiter {
 public:
  using admission = attempt_admission;

  attempt_limiter(int max_attempts, std::int64_t window_s) : max_attempts_(max_attempts), window_s_(window_s) {}

  admission admit(const std::string& key, std::int64_t now);
  void failed(const std::string& key, std::int64_t now);
  void succeeded(const std::string& key, const admission& admitted);
  void withdrawn(const std::string& key);
  std::size_t tracked() const { return counts_.size(); }

 private:
  void forget_expired(std::int64_t now);
  void finish(const std::string& key, int forgiven_failures);

  int max_attempts_;
  std::int64_t window_s_;
  std::unordered_map<std::string, attempt_window> counts_;
  std::int64_t last_sweep_ = 0;
};

}  // namespace boutique::domain
