// Crash safety: SIGKILL the service at random moments under checkout load, restart it, and check that every
// checkout the clients saw acknowledged is there, whole and once, and that interrupted sessions resume.
#include "support/storage.hpp"
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/shop.hpp"
#include "support/test_service.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <csignal>
#include <mutex>
#include <random>
#include <thread>

using namespace boutique::testing;
using nlohmann::json;

namespace {

struct acknowledged {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> checkouts;  ///< (email, transid) answered COMPLETE
  std::vector<std::pair<std::string, int>> carts;              ///< (session id, quantity) answered 200
  std::atomic<int> this_round{0};                              ///< checkouts acknowledged since the last start
};

/// One shopper buying again and again until the server dies under it.
void shop_until_killed(std::uint16_t port, int round, int shopper, acknowledged& seen) {
  try {
    http_client client(port);
    for (int n = 0;; ++n) {
      auto email = "crash-" + std::to_string(round) + "-" + std::to_string(shopper) + "-" + std::to_string(n) + "@example.org";
      auto session = client.send("POST", "/api/v1/sessions");
      if (session.status != 201) return;
      auto sid = session.json()["session_id"].get<std::string>();
      auto path = "/api/v1/sessions/" + sid;
      int quantity = 1 + n % 3;
      if (client.put(path + "/cart", {{"items", {{{"code", "A51-11236-F"}, {"quantity", quantity}}}}}).status != 200) return;
      {
        std::lock_guard lock(seen.mutex);
        seen.carts.emplace_back(sid, quantity);
      }
      if (client.put(path + "/contact", contact_form(email)).status != 200) return;
      if (client.post(path + "/order", {{"paymode", "test"}}).status != 201) return;
      auto paid = client.send("POST", path + "/pay");
      if (paid.status != 200 || paid.json()["status"] != "COMPLETE") return;
      std::lock_guard lock(seen.mutex);
      seen.checkouts.emplace_back(email, paid.json()["transid"].get<std::string>());
      ++seen.this_round;
    }
  } catch (const std::exception&) {
    // the server was killed mid-request: whatever was not acknowledged may or may not be there
  }
}

std::vector<std::string> crash_args(const temp_dir& dir, const test_store& store) {
  return {"--http.port=0", "--admin.port=0", store.option(),
          "--catalog.path=" BOUTIQUE_SOURCE_DIR "/config/catalog.json", "--storage.synchronous=full",
          "--log.level=warn", "--shop.mail_dir=" + (dir.path() / "mail").string()};
}

std::uint16_t start_and_get_port(child_process& p) {
  auto port = p.wait_for_line(std::regex("event=started http_port=(\\d+)"));
  return port.empty() ? 0 : static_cast<std::uint16_t>(std::stoi(port));
}

std::int64_t scalar(boutique::storage::database& db, const std::string& sql, const std::string& param = "") {
  auto& st = db.prepare(sql);
  if (!param.empty()) st.bind_all(param);
  st.step();
  auto v = st.integer(0);
  db.reset_all();
  return v;
}

}  // namespace

TEST(crash, sigkill_under_load_loses_no_acknowledged_checkout_and_sessions_resume) {
  temp_dir dir;
  test_store store{(dir.path() / "b.db").string()};
  acknowledged seen;
  std::mt19937 random(std::random_device{}());
  for (int round = 0; round < 10; ++round) {
    auto args = crash_args(dir, store);
    args.push_back("--log.level=info");  // the started line carries the port
    args.push_back("--http.threads=1");
    child_process server(args);
    auto port = start_and_get_port(server);
    ASSERT_NE(port, 0) << server.output();
    seen.this_round = 0;
    std::vector<std::thread> shoppers;
    for (int s = 0; s < 4; ++s) shoppers.emplace_back(shop_until_killed, port, round, s, std::ref(seen));
    // Each round completes checkouts before its kill, however slow the machine (a sanitized build beside other
    // test runs in CI): the condition is waited for, not a fixed time.
    EXPECT_TRUE(within(std::chrono::seconds(30), [&] { return seen.this_round.load() >= 2; }))
      << "round " << round << ": no checkout completed in 30 s";
    // Fault injection: the kill then lands at a random moment of the load (not a synchronisation).
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 500)(random)));
    server.signal(SIGKILL);
    EXPECT_EQ(server.wait_exit(), -SIGKILL);
    for (auto& t : shoppers) t.join();
  }
  ASSERT_GE(seen.checkouts.size(), 20u) << "the load must have completed checkouts between kills";
  std::printf("crash: 10 SIGKILLs, %zu acknowledged checkouts and %zu acknowledged carts to verify\n",
              seen.checkouts.size(), seen.carts.size());

  auto args = crash_args(dir, store);
  args.push_back("--log.level=info");
  child_process restarted(args);
  auto port = start_and_get_port(restarted);
  ASSERT_NE(port, 0);
  auto opened = store.open({boutique::storage::database::access::read_only, true});
  auto& db = *opened;
  for (const auto& [email, transid] : seen.checkouts) {
    SCOPED_TRACE(email);
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM bills WHERE transid = ? AND status = 'COMPLETE'", transid), 1);
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM customers WHERE email_norm = ?", email), 1);
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM customers WHERE email_norm = ? AND user_id IS NOT NULL", email), 1);
  }
  // Consistency of everything in the database, acknowledged or not: COMPLETE iff products exist and the
  // customer is attached; units bought = products made; nothing twice.
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM bills b WHERE b.status = 'COMPLETE' AND ("
                       " (SELECT sum(quantity) FROM bill_items WHERE bill_id = b.id) <>"
                       " (SELECT count(*) FROM products p JOIN bill_items i ON i.id = p.bill_item_id WHERE i.bill_id = b.id)"
                       " OR (SELECT user_id FROM customers WHERE id = b.customer_id) IS NULL)"),
            0);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM bills b WHERE b.status <> 'COMPLETE' AND EXISTS (SELECT 1 FROM products p "
                       "JOIN bill_items i ON i.id = p.bill_item_id WHERE i.bill_id = b.id)"),
            0);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM (SELECT provider, txn_id FROM payment_notifications "
                       "GROUP BY provider, txn_id "
                       "HAVING count(*) > 1) AS twice"),
            0);
  // Interrupted sessions resume with the cart they had acknowledged.
  http_client client(port);
  for (const auto& [sid, quantity] : seen.carts) {
    auto state = client.get("/api/v1/sessions/" + sid);
    ASSERT_EQ(state.status, 200) << sid;
    EXPECT_EQ(state.json()["cart"]["items"][0]["quantity"], quantity) << sid;
  }
}
