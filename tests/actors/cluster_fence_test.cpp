// The storage actor of a cluster node (docs/CLUSTER.md): a session's write commits only while this node holds the
// session's lease under the epoch it took it with; otherwise it is refused (moved), counted, and the session
// directory is told to passivate that session. Another node is played on a connection of the test's own.
#include "actors/account.hpp"
#include "actors/heartbeat.hpp"
#include "actors/storage_actor.hpp"
#include "support/actor_system_fixture.hpp"
#include "support/storage.hpp"
#include "support/wait.hpp"
#include "support/write_lock.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

using namespace boutique;
using boutique::testing::on_postgresql;

namespace {

struct fence_fixture : boutique::testing::actor_system_fixture {
  actors::storage_actor writer;
  std::unique_ptr<storage::database> other_node;  // node "n2"
  storage::node_identity n2{"n2", "127.0.0.1:2", 0, 10};

  void SetUp() override {
    if (!on_postgresql()) GTEST_SKIP() << "a cluster's nodes share a PostgreSQL database";
    actor_system_fixture::SetUp();
    other_node = storage::open_database(path, storage::database::options{});
    storage::node_identity n1{"n1", "127.0.0.1:1", 0, 10};
    n1.generation = storage::join_cluster(*other_node, n1);
    actors::writer_limits limits;
    limits.node = n1;
    writer = start_writer(64, limits);
    n2.generation = storage::join_cluster(*other_node, n2);
  }

  void TearDown() override {
    writer = nullptr;
    actor_system_fixture::TearDown();
  }

