#pragma once

// What the actors say of themselves: the storage actor's counters, a directory's statistics, a live actor's
// vitals, for the management endpoint and the metrics.

#include "domain/records.hpp"

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boutique {

/// Cumulative histogram counts: counts[i] is the number of observations <= bounds[i] (the last is +Inf).
struct histogram {
  std::vector<double> bounds;
  std::vector<std::uint64_t> counts;  ///< one per bound, plus +Inf
  double sum = 0;
  std::uint64_t count = 0;

  explicit histogram(std::vector<double> b = {}) : bounds(std::move(b)), counts(bounds.size() + 1, 0) {}
  void observe(double value) {
    for (std::size_t i = 0; i < bounds.size(); ++i)
      if (value <= bounds[i]) ++counts[i];
    ++counts.back();
    sum += value;
    ++count;
  }
};
BOOST_DESCRIBE_STRUCT(histogram, (), (bounds, counts, sum, count))

/// Counters the storage actor keeps about its group commits and the payments it applied.
struct storage_stats {
  std::uint64_t batches = 0;       ///< transactions committed
  std::uint64_t writes = 0;        ///< writes acknowledged
  std::uint64_t failed_writes = 0; ///< writes rolled back
  std::uint64_t largest_batch = 0;
  std::uint64_t mailbox = 0;       ///< messages waiting when the stats were taken
  histogram batch_sizes{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}};
  histogram commit_seconds{{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}};
  std::uint64_t checkouts_completed = 0;
  std::uint64_t payments_applied = 0;
  std::uint64_t payments_replayed = 0;
  std::uint64_t payments_refused = 0;
  std::uint64_t writes_refused_overloaded = 0;  ///< writes refused because the mailbox was over its bound
  std::uint64_t writes_dropped_past_deadline = 0;  ///< writes whose request's deadline passed before they began
  std::uint64_t retention_runs = 0;
  std::vector<std::pair<std::string, std::uint64_t>> retention_rows;  ///< kind -> rows removed by every run
  std::optional<retention_report> last_retention;
};
BOOST_DESCRIBE_STRUCT(storage_stats, (), (batches, writes, failed_writes, largest_batch, mailbox, batch_sizes, commit_seconds, checkouts_completed, payments_applied, payments_replayed, payments_refused, writes_refused_overloaded, writes_dropped_past_deadline, retention_runs, retention_rows, last_retention))

/// The answer to a lease asked for (storage/cluster.hpp): taken under `epoch`, or held by a live node.
struct lease_grant {
  bool taken = false;
  std::int64_t epoch = 0;
  std::string owner;          ///< the node holding it, when not taken
  std::string owner_address;  ///< where that node is reached
};
BOOST_DESCRIBE_STRUCT(lease_grant, (), (taken, epoch, owner, owner_address))

/// A node of the cluster as the membership table shows it.
struct cluster_member {
  std::string node_id;
  std::string advertise;
  std::int64_t generation = 0;
  double heartbeat_age_s = 0;
  bool member = false;
  std::int64_t leases = 0;
  std::int64_t started_at = 0;
};
BOOST_DESCRIBE_STRUCT(cluster_member, (), (node_id, advertise, generation, heartbeat_age_s, member, leases, started_at))

/// This node in the cluster: who it is, its counters, and (when asked for) every node of the membership table.
struct cluster_stats {
  std::string node_id;  ///< empty: not in a cluster
  std::string advertise;
  std::int64_t generation = 0;
  std::int64_t lease_s = 0;
  std::uint64_t leases_held = 0;
  std::uint64_t leases_taken = 0;
  std::uint64_t leases_refused = 0;   ///< asked for while held by another live node (the request was forwarded)
  std::uint64_t leases_released = 0;
  std::uint64_t fenced_writes = 0;    ///< writes refused because this node no longer held their actor's lease
  std::uint64_t heartbeats = 0;
  std::uint64_t rejoins = 0;          ///< times its membership had lapsed (paused, cut off) and it joined again
  std::vector<cluster_member> nodes;
};
BOOST_DESCRIBE_STRUCT(cluster_stats, (), (node_id, advertise, generation, lease_s, leases_held, leases_taken,
                                          leases_refused, leases_released, fenced_writes, heartbeats, rejoins, nodes))

/// What a directory says of itself and its live actors.
struct directory_stats {
  std::uint64_t live = 0;
  std::uint64_t activations = 0;
  std::uint64_t passivations = 0;  ///< idle ones, and least recently used ones beyond the cap
  std::uint64_t mailbox = 0;
  std::uint64_t evictions = 0;     ///< passivations forced by the live cap
  std::uint64_t cap = 0;           ///< most live actors at once
};
BOOST_DESCRIBE_STRUCT(directory_stats, (), (live, activations, passivations, mailbox, evictions, cap))

/// One live actor as a directory knows it.
struct actor_entry {
  std::string kind;
  std::string key;
  std::uint64_t routed = 0;        ///< requests the directory routed to it
  std::int64_t last_active = 0;    ///< unix seconds
};
BOOST_DESCRIBE_STRUCT(actor_entry, (), (kind, key, routed, last_active))

/// A page of live actors, ordered by key; `next` is the cursor of the following page.
struct actor_page {
  std::vector<actor_entry> actors;
  std::optional<std::string> next;
};
BOOST_DESCRIBE_STRUCT(actor_page, (), (actors, next))

/// A live actor's own account of itself, for the management endpoint.
struct actor_vitals {
  std::uint64_t messages = 0;    ///< messages handled
  std::uint64_t mailbox = 0;     ///< messages waiting
  std::int64_t last_active = 0;  ///< unix seconds
};
BOOST_DESCRIBE_STRUCT(actor_vitals, (), (messages, mailbox, last_active))

struct session_vitals {
  session_snapshot session;
  actor_vitals vitals;
};
BOOST_DESCRIBE_STRUCT(session_vitals, (), (session, vitals))

struct account_vitals {
  customer_record customer;
  actor_vitals vitals;
};
BOOST_DESCRIBE_STRUCT(account_vitals, (), (customer, vitals))

}  // namespace boutique
