// Renewals and reminders (issue 15, point 5) over HTTP: the support space says which products are renewable; "Renew"
// on the account page puts the product in the cart of a checkout filled in from the account; a reminder mail goes out
// once per product before it ends, in the customer's language, whatever the number of concurrent runs, the timer
// and restarts, and never for a refunded or ended product. The browser journey: tests/e2e/account.test.mjs.
#include "domain/product.hpp"
#include "support/parallel.hpp"
#include "support/shop.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>

using namespace boutique::testing;
using nlohmann::json;

namespace {

constexpr std::int64_t a_day = boutique::domain::seconds_per_day;
const std::string renewal_password = "renew it every year";
const json renewable_one = json::array({{{"code", "A51-11237-R"}, {"quantity", 1}}});
const json renewable_and_not =
  json::array({{{"code", "A51-11237-R"}, {"quantity", 1}}, {{"code", "A51-11236-F"}, {"quantity", 1}}});

std::map<std::string, std::string> staff_token(const test_service& svc) {
  return {{"Authorization", "Bearer " + svc.settings().admin.token}};
}

/// POST /admin/reminders: how many reminders it mailed (-1 when refused).
std::int64_t run_reminders(const test_service& svc) {
  auto r = http_client(svc.admin_port()).send("POST", "/admin/reminders", "", staff_token(svc));
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.json()["sent"].get<std::int64_t>() : -1;
}

/// Reminders queued for `email`, in either language.
std::int64_t reminders_to(const test_service& svc, const std::string& email) {
  return std::stoll(query_text(svc,
                               "SELECT count(*) FROM outbox WHERE recipient = ? AND (subject LIKE 'Your training %' "
                               "OR subject LIKE 'Votre formation %')",
                               email));
}

std::string customer_of(const test_service& svc, const std::string& email) {
  return query_text(svc, "SELECT id FROM customers WHERE email = ?", email);
}

/// "name=value" of a reply's Set-Cookie named `name`, or "".
std::string cookie_set_by(const reply& r, const std::string& name) {
  auto header = r.header("set-cookie");
  auto at = header.find(name + "=");
  if (at == std::string::npos) return {};
  return header.substr(at, header.find(';', at) - at);
}

bool says(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

}  // namespace

TEST(renewal, the_support_space_and_staff_see_which_products_are_renewable_until_the_order_is_refunded) {
  test_service svc;
  const std::string email = "renewable@example.org";
  registered(svc, email, renewal_password, renewable_and_not);
  auto login = login_header(svc, email, renewal_password);
  auto products = http_client(svc.port()).get("/api/v1/me/products", login).json()["products"];
  ASSERT_EQ(products.size(), 2u) << products.dump();
  for (const auto& p : products) EXPECT_EQ(p["renewable"], p["code"] == "A51-11237-R") << p.dump();
  auto id = customer_of(svc, email);
  auto staff_view = http_client(svc.admin_port()).get("/admin/customers/" + id, staff_token(svc)).json();
  for (const auto& p : staff_view["products"]) EXPECT_EQ(p["renewable"], p["code"] == "A51-11237-R") << p.dump();

  auto transid = query_text(svc, "SELECT transid FROM bills WHERE customer_id = ?", id);
  auto refund = http_client(svc.admin_port()).send("POST", "/admin/bills/" + transid + "/refund", "", staff_token(svc));
  ASSERT_EQ(refund.status, 200) << refund.body;
  products = http_client(svc.port()).get("/api/v1/me/products", login).json()["products"];
  for (const auto& p : products) EXPECT_EQ(p["renewable"], false) << "refunded: " << p.dump();
  EXPECT_FALSE(says(http_client(svc.port()).get("/account", login).body, ">Renew</button>"));
}

TEST(renewal, renew_on_the_account_page_puts_the_product_in_the_cart_and_the_contact_step_is_filled_in) {
  test_service svc;
  const std::string email = "renew-page@example.org";
  registered(svc, email, renewal_password, renewable_and_not);
  auto login = login_header(svc, email, renewal_password).at("Cookie");
  http_client browser(svc.port());
  auto account = browser.get("/account", {{"Cookie", login}});
  ASSERT_EQ(account.status, 200);
  // The Renew form as the page gives it: one, for the renewable product, posting its code to the cart.
  const std::string renew_form = R"(<form method="post" action="/cart/add" class="inline renew">)";
  auto form = account.body.find(renew_form);
  ASSERT_NE(form, std::string::npos) << account.body;
  EXPECT_EQ(account.body.find(renew_form, form + 1), std::string::npos) << "A51-11236-F is not renewable";
  auto inside = account.body.substr(form, account.body.find("</form>", form) - form);
  EXPECT_TRUE(says(inside, R"(<input type="hidden" name="code" value="A51-11237-R">)")) << inside;
  EXPECT_TRUE(says(inside, ">Renew</button>")) << inside;
  const std::string field = R"(name="csrf" value=")";
  auto at = account.body.find(field) + field.size();
  auto csrf = account.body.substr(at, account.body.find('"', at) - at);
  auto cookies = login + "; " + cookie_set_by(account, "boutique_csrf");

