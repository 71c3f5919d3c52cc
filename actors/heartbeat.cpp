#include "actors/heartbeat.hpp"

#include "config/logging.hpp"

#include <caf/all.hpp>

namespace boutique::actors {

namespace {

struct heartbeat_state {
  std::shared_ptr<storage::database> db;
  storage::node_identity me;
  storage_actor storage;
  std::uint64_t beats = 0;
  std::shared_ptr<spdlog::logger> log = config::logger("cluster");
  static inline const char* name = "heartbeat";
};

using pointer = heartbeat_actor::stateful_pointer<heartbeat_state>;

void beat(pointer self) {
  auto& st = self->state;
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
                                                   storage::node_identity me, storage_actor storage) {
  auto& st = self->state;
  st.db = std::move(db);
  st.me = std::move(me);
  st.storage = std::move(storage);
  auto period = std::chrono::milliseconds(st.me.lease_s * 1000 / 3);
  self->delayed_send(self, period, caf::tick_atom_v);
  return {
    [self, period](caf::tick_atom) {
      beat(self);
      self->delayed_send(self, period, caf::tick_atom_v);
    },
  };
}

}  // namespace

heartbeat_actor spawn_heartbeat(caf::actor_system& sys, std::unique_ptr<storage::database> db,
                                storage::node_identity me, storage_actor storage) {
  return sys.spawn<caf::detached>(heartbeat_behavior, std::shared_ptr<storage::database>(std::move(db)),
                                  std::move(me), std::move(storage));
}

}  // namespace boutique::actors
