// Membership and leases on PostgreSQL (storage/cluster.hpp): what single activation across nodes rests on. Two
// nodes are played on one connection; a node's heartbeat is made old by setting it back in the table.
#include "storage/cluster.hpp"
#include "storage/migrations.hpp"
#include "support/storage.hpp"
#include "support/test_service.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

using namespace boutique::storage;
using boutique::testing::on_postgresql;
using boutique::testing::temp_dir;
using boutique::testing::test_store;

namespace {

struct cluster_fixture : ::testing::Test {
  temp_dir dir;
  test_store store{(dir.path() / "c.db").string()};
  std::unique_ptr<database> db;
  node_identity a{"a", "127.0.0.1:8001", 0, 10};
  node_identity b{"b", "127.0.0.1:8002", 0, 10};

  void SetUp() override {
    if (!on_postgresql()) GTEST_SKIP() << "a cluster's nodes share a PostgreSQL database";
    db = store.open();
    migrate(*db);
    a.generation = join_cluster(*db, a);
    b.generation = join_cluster(*db, b);
  }

  /// Node `n` as if it had sent no heartbeat for `seconds`.
  void silence(const node_identity& n, int seconds) {
    db->prepare("UPDATE cluster_nodes SET heartbeat_at = now() - make_interval(secs => ?) WHERE node_id = ?")
      .bind_all(std::int64_t{seconds}, n.node_id)
      .run();
  }
};

}  // namespace

TEST_F(cluster_fixture, a_lease_is_held_by_one_live_node_and_its_epoch_grows_with_every_taking) {
  auto first = take_lease(*db, a, "session", "s1");
  ASSERT_TRUE(first.taken);
  EXPECT_EQ(first.epoch, 1);
  auto refused = take_lease(*db, b, "session", "s1");
  EXPECT_FALSE(refused.taken);
  EXPECT_EQ(refused.owner, "a");
  EXPECT_EQ(refused.owner_address, "127.0.0.1:8001");
  EXPECT_TRUE(lease_holds(*db, a, "session", "s1", 1));
  EXPECT_FALSE(lease_holds(*db, b, "session", "s1", 1));

  silence(a, 11);  // a is gone: b takes it, one epoch up, and a's writes fail from now on
  auto taken = take_lease(*db, b, "session", "s1");
  ASSERT_TRUE(taken.taken);
  EXPECT_EQ(taken.epoch, 2);
  EXPECT_FALSE(lease_holds(*db, a, "session", "s1", 1));
  EXPECT_TRUE(lease_holds(*db, b, "session", "s1", 2));
}

TEST_F(cluster_fixture, a_node_whose_heartbeat_lapsed_holds_nothing_until_it_rejoins_under_a_new_generation) {
  ASSERT_TRUE(take_lease(*db, a, "session", "s1").taken);
  EXPECT_TRUE(heartbeat(*db, a));
  silence(a, 11);
  EXPECT_FALSE(lease_holds(*db, a, "session", "s1", 1)) << "a write after the lease lapsed, nobody took it yet";
  EXPECT_FALSE(heartbeat(*db, a)) << "a lapsed membership is not renewed: the node must rejoin";
  auto lapsed = a.generation;
  a.generation = join_cluster(*db, a);
  EXPECT_EQ(a.generation, lapsed + 1);
  EXPECT_FALSE(lease_holds(*db, a, "session", "s1", 1)) << "a lease of the lapsed generation";
  auto again = take_lease(*db, a, "session", "s1");
  ASSERT_TRUE(again.taken);
  EXPECT_EQ(again.epoch, 2);
  EXPECT_TRUE(lease_holds(*db, a, "session", "s1", 2));
}

