#pragma once

#include <algorithm>
#include <chrono>

namespace boutique {

/// When the client that caused some work stops waiting for it. The HTTP front sets it once per request (its
/// arrival plus `http.request_timeout_s`) and every message the request causes carries the same one, down to the
/// storage actor: work still queued when it passes is dropped, never done, and a nested request waits only for
/// what is left of it instead of a whole timeout of its own.
///
/// Work that began before the deadline is never cut off: a write once begun commits or fails as a whole, and its
/// requester waits `settle_grace` longer for that answer, so that an actor's memory and the database always agree
/// on whether the write happened. The storage actor keeps it so on either backend: a write that ends later than
/// half the grace past its deadline is undone, and no write of the same batch waits on a lock beyond that time.
struct deadline {
  using clock = std::chrono::steady_clock;

  /// How much longer than the deadline a requester waits for work begun just before it (a commit takes
  /// milliseconds; this covers a slow disk's).
  static constexpr std::chrono::milliseconds settle_grace{2000};
  /// The wait of a requester whose work has no deadline (the service's own work: mail, retention, start-up).
  static constexpr std::chrono::milliseconds no_limit{std::chrono::hours(24)};

  clock::time_point at = clock::time_point::max();

  /// The deadline `timeout` from now.
  static deadline in(std::chrono::milliseconds timeout) { return {clock::now() + timeout}; }
  /// No deadline: the work is the service's own, done whenever its turn comes.
  static deadline none() { return {}; }

  bool passed() const { return clock::now() >= at; }
  bool limited() const { return at != clock::time_point::max(); }
  /// What is left of it (zero once passed).
  std::chrono::milliseconds left() const {
    if (!limited()) return no_limit;
    return std::max(std::chrono::milliseconds(0), std::chrono::ceil<std::chrono::milliseconds>(at - clock::now()));
  }
  /// How long a requester waits for the answer of work it asked for under this deadline: what is left of it plus
  /// `settle_grace`.
  std::chrono::milliseconds patience() const { return limited() ? left() + settle_grace : no_limit; }

  friend bool operator==(const deadline&, const deadline&) = default;
};

}  // namespace boutique