  auto renew = browser.send("POST", "/cart/add", "code=A51-11237-R&quantity=1&csrf=" + csrf,
                            {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookies}});
  ASSERT_EQ(renew.status, 303) << renew.body;
  EXPECT_EQ(renew.header("location"), "/cart?added=A51-11237-R");
  auto session = cookie_set_by(renew, "boutique_checkout");
  ASSERT_FALSE(session.empty());
  auto cart = browser.get("/cart?added=A51-11237-R", {{"Cookie", cookies + "; " + session}});
  EXPECT_TRUE(says(cart.body, "Added to your cart: [A51-11237-R]")) << cart.body;

  // The contact step logs the checkout in as the account's user (one login), then shows the account's details.
  auto adopted = browser.get("/checkout/contact", {{"Cookie", cookies + "; " + session}});
  ASSERT_EQ(adopted.status, 303);
  auto renamed = cookie_set_by(adopted, "boutique_checkout");
  auto contact = browser.get("/checkout/contact", {{"Cookie", cookies + "; " + renamed}});
  ASSERT_EQ(contact.status, 200);
  EXPECT_TRUE(says(contact.body, "You are logged in"));
  EXPECT_TRUE(says(contact.body, "value=\"" + email + "\""));
  EXPECT_TRUE(says(contact.body, "value=\"Lyon\"")) << "the city given at the first purchase";
}

TEST(reminder, fifty_concurrent_runs_beside_retention_runs_mail_each_product_once_and_the_timeline_says_so) {
  test_service svc;
  const std::string email = "reminded@example.org";
  registered(svc, email, renewal_password, renewable_and_not);
  EXPECT_EQ(run_reminders(svc), 0) << "a year before the end: nothing due";
  EXPECT_EQ(http_client(svc.admin_port()).send("POST", "/admin/reminders").status, 401) << "the token is required";

  moved_clock later(340 * a_day);  // both products end in 25 days
  std::atomic<std::int64_t> sent{0};
  in_parallel(60, [&](int w) {
    if (w % 6 != 0) {
      sent += run_reminders(svc);
      return;
    }
    auto retention = http_client(svc.admin_port()).send("POST", "/admin/retention", "", staff_token(svc));
    EXPECT_EQ(retention.status, 200) << retention.body;
  });
  EXPECT_LE(sent.load(), 2);
  EXPECT_EQ(reminders_to(svc, email), 2) << "one mail per product";
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM products WHERE reminded_at IS NOT NULL"), 2);
  EXPECT_EQ(run_reminders(svc), 0);

  auto renewable = wait_for_mail(svc, email, "training [A51-11237-R]");
  EXPECT_TRUE(says(renewable, "ends on")) << renewable;
  EXPECT_TRUE(says(renewable, "\"Renew\"")) << renewable;
  EXPECT_TRUE(says(renewable, svc.settings().shop.base_url + "/account")) << renewable;
  auto other = wait_for_mail(svc, email, "training [A51-11236-F]");
  EXPECT_FALSE(says(other, "Renew")) << other;

  auto staff_view = http_client(svc.admin_port()).get("/admin/customers/" + customer_of(svc, email), staff_token(svc));
  auto timeline = staff_view.json()["events"];
  EXPECT_EQ(std::count_if(timeline.begin(), timeline.end(), [](const json& e) { return e["kind"] == "reminded"; }), 2)
    << staff_view.body;
}

