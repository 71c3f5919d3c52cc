// Idempotency-Key on POST .../order, POST .../pay and POST /api/v1/payments/notify (issue 11, part C;
// docs/API-NOTES.md, "Idempotency").
#include "domain/signature.hpp"
#include "domain/tokens.hpp"
#include "storage/database.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <mutex>
#include <set>
#include <thread>

using namespace boutique::testing;
using nlohmann::json;

namespace {

using header_map = std::map<std::string, std::string>;

const json idempotency_one_item = json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}});
const std::string test_paymode = R"({"paymode":"test"})";

header_map keyed(const std::string& key) { return {{"Content-Type", "application/json"}, {"Idempotency-Key", key}}; }

/// Gives session `c` a cart and a contact: it is ready to order.
void make_ready(checkout& c, const std::string& email) {
  EXPECT_EQ(c.cart(idempotency_one_item).status, 200);
  EXPECT_EQ(c.contact(contact_form(email)).status, 200);
}

reply order(checkout& c, const std::string& key, const std::string& body = test_paymode) {
  return c.client().send("POST", c.path("/order"), body, keyed(key));
}

reply pay(std::uint16_t port, const std::string& path, const std::string& key) {
  return http_client(port).send("POST", path, "", {{"Idempotency-Key", key}});
}

reply notify(test_service& svc, const std::string& body, const std::string& key) {
  auto signature = boutique::domain::sign_notification(body, svc.settings().payments.secret, std::time(nullptr));
  auto headers = keyed(key);
  headers["X-Boutique-Signature"] = signature;
  return http_client(svc.port()).send("POST", "/api/v1/payments/notify", body, headers);
}

bool replayed(const reply& r) { return r.header("idempotent-replayed") == "true"; }

/// Writes a claim of `key` on the pay route of `session_path` straight into the database, as a request that is
/// still running (or that died with its process) leaves it.
void leave_claim(const test_service& svc, const std::string& session_path, const std::string& key,
                 std::int64_t started_at) {
  auto sid = session_path.substr(std::string("/api/v1/sessions/").size());
  using boutique::storage::database;
  auto db = svc.open_database({database::access::read_write, false});
  db->prepare("INSERT INTO idempotency_keys (key_hash, fingerprint, started_at, expires_at) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (key_hash) DO UPDATE SET fingerprint = excluded.fingerprint, status = 0, "
              "started_at = excluded.started_at, expires_at = excluded.expires_at")
    .bind_all(boutique::domain::sha256_hex("pay\n" + sid + "\n" + key), boutique::domain::sha256_hex(""), started_at,
              started_at + 86400)
    .run();
}

}  // namespace

TEST(idempotency, a_retried_order_answers_the_first_outcome_also_after_a_restart) {
  test_service svc;
  checkout c(svc.port());
  make_ready(c, "retry@example.org");
  auto first = order(c, "order-1");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_FALSE(replayed(first));

  auto again = order(c, "order-1");
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_TRUE(replayed(again)) << "the answer says it is a replay";

  svc.restart();
  auto after_restart = http_client(svc.port()).send("POST", c.path("/order"), test_paymode, keyed("order-1"));
  EXPECT_EQ(after_restart.status, 201);
  EXPECT_EQ(after_restart.body, first.body);
  EXPECT_TRUE(replayed(after_restart)) << "outcomes are stored durably";
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM bills"), 1);
}

TEST(idempotency, a_key_reused_with_another_body_is_refused_and_keys_are_scoped_by_route_and_session) {
  test_service svc;
  checkout c(svc.port());
  make_ready(c, "scope@example.org");
  ASSERT_EQ(order(c, "shared-key").status, 201);
  auto other_body = order(c, "shared-key", R"({"paymode":"card"})");
  EXPECT_EQ(other_body.status, 422) << other_body.body;
  EXPECT_NE(other_body.body.find("another request body"), std::string::npos) << other_body.body;

  checkout other_session(svc.port());
  make_ready(other_session, "scope-2@example.org");
  auto elsewhere = order(other_session, "shared-key");
  ASSERT_EQ(elsewhere.status, 201) << "another session's key of the same name is another key: " << elsewhere.body;
  EXPECT_FALSE(replayed(elsewhere));
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM bills"), 2);

  auto paid = pay(svc.port(), c.path("/pay"), "shared-key");
  EXPECT_EQ(paid.status, 200) << "another route's key of the same name is another key: " << paid.body;
  EXPECT_FALSE(replayed(paid));
}

