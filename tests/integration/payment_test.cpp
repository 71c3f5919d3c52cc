// Purchase completion: test payment, signed notifications, idempotence, bill transitions (issue rules 5-7).
#include "domain/signature.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <regex>
#include <set>
#include <thread>

using namespace boutique::testing;
using nlohmann::json;

namespace {

/// A placed order waiting for its payment.
struct placed_order {
  std::string transid;
  std::int64_t total = 0;
};

placed_order place(test_service& svc, const std::string& email, const json& items) {
  checkout c(svc.port());
  EXPECT_EQ(c.cart(items).status, 200);
  EXPECT_EQ(c.contact(contact_form(email)).status, 200);
  auto r = c.order();
  EXPECT_EQ(r.status, 201) << r.body;
  return {r.json()["transid"], r.json()["total"]};
}

reply notify(test_service& svc, const json& body, std::int64_t t = std::time(nullptr), const std::string& secret = "") {
  auto text = body.dump();
  auto signature = boutique::domain::sign_notification(text, secret.empty() ? svc.settings().payments.secret : secret, t);
  return http_client(svc.port())
    .send("POST", "/api/v1/payments/notify", text,
          {{"Content-Type", "application/json"}, {"X-Boutique-Signature", signature}});
}

json notification(const placed_order& o, const std::string& txn, const std::string& status = "completed") {
  return {{"provider", "test"}, {"txn_id", txn}, {"transid", o.transid}, {"status", status},
          {"amount", o.total},  {"currency", "EUR"}};
}

std::string bill_status(test_service& svc, const std::string& transid) {
  return query_text(svc, "SELECT status FROM bills WHERE transid = ?", transid);
}

}  // namespace

TEST(payment, test_payment_completes_with_one_product_per_unit) {
  test_service svc;
  checkout c(svc.port());
  auto paid = c.buy("units@example.org", json::array({{{"code", "A51-11236-F"}, {"quantity", 2}},
                                                      {{"code", "E03-51000-L"}, {"quantity", 1}}}));
  ASSERT_EQ(paid.status, 200) << paid.body;
  EXPECT_EQ(paid.json()["status"], "COMPLETE");
  auto products = paid.json()["products"];
  ASSERT_EQ(products.size(), 3u);
  std::set<std::string> references;
  for (const auto& p : products) {
    auto ref = p["reference"].get<std::string>();
    EXPECT_TRUE(std::regex_match(ref, std::regex("[0-9A-Za-z]{8}"))) << ref;
    references.insert(ref);
    if (p["code"] == "E03-51000-L") {
      EXPECT_TRUE(p["end"].is_null()) << "a product without duration never ends";
    } else {
      EXPECT_NE(p["start"], p["end"]);
    }
  }
  EXPECT_EQ(references.size(), 3u);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM products WHERE end_at - start_at = 365 * 86400"), 2);
  EXPECT_EQ(c.state().json()["bill_status"], "COMPLETE");
}

TEST(payment, completion_attaches_a_new_user_without_password_and_mails_a_single_use_link) {
  test_service svc;
  ASSERT_EQ(checkout(svc.port()).buy("fresh@example.org").status, 200);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM users WHERE password_hash IS NULL"), 1);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM customers WHERE user_id IS NOT NULL"), 1);
  auto mail = wait_for_mail(svc, "fresh@example.org", "token=");
  ASSERT_FALSE(mail.empty());
  auto token = token_in(mail);
  EXPECT_EQ(token.size(), 22u);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM password_tokens WHERE hash = '" + token + "'"), 0)
    << "tokens are stored hashed";
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM password_tokens WHERE expires_at - " +
                             std::to_string(boutique::domain::now_s()) + " BETWEEN 86000 AND 86400"),
            1);
  EXPECT_FALSE(wait_for_mail(svc, "fresh@example.org", "is complete").empty()) << "purchase confirmation mail";
}

TEST(payment, a_second_purchase_reuses_the_user_and_never_reattaches) {
  test_service svc;
  ASSERT_EQ(checkout(svc.port()).buy("twice@example.org").status, 200);
  auto user = query_int(svc, "SELECT user_id FROM customers");
  ASSERT_EQ(checkout(svc.port()).buy("Twice@Example.org").status, 200);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM users"), 1);
  EXPECT_EQ(query_int(svc, "SELECT user_id FROM customers"), user);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM customers"), 1);
}

