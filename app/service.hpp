#pragma once

#include "config/config.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>

namespace boutique::app {

/// A start-up that cannot proceed (database unusable, port taken, bad catalog); `what()` says why.
class startup_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One running Boutique: database, actor system, public HTTP front and management listener.
/// The wiring of every module lives here; tests boot it in-process on port 0.
class service {
 public:
  explicit service(config::settings settings);
  ~service();
  service(const service&) = delete;
  service& operator=(const service&) = delete;

  /// Opens and migrates the database, loads the catalog, spawns the actors and starts listening.
  void start();
  /// Stops accepting, lets in-flight requests finish, flushes storage and stops every actor. Idempotent.
  void stop();
  /// Reloads the catalog file, as POST /admin/catalog/reload does (SIGHUP); logs the outcome. Waits for it.
  void reload_catalog();

  std::uint16_t http_port() const;
  std::uint16_t admin_port() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace boutique::app
