// Single activation and passivation of session and account actors, driven by messages.
#include "actors/account.hpp"
#include "actors/hasher.hpp"
#include "actors/identity.hpp"
#include "actors/session.hpp"
#include "config/catalog_file.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"
#include "support/test_service.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <thread>

using namespace boutique;

namespace {

struct actors_fixture : ::testing::Test {
  boutique::testing::temp_dir dir;
  std::string path = (dir.path() / "b.db").string();
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::vector<caf::actor> all;
  actors::session_directory_actor sessions;
  actors::account_directory_actor accounts;

  void SetUp() override {
    cfg.set("scheduler.max-threads", 2);
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    auto db = std::make_unique<storage::database>(path, storage::database::options{});
    storage::migrate(*db);
    auto storage = storage::spawn_storage(*sys, std::move(db), 64, storage::mail_settings{});
    auto readers = storage::spawn_reader_pool(*sys, path, 1);
    auto hashers = actors::spawn_hasher_pool(*sys, {});
    auto identity = actors::spawn_identity(*sys, storage, readers, hashers, {});
    accounts = actors::spawn_account_directory(*sys, storage, {std::chrono::seconds(1), std::chrono::seconds(5)});
    auto catalog = std::make_shared<const domain::catalog>(config::load_catalog(BOUTIQUE_SOURCE_DIR "/config/catalog.json"));
    auto ctx = std::make_shared<actors::session_context>(actors::session_context{
      storage, readers, identity, accounts, catalog,
      {std::chrono::seconds(1), std::chrono::seconds(3600), std::chrono::seconds(5), true}});
    sessions = actors::spawn_session_directory(*sys, ctx);
    for (auto h : {caf::actor_cast<caf::actor>(sessions), caf::actor_cast<caf::actor>(accounts),
                   caf::actor_cast<caf::actor>(identity), caf::actor_cast<caf::actor>(hashers),
                   caf::actor_cast<caf::actor>(storage), caf::actor_cast<caf::actor>(readers)})
      all.push_back(h);
  }

  void TearDown() override {
    for (auto& h : all) caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    all.clear();
    sessions = nullptr;
    accounts = nullptr;
    sys.reset();
  }

  template <class Handle>
  std::size_t live(const Handle& directory) {
    caf::scoped_actor self{*sys};
    std::size_t n = 0;
    self->request(directory, caf::infinite, caf::get_atom_v, atoms::stats_atom_v)
      .receive([&](directory_stats& stats) { n = stats.live; }, [](caf::error&) { ADD_FAILURE(); });
    return n;
  }

  /// Waits until the directory holds no live actor (bounded: passivation runs every idle/4 + 1 s).
  template <class Handle>
  bool all_passivated(const Handle& directory) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (live(directory) > 0) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling the directory's count
    }
    return true;
  }
};

}  // namespace

TEST_F(actors_fixture, an_idle_session_is_passivated_and_restored_with_its_state) {
  caf::scoped_actor self{*sys};
  std::string id;
  self->request(sessions, caf::infinite, caf::put_atom_v).receive([&](std::string& s) { id = s; }, [](caf::error&) {});
  ASSERT_FALSE(id.empty());
  actors::session_actor first;
  self->request(sessions, caf::infinite, atoms::resolve_atom_v, id)
    .receive([&](actors::session_actor& s) { first = s; }, [](caf::error&) {});
  self->request(first, caf::infinite, caf::put_atom_v, atoms::cart_atom_v, cart_request{{"A51-11236-F", 3}})
    .receive([](session_snapshot&) {}, [](caf::error& e) { ADD_FAILURE() << error_detail(e); });
  EXPECT_EQ(live(sessions), 1u);

  ASSERT_TRUE(all_passivated(sessions));
  actors::session_actor second;
  self->request(sessions, caf::infinite, atoms::resolve_atom_v, id)
    .receive([&](actors::session_actor& s) { second = s; }, [](caf::error&) {});
  EXPECT_NE(first, second) << "a new activation";
  session_snapshot restored;
  self->request(second, caf::infinite, caf::get_atom_v).receive([&](session_snapshot& s) { restored = s; },
                                                                [](caf::error&) {});
  ASSERT_EQ(restored.cart.size(), 1u);
  EXPECT_EQ(restored.cart[0].quantity, 3);
  EXPECT_EQ(restored.priced.total, 3 * 14400);
}

TEST_F(actors_fixture, one_live_account_per_email_and_idle_accounts_passivate) {
  caf::scoped_actor self{*sys};
  domain::contact c{"Ana", "Lopez", "one@example.org", "", "", "", "Lyon", "FR", ""};
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 20; ++i) self->send(accounts, atoms::deposit_atom_v, c, std::optional<std::int64_t>{});
  int received = 0;
  self->receive_for(received, 20)([&](customer_record& r) { ids.push_back(r.id); });
  ASSERT_EQ(ids.size(), 20u);
  for (auto id : ids) EXPECT_EQ(id, ids.front());
  EXPECT_EQ(live(accounts), 1u);
  ASSERT_TRUE(all_passivated(accounts));
  c.city = "Annecy";
  self->request(accounts, caf::infinite, atoms::deposit_atom_v, c, std::optional<std::int64_t>{})
    .receive([&](customer_record& r) {
      EXPECT_EQ(r.id, ids.front());
      EXPECT_EQ(r.details.city, "Annecy");
    }, [](caf::error&) { ADD_FAILURE(); });
}

TEST_F(actors_fixture, a_crashed_session_is_reloaded_and_the_directory_and_other_sessions_live_on) {
  caf::scoped_actor self{*sys};
  auto create = [&] {
    std::string id;
    self->request(sessions, caf::infinite, caf::put_atom_v).receive([&](std::string& s) { id = s; }, [](caf::error&) {});
    return id;
  };
  auto resolve = [&](const std::string& id) {
    actors::session_actor s;
    self->request(sessions, caf::infinite, atoms::resolve_atom_v, id)
      .receive([&](actors::session_actor& found) { s = found; }, [](caf::error& e) { ADD_FAILURE() << error_detail(e); });
    return s;
  };
  auto crashing_id = create();
  auto other_id = create();
  auto crashing = resolve(crashing_id);
  auto other = resolve(other_id);
  self->request(crashing, caf::infinite, caf::put_atom_v, atoms::cart_atom_v, cart_request{{"A51-11236-F", 2}})
    .receive([](session_snapshot&) {}, [](caf::error& e) { ADD_FAILURE() << error_detail(e); });

  self->monitor(crashing);
  self->send_exit(crashing, caf::exit_reason::kill);  // what an exception escaping a handler does
  self->receive([](caf::down_msg&) {});

  // The directory learns of the crash from its monitor (asynchronously): poll it, bounded.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  actors::session_actor reloaded = resolve(crashing_id);
  while (reloaded == crashing && std::chrono::steady_clock::now() < deadline) reloaded = resolve(crashing_id);
  ASSERT_NE(reloaded, crashing) << "the crashed actor is forgotten";
  session_snapshot restored;
  self->request(reloaded, caf::infinite, caf::get_atom_v)
    .receive([&](session_snapshot& s) { restored = s; }, [](caf::error& e) { ADD_FAILURE() << error_detail(e); });
  ASSERT_EQ(restored.cart.size(), 1u) << "its state comes back from storage";
  EXPECT_EQ(restored.cart[0].quantity, 2);
  EXPECT_EQ(resolve(other_id), other) << "the other session's actor was not touched";
  EXPECT_EQ(live(sessions), 2u);
}
