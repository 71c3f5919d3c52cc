#pragma once

#include "actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>

namespace boutique::actors {

/// Online backups of the database (storage::backup_database), on a thread and a read-only connection of their own:
/// shoppers are served meanwhile. One backup at a time; while one runs, at most `queue_max` more wait, and any
/// further request is refused (overloaded, Retry-After).
using backup_actor = caf::typed_actor<
  // target file -> what was written (conflict when the file exists)
  caf::replies_to<atoms::backup_atom, std::string>::with<backup_report>>;

backup_actor spawn_backup(caf::actor_system& sys, std::string database_path, std::size_t queue_max = 2);

}  // namespace boutique::actors
