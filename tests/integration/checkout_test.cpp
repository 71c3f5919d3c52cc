// Customer accounts through checkout (issue rules 1-4 and 10), over HTTP against the real service.
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

using namespace boutique::testing;
using nlohmann::json;

namespace {

const json checkout_one_item = json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}});

std::string city_of(const test_service& svc, const std::string& email_norm) {
  return query_text(svc, "SELECT city FROM customers WHERE email_norm = ?", email_norm);
}

std::int64_t customers_with(const test_service& svc, const std::string& email_norm) {
  return query_int(svc, "SELECT count(*) FROM customers WHERE email_norm = '" + email_norm + "'");
}

/// Buys as a guest, sets the password from the mailed link; returns the password.
std::string registered_customer(test_service& svc, const std::string& email) {
  checkout c(svc.port());
  EXPECT_EQ(c.buy(email).status, 200);
  auto token = token_in(wait_for_mail(svc, email, "token="));
  EXPECT_FALSE(token.empty());
  const std::string password = "correct horse battery";
  EXPECT_EQ(http_client(svc.port()).post("/api/v1/auth/password", {{"token", token}, {"password", password}}).status,
            200);
  return password;
}

void expect_no_internal_ids(const std::string& body) {
  EXPECT_EQ(body.find("customer_id"), std::string::npos) << body;
  EXPECT_EQ(body.find("user_id"), std::string::npos) << body;
  EXPECT_EQ(body.find("\"id\""), std::string::npos) << body;
}

}  // namespace

TEST(checkout, a_new_email_creates_the_customer_account_with_the_details_given) {
  test_service svc;
  checkout c(svc.port());
  auto r = c.contact(contact_form("  New.Person@Example.ORG "));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["stage"], "contact");
  EXPECT_EQ(r.json()["contact"]["email"], "New.Person@Example.ORG");
  EXPECT_EQ(r.json()["contact"]["organisation"], "Aéroport de Lyon");
  expect_no_internal_ids(r.body);
  EXPECT_EQ(customers_with(svc, "new.person@example.org"), 1);
  EXPECT_EQ(city_of(svc, "new.person@example.org"), "Lyon");
}

TEST(checkout, an_unattached_account_takes_the_new_details) {
  test_service svc;
  ASSERT_EQ(checkout(svc.port()).contact(contact_form("walk@example.org", "Lyon")).status, 200);
  auto second = checkout(svc.port()).contact(contact_form("WALK@example.org", "Grenoble"));
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(customers_with(svc, "walk@example.org"), 1);
  EXPECT_EQ(city_of(svc, "walk@example.org"), "Grenoble") << "new details must not be discarded";
}

TEST(checkout, an_attached_account_is_changed_only_by_its_user_and_the_answer_never_tells) {
  test_service svc;
  auto password = registered_customer(svc, "owner@example.org");
  ASSERT_EQ(query_int(svc, "SELECT count(*) FROM customers WHERE user_id IS NOT NULL"), 1);

  checkout stranger(svc.port());
  auto guest_form = contact_form("owner@example.org", "Marseille");
  auto r = stranger.contact(guest_form);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(city_of(svc, "owner@example.org"), "Lyon") << "a guest must not change an attached account";
  EXPECT_EQ(stranger.client().get(stranger.path("/contact")).json()["city"], "Marseille")
    << "the guest's details stay on the session";

  checkout unknown(svc.port());
  auto fresh = unknown.contact(contact_form("someone-new@example.org", "Marseille"));
  // Same shape, same stage, same echo of what was typed: nothing tells a known email from a new one.
  EXPECT_EQ(r.status, fresh.status);
  EXPECT_EQ(r.json()["stage"], fresh.json()["stage"]);
  auto echoed = r.json()["contact"];
  echoed["email"] = fresh.json()["contact"]["email"];
  EXPECT_EQ(echoed, fresh.json()["contact"]);

  checkout owner(svc.port());
  ASSERT_EQ(owner.login("owner@example.org", password).status, 200);
  ASSERT_EQ(owner.contact(contact_form("owner@example.org", "Nice")).status, 200);
  EXPECT_EQ(city_of(svc, "owner@example.org"), "Nice") << "the logged-in owner's edits are saved";
}

TEST(checkout, concurrent_deposits_of_one_email_yield_exactly_one_customer_account) {
  test_service svc;
  constexpr int threads = 8, sessions_per_thread = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < sessions_per_thread; ++i) {
        checkout c(svc.port());
        auto email = (i + t) % 2 ? "Same.Person@example.org" : "  same.person@EXAMPLE.org";
        if (c.contact(contact_form(email, "City" + std::to_string(t))).status == 200) ++ok;
      }
    });
  for (auto& w : workers) w.join();
  EXPECT_EQ(ok, threads * sessions_per_thread);
  EXPECT_EQ(customers_with(svc, "same.person@example.org"), 1);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM customers"), 1);
}

