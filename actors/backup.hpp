#pragma once

#include "actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>

namespace boutique::actors {

/// Online backups of the database (storage::backup_database), on a thread and a read-only connection of their own:
/// shoppers are served meanwhile. POST /admin/backup sends one at a time (a second request is refused at once).
using backup_actor = caf::typed_actor<
  // target file -> what was written (conflict when the file exists)
  caf::replies_to<atoms::backup_atom, std::string>::with<backup_report>>;

backup_actor spawn_backup(caf::actor_system& sys, std::string database_path);

}  // namespace boutique::actors
