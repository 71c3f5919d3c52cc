// The storage actor of a cluster node (docs/CLUSTER.md): a session's write commits only while this node holds the
// session's lease under the epoch it took it with; otherwise it is refused (moved), counted, and the session
// directory is told to passivate that session. Another node is played on a connection of the test's own.
#include "actors/heartbeat.hpp"
#include "actors/storage_actor.hpp"
#include "support/actor_system_fixture.hpp"
#include "support/storage.hpp"
#include "support/write_lock.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <chrono>
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

  lease_grant lease(caf::scoped_actor& self, const std::string& id) {
    lease_grant out;
    self->request(writer, caf::infinite, deadline::none(), atoms::lease_atom_v, id)
      .receive([&](lease_grant& g) { out = g; }, [](caf::error& err) { ADD_FAILURE() << to_string(err); });
    return out;
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
  self->receive([&](atoms::lease_atom, const std::string& id) { told = id == "s1"; },
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

TEST_F(fence_fixture, the_heartbeat_keeps_a_node_a_member_while_its_writer_waits_on_locks) {
  // Node n3, lease 2 s, its heartbeat on a connection of its own (actors/heartbeat.hpp).
  storage::node_identity n3{"n3", "127.0.0.1:3", 0, 2};
  n3.generation = storage::join_cluster(*other_node, n3);
  actors::writer_limits limits;
  limits.node = n3;
  auto busy = start_writer(64, limits);
  own(actors::spawn_heartbeat(*sys, storage::open_database(path, storage::database::options{}), n3, busy,
                              limits.busy_since_ms));
  caf::scoped_actor self{*sys};
  bool taken = false;
  self->request(busy, caf::infinite, deadline::none(), atoms::lease_atom_v, std::string("s3"))
    .receive([&](lease_grant& g) { taken = g.taken; }, [](caf::error& err) { ADD_FAILURE() << to_string(err); });
  ASSERT_TRUE(taken);
  {
    boutique::testing::write_lock lock(path);  // the writer's next batch waits on the tables
    self->send(busy, deadline::none(), caf::put_atom_v, atoms::session_atom_v, std::string("s3"), std::string("{}"),
               std::int64_t{4'000'000'000});
    // The writer stays blocked for more than twice the lease (fault injection: how long the lock is held).
    std::this_thread::sleep_for(std::chrono::milliseconds(4500));
    bool member = false;
    for (const auto& n : storage::cluster_nodes(*other_node, 2))
      if (n.node_id == "n3") member = n.member && n.generation == n3.generation;
    EXPECT_TRUE(member) << "a node whose writer waits on a lock lost its membership (and its sessions)";
  }
  bool written = false;
  self->receive([&](caf::ok_atom) { written = true; }, [](caf::error& err) { ADD_FAILURE() << to_string(err); },
                caf::after(std::chrono::seconds(10)) >> [] {});
  EXPECT_TRUE(written) << "the write that waited is refused: its node lapsed meanwhile";
}

TEST_F(fence_fixture, a_writer_stuck_for_three_leases_loses_its_nodes_membership_and_rejoins_once_back) {
  storage::node_identity n4{"n4", "127.0.0.1:4", 0, 2};
  n4.generation = storage::join_cluster(*other_node, n4);
  actors::writer_limits limits;
  limits.node = n4;
  auto stuck = start_writer(64, limits);
  own(actors::spawn_heartbeat(*sys, storage::open_database(path, storage::database::options{}), n4, stuck,
                              limits.busy_since_ms));
  auto member = [&] {
    for (const auto& n : storage::cluster_nodes(*other_node, 2))
      if (n.node_id == "n4") return n.member;
    return false;
  };
  auto generation = [&] {
    for (const auto& n : storage::cluster_nodes(*other_node, 2))
      if (n.node_id == "n4") return n.generation;
    return std::int64_t{0};
  };
  caf::scoped_actor self{*sys};
  for (int i = 0; i < 4; ++i)
    self->request(stuck, caf::infinite, deadline::none(), atoms::lease_atom_v, "stuck-" + std::to_string(i))
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
