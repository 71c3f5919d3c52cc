#pragma once

#include "actors/messages.hpp"
#include "storage/attempts.hpp"
#include "storage/database.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <memory>
#include <string>

// A step and its answer travel between the identity actor and this one only.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::storage::attempt_step)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::attempt_admission)

namespace boutique::actors {

/// The login throttles of a cluster (docs/CLUSTER.md, "Login throttles"), on a thread and a connection of their own:
/// each step of an attempt is one short transaction that locks its key's row alone, never held across other
/// writes (the storage writer's batches are not involved). An admission is answered after its commit, refused
/// (503) when its deadline passed first or when more than `queue_max` messages wait; the end of an admitted attempt
/// is always taken, and tried up to three times. A refused key is refused here again, without asking the database,
/// for the Retry-After it was given. Every 30 s, rows whose windows passed are swept.
using attempts_actor = caf::typed_actor<
  caf::replies_to<deadline, atoms::attempt_atom, storage::attempt_step>::with<domain::attempt_admission>,
  caf::reacts_to<caf::tick_atom>>;

struct attempts_settings {
  /// Keys the rows' hashes (HMAC-SHA-256), so that a row cannot be matched to a name or an address by hashing
  /// guesses: a random key of the database's own (storage::service_key "login_attempts"), the same on every node.
  std::string key;
  /// Admissions waiting beyond which new ones are refused (503): a step takes a few milliseconds, so a longer queue
  /// would only make them late.
  std::size_t queue_max = 256;
};

attempts_actor spawn_attempts(caf::actor_system& sys, std::unique_ptr<storage::database> db,
                              attempts_settings settings);

}  // namespace boutique::actors
