// Single activation and passivation of session and account actors, driven by messages.
#include "actors/account.hpp"
#include "actors/hasher.hpp"
#include "actors/identity.hpp"
#include "actors/session.hpp"
#include "config/catalog_file.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"
#include "support/actor_system_fixture.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <thread>

using namespace boutique;

namespace {

struct actors_fixture : boutique::testing::actor_system_fixture {
  actors::session_directory_actor sessions;
  actors::account_directory_actor accounts;
  std::size_t session_cap = 0;

  void SetUp() override {
    actor_system_fixture::SetUp();
    spawn_actors();
  }

  /// Starts again on the same database (after TearDown), with the settings as they are now.
  void start() {
    start_system();
    spawn_actors();
  }

  void spawn_actors() {
    auto storage = start_writer(64);
    auto readers = own(actors::spawn_reader_pool(*sys, path, 1));
    auto hashers = own(actors::spawn_hasher_pool(*sys, {}));
    auto identity = own(actors::spawn_identity(*sys, storage, readers, hashers, {}));
    accounts = own(actors::spawn_account_directory(*sys, storage, {std::chrono::seconds(1), 0}));
    auto catalog = std::make_shared<actors::live_catalog>(
      std::make_shared<const domain::catalog>(config::load_catalog(BOUTIQUE_SOURCE_DIR "/config/catalog.json")));
    auto ctx = std::make_shared<actors::session_context>(actors::session_context{
      storage, readers, identity, accounts, catalog,
      {std::chrono::seconds(1), std::chrono::seconds(3600), std::chrono::seconds(5), true, session_cap},
      "test key"});
    sessions = own(actors::spawn_session_directory(*sys, ctx));
  }

  void TearDown() override {
    sessions = nullptr;
    accounts = nullptr;
    actor_system_fixture::TearDown();
  }

  template <class Handle>
  std::size_t live(const Handle& directory) {
    caf::scoped_actor self{*sys};
    std::size_t n = 0;
    self->request(directory, caf::infinite, caf::get_atom_v, atoms::stats_atom_v)
      .receive([&](directory_stats& stats) { n = stats.live; }, [](caf::error&) { ADD_FAILURE(); });
    return n;
  }

  std::string create() {
    caf::scoped_actor self{*sys};
    std::string id;
    self->request(sessions, caf::infinite, caf::put_atom_v).receive([&](std::string& s) { id = s; }, [](caf::error&) {});
    return id;
  }

  actors::session_ref resolve(const std::string& id) {
    caf::scoped_actor self{*sys};
    actors::session_ref ref;
    self->request(sessions, caf::infinite, atoms::resolve_atom_v, id)
      .receive([&](actors::session_ref& found) { ref = found; }, [](caf::error& e) { ADD_FAILURE() << error_detail(e); });
    return ref;
  }

  /// The session's reply to a GET sent under `route` (404 as an error).
  caf::expected<session_snapshot> get(const actors::session_actor& actor, const session_route& route) {
    caf::scoped_actor self{*sys};
    caf::expected<session_snapshot> out{caf::error{}};
    self->request(actor, caf::infinite, route, caf::get_atom_v)
      .receive([&](session_snapshot& s) { out = std::move(s); }, [&](caf::error& e) { out = std::move(e); });
    return out;
  }

