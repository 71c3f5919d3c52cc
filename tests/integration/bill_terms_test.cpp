// A bill keeps what was sold (issue 11, part A): payment, products, invoices and the support space read the bill,
// not the catalog of the day. Each test places an order, restarts the service with a changed catalog (a price
// changed, a product removed), then completes the purchase.
#include "domain/signature.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <regex>

using namespace boutique::testing;
using nlohmann::json;

namespace {

constexpr const char* kept = "A51-11236-F";     // 12000 + 20 %, 365 days: its price and name change
constexpr const char* removed = "D22-40155-M";  // 4900 + 5.5 %, 90 days: leaves the catalog
constexpr std::int64_t sold_total = 14400 + 2 * 4900 + 539;  // 9800 at 5.5 % = 539

const json sold_items = json::array({{{"code", kept}, {"quantity", 1}}, {{"code", removed}, {"quantity", 2}}});

/// The repository's catalog with `kept` renamed and dearer, and `removed` gone, written in `dir`.
std::string changed_catalog(const temp_dir& dir) {
  std::ifstream in(BOUTIQUE_SOURCE_DIR "/config/catalog.json");
  auto catalog = json::parse(in);
  json items = json::array();
  for (auto item : catalog["items"]) {
    if (item["code"] == removed) continue;
    if (item["code"] == kept) {
      item["price"] = 15000;
      item["name"] = "Formation initiale sûreté, édition 2027";
      item["duration_days"] = 30;
    }
    items.push_back(item);
  }
  auto path = (dir.path() / "catalog.json").string();
  std::ofstream(path) << json{{"items", items}}.dump();
  return path;
}

/// Places the order of `sold_items` for `email`; returns its transid.
std::string place(checkout& c, const std::string& email) {
  EXPECT_EQ(c.cart(sold_items).status, 200);
  EXPECT_EQ(c.contact(contact_form(email)).status, 200);
  auto placed = c.order();
  EXPECT_EQ(placed.status, 201) << placed.body;
  EXPECT_EQ(placed.json()["total"], sold_total);
  return placed.json()["transid"];
}

void restart_with_changed_catalog(test_service& svc, const temp_dir& dir) {
  auto settings = svc.settings();
  settings.catalog_path = changed_catalog(dir);
  svc.restart(settings);
  ASSERT_EQ(http_client(svc.port()).get("/api/v1/catalog").json()["items"].size(), 7u) << "the new catalog is live";
}

std::int64_t products_lasting(const test_service& svc, const std::string& code, std::int64_t days) {
  return query_int(svc, "SELECT count(*) FROM products WHERE code = '" + code + "' AND end_at - start_at = " +
                          std::to_string(days * 86400));
}

std::string cookie_of(const reply& r) {
  auto header = r.header("set-cookie");
  return header.substr(0, header.find(';'));
}

/// Sets the password mailed to `email` and logs in; returns the support-space cookie.
std::string log_into_space(test_service& svc, const std::string& email) {
  auto token = token_in(wait_for_mail(svc, email, "token="));
  http_client client(svc.port());
  EXPECT_EQ(client.post("/api/v1/auth/password", {{"token", token}, {"password", "a good long password"}}).status, 200);
  auto login = client.post("/api/v1/auth/login", {{"login", email}, {"password", "a good long password"}});
  EXPECT_EQ(login.status, 200) << login.body;
  return cookie_of(login);
}

}  // namespace

TEST(bill_terms, test_payment_after_a_catalog_change_completes_with_what_was_sold) {
  temp_dir dir;
  test_service svc;
  checkout c(svc.port());
  auto transid = place(c, "sold@example.org");
  restart_with_changed_catalog(svc, dir);
  http_client client(svc.port());  // the restarted service listens on another port

  auto session = client.get(c.path());
  ASSERT_EQ(session.status, 200);
  EXPECT_EQ(session.json()["cart"]["total"], sold_total) << "the placed session shows its bill: " << session.body;
  EXPECT_EQ(session.json()["cart"]["items"].size(), 2u);

  auto paid = client.send("POST", c.path("/pay"));
  ASSERT_EQ(paid.status, 200) << "an order placed at one price is paid at that price: " << paid.body;
  EXPECT_EQ(paid.json()["status"], "COMPLETE");
  EXPECT_EQ(paid.json()["products"].size(), 3u);
  EXPECT_EQ(products_lasting(svc, kept, 365), 1) << "the duration sold, not the catalog's new 30 days";
  EXPECT_EQ(products_lasting(svc, removed, 90), 2) << "a product removed from the catalog still ends";
  EXPECT_EQ(query_text(svc, "SELECT total FROM bills WHERE transid = ?", transid), std::to_string(sold_total));
  EXPECT_EQ(query_text(svc, "SELECT name FROM products WHERE code = ? LIMIT 1", kept), "Formation initiale sûreté");
}