TEST_F(cluster_fixture, a_released_lease_leaves_the_table_and_is_free_for_any_node) {
  ASSERT_TRUE(take_lease(*db, a, "session", "s1").taken);
  release_lease(*db, b, "session", "s1", 1);  // not b's: nothing
  EXPECT_TRUE(lease_holds(*db, a, "session", "s1", 1));
  release_lease(*db, a, "session", "s1", 1);
  EXPECT_FALSE(lease_holds(*db, a, "session", "s1", 1));
  EXPECT_FALSE(find_lease(*db, "session", "s1")) << "the table holds live leases only";
  auto taken = take_lease(*db, b, "session", "s1");
  ASSERT_TRUE(taken.taken);
  EXPECT_FALSE(lease_holds(*db, a, "session", "s1", taken.epoch)) << "the same epoch, another owner";
}

TEST_F(cluster_fixture, leases_left_by_a_dead_node_are_swept_once_old_and_a_live_nodes_never) {
  ASSERT_TRUE(take_lease(*db, a, "session", "dead-node's").taken);
  ASSERT_TRUE(take_lease(*db, b, "session", "live-node's").taken);
  db->prepare("UPDATE cluster_leases SET taken_at = now() - interval '2 hours'").run();
  EXPECT_EQ(forget_abandoned_leases(*db, b, 3600, 100), 0) << "both owners are members";
  silence(a, 11);
  EXPECT_EQ(forget_abandoned_leases(*db, b, 3600, 100), 1);
  EXPECT_FALSE(find_lease(*db, "session", "dead-node's"));
  EXPECT_TRUE(find_lease(*db, "session", "live-node's"));
}

TEST_F(cluster_fixture, the_membership_table_shows_each_node_its_generation_and_leases) {
  ASSERT_TRUE(take_lease(*db, a, "session", "s1").taken);
  ASSERT_TRUE(take_lease(*db, a, "session", "s2").taken);
  silence(b, 30);
  auto nodes = cluster_nodes(*db, 10);
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].node_id, "a");
  EXPECT_TRUE(nodes[0].member);
  EXPECT_EQ(nodes[0].leases, 2);
  EXPECT_EQ(nodes[0].advertise, "127.0.0.1:8001");
  EXPECT_FALSE(nodes[1].member);
  EXPECT_GE(nodes[1].heartbeat_age_s, 29.0);
}

TEST_F(cluster_fixture, a_write_left_open_by_a_stopped_node_is_ended_by_the_server_and_frees_the_lease) {
  ASSERT_TRUE(take_lease(*db, a, "session", "s1").taken);
  db->begin_batch();
  ASSERT_TRUE(lease_holds(*db, a, "session", "s1", 1));  // the lease row share-locked until this batch ends
  // The node stops here (kill -STOP) with its transaction open: the server ends it after 2 s. Fault injection.
  std::this_thread::sleep_for(std::chrono::milliseconds(2600));
  auto other = store.open();
  other->prepare("UPDATE cluster_nodes SET heartbeat_at = now() - interval '1 minute' WHERE node_id = 'a'").run();
  auto started = std::chrono::steady_clock::now();
  auto taken = take_lease(*other, b, "session", "s1");  // would wait on the share lock of a transaction still open
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_TRUE(taken.taken);
  EXPECT_THROW(db->commit_batch(), storage_error) << "the stopped node's late batch committed";
}

TEST_F(cluster_fixture, a_node_refused_a_lease_locks_nothing_the_owner_writes_or_releases) {
  auto held = take_lease(*db, a, "account", "k1");
  ASSERT_TRUE(held.taken);
  auto asker = store.open();  // node b asks within its batch, which stays open meanwhile (as a batch does)
  asker->begin_batch();
  EXPECT_FALSE(take_lease(*asker, b, "account", "k1").taken);
  // The owner fences a write and then gives the lease back, waiting for no lock of b's.
  db->begin_batch();
  db->limit_lock_waits(std::chrono::milliseconds(300));
  EXPECT_NO_THROW(EXPECT_TRUE(lease_holds(*db, a, "account", "k1", held.epoch)));
  EXPECT_NO_THROW(release_lease(*db, a, "account", "k1", held.epoch));
  EXPECT_NO_THROW(db->commit_batch());
  asker->rollback_batch();
  EXPECT_FALSE(find_lease(*db, "account", "k1")) << "given back";
}