TEST(checkout, login_prefills_the_form_and_edits_are_saved_to_the_account) {
  test_service svc;
  auto password = registered_customer(svc, "returning@example.org");
  checkout c(svc.port());
  EXPECT_EQ(c.client().get(c.path("/contact")).json()["email"], "") << "before login a session sees only its own typing";

  auto wrong = c.login("returning@example.org", "wrong password!");
  auto unknown = c.login("nobody@example.org", "wrong password!");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.json()["detail"], unknown.json()["detail"]) << "one generic message for both";
  EXPECT_FALSE(c.state().json()["authenticated"]);

  ASSERT_EQ(c.cart(checkout_one_item).status, 200);
  auto before = c.id();
  auto in = c.login("Returning@Example.org", password);
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_NE(c.id(), before) << "a new session id at login";
  EXPECT_EQ(c.id().size(), before.size());
  EXPECT_EQ(c.client().get("/api/v1/sessions/" + before).status, 404) << "the old id no longer works";
  EXPECT_EQ(c.client().get("/api/v1/sessions/" + before + "/contact").status, 404)
    << "whoever knew the old id cannot read the account's details";
  EXPECT_EQ(c.state().json()["cart"]["items"].size(), 1u) << "the cart moved with the session";
  EXPECT_EQ(in.json()["contact"]["city"], "Lyon");
  EXPECT_EQ(in.json()["contact"]["lastname"], "Lopez");
  EXPECT_TRUE(c.state().json()["authenticated"]);
  EXPECT_EQ(c.client().get(c.path("/contact")).json()["city"], "Lyon");

  ASSERT_EQ(c.contact(contact_form("returning@example.org", "Annecy")).status, 200);
  EXPECT_EQ(city_of(svc, "returning@example.org"), "Annecy");
  ASSERT_EQ(c.order().status, 201);
  ASSERT_EQ(c.pay().status, 200);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM users"), 1) << "no second user for a returning customer";
}

TEST(checkout, ordering_places_one_priced_bill_and_placing_twice_returns_it) {
  test_service svc;
  checkout c(svc.port());
  ASSERT_EQ(c.cart(json::array({{{"code", "A51-11236-F"}, {"quantity", 2}}, {{"code", "D22-40155-M"}, {"quantity", 1}}}))
              .status,
            200);
  EXPECT_EQ(c.order().status, 409) << "no contact yet";
  ASSERT_EQ(c.contact(contact_form("buyer@example.org")).status, 200);
  auto first = c.order();
  ASSERT_EQ(first.status, 201) << first.body;
  auto bill = first.json();
  EXPECT_EQ(bill["status"], "PLACED");
  EXPECT_EQ(bill["untaxed"], 2 * 12000 + 4900);
  EXPECT_EQ(bill["taxes"], 2 * 2400 + 270);  // 4900 at 5.5 % = 269.5, rounded half up per line
  EXPECT_EQ(bill["total"], 28900 + 5070);
  EXPECT_EQ(bill["currency"], "EUR");
  EXPECT_GE(bill["transid"].get<std::string>().size(), 22u);
  auto again = c.order();
  EXPECT_EQ(again.json()["transid"], bill["transid"]);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM bills"), 1);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM bill_items"), 2);
  EXPECT_EQ(c.cart(checkout_one_item).status, 409) << "the cart is closed once the order is placed";

  checkout empty(svc.port());
  ASSERT_EQ(empty.contact(contact_form("empty@example.org")).status, 200);
  EXPECT_EQ(empty.order().status, 409);
  checkout other(svc.port());
  EXPECT_NE(other.buy("buyer2@example.org").json()["transid"], bill["transid"]);
}

TEST(checkout, a_checkout_continues_where_it_was_across_restarts) {
  test_service svc;
  checkout c(svc.port());
  ASSERT_EQ(c.cart(checkout_one_item).status, 200);
  svc.restart();
  http_client client(svc.port());
  auto state = client.get(c.path()).json();
  EXPECT_EQ(state["cart"]["total"], 14400);
  ASSERT_EQ(client.put(c.path("/contact"), contact_form("restart@example.org")).status, 200);
  svc.restart();
  http_client client2(svc.port());
  EXPECT_EQ(client2.get(c.path("/contact")).json()["email"], "restart@example.org");
  auto placed = client2.post(c.path("/order"), {{"paymode", "test"}});
  ASSERT_EQ(placed.status, 201);
  svc.restart();
  http_client client3(svc.port());
  EXPECT_EQ(client3.get(c.path()).json()["stage"], "placed");
  ASSERT_EQ(client3.send("POST", c.path("/pay")).status, 200);
  svc.restart();
  auto done = http_client(svc.port()).get(c.path()).json();
  EXPECT_EQ(done["stage"], "completed");
  EXPECT_EQ(done["bill_status"], "COMPLETE");
  EXPECT_EQ(done["transid"], placed.json()["transid"]);
}
