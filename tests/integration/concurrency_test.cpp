// "Exactly one" rules under concurrent requests, and login throttling.
#include "domain/signature.hpp"
#include "support/parallel.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <set>
#include <thread>

using namespace boutique::testing;
using nlohmann::json;

namespace {

const json concurrency_one_item = json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}});

}  // namespace

TEST(concurrency, a_thousand_concurrent_deposits_of_one_email_make_one_customer) {
  test_service svc;
  std::atomic<int> ok{0};
  in_parallel(16, [&](int w) {
    for (int i = w; i < 1000; i += 16) {
      checkout c(svc.port());
      auto email = i % 3 ? " crowd@example.org" : "CROWD@Example.org ";
      if (c.contact(contact_form(email, "City " + std::to_string(i))).status == 200) ++ok;
    }
  });
  EXPECT_EQ(ok, 1000);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM customers"), 1);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM customer_events WHERE kind = 'created'"), 1);
}

TEST(concurrency, a_thousand_concurrent_deliveries_of_one_notification_complete_once) {
  test_service svc;
  checkout c(svc.port());
  ASSERT_EQ(c.cart(json::array({{{"code", "A51-11236-F"}, {"quantity", 2}}})).status, 200);
  ASSERT_EQ(c.contact(contact_form("once@example.org")).status, 200);
  auto order = c.order().json();
  auto body = json{{"provider", "psp"},     {"txn_id", "tx-1000"},  {"transid", order["transid"]},
                   {"status", "completed"}, {"amount", order["total"]}, {"currency", "EUR"}}
                .dump();
  std::atomic<int> ok{0};
  in_parallel(16, [&](int w) {
    http_client client(svc.port());
    for (int i = w; i < 1000; i += 16) {
      auto signature = boutique::domain::sign_notification(body, svc.settings().payments.secret, std::time(nullptr));
      auto r = client.send("POST", "/api/v1/payments/notify", body,
                           {{"Content-Type", "application/json"}, {"X-Boutique-Signature", signature}});
      if (r.status == 200 && r.json()["status"] == "COMPLETE") ++ok;
    }
  });
  EXPECT_EQ(ok, 1000);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM products"), 2);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM users"), 1);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM outbox WHERE subject LIKE '%is complete'"), 1);
}

TEST(concurrency, login_racing_completion_on_one_session_completes_once_and_attaches_once) {
  test_service svc;
  auto password = registered(svc, "racer@example.org", "racing password 1");
  for (int round = 0; round < 10; ++round) {
    checkout c(svc.port());
    auto guest = "guest" + std::to_string(round) + "@example.org";
    ASSERT_EQ(c.cart(concurrency_one_item).status, 200);
    ASSERT_EQ(c.contact(contact_form(guest)).status, 200);
    ASSERT_EQ(c.order().status, 201);
    reply paid, logged;
    std::thread payer([&] { paid = http_client(svc.port()).send("POST", c.path("/pay")); });
    std::thread login([&] {
      logged = http_client(svc.port()).post(c.path("/login"), {{"login", "racer@example.org"}, {"password", password}});
    });
    payer.join();
    login.join();
    ASSERT_EQ(logged.status, 200);
    if (paid.status == 404) {
      // The login renamed the session before the payment reached it: pay under the new id.
      paid = http_client(svc.port()).send("POST", "/api/v1/sessions/" + logged.json()["session_id"].get<std::string>() +
                                                    "/pay");
    }
    EXPECT_EQ(paid.status, 200);
    EXPECT_EQ(query_int(svc, "SELECT count(*) FROM products p JOIN customers c ON c.id = p.customer_id WHERE "
                             "c.email_norm = '" + guest + "'"),
              1);
  }
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM bills WHERE status = 'COMPLETE'"), 11);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM (SELECT user_id FROM customers WHERE user_id IS NOT NULL "
                           "GROUP BY user_id HAVING count(*) > 1) AS shared"),
            0)
    << "no user holds two customer accounts";
  auto racer = query_int(svc, "SELECT user_id FROM customers WHERE email_norm = 'racer@example.org'");
  EXPECT_EQ(query_int(svc, "SELECT id FROM users WHERE email_norm = 'racer@example.org'"), racer)
    << "the logged-in user's own account was never re-attached";
}

TEST(concurrency, concurrent_edits_of_one_account_are_all_applied_in_turn) {
  test_service svc;
  auto password = registered(svc, "editor@example.org", "editing password");
  auto before = query_int(svc, "SELECT version FROM customers");
  constexpr int edits = 40;
  std::atomic<int> ok{0};
  // One login shared by the editors: more concurrent logins of one account than auth.max_failed_logins are
  // told to retry (429, Retry-After: 1) while the first ones are being checked.
  auto login = http_client(svc.port()).post("/api/v1/auth/login", {{"login", "editor@example.org"}, {"password", password}});
  auto cookie = login.header("set-cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  in_parallel(8, [&](int w) {
    http_client client(svc.port());
    for (int i = w; i < edits; i += 8) {
      auto form = contact_form("editor@example.org", "City " + std::to_string(i));
      auto r = client.send("PUT", "/api/v1/me/customer", form.dump(),
                           {{"Content-Type", "application/json"}, {"Cookie", cookie}});
      if (r.status == 200) ++ok;
    }
  });
  EXPECT_EQ(ok, edits);
  EXPECT_EQ(query_int(svc, "SELECT version FROM customers"), before + edits) << "no edit was lost";
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM customer_events WHERE kind = 'contact_updated'"), edits);
}

TEST(throttling, repeated_failed_logins_are_refused_with_retry_after_for_known_and_unknown_names_alike) {
  auto settings = test_settings();
  settings.auth.max_failed_logins = 3;
  test_service svc(settings);
  auto password = registered(svc, "locked@example.org", "the right password");
  http_client client(svc.port());
  for (const std::string login : {"locked@example.org", "nobody@example.org"}) {
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(client.post("/api/v1/auth/login", {{"login", login}, {"password", "wrong guess!"}}).status, 401);
    auto refused = client.post("/api/v1/auth/login", {{"login", login}, {"password", "wrong guess!"}});
    EXPECT_EQ(refused.status, 429) << login;
    EXPECT_GT(std::stoi(refused.header("retry-after")), 0) << login;
  }
  EXPECT_EQ(client.post("/api/v1/auth/login", {{"login", "locked@example.org"}, {"password", password}}).status, 429)
    << "even the right password waits for the window";
  EXPECT_EQ(checkout(svc.port()).login("locked@example.org", password).status, 429) << "checkout login too";
}

TEST(throttling, one_address_with_many_failures_is_refused) {
  auto settings = test_settings();
  settings.auth.max_failed_logins_per_address = 4;
  test_service svc(settings);
  http_client client(svc.port());
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(client.post("/api/v1/auth/login", {{"login", "user" + std::to_string(i)}, {"password", "guess guess"}})
                .status,
              401);
  auto refused = client.post("/api/v1/auth/login", {{"login", "user9"}, {"password", "guess guess"}});
  EXPECT_EQ(refused.status, 429);
  EXPECT_FALSE(refused.header("retry-after").empty());
}
