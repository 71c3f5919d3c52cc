#pragma once

// Inside the storage actor (actors/storage_actor.hpp): its state and its write queue, shared by its two translation
// units: actors/storage_actor.cpp (the batch and every write) and actors/storage_cluster.cpp (the leases of a
// cluster and their fence). Other actors talk to the storage actor by message only.

#include "actors/storage_actor.hpp"

#include "config/logging.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace boutique::actors::writer {

/// One write waiting for the next commit: `apply` runs inside the batch transaction, `settle` answers the
/// requester once the outcome is known (an empty error means committed).
struct pending_write {
  deadline due;
  std::function<void(storage::database&)> apply;
  std::function<void(caf::error)> settle;
};

/// A retention run in progress: one batch per message, so that writes queued meanwhile commit between batches.
struct retention_run {
  retention_report report;
  std::size_t step = 0;
  std::chrono::steady_clock::time_point started;
  std::vector<caf::typed_response_promise<retention_report>> waiting;
};

/// A lease as the writer keeps it: the kind of its actor (storage::session_lease, storage::account_lease) and key.
using lease_key = std::pair<std::string, std::string>;

struct storage_state {
  std::shared_ptr<storage::database> db;
  std::vector<pending_write> batch;
  bool flush_scheduled = false;
  std::size_t batch_max = 512;
  storage::mail_settings mail;
  writer_limits limits;
  std::optional<retention_run> retention;
  storage_stats stats;
  /// In a cluster: this node, the epoch of every lease it holds (taken, and not yet released or lapsed), its
  /// counters, and who is told when a lease lapses or the node rejoins.
  std::optional<storage::node_identity> node;
  std::map<lease_key, std::int64_t> held;
  cluster_stats cluster;
  std::vector<caf::actor> listeners;
  std::shared_ptr<spdlog::logger> log = config::logger("storage");
  static inline const char* name = "storage";
};

using pointer = storage_actor::stateful_pointer<storage_state>;

/// The answer to a write whose requester's deadline passed before it began: dropped, nothing written.
caf::error past_deadline();

/// Whether more messages wait than the configured bound: the writer is behind.
bool overloaded(pointer self);

/// Flushes now when the batch is full, else once the messages already waiting are taken.
void schedule_flush(pointer self);

/// Queues a write computing a result of type R; the returned promise is fulfilled after commit. Refused whole,
/// before anything runs, when the writer is overloaded or `due` has passed (and dropped at its turn if `due` passes
/// while it waits). `committed`, when given, runs once the write is committed, before its answer.
template <class R, class Op>
caf::typed_response_promise<R> enqueue(pointer self, deadline due, Op op, std::function<void()> committed = {}) {
  auto promise = self->template make_response_promise<R>();
  if (due.passed()) {
    ++self->state.stats.writes_dropped_past_deadline;
    promise.deliver(past_deadline());
    return promise;
  }
  if (overloaded(self)) {
    ++self->state.stats.writes_refused_overloaded;
    promise.deliver(make_overloaded_error("the service is busy; retry shortly", 1));
    return promise;
  }
  auto result = std::make_shared<std::optional<R>>();
  self->state.batch.push_back(
    {due,
     [op = std::move(op), result](storage::database& db) { *result = op(db); },
     [promise, result, committed = std::move(committed)](caf::error err) mutable {
       if (err) {
         promise.deliver(std::move(err));
         return;
       }
       if (committed) committed();
       promise.deliver(std::move(**result));
     }});
  schedule_flush(self);
  return promise;
}

// -- cluster (actors/storage_cluster.cpp, docs/CLUSTER.md) ------------------------------------------------------

/// Refuses the write (counted) unless this node still holds `lease` under the epoch it took it with and is still a
/// member; the lease row then stays locked (share) until the batch commits. A refused session write is answered
/// `moved`, an account's `overloaded` (its client retries; the account is then loaded where its lease is).
void fence(pointer self, storage::database& db, const lease_key& lease);

/// `enqueue`, for a write of the actor holding `lease`: in a cluster it commits only while this node holds that
/// lease (fence), in the same transaction.
template <class R, class Op>
caf::typed_response_promise<R> enqueue_fenced(pointer self, deadline due, lease_key lease, Op op,
                                              std::function<void()> committed = {}) {
  if (!self->state.node) return enqueue<R>(self, due, std::move(op), std::move(committed));
  return enqueue<R>(
    self, due,
    [self, lease = std::move(lease), op = std::move(op)](storage::database& db) {
      fence(self, db, lease);
      return op(db);
    },
    std::move(committed));
}

/// The lease of a session's write.
lease_key session_lease_of(std::string id);

/// A session renamed at login keeps its actor here: the new id's lease is taken and the old one's released, in the
/// rename's own transaction; returns the new lease's epoch (`held` changes once that transaction committed).
std::int64_t move_lease(pointer self, storage::database& db, const std::string& old_id, const std::string& new_id);
void lease_moved(pointer self, const std::string& old_id, const std::string& new_id, std::int64_t epoch);

/// Takes the lease `kind`/`key` for this node (one node alone holds every lease).
caf::result<lease_grant> take(pointer self, deadline due, lease_key lease);
/// Releases it, in the batch, after the writes its actor sent before: their fence still finds the lease.
void release(pointer self, lease_key lease);

/// What the heartbeat (actors/heartbeat.hpp) found: `generation` is this node's membership now.
void heard(pointer self, std::int64_t generation, std::uint64_t heartbeats);
cluster_stats cluster_view(pointer self);
/// A graceful stop: every lease of this node released, its membership ended.
caf::result<caf::ok_atom> leave(pointer self);

}  // namespace boutique::actors::writer
