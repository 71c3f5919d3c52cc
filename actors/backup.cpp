#include "actors/backup.hpp"

#include "config/logging.hpp"
#include "storage/sqlite_database.hpp"

#include <caf/all.hpp>

#include <chrono>

namespace boutique::actors {

namespace {

struct backup_state {
  std::string path;
  std::shared_ptr<spdlog::logger> log = config::logger("backup");
  static inline const char* name = "backup";
};

using pointer = backup_actor::stateful_pointer<backup_state>;

backup_actor::behavior_type backup(pointer self, std::string path) {
  self->state.path = std::move(path);
  return {
    [self](atoms::backup_atom, const std::string& to) -> caf::result<backup_report> {
      auto started = std::chrono::steady_clock::now();
      if (storage::is_postgresql_url(self->state.path))
        return make_domain_error(domain::error_code::conflict,
                                 "the database is PostgreSQL's: back it up with pg_dump or pg_basebackup");
      try {
        auto copied = storage::backup_database(self->state.path, to);
        backup_report report{to, copied.pages, copied.bytes,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
        self->state.log->info("event=backup_done to=\"{}\" pages={} bytes={} seconds={:.3f}", config::log_text(to),
                              report.pages, report.bytes, report.seconds);
        return report;
      } catch (const storage::backup_target_exists& e) {
        return make_domain_error(domain::error_code::conflict, e.what());
      } catch (const std::exception& e) {
        self->state.log->error("event=backup_failed to=\"{}\" error=\"{}\"", config::log_text(to),
                               config::log_text(e.what()));
        return make_domain_error(domain::error_code::internal, e.what());
      }
    },
  };
}

}  // namespace

backup_actor spawn_backup(caf::actor_system& sys, std::string database_path) {
  return sys.spawn<caf::detached>(backup, std::move(database_path));
}

}  // namespace boutique::actors