  void put_cart(const actors::session_ref& s, std::int32_t quantity) {
    caf::scoped_actor self{*sys};
    self->request(s.actor, caf::infinite, s.route, caf::put_atom_v, atoms::cart_atom_v,
                  cart_request{{"A51-11236-F", quantity}})
      .receive([](session_snapshot&) {}, [](caf::error& e) { ADD_FAILURE() << error_detail(e); });
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
  auto id = create();
  ASSERT_FALSE(id.empty());
  auto first = resolve(id);
  put_cart(first, 3);
  EXPECT_EQ(live(sessions), 1u);

  ASSERT_TRUE(all_passivated(sessions));
  auto second = resolve(id);
  EXPECT_NE(first.actor, second.actor) << "a new activation";
  EXPECT_NE(first.route.generation, second.route.generation);
  auto restored = get(second.actor, second.route);
  ASSERT_TRUE(restored);
  ASSERT_EQ(restored->cart.size(), 1u);
  EXPECT_EQ(restored->cart[0].quantity, 3);
  EXPECT_EQ(restored->priced.total, 3 * 14400);
}

TEST_F(actors_fixture, one_live_account_per_email_and_idle_accounts_passivate) {
  caf::scoped_actor self{*sys};
  domain::contact c{"Ana", "Lopez", "one@example.org", "", "", "", "Lyon", "FR", ""};
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 20; ++i)
    self->send(accounts, deadline::none(), atoms::deposit_atom_v, c, std::optional<std::int64_t>{});
  int received = 0;
  self->receive_for(received, 20)([&](customer_record& r) { ids.push_back(r.id); });
  ASSERT_EQ(ids.size(), 20u);
  for (auto id : ids) EXPECT_EQ(id, ids.front());
  EXPECT_EQ(live(accounts), 1u);
  ASSERT_TRUE(all_passivated(accounts));
  c.city = "Annecy";
  self->request(accounts, caf::infinite, deadline::none(), atoms::deposit_atom_v, c, std::optional<std::int64_t>{})
    .receive([&](customer_record& r) {
      EXPECT_EQ(r.id, ids.front());
      EXPECT_EQ(r.details.city, "Annecy");
    }, [](caf::error&) { ADD_FAILURE(); });
}

TEST_F(actors_fixture, a_crashed_session_is_reloaded_and_the_directory_and_other_sessions_live_on) {
  caf::scoped_actor self{*sys};
  auto crashing_id = create();
  auto other_id = create();
  auto crashing = resolve(crashing_id);
  auto other = resolve(other_id);
  put_cart(crashing, 2);

  self->monitor(crashing.actor);
  self->send_exit(crashing.actor, caf::exit_reason::kill);  // what an exception escaping a handler does
  self->receive([](caf::down_msg&) {});

  // The directory learns of the crash from its monitor (asynchronously): poll it, bounded.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto reloaded = resolve(crashing_id);
  while (reloaded.actor == crashing.actor && std::chrono::steady_clock::now() < deadline) reloaded = resolve(crashing_id);
  ASSERT_NE(reloaded.actor, crashing.actor) << "the crashed actor is forgotten";
  auto restored = get(reloaded.actor, reloaded.route);
  ASSERT_TRUE(restored);
  ASSERT_EQ(restored->cart.size(), 1u) << "its state comes back from storage";
  EXPECT_EQ(restored->cart[0].quantity, 2);
  EXPECT_EQ(resolve(other_id).actor, other.actor) << "the other session's actor was not touched";
  EXPECT_EQ(live(sessions), 2u);
}

TEST_F(actors_fixture, a_message_routed_under_another_id_or_generation_is_refused) {
  auto id = create();
  auto s = resolve(id);
  ASSERT_TRUE(get(s.actor, s.route)) << "its own route";
  auto stale = s.route;
  stale.generation += 1;
  auto refused = get(s.actor, stale);
  ASSERT_FALSE(refused);
  EXPECT_EQ(domain_code(refused.error()), domain::error_code::not_found) << "another activation's message";
  auto renamed = s.route;
  renamed.key = create();
  refused = get(s.actor, renamed);
  ASSERT_FALSE(refused);
  EXPECT_EQ(domain_code(refused.error()), domain::error_code::not_found) << "another session's id";
}

TEST_F(actors_fixture, beyond_the_live_cap_the_least_recently_used_sessions_are_passivated_and_keep_their_state) {
  TearDown();
  session_cap = 5;
  start();
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back(create());
    put_cart(resolve(ids.back()), i + 1);
    EXPECT_LE(live(sessions), session_cap);
  }
  for (int i = 0; i < 40; ++i) {
    auto s = resolve(ids[i]);
    auto state = get(s.actor, s.route);
    ASSERT_TRUE(state) << i;
    ASSERT_EQ(state->cart.size(), 1u) << i;
    EXPECT_EQ(state->cart[0].quantity, i + 1) << "restored from storage after its eviction";
  }
  EXPECT_LE(live(sessions), session_cap);
  caf::scoped_actor self{*sys};
  self->request(sessions, caf::infinite, caf::get_atom_v, atoms::stats_atom_v)
    .receive([&](directory_stats& st) { EXPECT_GE(st.evictions, 70u); }, [](caf::error&) { ADD_FAILURE(); });
}

TEST_F(actors_fixture, a_session_holding_nothing_is_not_stored_and_comes_back_from_its_id) {
  TearDown();
  session_cap = 2;
  start();
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(create());
  EXPECT_LE(live(sessions), session_cap);
  for (const auto& id : ids) {
    auto s = resolve(id);
    auto state = get(s.actor, s.route);
    ASSERT_TRUE(state) << "a blank session evicted from memory is restored from its signed id";
    EXPECT_EQ(state->id, id);
    EXPECT_TRUE(state->cart.empty());
  }
  auto db_connection =
    storage::open_database(path, storage::database::options{storage::database::access::read_only});
  auto& db = *db_connection;
  auto& count = db.prepare("SELECT count(*) FROM sessions");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.integer(0), 0) << "no row for a session that holds nothing";
  caf::scoped_actor self{*sys};
  auto forged = ids.front();
  forged.back() = forged.back() == '0' ? '1' : '0';
  self->request(sessions, caf::infinite, atoms::resolve_atom_v, forged)
    .receive([](actors::session_ref&) { ADD_FAILURE() << "a forged id is not a session"; },
             [](caf::error& e) { EXPECT_EQ(domain_code(e), domain::error_code::not_found); });
}

