#pragma once

#include "actors/session.hpp"

#include <caf/fwd.hpp>

#include <cstdint>
#include <memory>

namespace boutique::actors {

/// Spawns the actor of `snapshot`'s session, activation `generation`, monitored by `directory` (which owns it: a
/// session that crashes is forgotten by its directory and reloaded from storage by the next request).
session_actor spawn_session(caf::local_actor* directory, session_snapshot snapshot,
                            std::shared_ptr<const session_context> ctx, std::uint64_t generation);

}  // namespace boutique::actors