TEST(reminder, after_a_restart_nothing_is_sent_twice_and_the_timer_sends_what_becomes_due) {
  auto settings = test_settings();
  test_service svc(settings);
  registered(svc, "first@example.org", renewal_password, renewable_one);
  std::optional<moved_clock> clock;
  clock.emplace(340 * a_day);
  EXPECT_EQ(run_reminders(svc), 1);

  settings.retention.interval_s = 1;  // the scheduled job: every second
  svc.restart(settings);
  http_client admin(svc.admin_port());
  auto runs = [&] {
    auto metrics = admin.get("/admin/metrics", staff_token(svc)).body;
    auto at = metrics.find("\nboutique_retention_runs_total ");
    return at == std::string::npos ? 0.0 : std::stod(metrics.substr(at + 31));
  };
  EXPECT_TRUE(within(std::chrono::seconds(10), [&] { return runs() >= 2; })) << "the timer runs after the restart";
  EXPECT_EQ(run_reminders(svc), 0);
  EXPECT_EQ(reminders_to(svc, "first@example.org"), 1);

  // Bought now, due 340 days later: the timer alone mails it, once.
  registered(svc, "second@example.org", renewal_password, renewable_one);
  clock.reset();
  clock.emplace(680 * a_day);
  wait_for_mail(svc, "second@example.org", "ends on");
  svc.restart(settings);
  EXPECT_EQ(run_reminders(svc), 0);
  EXPECT_EQ(reminders_to(svc, "second@example.org"), 1);
  EXPECT_EQ(reminders_to(svc, "first@example.org"), 1);
}

TEST(reminder, none_for_a_refunded_or_ended_product_and_a_short_one_not_on_the_day_it_is_bought) {
  test_service svc;
  registered(svc, "refunded-r@example.org", renewal_password, renewable_one);
  auto transid = query_text(svc, "SELECT transid FROM bills WHERE customer_id = ?",
                            customer_of(svc, "refunded-r@example.org"));
  auto refund = http_client(svc.admin_port()).send("POST", "/admin/bills/" + transid + "/refund", "", staff_token(svc));
  ASSERT_EQ(refund.status, 200) << refund.body;
  registered(svc, "month@example.org", renewal_password, json::array({{{"code", "F18-60012-S"}, {"quantity", 1}}}));
  registered(svc, "late@example.org", renewal_password, renewable_one);
  EXPECT_EQ(run_reminders(svc), 0) << "a 30-day product is not reminded the day it is bought";
  {
    moved_clock half_way(16 * a_day);  // 14 days left of 30: within half its term
    EXPECT_EQ(run_reminders(svc), 1);
    EXPECT_EQ(reminders_to(svc, "month@example.org"), 1);
  }
  moved_clock ended(400 * a_day);  // every product has ended, none was reminded but the short one
  EXPECT_EQ(run_reminders(svc), 0);
  EXPECT_EQ(reminders_to(svc, "refunded-r@example.org"), 0);
  EXPECT_EQ(reminders_to(svc, "late@example.org"), 0);
}

TEST(reminder, a_product_renewed_before_its_reminder_gets_none_and_the_renewal_gets_its_own) {
  test_service svc;
  const std::string email = "renewed-early@example.org";
  registered(svc, email, renewal_password, renewable_one);
  std::optional<moved_clock> clock;
  clock.emplace(100 * a_day);
  ASSERT_EQ(checkout(svc.port()).buy(email, renewable_one).status, 200);  // the renewal, ending at day 465
  clock.reset();
  clock.emplace(340 * a_day);
  EXPECT_EQ(run_reminders(svc), 0) << "renewed: the first product is not reminded";
  clock.reset();
  clock.emplace(440 * a_day);
  EXPECT_EQ(run_reminders(svc), 1) << "the renewal is reminded before its own end";
  EXPECT_EQ(reminders_to(svc, email), 1);
}

TEST(reminder, a_french_customer_is_reminded_in_french) {
  test_service svc;
  const std::string email = "rappel@example.fr";
  checkout shopper(svc.port());
  ASSERT_EQ(shopper.cart(renewable_one).status, 200);
  ASSERT_EQ(shopper.contact(contact_form(email)).status, 200);
  ASSERT_EQ(shopper.client().post(shopper.path("/order"), {{"paymode", "test"}, {"lang", "fr"}}).status, 201);
  ASSERT_EQ(shopper.pay().status, 200);
  moved_clock later(340 * a_day);
  EXPECT_EQ(run_reminders(svc), 1);
  auto mail = wait_for_mail(svc, email, "se termine le");
  EXPECT_TRUE(says(mail, "Bonjour")) << mail;
  EXPECT_TRUE(says(mail, "Renouveler")) << mail;
  EXPECT_TRUE(says(mail, "(référence ")) << mail;
  EXPECT_FALSE(says(mail, "ends on")) << mail;
}
