// The login throttles a cluster's nodes share (actors/attempts.hpp), on PostgreSQL: each "node" is an attempts
// actor on a connection of its own, as a node runs it.
#include "actors/attempts.hpp"
#include "domain/signature.hpp"
#include "support/actor_system_fixture.hpp"
#include "support/storage.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace boutique;
using boutique::testing::on_postgresql;
using outcome = storage::attempt_step::outcome;

namespace {

constexpr const char* secret = "a-cluster-secret-of-at-least-32-characters";

struct attempts_fixture : boutique::testing::actor_system_fixture {
  actors::attempts_actor node_a;
  actors::attempts_actor node_b;
  std::unique_ptr<storage::database> db;

  void SetUp() override {
    if (!on_postgresql()) GTEST_SKIP() << "a cluster's nodes share a PostgreSQL database";
    actor_system_fixture::SetUp();
    db = storage::open_database(path, storage::database::options{});
    node_a = spawn();
    node_b = spawn();
  }

  void TearDown() override {
    node_a = nullptr;
    node_b = nullptr;
    actor_system_fixture::TearDown();
  }

  actors::attempts_actor spawn() {
    auto connection = storage::open_database(path, storage::database::options{});
    return own(actors::spawn_attempts(*sys, std::move(connection), {secret, 1000}));
  }

  caf::expected<domain::attempt_admission> step(const actors::attempts_actor& node, outcome what,
                                                const std::string& name, deadline due = deadline::none()) {
    caf::scoped_actor self{*sys};
    caf::expected<domain::attempt_admission> out{domain::attempt_admission{}};
    storage::attempt_step asked{what, "login", name, 5, 900, 0};
    self->request(node, caf::infinite, due, atoms::attempt_atom_v, std::move(asked))
      .receive([&](domain::attempt_admission a) { out = a; }, [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  std::int64_t count(const std::string& sql) { return boutique::testing::query_int(*db, sql); }
};

}  // namespace

TEST_F(attempts_fixture, a_row_is_keyed_by_the_cluster_secret_and_names_nobody) {
  ASSERT_TRUE(step(node_a, outcome::admit, "ada@example.com")->admitted());
  step(node_a, outcome::failed, "ada@example.com");
  auto& st = db->prepare("SELECT key, failures, in_flight FROM login_attempts");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.text(0), domain::hmac_sha256_hex("boutique-login-attempts-v1.login.ada@example.com", secret));
  EXPECT_EQ(st.integer(1), 1);
  EXPECT_EQ(st.integer(2), 0);
  st.reset();
}

TEST_F(attempts_fixture, a_name_refused_for_its_failures_is_refused_again_without_asking_the_database) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(step(node_a, outcome::admit, "ada@example.com")->admitted());
    step(node_a, outcome::failed, "ada@example.com");
  }
  auto refused = step(node_a, outcome::admit, "ada@example.com");
  ASSERT_TRUE(refused);
  EXPECT_GT(refused->retry_after, 800);
  db->exec("DELETE FROM login_attempts");
  EXPECT_FALSE(step(node_a, outcome::admit, "ada@example.com")->admitted()) << "refused by what node a knows";
  EXPECT_EQ(count("SELECT count(*) FROM login_attempts"), 0) << "no transaction for it";
}

TEST_F(attempts_fixture, a_place_freed_by_an_attempt_in_flight_is_taken_through_another_node) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(step(node_a, outcome::admit, "ada@example.com")->admitted());
  EXPECT_EQ(step(node_b, outcome::admit, "ada@example.com")->retry_after, 1);
  step(node_b, outcome::withdrawn, "ada@example.com");
  EXPECT_TRUE(step(node_a, outcome::admit, "ada@example.com")->admitted()) << "a place came free";
}

TEST_F(attempts_fixture, an_admission_whose_deadline_passed_is_refused_and_not_counted) {
  auto late = step(node_a, outcome::admit, "ada@example.com", deadline::in(std::chrono::milliseconds(-1)));
  ASSERT_FALSE(late);
  EXPECT_EQ(count("SELECT count(*) FROM login_attempts"), 0);
}

TEST_F(attempts_fixture, an_admission_whose_deadline_passes_while_it_waits_on_the_row_is_rolled_back) {
  ASSERT_TRUE(step(node_a, outcome::admit, "ada@example.com")->admitted());
  step(node_a, outcome::failed, "ada@example.com");
  // Another node's step holds the row for 600 ms; this admission's request gives up after 300.
  db->exec("SET idle_in_transaction_session_timeout = 0");
  db->exec("BEGIN");
  db->exec("SELECT 1 FROM login_attempts FOR UPDATE");
  std::thread holder([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    db->exec("COMMIT");
  });
  auto late = step(node_b, outcome::admit, "ada@example.com", deadline::in(std::chrono::milliseconds(300)));
  holder.join();
  EXPECT_FALSE(late);
  EXPECT_EQ(count("SELECT in_flight FROM login_attempts"), 0) << "nobody waits for it: it must not count";
  EXPECT_EQ(count("SELECT failures FROM login_attempts"), 1);
}

// The race an attacker would run: the same name tried through two nodes at the same instant.
TEST_F(attempts_fixture, a_thousand_admissions_of_one_name_through_two_nodes_admit_exactly_the_limit) {
  std::atomic<int> admitted{0}, answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 125; ++i) {
        auto a = step(t % 2 ? node_b : node_a, outcome::admit, "ada@example.com",
                      deadline::in(std::chrono::seconds(30)));
        if (a) ++answered;
        if (a && a->admitted()) ++admitted;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered.load(), 1000);
  EXPECT_EQ(admitted.load(), 5);
  EXPECT_EQ(count("SELECT in_flight FROM login_attempts"), 5);
}
