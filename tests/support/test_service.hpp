#pragma once

#include "app/service.hpp"
#include "config/config.hpp"
#include "support/storage.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace boutique::testing {

/// A temporary folder removed at destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The whole content of a file ("" when it cannot be read).
std::string file_text(const std::filesystem::path& path);

/// Settings for a test service: ports 0, the repository's catalog, quiet logs, and an empty storage path
/// (test_service puts the database in its temporary folder).
config::settings test_settings();

/// The real service, booted in-process on free ports with a database in a temporary folder (or, on PostgreSQL, in
/// a scratch database of its own: support/storage.hpp).
class test_service {
 public:
  explicit test_service(config::settings settings);
  test_service() : test_service(test_settings()) {}
  ~test_service();

  std::uint16_t port() const { return service_->http_port(); }
  std::uint16_t admin_port() const { return service_->admin_port(); }
  const config::settings& settings() const { return settings_; }
  /// A new connection to the service's database, whichever backend holds it.
  std::unique_ptr<storage::database> open_database(storage::database::options opts = {
                                                     storage::database::access::read_write, false}) const {
    return storage::open_database(settings_.storage.where(), opts);
  }
  /// Stops the service and starts a new one on the same database (and the same settings).
  void restart();
  /// Stops the service and starts a new one on the same database with `changed` settings (e.g. another catalog).
  void restart(config::settings changed);

 private:
  temp_dir dir_;
  std::unique_ptr<scratch_postgres> pg_;  ///< on PostgreSQL: the service's database, dropped after the service stops
  config::settings settings_;
  std::unique_ptr<app::service> service_;
};

}  // namespace boutique::testing
