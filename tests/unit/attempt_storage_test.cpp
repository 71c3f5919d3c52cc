// The login throttles a cluster's nodes share (storage/attempts.hpp), on PostgreSQL: each node counts on its own
// connection, and the limits hold for all of them together.
#include "storage/attempts.hpp"
#include "storage/migrations.hpp"
#include "support/storage.hpp"
#include "support/test_service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace boutique::storage;
using boutique::domain::attempt_admission;
using boutique::testing::on_postgresql;
using boutique::testing::temp_dir;
using boutique::testing::test_store;
using outcome = attempt_step::outcome;

namespace {

struct attempts_fixture : ::testing::Test {
  temp_dir dir;
  test_store store{(dir.path() / "a.db").string()};
  std::unique_ptr<database> node_a;
  std::unique_ptr<database> node_b;

  void SetUp() override {
    if (!on_postgresql()) GTEST_SKIP() << "a cluster's nodes share a PostgreSQL database";
    node_a = store.open();
    migrate(*node_a);
    node_b = store.open();
  }

  /// One step for `name` (5 attempts in 900 s), in a transaction of its own as the storage writer runs it.
  static attempt_admission step(database& db, outcome what, const std::string& name, int forgivable = 0) {
    db.begin_batch();
    auto answer = apply_attempt_step(db, {what, "login", name, 5, 900, forgivable});
    db.commit_batch();
    return answer;
  }

  std::int64_t count(const std::string& sql) { return boutique::testing::query_int(*node_a, sql); }
};

}  // namespace

TEST_F(attempts_fixture, two_nodes_counting_one_name_share_its_budget) {
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(step(i % 2 ? *node_b : *node_a, outcome::admit, "ada@example.com").admitted()) << "attempt " << i;
  auto sixth = step(*node_b, outcome::admit, "ada@example.com");
  EXPECT_FALSE(sixth.admitted()) << "five in flight through two nodes fill the budget of the name";
  EXPECT_EQ(sixth.retry_after, 1) << "held by attempts in flight, which may end soon";
  EXPECT_TRUE(step(*node_b, outcome::admit, "other@example.com").admitted()) << "another name has its own";

  for (int i = 0; i < 5; ++i) step(i % 2 ? *node_a : *node_b, outcome::failed, "ada@example.com");
  auto refused = step(*node_a, outcome::admit, "ada@example.com");
  EXPECT_FALSE(refused.admitted());
  EXPECT_GT(refused.retry_after, 890) << "five failures: the window has to pass";
}

TEST_F(attempts_fixture, a_success_through_one_node_forgives_the_failures_another_counted_before_it) {
  step(*node_a, outcome::admit, "ada@example.com");
  step(*node_a, outcome::failed, "ada@example.com");
  step(*node_a, outcome::admit, "ada@example.com");
  step(*node_a, outcome::failed, "ada@example.com");
  auto admitted = step(*node_b, outcome::admit, "ada@example.com");
  ASSERT_TRUE(admitted.admitted());
  EXPECT_EQ(admitted.forgivable, 2);
  step(*node_b, outcome::succeeded, "ada@example.com", admitted.forgivable);
  EXPECT_EQ(count("SELECT count(*) FROM login_attempts"), 0) << "nothing counts any more: the row goes";
}

TEST_F(attempts_fixture, attempts_that_never_told_how_they_ended_count_as_failures_after_a_minute) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(step(*node_a, outcome::admit, "ada@example.com").admitted());
  EXPECT_EQ(step(*node_b, outcome::admit, "ada@example.com").retry_after, 1) << "five in flight";
  node_a->exec("UPDATE login_attempts SET admitted_at = admitted_at - 61");  // node a died a minute ago
  auto refused = step(*node_b, outcome::admit, "ada@example.com");
  EXPECT_GT(refused.retry_after, 800) << "five guesses whose outcome was lost are not given back";
  EXPECT_EQ(count("SELECT failures FROM login_attempts"), 5);
  EXPECT_EQ(count("SELECT in_flight FROM login_attempts"), 0);
}

TEST_F(attempts_fixture, a_row_goes_once_its_window_passed) {
  step(*node_a, outcome::admit, "ada@example.com");
  step(*node_a, outcome::failed, "ada@example.com");
  EXPECT_EQ(count("SELECT count(*) FROM login_attempts WHERE failures = 1"), 1);
  EXPECT_EQ(forget_attempts(*node_a, 100), 0) << "its window has not passed";
  node_a->exec("UPDATE login_attempts SET started = started - 901, admitted_at = admitted_at - 901, "
               "forget_at = forget_at - 901");
  EXPECT_EQ(forget_attempts(*node_a, 100), 1);
  EXPECT_EQ(count("SELECT count(*) FROM login_attempts"), 0);
}

// The race an attacker would run: many nodes admitting one name at the same instant, each in its own transaction.
// The row lock makes them count one after the other: exactly the limit is admitted.
TEST_F(attempts_fixture, two_hundred_admissions_at_once_on_four_connections_admit_exactly_the_limit) {
  std::vector<std::unique_ptr<database>> nodes;
  for (int i = 0; i < 4; ++i) nodes.push_back(store.open());
  std::atomic<int> admitted{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (auto& db : nodes)
    threads.emplace_back([&, conn = db.get()] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < 50; ++i)
        if (step(*conn, outcome::admit, "ada@example.com").admitted()) ++admitted;
    });
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 5);
  EXPECT_EQ(count("SELECT in_flight FROM login_attempts"), 5);
}