TEST_F(actors_fixture, a_deposit_right_after_a_passivation_waits_for_the_old_actor_and_nothing_is_lost) {
  caf::scoped_actor self{*sys};
  domain::contact c{"Ana", "Lopez", "turn@example.org", "", "", "", "City 0", "FR", ""};
  std::int64_t id = 0;
  self->request(accounts, caf::infinite, deadline::none(), atoms::deposit_atom_v, c, std::optional<std::int64_t>{})
    .receive([&](customer_record& r) { id = r.id; }, [](caf::error& e) { ADD_FAILURE() << error_detail(e); });
  for (int round = 1; round <= 100; ++round) {
    c.city = "City " + std::to_string(round);
    // A deposit, a passivation and the next deposit queued back to back: the next one must not reach storage before
    // the passivated actor's write.
    self->send(accounts, deadline::none(), atoms::deposit_atom_v, c, std::optional<std::int64_t>{});
    self->send(accounts, atoms::refresh_atom_v, id);
    c.city = "City " + std::to_string(round) + "b";
    self->send(accounts, deadline::none(), atoms::deposit_atom_v, c, std::optional<std::int64_t>{});
    int received = 0;
    std::vector<std::string> cities;
    self->receive_for(received, 2)([&](customer_record& r) { cities.push_back(r.details.city); });
    ASSERT_EQ(cities.size(), 2u);
  }
  auto db_connection =
    storage::open_database(path, storage::database::options{storage::database::access::read_only});
  auto& db = *db_connection;
  auto& city = db.prepare("SELECT city FROM customers WHERE email_norm = 'turn@example.org'");
  ASSERT_TRUE(city.step());
  EXPECT_EQ(city.text(0), "City 100b") << "the last deposit is the one kept";
}

// An email change is committed by storage (storage::confirm_email_change) while the account's actor is live; the
// directory hears of it (refresh) only afterwards, and a deposit of the new email may come first.
TEST_F(actors_fixture, an_account_whose_email_changed_while_live_keeps_one_actor_and_frees_its_old_email) {
  caf::scoped_actor self{*sys};
  auto deposit = [&](const domain::contact& c) {
    caf::expected<customer_record> out{caf::error{}};
    self->request(accounts, caf::infinite, deadline::none(), atoms::deposit_atom_v, c, std::optional<std::int64_t>{})
      .receive([&](customer_record& r) { out = std::move(r); }, [&](caf::error& e) { out = std::move(e); });
    return out;
  };
  domain::contact c{"Ana", "Lopez", "old-address@example.org", "", "", "", "Lyon", "FR", ""};
  auto first = deposit(c);
  ASSERT_TRUE(first) << error_detail(first.error());
  {
    auto db_connection = storage::open_database(path, storage::database::options{});
    auto& db = *db_connection;
    db.exec("UPDATE customers SET email = 'new-address@example.org', email_norm = 'new-address@example.org' "
            "WHERE id = " + std::to_string(first->id));
  }
  c.email = "new-address@example.org";
  auto second = deposit(c);
  ASSERT_TRUE(second) << error_detail(second.error());
  EXPECT_EQ(second->id, first->id);
  self->send(accounts, atoms::refresh_atom_v, first->id);
  // The old email names no account now: a guest's deposit of it makes a new one (it once reached a stale entry).
  c.email = "old-address@example.org";
  auto third = deposit(c);
  ASSERT_TRUE(third) << error_detail(third.error());
  EXPECT_NE(third->id, first->id);
  c.email = "new-address@example.org";
  c.city = "Nantes";
  auto fourth = deposit(c);
  ASSERT_TRUE(fourth) << error_detail(fourth.error());
  EXPECT_EQ(fourth->id, first->id);
  EXPECT_EQ(fourth->details.city, "Nantes");
}

TEST(session_snapshot, a_placed_session_keeps_its_bill_lines_and_a_cart_does_not) {
  session_snapshot s;
  s.id = "s";
  s.cart = {{"A", 2}};
  s.priced.lines = {{"A", "Sold name", 2, 12000, 24000, 4800, 28800, 2000, 365},
                    {"B", "Gone", 1, 4900, 4900, 270, 5170, std::nullopt, std::nullopt}};
  s.priced.untaxed = 28900;
  s.priced.taxes = 5070;
  s.priced.total = 33970;
  EXPECT_TRUE(actors::session_from_json(actors::to_json(s)).priced.lines.empty())
    << "a cart is priced again against the catalog when its session is reloaded";
  s.transid = "t";
  auto back = actors::session_from_json(actors::to_json(s)).priced;
  ASSERT_EQ(back.lines.size(), 2u);
  EXPECT_EQ(back.lines[0].name, "Sold name");
  EXPECT_EQ(back.lines[0].unit_price, 12000);
  EXPECT_EQ(back.lines[0].tax_rate_bp, 2000);
  EXPECT_EQ(back.lines[0].duration_days, 365);
  EXPECT_EQ(back.lines[1].duration_days, std::nullopt);
  EXPECT_EQ(back.total, 33970);
  EXPECT_EQ(back.currency, "EUR");
}
