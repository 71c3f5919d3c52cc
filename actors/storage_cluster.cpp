// The storage actor in a cluster (docs/CLUSTER.md): the leases this node holds, the fence on its actors' writes,
// and what the heartbeat reports.
#include "actors/storage_writer.hpp"

#include "storage/cluster.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"

#include <caf/all.hpp>

namespace boutique::actors::writer {

using storage::database;

namespace {

/// A lease as the logs show it: a session's id shortened, an account's hash.
std::string logged(const lease_key& lease) {
  return lease.first + "=" + (lease.first == storage::session_lease ? config::log_id(lease.second) : lease.second);
}

}  // namespace

lease_key session_lease_of(std::string id) { return {storage::session_lease, std::move(id)}; }

void fence(pointer self, database& db, const lease_key& lease) {
  auto& st = self->state;
  auto it = st.held.find(lease);
  if (it != st.held.end() && lease_holds(db, *st.node, lease.first, lease.second, it->second)) return;
  ++st.cluster.fenced_writes;
  st.log->warn("event=write_fenced {} generation={} epoch={}", logged(lease), st.node->generation,
               it == st.held.end() ? 0 : it->second);
  // Its actor here is out of date: passivated, so that the client's retry loads it where its lease is.
  for (auto& listener : st.listeners) caf::anon_send(listener, atoms::lease_atom_v, lease.first, lease.second);
  if (lease.first == storage::session_lease) throw storage::write_refused(domain::error_code::moved, "");
  throw storage::write_refused(domain::error_code::overloaded, "the customer account is busy; retry shortly");
}

std::int64_t move_lease(pointer self, database& db, const std::string& old_id, const std::string& new_id) {
  auto& st = self->state;
  auto claim = take_lease(db, *st.node, storage::session_lease, new_id);
  if (!claim.taken) throw storage::write_refused(domain::error_code::moved, "");
  release_lease(db, *st.node, storage::session_lease, old_id, st.held[session_lease_of(old_id)]);
  return claim.epoch;
}

void lease_moved(pointer self, const std::string& old_id, const std::string& new_id, std::int64_t epoch) {
  if (!self->state.node) return;
  self->state.held.erase(session_lease_of(old_id));
  self->state.held[session_lease_of(new_id)] = epoch;
}

caf::result<lease_grant> take(pointer self, deadline due, lease_key lease) {
  if (!self->state.node) return lease_grant{true, 0, {}, {}};  // one node: every actor is its own
  return enqueue<lease_grant>(self, due, [self, lease = std::move(lease)](database& db) {
    auto& st = self->state;
    auto claim = take_lease(db, *st.node, lease.first, lease.second);
    if (claim.taken) {
      st.held[lease] = claim.epoch;
      ++st.cluster.leases_taken;
      st.log->debug("event=lease_taken {} epoch={}", logged(lease), claim.epoch);
    } else {
      ++st.cluster.leases_refused;
    }
    return lease_grant{claim.taken, claim.epoch, claim.owner, claim.owner_address};
  });
}

void release(pointer self, lease_key lease) {
  if (!self->state.node) return;
  auto released = std::make_shared<std::int64_t>(0);  // the epoch given back, once it was held
  auto apply = [self, lease, released](database& db) {
    auto& st = self->state;
    auto it = st.held.find(lease);
    if (it == st.held.end()) return;
    *released = it->second;
    release_lease(db, *st.node, lease.first, lease.second, it->second);
    st.held.erase(it);
    ++st.cluster.leases_released;
  };
  // A release that failed (a lock wait cut short by its batch, a lost connection) leaves the row: this node would
  // keep the lease with no actor behind it, and every other node would wait for it in vain. It is held again here
  // and given back once more, unless the lease was taken again meanwhile.
  auto settle = [self, lease, released](caf::error err) {
    auto& st = self->state;
    if (!err || *released == 0) return;
    if (auto it = st.held.find(lease); it == st.held.end()) {  // erased, then the whole batch failed
      st.held[lease] = *released;
      --st.cluster.leases_released;
    } else if (it->second != *released) {
      return;  // taken again meanwhile (a lease of this node's once more)
    }
    st.log->warn("event=lease_release_failed {} error=\"{}\"", logged(lease), config::log_text(error_detail(err)));
    self->delayed_send(caf::actor_cast<storage_actor>(self), std::chrono::milliseconds(200), atoms::lease_atom_v,
                       caf::delete_atom_v, lease.first, lease.second);
  };
  self->state.batch.push_back({deadline::none(), std::move(apply), std::move(settle)});
  schedule_flush(self);
}

/// A new generation means the membership lapsed and the node rejoined: every lease taken under the old one is void
/// (lease_holds fails from now on), and the listeners (the directories) passivate their actors, whose releases then
/// clear `held`.
void heard(pointer self, std::int64_t generation, std::uint64_t heartbeats) {
  auto& st = self->state;
  if (!st.node) return;
  st.cluster.heartbeats = heartbeats;
  if (generation == st.node->generation) return;
  auto lapsed = st.node->generation;
  st.node->generation = generation;
  ++st.cluster.rejoins;
  st.log->warn("event=cluster_rejoined node={} generation={} lapsed_generation={}", st.node->node_id, generation,
               lapsed);
  for (auto& listener : st.listeners) caf::anon_send(listener, atoms::cluster_atom_v, generation);
}

cluster_stats cluster_view(pointer self) {
  auto& st = self->state;
  auto view = st.cluster;
  if (!st.node) return view;
  view.node_id = st.node->node_id;
  view.advertise = st.node->advertise;
  view.generation = st.node->generation;
  view.lease_s = st.node->lease_s;
  view.leases_held = st.held.size();
  try {
    for (auto& n : cluster_nodes(*st.db, st.node->lease_s))
      view.nodes.push_back({n.node_id, n.advertise, n.generation, n.heartbeat_age_s, n.member, n.leases,
                            n.started_at});
    st.db->reset_all();
  } catch (const std::exception& e) {
    st.log->error("event=cluster_view_failed error=\"{}\"", config::log_text(e.what()));
  }
  return view;
}

caf::result<caf::ok_atom> leave(pointer self) {
  if (!self->state.node) return caf::ok_atom_v;
  return enqueue<caf::ok_atom>(self, deadline::none(), [self](database& db) {
    leave_cluster(db, *self->state.node);
    self->state.log->info("event=cluster_left node={} generation={} leases_released={}", self->state.node->node_id,
                          self->state.node->generation, self->state.held.size());
    return caf::ok_atom_v;
  });
}

}  // namespace boutique::actors::writer
