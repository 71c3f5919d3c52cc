#include "actors/heartbeat.hpp"

#include "config/logging.hpp"

#include <caf/all.hpp>

namespace boutique::actors {

namespace {

struct heartbeat_state {
  std::shared_ptr<storage::database> db;
  storage::node_identity me;
  storage_actor storage;
  std::shared_ptr<std::atomic<std::int64_t>> writer_busy_since_ms;
  std::uint64_t beats = 0;
  std::uint64_t withheld = 0;
  std::shared_ptr<spdlog::logger> log = config::logger("cluster");
  static inline const char* name = "heartbeat";
};

using pointer = heartbeat_actor::stateful_pointer<heartbeat_state>;

void beat(pointer self) {
  auto& st = self->state;
  auto busy_since = st.writer_busy_since_ms->load();
  if (busy_since != 0 && steady_ms() - busy_since > 3 * st.me.lease_s * 1000) {
    if (st.withheld++ == 0)
      st.log->error("event=heartbeat_withheld node={} writer_busy_s={} reason=\"the storage writer is stuck: the "
                    "other nodes take this node's sessions\"", st.me.node_id, (steady_ms() - busy_since) / 1000);
    return;
  }
  st.withheld = 0;
  try {
    if (!storage::heartbeat(*st.db, st.me)) {
      auto lapsed = st.me.generation;
      st.me.generation = storage::join_cluster(*st.db, st.me);
      st.log->warn("event=membership_lapsed node={} generation={} lapsed_generation={}", st.me.node_id,
                   st.me.generation, lapsed);
    }
    ++st.beats;
    if (st.beats % 100 == 0) storage::forget_abandoned_leases(*st.db, st.me, 3600, 1000);
    st.db->reset_all();
  } catch (const std::exception& e) {  // the database is out of reach: the next beat tries again
    st.log->error("event=heartbeat_failed node={} error=\"{}\"", st.me.node_id, config::log_text(e.what()));
  }
  self->send(st.storage, atoms::cluster_atom_v, caf::update_atom_v, st.me.generation, st.beats);
}

heartbeat_actor::behavior_type heartbeat_behavior(pointer self, std::shared_ptr<storage::database> db,
                                                   storage::node_identity me, storage_actor storage,
                                                   std::shared_ptr<std::atomic<std::int64_t>> writer_busy_since_ms) {
  auto& st = self->state;
  st.db = std::move(db);
  st.me = std::move(me);
  st.storage = std::move(storage);
  st.writer_busy_since_ms = std::move(writer_busy_since_ms);
  auto period = std::chrono::milliseconds(st.me.lease_s * 1000 / 3);
  // A beat never waits on a row lock longer than a third of its period (the sweep meets rows a taking node locks).
  st.db->exec("SET lock_timeout = " + std::to_string(std::max<std::int64_t>(100, period.count() / 3)));
  self->delayed_send(self, period, caf::tick_atom_v);
  return {
    [self, period](caf::tick_atom) {
      // At a fixed rate: the next beat is due one period after this one began, however long this one took.
      auto next = std::chrono::steady_clock::now() + period;
      beat(self);
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - std::chrono::steady_clock::now());
      self->delayed_send(self, std::max(wait, std::chrono::milliseconds(0)), caf::tick_atom_v);
    },
  };
}

}  // namespace

heartbeat_actor spawn_heartbeat(caf::actor_system& sys, std::unique_ptr<storage::database> db,
                                storage::node_identity me, storage_actor storage,
                                std::shared_ptr<std::atomic<std::int64_t>> writer_busy_since_ms) {
  return sys.spawn<caf::detached>(heartbeat_behavior, std::shared_ptr<storage::database>(std::move(db)),
                                  std::move(me), std::move(storage), std::move(writer_busy_since_ms));
}

}  // namespace boutique::actors
