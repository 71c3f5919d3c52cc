#pragma once

// The login throttles of a cluster (docs/CLUSTER.md): the windows of domain/throttle.hpp kept as rows of the
// PostgreSQL database every node shares, so that the limits hold for the cluster as a whole (one node keeps its
// own in memory). SQL only, on PostgreSQL's clock; actors/attempts.hpp runs each step in a transaction of its own.

#include "domain/throttle.hpp"

#include <cstdint>
#include <string>

namespace boutique::storage {

class database;

/// One step of an attempt counted for the whole cluster: its admission, or how an admitted attempt ended.
struct attempt_step {
  enum class outcome : std::uint8_t { admit, failed, succeeded, withdrawn };
  outcome what = outcome::admit;
  std::string scope;  ///< what counts: "login" (per normalised login name) or "address" (per client address)
  std::string key;    ///< stored as given: the caller hashes the name or address (actors/attempts.hpp)
  int max_attempts = 5;
  std::int64_t window_s = 900;
  int forgivable = 0;  ///< succeeded: the failures its admission found (attempt_admission::forgivable)
  /// How long an admitted attempt may stay in flight (attempt_in_flight_s at least; longer when requests may last
  /// longer).
  std::int64_t in_flight_s = 60;
};

/// How long an admitted attempt may stay in flight, at least. A request ends by its deadline (10 s by default); an
/// attempt older than its step's in_flight_s never told how it ended (its node died, or its end could not be
/// written): it counts as a failure from then on, never as a guess given back.
inline constexpr std::int64_t attempt_in_flight_s = 60;

/// Applies `step` to its key's row (locked until the transaction ends: two nodes counting one key do it one after
/// the other) and answers an admission; the other steps answer an admitted attempt_admission. The row goes when
/// nothing in it counts any more.
domain::attempt_admission apply_attempt_step(database& db, const attempt_step& step);

/// Removes up to `limit` rows whose windows have passed; returns how many.
int forget_attempts(database& db, int limit);

}  // namespace boutique::storage
