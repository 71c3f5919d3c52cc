#pragma once

// The fixture of the actor tests: one actor system over a fresh, migrated database in a temporary folder (or a
// scratch PostgreSQL database: support/storage.hpp).

#include "actors/reader.hpp"
#include "actors/storage_actor.hpp"
#include "storage/database.hpp"
#include "support/storage.hpp"
#include "storage/migrations.hpp"
#include "support/test_service.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace boutique::testing {

/// An actor system (2 scheduler threads, CAF's own log quiet) over a migrated database at `path`. Every actor
/// given to `own()` is stopped at TearDown, before the system goes; a derived fixture drops the handles it keeps
/// in its own TearDown, then calls this one (no handle may outlive the system).
struct actor_system_fixture : ::testing::Test {
  temp_dir dir;
  test_store store{(dir.path() / "b.db").string()};
  /// What storage::open_database opens: the SQLite file, or the PostgreSQL URL.
  std::string path = store.where();
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::vector<caf::actor> owned;

  void SetUp() override {
    storage::migrate(*store.open());
    start_system();
  }

  void start_system() {
    cfg.set("scheduler.max-threads", 2);
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  void TearDown() override {
    // The last started first: directories before the actors they send to.
    for (auto h = owned.rbegin(); h != owned.rend(); ++h) caf::anon_send_exit(*h, caf::exit_reason::user_shutdown);
    owned.clear();
    sys.reset();
  }

  /// Keeps `handle` to stop it at TearDown.
  template <class Handle>
  Handle own(Handle handle) {
    owned.push_back(caf::actor_cast<caf::actor>(handle));
    return handle;
  }

  actors::reader_pool own(actors::reader_pool pool) {
    for (const auto& reader : pool.members()) own(reader);
    return pool;
  }

  /// The storage actor on its own connection to `path`.
  actors::storage_actor start_writer(int batch_max, actors::writer_limits limits = {}) {
    auto db = storage::open_database(path, storage::database::options{});
    return own(actors::spawn_storage(*sys, std::move(db), batch_max, storage::mail_settings{}, limits));
  }

  /// The single integer a query returns, read on a connection of its own.
  std::int64_t count(const std::string& sql) {
    auto reader = storage::open_database(path, {storage::database::access::read_only, true});
    auto& st = reader->prepare(sql);
    st.step();
    return st.integer(0);
  }
};

}  // namespace boutique::testing
