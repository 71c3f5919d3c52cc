#include "config/catalog_file.hpp"
#include "storage/catalog_queries.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"
#include "actors/reader.hpp"
#include "actors/storage_actor.hpp"
#include "support/actor_system_fixture.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <filesystem>

using namespace boutique;

namespace {

struct storage_fixture : boutique::testing::actor_system_fixture {
  actors::storage_actor writer;

  void SetUp() override {
    actor_system_fixture::SetUp();
    writer = start_writer(512);
  }

  void TearDown() override {
    writer = nullptr;
    actor_system_fixture::TearDown();
  }

  std::int64_t count_sessions() { return count("SELECT count(*) FROM sessions"); }
};

}  // namespace

TEST_F(storage_fixture, concurrent_writes_are_committed_in_groups_and_acknowledged_after_commit) {
  constexpr int writes = 300;
  caf::scoped_actor self{*sys};
  for (int i = 0; i < writes; ++i)
    self->send(writer, deadline::none(), caf::put_atom_v, atoms::session_atom_v, "s" + std::to_string(i), std::string("{}"),
               std::int64_t{0});
  // The writer answers each send; wait for all acknowledgements.
  int acknowledged = 0;
  self->receive_for(acknowledged, writes)([](caf::ok_atom) {});
  EXPECT_EQ(acknowledged, writes);
  EXPECT_EQ(count_sessions(), writes);
  storage_stats stats;
  self->request(writer, caf::infinite, caf::get_atom_v, atoms::stats_atom_v)
    .receive([&](storage_stats s) { stats = s; }, [](caf::error&) { FAIL(); });
  EXPECT_EQ(stats.writes, static_cast<std::uint64_t>(writes));
  EXPECT_LT(stats.batches, static_cast<std::uint64_t>(writes)) << "no write was grouped with another";
  EXPECT_GT(stats.largest_batch, 1u);
}

// 100 writes in flight at once; as each is acknowledged, the reader pool (the actors the service reads through)
// is asked for that very row and must return what was written: an acknowledgement comes after the commit.
TEST_F(storage_fixture, an_acknowledged_write_is_visible_to_readers) {
  constexpr int writes = 100;
  auto readers = actors::spawn_reader_pool(*sys, path, 2);
  caf::scoped_actor self{*sys};
  auto snapshot_of = [](int i) { return "{\"n\":" + std::to_string(i) + "}"; };
  std::int64_t now = 1'800'000'000;
  for (int i = 0; i < writes; ++i)
    self->send(writer, deadline::none(), caf::put_atom_v, atoms::session_atom_v, "visible-" + std::to_string(i), snapshot_of(i),
               now + 3600);
  int acknowledged = 0;
  self->receive_for(acknowledged, writes)([](caf::ok_atom) {});
  ASSERT_EQ(acknowledged, writes);
  int seen = 0;
  for (int i = 0; i < writes; ++i)
    self->request(readers.next(), caf::infinite, caf::get_atom_v, atoms::session_atom_v, "visible-" + std::to_string(i), now)
      .receive(
        [&](std::optional<std::string>& found) {
          if (found && *found == snapshot_of(i)) ++seen;
          else ADD_FAILURE() << "reader did not see acknowledged write " << i;
        },
        [&](caf::error& err) { ADD_FAILURE() << "reader failed: " << to_string(err); });
  EXPECT_EQ(seen, writes);
  readers.exit();
}

namespace {

/// Starts on the database file at `path` the way the service restarts on it (open, migrate, reader pool), without
/// writing the catalog again, and returns the catalog the readers serve from that file.
domain::catalog catalog_after_restart(const std::string& path) {
  caf::actor_system_config cfg;
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  {
    auto db_connection = storage::open_database(path, storage::database::options{});
    auto& db = *db_connection;
    storage::migrate(db);
  }
  auto readers = actors::spawn_reader_pool(sys, path, 1);
  domain::catalog served;
  caf::scoped_actor self{sys};
  self->request(readers.next(), caf::infinite, caf::get_atom_v, atoms::catalog_atom_v)
    .receive([&](domain::catalog& c) { served = std::move(c); },
             [](caf::error& err) { ADD_FAILURE() << "reader failed: " << to_string(err); });
  readers.exit();
  return served;
}

}  // namespace

// The catalog rows written before a stop are read back from the same file after it, by the readers; the control
// (the same file wiped between the two) shows the check tells a kept database from a fresh one.
TEST(storage_restart, the_catalog_written_before_a_restart_is_read_back_from_the_same_file) {
  if (boutique::testing::on_postgresql())
    GTEST_SKIP() << "SQLite's own file; a restart on PostgreSQL: foundation.restart_on_the_same_database_...";
  boutique::testing::temp_dir dir;
  auto path = (dir.path() / "b.db").string();
  auto catalog = config::load_catalog(BOUTIQUE_SOURCE_DIR "/config/catalog.json");
  ASSERT_FALSE(catalog.empty());
  {
    auto db_connection = storage::open_database(path, storage::database::options{});
    auto& db = *db_connection;
    storage::migrate(db);
    storage::replace_catalog(db, catalog);
  }
  EXPECT_EQ(catalog_after_restart(path), catalog);
  for (const auto* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  EXPECT_TRUE(catalog_after_restart(path).empty()) << "a wiped database must not pass for a kept one";
}

// A write that SQLite refuses on a constraint (none should reach it: the rules are checked first, and every write
// goes through one writer) answers a conflict that names no table, column or SQL: the detail goes back to a client.
// Its neighbours in the same transaction commit. A trigger stands for the constraint here.
TEST_F(storage_fixture, a_write_refused_by_a_constraint_answers_a_conflict_without_the_database_s_words) {
  {
    auto db_connection = storage::open_database(path, storage::database::options{});
    auto& db = *db_connection;
    if (db.backend() == storage::backend::postgresql)  // 23514: check_violation, a constraint as SQLite's ABORT
      db.exec("CREATE FUNCTION refuse_bad() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 'bad' THEN "
              "RAISE EXCEPTION 'sessions.snapshot internal words' USING ERRCODE = '23514'; END IF; RETURN NEW; END $$; "
              "CREATE TRIGGER refuse_bad BEFORE INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION refuse_bad()");
    else
      db.exec("CREATE TRIGGER refuse_bad BEFORE INSERT ON sessions WHEN NEW.id = 'bad' "
              "BEGIN SELECT RAISE(ABORT, 'sessions.snapshot internal words'); END");
  }
  caf::scoped_actor self{*sys};
  for (const char* id : {"good-1", "bad", "good-2"})
    self->send(writer, deadline::none(), caf::put_atom_v, atoms::session_atom_v, std::string(id), std::string("{}"),
               std::int64_t{0});
  int ok = 0;
  caf::error refused;
  for (int i = 0; i < 3; ++i)
    self->receive([&](caf::ok_atom) { ++ok; }, [&](caf::error& err) { refused = err; });
  EXPECT_EQ(ok, 2);
  ASSERT_TRUE(refused);
  EXPECT_EQ(domain_code(refused), domain::error_code::conflict);
  auto detail = error_detail(refused);
  for (const char* internal : {"sessions", "snapshot", "internal words", "constraint", "step"})
    EXPECT_EQ(detail.find(internal), std::string::npos) << detail;
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE id IN ('good-1', 'good-2')"), 2);
}
