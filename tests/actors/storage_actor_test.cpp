#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"
#include "storage/reader.hpp"
#include "storage/storage_actor.hpp"
#include "support/test_service.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

using namespace boutique;

namespace {

struct storage_fixture : ::testing::Test {
  boutique::testing::temp_dir dir;
  std::string path = (dir.path() / "b.db").string();
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  storage::storage_actor writer;

  void SetUp() override {
    cfg.set("scheduler.max-threads", 2);
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    auto db = std::make_unique<storage::database>(path, storage::database::options{});
    storage::migrate(*db);
    writer = storage::spawn_storage(*sys, std::move(db), 512, storage::mail_settings{});
  }

  void TearDown() override {
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
    writer = nullptr;
    sys.reset();
  }

  std::int64_t count_sessions() {
    storage::database reader(path, {storage::database::access::read_only, true});
    auto& st = reader.prepare("SELECT count(*) FROM sessions");
    st.step();
    return st.integer(0);
  }
};

}  // namespace

TEST_F(storage_fixture, concurrent_writes_are_committed_in_groups_and_acknowledged_after_commit) {
  constexpr int writes = 300;
  caf::scoped_actor self{*sys};
  for (int i = 0; i < writes; ++i)
    self->send(writer, caf::put_atom_v, atoms::session_atom_v, "s" + std::to_string(i), std::string("{}"),
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

TEST_F(storage_fixture, an_acknowledged_write_is_visible_to_readers) {
  auto readers = storage::spawn_reader_pool(*sys, path, 2);
  caf::scoped_actor self{*sys};
  self->request(writer, caf::infinite, caf::put_atom_v, atoms::session_atom_v, std::string("visible"),
                std::string("{}"), std::int64_t{0})
    .receive([](caf::ok_atom) {}, [](caf::error&) { FAIL(); });
  EXPECT_EQ(count_sessions(), 1);
  bool ok = false;
  self->request(readers, caf::infinite, caf::ping_atom_v).receive([&](bool b) { ok = b; }, [](caf::error&) {});
  EXPECT_TRUE(ok);
  caf::anon_send_exit(readers, caf::exit_reason::user_shutdown);
}