TEST(payment, a_signed_notification_completes_once_however_often_it_is_delivered) {
  test_service svc;
  auto order = place(svc, "notified@example.org", json::array({{{"code", "B12-20410-F"}, {"quantity", 3}}}));
  auto body = notification(order, "psp-001");
  std::vector<std::thread> deliveries;
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i)
    deliveries.emplace_back([&] {
      for (int k = 0; k < 4; ++k) {
        auto r = notify(svc, body);
        if (r.status == 200 && r.json()["status"] == "COMPLETE" && r.json()["transid"] == order.transid) ++ok;
      }
    });
  for (auto& d : deliveries) d.join();
  EXPECT_EQ(ok, 64);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM products"), 3);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM payment_notifications"), 1);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM outbox WHERE subject LIKE '%is complete'"), 1);
  svc.restart();
  EXPECT_EQ(notify(svc, body).status, 200) << "a later replay is answered the same";
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM products"), 3);
}

TEST(payment, bad_or_stale_signatures_are_refused_and_record_nothing) {
  test_service svc;
  auto order = place(svc, "signed@example.org", json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}}));
  auto body = notification(order, "psp-bad");
  EXPECT_EQ(notify(svc, body, std::time(nullptr), "not-the-secret").status, 401);
  EXPECT_EQ(notify(svc, body, std::time(nullptr) - 301).status, 401);
  EXPECT_EQ(notify(svc, body, std::time(nullptr) + 301).status, 401);
  auto unsigned_reply = http_client(svc.port()).post("/api/v1/payments/notify", body);
  EXPECT_EQ(unsigned_reply.status, 401);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM payment_notifications"), 0);
  EXPECT_EQ(bill_status(svc, order.transid), "PLACED");
}

TEST(payment, an_amount_or_currency_mismatch_is_refused_and_leaves_the_bill) {
  test_service svc;
  auto order = place(svc, "mismatch@example.org", json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}}));
  auto cheap = notification(order, "psp-cheap");
  cheap["amount"] = order.total - 1;
  EXPECT_EQ(notify(svc, cheap).status, 422);
  auto dollars = notification(order, "psp-usd");
  dollars["currency"] = "USD";
  EXPECT_EQ(notify(svc, dollars).status, 422);
  EXPECT_EQ(bill_status(svc, order.transid), "PLACED");
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM payment_notifications WHERE result <> 'applied'"), 2);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM products"), 0);
}

TEST(payment, bill_states_follow_the_transition_table) {
  test_service svc;
  auto order = place(svc, "states@example.org", json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}}));
  ASSERT_EQ(notify(svc, notification(order, "t1", "pending")).status, 200);
  EXPECT_EQ(bill_status(svc, order.transid), "PENDING");
  ASSERT_EQ(notify(svc, notification(order, "t2", "failed")).status, 200);
  EXPECT_EQ(bill_status(svc, order.transid), "FAILED");
  EXPECT_EQ(notify(svc, notification(order, "t3", "pending")).status, 409) << "FAILED -> PENDING is not allowed";
  EXPECT_EQ(bill_status(svc, order.transid), "FAILED");
  ASSERT_EQ(notify(svc, notification(order, "t4", "completed")).status, 200);
  EXPECT_EQ(bill_status(svc, order.transid), "COMPLETE");
  EXPECT_EQ(notify(svc, notification(order, "t5", "failed")).status, 409) << "COMPLETE is final";
  EXPECT_EQ(bill_status(svc, order.transid), "COMPLETE");
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM products"), 1);
}

TEST(payment, test_payments_can_be_switched_off) {
  auto settings = test_settings();
  settings.payments.test_mode = false;
  test_service svc(settings);
  checkout c(svc.port());
  ASSERT_EQ(c.cart(json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}})).status, 200);
  ASSERT_EQ(c.contact(contact_form("off@example.org")).status, 200);
  EXPECT_EQ(c.order().status, 422);
  EXPECT_EQ(c.pay().status, 404);
  auto page = c.client().get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("class=\"test-mode\""), std::string::npos) << "no test-mode banner once it is off";
}

TEST(payment, every_page_says_test_mode_while_test_payments_are_on) {
  test_service svc;  // test_mode is on by default
  http_client client(svc.port());
  for (const auto* target : {"/", "/cart", "/login", "/account/password?token=unknown"}) {
    auto en = client.get(target, {{"Accept-Language", "en"}});
    EXPECT_NE(en.body.find("<p class=\"test-mode\" role=\"note\">Test mode: payments are simulated"),
              std::string::npos) << target << ": " << en.body.substr(0, 800);
    auto fr = client.get(target, {{"Accept-Language", "fr"}});
    EXPECT_NE(fr.body.find("<p class=\"test-mode\" role=\"note\">Mode test : les paiements sont simulés"),
              std::string::npos) << target << ": " << fr.body.substr(0, 800);
  }
}
