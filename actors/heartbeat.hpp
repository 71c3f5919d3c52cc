#pragma once

#include "actors/storage_actor.hpp"
#include "storage/cluster.hpp"
#include "storage/database.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <memory>

namespace boutique::actors {

/// A cluster node's membership (docs/CLUSTER.md), on a thread and a connection of its own: the heartbeat is written
/// every lease_s / 3 however busy or blocked the storage writer is (a queue of writes, a batch waiting on locks),
/// so that a node that is alive stays a member. When the heartbeat finds the membership lapsed (the process was
/// paused, or cut off from the database) it rejoins under a new generation; each beat tells the storage actor the
/// generation and the count of heartbeats (cluster_atom, update_atom), and the storage actor does the rest (its
/// lease map, the session directory told to passivate). Every 100 beats it sweeps leases left by dead nodes.
///
/// A writer that has been running one batch for 3 leases is stuck (a connection hung without an answer, a disk that
/// no longer answers): the heartbeat is then withheld, so that the node's membership lapses and the other nodes take
/// its sessions. Once the writer is back, the next beat finds the membership lapsed and rejoins.
using heartbeat_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>>;

heartbeat_actor spawn_heartbeat(caf::actor_system& sys, std::unique_ptr<storage::database> db,
                                storage::node_identity me, storage_actor storage,
                                std::shared_ptr<std::atomic<std::int64_t>> writer_busy_since_ms);

}  // namespace boutique::actors
