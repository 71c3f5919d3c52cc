#pragma once

#include "actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace boutique::actors {

/// Argon2id password hashing (libsodium crypto_pwhash_str) on a bounded pool of dedicated threads, so that
/// neither actor nor HTTP threads ever block on a hash. Each job carries the deadline of its requester: a job
/// still queued at its deadline is dropped unhashed (503), and a job arriving at a full queue is refused at
/// once (503 with Retry-After).
using hasher_actor = caf::typed_actor<
  caf::replies_to<deadline, atoms::hash_atom, std::string>::with<std::string>,
  // stored hash, candidate password -> matches
  caf::replies_to<deadline, atoms::verify_atom, std::string, std::string>::with<bool>>;

struct argon2_cost {
  unsigned long long opslimit = 2;
  std::size_t memlimit_bytes = 19u << 20;
};

struct hasher_settings {
  int workers = 1;
  argon2_cost cost;
  int queue_max = 64;  ///< jobs waiting for a worker (those being hashed not included)
};

/// Spawns `workers` hashing actors, each on its own thread, behind one dispatcher that queues at most
/// `queue_max` jobs and hands each to an idle worker, oldest first.
hasher_actor spawn_hasher_pool(caf::actor_system& sys, hasher_settings settings);

}  // namespace boutique::actors