TEST(bill_terms, a_signed_notification_after_a_catalog_change_completes_with_what_was_sold) {
  temp_dir dir;
  test_service svc;
  checkout c(svc.port());
  auto transid = place(c, "notified@example.org");
  restart_with_changed_catalog(svc, dir);

  auto body = json{{"provider", "psp"},        {"txn_id", "after-change"}, {"transid", transid},
                   {"status", "completed"},    {"amount", sold_total},     {"currency", "EUR"}}
                .dump();
  auto signature = boutique::domain::sign_notification(body, svc.settings().payments.secret, std::time(nullptr));
  auto notified = http_client(svc.port())
                    .send("POST", "/api/v1/payments/notify", body,
                          {{"Content-Type", "application/json"}, {"X-Boutique-Signature", signature}});
  ASSERT_EQ(notified.status, 200) << notified.body;
  EXPECT_EQ(notified.json()["status"], "COMPLETE");
  EXPECT_EQ(products_lasting(svc, kept, 365), 1);
  EXPECT_EQ(products_lasting(svc, removed, 90), 2) << "the term sold with the bill, though the catalog lost it";
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM products WHERE end_at IS NULL"), 0);
}

TEST(bill_terms, the_support_space_and_the_invoice_show_what_was_sold_to_whom) {
  temp_dir dir;
  test_service svc;
  checkout c(svc.port());
  auto transid = place(c, "invoiced@example.org");
  restart_with_changed_catalog(svc, dir);
  http_client client(svc.port());  // the restarted service listens on another port
  ASSERT_EQ(client.send("POST", c.path("/pay")).status, 200);

  auto cookie = log_into_space(svc, "invoiced@example.org");
  auto edited = client.send("PUT", "/api/v1/me/customer",
                            json{{"firstname", "Ana"}, {"lastname", "Lopez"}, {"country", "BE"}, {"city", "Liège"}}.dump(),
                            {{"Content-Type", "application/json"}, {"Cookie", cookie}});
  ASSERT_EQ(edited.status, 200) << edited.body;

  auto bills = client.get("/api/v1/me/bills", {{"Cookie", cookie}}).json()["bills"];
  ASSERT_EQ(bills.size(), 1u);
  EXPECT_EQ(bills[0]["total"], sold_total);
  EXPECT_EQ(bills[0]["items"][0]["name"], "Formation initiale sûreté");
  EXPECT_EQ(bills[0]["items"][0]["unit_price"], 12000);
  EXPECT_EQ(bills[0]["billed_to"]["city"], "Lyon") << "the contact as it was on the bill";

  auto invoice = client.get("/account/invoices/" + transid, {{"Cookie", cookie}});
  ASSERT_EQ(invoice.status, 200) << invoice.body;
  EXPECT_NE(invoice.body.find("Formation initiale sûreté"), std::string::npos);
  EXPECT_EQ(invoice.body.find("édition 2027"), std::string::npos) << "not the catalog's new name";
  EXPECT_TRUE(std::regex_search(invoice.body, std::regex("120[.,]00"))) << "the unit price sold";
  EXPECT_FALSE(std::regex_search(invoice.body, std::regex("150[.,]00"))) << "not the catalog's new price";
  EXPECT_NE(invoice.body.find("Lyon"), std::string::npos) << "billed to the contact given with the order";
  EXPECT_EQ(invoice.body.find("Liège"), std::string::npos) << "not the customer's details of today";
}
