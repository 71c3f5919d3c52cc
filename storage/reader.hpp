#pragma once

#include "actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>

namespace boutique::storage {

/// Read-only queries, served by a pool of connections that never queue behind the writer (WAL mode).
using reader_actor = caf::typed_actor<
  caf::replies_to<caf::ping_atom>::with<bool>,
  caf::replies_to<caf::get_atom, atoms::catalog_atom>::with<domain::catalog>>;

/// Spawns `count` reader actors, each on its own thread with its own read-only connection to `path`,
/// behind one round-robin handle.
reader_actor spawn_reader_pool(caf::actor_system& sys, const std::string& path, int count);

}  // namespace boutique::storage