  caf::error save(caf::scoped_actor& self, const std::string& id, const std::string& snapshot) {
    caf::error out;
    self->request(writer, caf::infinite, deadline::none(), caf::put_atom_v, atoms::session_atom_v, id, snapshot,
                  std::int64_t{4'000'000'000})
      .receive([](caf::ok_atom) {}, [&](caf::error& err) { out = err; });
    return out;
  }

  lease_grant lease(caf::scoped_actor& self, const std::string& id, std::string kind = storage::session_lease) {
    lease_grant out;
    self->request(writer, caf::infinite, deadline::none(), atoms::lease_atom_v, std::move(kind), id)
      .receive([&](lease_grant& g) { out = g; }, [](caf::error& err) { ADD_FAILURE() << to_string(err); });
    return out;
  }

  caf::error deposit(caf::scoped_actor& self, const domain::contact& c) {
    caf::error out;
    self->request(writer, caf::infinite, deadline::none(), atoms::deposit_atom_v, c, std::optional<std::int64_t>{},
                  std::int64_t{1'800'000'000})
      .receive([](customer_record&) {}, [&](caf::error& err) { out = err; });
    return out;
  }

  /// Node `n` started (lease n.lease_s): joined, its own writer, and its heartbeat on a connection of its own.
  actors::storage_actor start_node(storage::node_identity& n) {
    n.generation = storage::join_cluster(*other_node, n);
    actors::writer_limits limits;
    limits.node = n;
    auto started = start_writer(64, limits);
    own(actors::spawn_heartbeat(*sys, storage::open_database(path, storage::database::options{}), n, started,
                                limits.busy_since_ms));
    return started;
  }

  /// Node `id`'s row of the membership table, as another node sees it with a lease of 2 s.
  storage::node_view row_of(const std::string& id) {
    for (auto& n : storage::cluster_nodes(*other_node, 2))
      if (n.node_id == id) return n;
    return {};
  }

  cluster_stats stats(caf::scoped_actor& self) {
    cluster_stats out;
    self->request(writer, caf::infinite, caf::get_atom_v, atoms::cluster_atom_v)
      .receive([&](cluster_stats& s) { out = s; }, [](caf::error& err) { ADD_FAILURE() << to_string(err); });
    return out;
  }
};

}  // namespace

TEST_F(fence_fixture, a_session_taken_by_another_node_is_not_written_here_and_its_actor_is_passivated) {
  caf::scoped_actor self{*sys};
  self->send(writer, atoms::cluster_atom_v, caf::subscribe_atom_v, caf::actor_cast<caf::actor>(self));
  auto granted = lease(self, "s1");
  ASSERT_TRUE(granted.taken);
  EXPECT_EQ(granted.epoch, 1);
  EXPECT_FALSE(save(self, "s1", R"({"v":1})")) << "written under its own lease";

  // n1 is paused past its lease: n2 takes the session and writes it.
  other_node->prepare("UPDATE cluster_nodes SET heartbeat_at = now() - interval '1 minute' WHERE node_id = 'n1'").run();
  auto taken = storage::take_lease(*other_node, n2, "session", "s1");
  ASSERT_TRUE(taken.taken);
  EXPECT_EQ(taken.epoch, 2);

  auto refused = save(self, "s1", R"({"v":"late"})");
  EXPECT_EQ(domain_code(refused), domain::error_code::moved) << to_string(refused);
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE snapshot LIKE '%late%'"), 0);
  EXPECT_EQ(stats(self).fenced_writes, 1u);
  bool told = false;
  self->receive([&](atoms::lease_atom, const std::string& kind, const std::string& id) {
                  told = kind == storage::session_lease && id == "s1";
                },
                caf::after(std::chrono::seconds(5)) >> [] {});
  EXPECT_TRUE(told) << "the session directory was not told to passivate the fenced session";
}

TEST_F(fence_fixture, a_session_renamed_at_login_keeps_its_lease_under_the_new_id_only) {
  caf::scoped_actor self{*sys};
  ASSERT_TRUE(lease(self, "old").taken);
  ASSERT_FALSE(save(self, "old", R"({"v":1})"));
  session_rekey rekey{"old", "new", R"({"v":2})", 4'000'000'000, std::nullopt, std::nullopt, 1'800'000'000};
  caf::error failed;
  self->request(writer, caf::infinite, deadline::none(), atoms::rekey_atom_v, rekey)
    .receive([](caf::ok_atom) {}, [&](caf::error& err) { failed = err; });
  ASSERT_FALSE(failed) << to_string(failed);
  EXPECT_FALSE(save(self, "new", R"({"v":3})"));
  EXPECT_EQ(domain_code(save(self, "old", R"({"v":4})")), domain::error_code::moved);
  auto row = storage::find_lease(*other_node, "session", "new");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->owner, "n1");
  EXPECT_FALSE(storage::find_lease(*other_node, "session", "old")) << "the old id's lease is released";
}

TEST_F(fence_fixture, an_account_is_written_only_under_the_lease_of_its_email) {
  caf::scoped_actor self{*sys};
  self->send(writer, atoms::cluster_atom_v, caf::subscribe_atom_v, caf::actor_cast<caf::actor>(self));
  domain::contact ada{"Ada", "Lovelace", "Ada@Example.org", "", "", "", "London", "GB", ""};
  auto key = storage::account_lease_key(ada.email);
  EXPECT_EQ(key, storage::account_lease_key("ada@example.org")) << "one lease per normalised email";
  EXPECT_EQ(domain_code(deposit(self, ada)), domain::error_code::overloaded) << "written without its lease";
  ASSERT_TRUE(lease(self, key, storage::account_lease).taken);
  EXPECT_FALSE(deposit(self, ada)) << "written under its own lease";

  // n1 is paused past its lease: n2 takes the account.
  other_node->prepare("UPDATE cluster_nodes SET heartbeat_at = now() - interval '1 minute' WHERE node_id = 'n1'").run();
  ASSERT_TRUE(storage::take_lease(*other_node, n2, storage::account_lease, key).taken);
  ada.city = "Late";
  EXPECT_EQ(domain_code(deposit(self, ada)), domain::error_code::overloaded);
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE city = 'Late'"), 0);
  EXPECT_EQ(stats(self).fenced_writes, 2u);
  bool told = false;
  self->receive([&](atoms::lease_atom, const std::string& kind, const std::string& k) {
                  told = kind == storage::account_lease && k == key;
                },
                caf::after(std::chrono::seconds(5)) >> [] {});
  EXPECT_TRUE(told) << "the account directory was not told its account's lease is gone";
}

TEST_F(fence_fixture, an_account_leased_by_another_live_node_waits_for_it_until_its_deadline) {
  auto accounts = own(actors::spawn_account_directory(*sys, writer, {std::chrono::seconds(600), 0, true}));
  caf::scoped_actor self{*sys};
  domain::contact c{"Ana", "Lopez", "held@example.org", "", "", "", "Lyon", "FR", ""};
  auto key = storage::account_lease_key(c.email);
  ASSERT_TRUE(storage::take_lease(*other_node, n2, storage::account_lease, key).taken);  // n2 is a live member
  auto started = std::chrono::steady_clock::now();
  caf::error refused;
  self->request(accounts, caf::infinite, deadline::in(std::chrono::milliseconds(400)), atoms::deposit_atom_v, c,
                std::optional<std::int64_t>{})
    .receive([](customer_record&) {}, [&](caf::error& err) { refused = err; });
  EXPECT_EQ(domain_code(refused), domain::error_code::overloaded) << to_string(refused);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(400)) << "it did not wait";
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE email = 'held@example.org'"), 0);

  // n2 gives it back while a deposit waits: that deposit goes through, and this node gives it back in turn.
  bool written = false;
  std::thread give_back([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto row = storage::find_lease(*other_node, storage::account_lease, key);
    storage::release_lease(*other_node, n2, storage::account_lease, key, row ? row->epoch : 0);
  });
  self->request(accounts, caf::infinite, deadline::in(std::chrono::seconds(10)), atoms::deposit_atom_v, c,
                std::optional<std::int64_t>{})
    .receive([&](customer_record& r) { written = r.id > 0; }, [](caf::error& err) { ADD_FAILURE() << to_string(err); });
  give_back.join();
  EXPECT_TRUE(written);
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE email = 'held@example.org'"), 1);
  auto released = false;
  for (int i = 0; i < 200 && !released; ++i) {  // the release is this node's own write, after the answer
    released = !storage::find_lease(*other_node, storage::account_lease, key);
    if (!released) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(released) << "the account kept its lease with nothing in hand";
}

TEST_F(fence_fixture, deposits_of_one_email_through_two_nodes_make_one_account) {
  actors::writer_limits limits;
  limits.node = n2;
  auto writer2 = start_writer(64, limits);
  actors::account_settings settings{std::chrono::seconds(600), 0, true};
  actors::account_directory_actor nodes[] = {own(actors::spawn_account_directory(*sys, writer, settings)),
                                             own(actors::spawn_account_directory(*sys, writer2, settings))};
  caf::scoped_actor self{*sys};
  constexpr int deposits = 400;
  for (int i = 0; i < deposits; ++i) {
    domain::contact c{"Ana", "Lopez", i % 3 ? "Both@example.org" : "both@EXAMPLE.org", "", "", "",
                      "City " + std::to_string(i), "FR", ""};
    self->send(nodes[i % 2], deadline::in(std::chrono::seconds(20)), atoms::deposit_atom_v, c,
               std::optional<std::int64_t>{});
  }
  std::set<std::int64_t> ids;
  int answered = 0;
  self->receive_for(answered, deposits)(
    [&](customer_record& r) { ids.insert(r.id); }, [&](caf::error& err) { ADD_FAILURE() << to_string(err); });
  EXPECT_EQ(ids.size(), 1u) << "one customer account per normalised email";
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE lower(email) = 'both@example.org'"), 1);
  cluster_stats taken[2];
  for (int n = 0; n < 2; ++n) {
    self->request(n ? writer2 : writer, caf::infinite, caf::get_atom_v, atoms::cluster_atom_v)
      .receive([&](cluster_stats& s) { taken[n] = s; }, [](caf::error& err) { ADD_FAILURE() << to_string(err); });
    EXPECT_GT(taken[n].leases_taken, 0u) << "node " << n + 1 << " never held the account";
  }
  EXPECT_EQ(taken[0].fenced_writes + taken[1].fenced_writes, 0u);
  writer2 = nullptr;
}

TEST_F(fence_fixture, a_lease_whose_release_failed_is_given_back_once_more) {
  caf::scoped_actor self{*sys};
  ASSERT_TRUE(lease(self, "k9", storage::account_lease).taken);
  // Another session holds the lease row's lock past the writer's lock timeout: the release fails once.
  auto blocker = storage::open_database(path, storage::database::options{});
  blocker->exec("SET idle_in_transaction_session_timeout = 0");  // held on purpose while the test waits
  blocker->exec("BEGIN");
  blocker->prepare("SELECT 1 FROM cluster_leases WHERE key = 'k9' FOR UPDATE").step();
  self->send(writer, atoms::lease_atom_v, caf::delete_atom_v, std::string{storage::account_lease}, std::string("k9"));
  auto waiting = [&] { return count("SELECT count(*) FROM pg_locks WHERE NOT granted") > 0; };
  ASSERT_TRUE(boutique::testing::within(std::chrono::seconds(5), waiting)) << "the release never waited";
  ASSERT_TRUE(boutique::testing::within(std::chrono::seconds(15), [&] { return !waiting(); }))
    << "the release waited past its lock timeout";
  blocker->exec("ROLLBACK");
  EXPECT_TRUE(boutique::testing::within(std::chrono::seconds(5), [&] {
    return !storage::find_lease(*other_node, storage::account_lease, "k9");
  })) << "the lease stayed held with nothing behind it";
  EXPECT_EQ(stats(self).leases_released, 1u);
}

TEST_F(fence_fixture, the_heartbeat_keeps_a_node_a_member_while_its_writer_waits_on_locks) {
  // Node n3, lease 2 s, its heartbeat on a connection of its own (actors/heartbeat.hpp).
  storage::node_identity n3{"n3", "127.0.0.1:3", 0, 2};
  auto busy = start_node(n3);
  caf::scoped_actor self{*sys};
  bool taken = false;
  self->request(busy, caf::infinite, deadline::none(), atoms::lease_atom_v, std::string{storage::session_lease},
                std::string("s3"))
    .receive([&](lease_grant& g) { taken = g.taken; }, [](caf::error& err) { ADD_FAILURE() << to_string(err); });
  ASSERT_TRUE(taken);
  {
    boutique::testing::write_lock lock(path);  // the writer's next batch waits on the tables
    self->send(busy, deadline::none(), caf::put_atom_v, atoms::session_atom_v, std::string("s3"), std::string("{}"),
               std::int64_t{4'000'000'000});
    // The writer stays blocked for more than twice the lease (fault injection: how long the lock is held).
    std::this_thread::sleep_for(std::chrono::milliseconds(4500));
    auto row = row_of("n3");
    EXPECT_TRUE(row.member && row.generation == n3.generation)
      << "a node whose writer waits on a lock lost its membership (and its sessions)";
  }
  bool written = false;
  self->receive([&](caf::ok_atom) { written = true; }, [](caf::error& err) { ADD_FAILURE() << to_string(err); },
                caf::after(std::chrono::seconds(10)) >> [] {});
  EXPECT_TRUE(written) << "the write that waited is refused: its node lapsed meanwhile";
}

TEST_F(fence_fixture, a_writer_stuck_for_three_leases_loses_its_nodes_membership_and_rejoins_once_back) {
  storage::node_identity n4{"n4", "127.0.0.1:4", 0, 2};
  auto stuck = start_node(n4);
  auto member = [&] { return row_of("n4").member; };
  auto generation = [&] { return row_of("n4").generation; };
  caf::scoped_actor self{*sys};
  for (int i = 0; i < 4; ++i)
    self->request(stuck, caf::infinite, deadline::none(), atoms::lease_atom_v,
                  std::string{storage::session_lease}, "stuck-" + std::to_string(i))
      .receive([](lease_grant& g) { EXPECT_TRUE(g.taken); }, [](caf::error& err) { ADD_FAILURE() << to_string(err); });
  auto lapsed = false;
  {
    boutique::testing::write_lock lock(path);
    // Four writes in one batch, each waiting 5 s on the lock: the writer is busy for 20 s, past 3 leases (6 s).
    for (int i = 0; i < 4; ++i)
      self->send(stuck, deadline::none(), caf::put_atom_v, atoms::session_atom_v, "stuck-" + std::to_string(i),
                 std::string("{}"), std::int64_t{4'000'000'000});
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!lapsed && std::chrono::steady_clock::now() < until) {
      lapsed = !member();
      if (!lapsed) std::this_thread::sleep_for(std::chrono::milliseconds(200));  // polling, with a bound
    }
  }
  EXPECT_TRUE(lapsed) << "a node whose writer is stuck kept its membership (and its sessions)";
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(40);
  while (generation() == n4.generation && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // polling, with a bound
  EXPECT_GT(generation(), n4.generation) << "the writer is back: the node rejoins under a new generation";
  EXPECT_TRUE(member());
}
