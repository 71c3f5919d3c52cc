#pragma once

#include "actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace boutique::actors {

/// Argon2id password hashing (libsodium crypto_pwhash_str) on a bounded pool of dedicated threads, so that
/// neither actor nor HTTP threads ever block on a hash.
using hasher_actor = caf::typed_actor<
  caf::replies_to<atoms::hash_atom, std::string>::with<std::string>,
  // stored hash, candidate password -> matches
  caf::replies_to<atoms::verify_atom, std::string, std::string>::with<bool>>;

struct argon2_cost {
  unsigned long long opslimit = 2;
  std::size_t memlimit_bytes = 19u << 20;
};

/// Spawns `workers` hashing actors, each on its own thread, behind one round-robin handle.
hasher_actor spawn_hasher_pool(caf::actor_system& sys, int workers, argon2_cost cost);

}  // namespace boutique::actors