TEST(idempotency, an_outcome_refused_is_replayed_too) {
  test_service svc;
  checkout c(svc.port());
  auto empty = order(c, "too-early");
  ASSERT_EQ(empty.status, 409) << "the cart is empty";
  ASSERT_EQ(c.cart(idempotency_one_item).status, 200);
  ASSERT_EQ(c.contact(contact_form("early@example.org")).status, 200);
  auto retried = order(c, "too-early");
  EXPECT_EQ(retried.status, 409) << "the key answers its first outcome for its lifetime";
  EXPECT_EQ(retried.body, empty.body);
  EXPECT_TRUE(replayed(retried));
  EXPECT_EQ(order(c, "a-new-key").status, 201) << "a new key is a new request";
}

TEST(idempotency, a_hundred_concurrent_pays_with_one_key_run_once) {
  auto settings = test_settings();
  settings.http.max_connections_per_address = 1000;  // a hundred clients on one address
  test_service svc(settings);
  checkout c(svc.port());
  make_ready(c, "crowd@example.org");
  ASSERT_EQ(c.order().status, 201);
  std::mutex mutex;
  std::vector<reply> replies;
  std::vector<std::thread> threads;
  for (int i = 0; i < 100; ++i)
    threads.emplace_back([&] {
      auto r = pay(svc.port(), c.path("/pay"), "pay-once");
      std::lock_guard lock(mutex);
      replies.push_back(std::move(r));
    });
  for (auto& t : threads) t.join();

  int ran = 0, busy = 0;
  std::set<std::string> bodies;
  for (const auto& r : replies) {
    if (r.status == 409) {
      ++busy;
      EXPECT_EQ(r.header("retry-after"), "1");
      continue;
    }
    ASSERT_EQ(r.status, 200) << r.body;
    bodies.insert(r.body);
    if (!replayed(r)) ++ran;
  }
  EXPECT_EQ(ran, 1) << "one request ran; the others were answered from its outcome or told it runs (" << busy
                    << " times 409)";
  EXPECT_EQ(bodies.size(), 1u) << "every answer is the first outcome";
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM products"), 1);
  auto later = pay(svc.port(), c.path("/pay"), "pay-once");
  EXPECT_EQ(later.status, 200);
  EXPECT_TRUE(replayed(later));
  EXPECT_EQ(bodies.count(later.body), 1u);
}

TEST(idempotency, a_retry_while_the_first_request_runs_is_told_so_and_a_claim_left_by_a_crash_is_taken_over) {
  test_service svc;
  checkout c(svc.port());
  make_ready(c, "crash@example.org");
  ASSERT_EQ(c.order().status, 201);
  auto now = static_cast<std::int64_t>(std::time(nullptr));

  leave_claim(svc, c.path(), "in-flight", now);
  auto running = pay(svc.port(), c.path("/pay"), "in-flight");
  EXPECT_EQ(running.status, 409) << running.body;
  EXPECT_EQ(running.header("retry-after"), "1");
  EXPECT_EQ(c.state().json()["bill_status"], "PLACED") << "nothing ran";

  // The request timeout is 10 s in tests: a claim older than twice that was left by a process that stopped.
  leave_claim(svc, c.path(), "in-flight", now - 21);
  auto taken_over = pay(svc.port(), c.path("/pay"), "in-flight");
  ASSERT_EQ(taken_over.status, 200) << taken_over.body;
  EXPECT_FALSE(replayed(taken_over));
  EXPECT_EQ(taken_over.json()["status"], "COMPLETE");
  auto retried = pay(svc.port(), c.path("/pay"), "in-flight");
  EXPECT_TRUE(replayed(retried));
  EXPECT_EQ(retried.body, taken_over.body);
}

TEST(idempotency, a_notification_retried_with_its_key_answers_the_same_and_another_body_is_refused) {
  test_service svc;
  checkout c(svc.port());
  make_ready(c, "notify@example.org");
  auto placed = c.order().json();
  auto body = [&](const std::string& txn) {
    return json{{"provider", "psp"},     {"txn_id", txn},           {"transid", placed["transid"]},
                {"status", "completed"}, {"amount", placed["total"]}, {"currency", "EUR"}}
      .dump();
  };
  auto first = notify(svc, body("tx-1"), "notify-1");
  ASSERT_EQ(first.status, 200) << first.body;
  auto again = notify(svc, body("tx-1"), "notify-1");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body);
  EXPECT_TRUE(replayed(again));
  EXPECT_EQ(notify(svc, body("tx-2"), "notify-1").status, 422);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM payment_notifications"), 1);
}
