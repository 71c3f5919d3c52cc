// A person's data (issue 15, point 4): the customer downloads everything held about them and erases it, from the
// support space; staff do both from the management endpoint. Erasure empties the customer account and the user of
// personal data at once, ends every login and frees the email, while issued invoices keep the buyer's contact until
// their retention ends; every export and erasure is in the customer's timeline; one erasure however many ask.
#include "support/parallel.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

using namespace boutique::testing;
using nlohmann::json;

namespace {

const std::string privacy_password = "a long enough password";

header_map staff_auth(const test_service& svc) { return {{"Authorization", "Bearer " + svc.settings().admin.token}}; }

std::int64_t customer_id_of(const test_service& svc, const std::string& email) {
  return std::stoll(query_text(svc, "SELECT id FROM customers WHERE email_norm = ?", email));
}

std::string column_of_customer(const test_service& svc, const std::string& column, std::int64_t id) {
  return query_text(svc, "SELECT " + column + " FROM customers WHERE id = ?", std::to_string(id));
}

std::int64_t timeline_count(const test_service& svc, std::int64_t customer_id, const std::string& kind) {
  return query_int(svc, "SELECT count(*) FROM customer_events WHERE customer_id = " + std::to_string(customer_id) +
                          " AND kind = '" + kind + "'");
}

reply erase_self(const test_service& svc, const header_map& login, const std::string& password) {
  auto headers = login;
  headers["Content-Type"] = "application/json";
  return http_client(svc.port()).send("DELETE", "/api/v1/me", json{{"current", password}}.dump(), headers);
}

reply erase_by_staff(const test_service& svc, std::int64_t id) {
  return http_client(svc.admin_port()).send("DELETE", "/admin/customers/" + std::to_string(id), "", staff_auth(svc));
}

bool has_event(const json& events, const std::string& kind) {
  for (const auto& e : events)
    if (e["kind"] == kind) return true;
  return false;
}

}  // namespace

TEST(privacy, the_export_holds_the_account_its_bills_products_mails_and_logins_and_is_in_the_timeline) {
  test_service svc;
  registered(svc, "export@example.org", privacy_password);
  auto login = login_header(svc, "export@example.org", privacy_password);

  auto r = http_client(svc.port()).get("/api/v1/me/export", login);
  ASSERT_EQ(r.status, 200) << r.body;
  auto data = r.json();
  EXPECT_EQ(data["user"]["email"], "export@example.org");
  EXPECT_EQ(data["customer"]["contact"]["city"], "Lyon");
  ASSERT_EQ(data["bills"].size(), 1u);
  EXPECT_FALSE(data["bills"][0]["invoice_number"].is_null());
  EXPECT_EQ(data["bills"][0]["billed_to"]["email"], "export@example.org");
  EXPECT_FALSE(data["products"].empty());
  EXPECT_GE(data["mails"].size(), 2u) << "the password link and the order mail: " << data["mails"].dump();
  for (const auto& m : data["mails"]) EXPECT_EQ(m["recipient"], "export@example.org");
  EXPECT_EQ(data["logins"]["active"], 1);
  EXPECT_TRUE(data["erased_at"].is_null());
  EXPECT_TRUE(has_event(data["events"], "exported")) << "the export is in the timeline it exports";

  // The same from the account page, as a file to keep; and by staff, with the token only.
  auto file = http_client(svc.port()).get("/account/export", login);
  ASSERT_EQ(file.status, 200);
  EXPECT_NE(file.header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(json::parse(file.body)["user"]["email"], "export@example.org");
  auto id = customer_id_of(svc, "export@example.org");
  auto path = "/admin/customers/" + std::to_string(id) + "/export";
  EXPECT_EQ(http_client(svc.admin_port()).get(path).status, 401);
  auto by_staff = http_client(svc.admin_port()).get(path, staff_auth(svc));
  ASSERT_EQ(by_staff.status, 200) << by_staff.body;
  EXPECT_EQ(by_staff.json()["customer"]["contact"]["email"], "export@example.org");
  EXPECT_EQ(timeline_count(svc, id, "exported"), 3);
  EXPECT_EQ(http_client(svc.admin_port()).get("/admin/customers/999999/export", staff_auth(svc)).status, 404);
  EXPECT_EQ(http_client(svc.admin_port()).get("/admin/customers/abc/export", staff_auth(svc)).status, 404);
  EXPECT_EQ(http_client(svc.port()).get("/api/v1/me/export").status, 401);
}

TEST(privacy, erasure_empties_the_account_ends_every_login_frees_the_email_and_keeps_the_issued_invoice) {
  test_service svc;
  registered(svc, "erase@example.org", privacy_password);
  auto login = login_header(svc, "erase@example.org", privacy_password);
  auto other_login = login_header(svc, "erase@example.org", privacy_password);
  auto id = customer_id_of(svc, "erase@example.org");
  std::string transid = http_client(svc.port()).get("/api/v1/me/bills", login).json()["bills"][0]["transid"];

  auto wrong = erase_self(svc, login, "not the password at all");
  ASSERT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_TRUE(wrong.json()["errors"].contains("current"));
  EXPECT_EQ(column_of_customer(svc, "firstname", id), "Ana") << "a refused erasure changes nothing";

  auto r = erase_self(svc, login, privacy_password);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json()["invoices_kept"], 1);
  EXPECT_NE(r.header("set-cookie").find("Max-Age=0"), std::string::npos) << r.header("set-cookie");

  // Nothing personal is left on the account or the user, every login has ended, no mail keeps the address.
  EXPECT_EQ(column_of_customer(svc, "firstname || lastname || organisation || address || city || zip", id), "");
  EXPECT_EQ(column_of_customer(svc, "email", id), "erased-" + std::to_string(id) + "@erased.invalid");
  EXPECT_NE(column_of_customer(svc, "erased_at", id), "<none>");
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM users WHERE email_norm = 'erase@example.org' OR username = "
                           "'erase@example.org' OR (password_hash IS NOT NULL AND erased_at IS NOT NULL)"),
            0);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM outbox WHERE lower(recipient) = 'erase@example.org'"), 0);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM auth_sessions"), 0);
  EXPECT_EQ(http_client(svc.port()).get("/api/v1/me", login).status, 401);
  EXPECT_EQ(http_client(svc.port()).get("/api/v1/me", other_login).status, 401) << "the other login ended too";
  EXPECT_EQ(login_status(svc, "erase@example.org", privacy_password), 401);

  // The invoice keeps the buyer as billed (the law), and staff still read it; the timeline says what happened.
  EXPECT_EQ(bill_contact_field(svc, transid, "city"), "Lyon");
  EXPECT_EQ(http_client(svc.admin_port()).get("/admin/bills/" + transid + "/invoice.pdf", staff_auth(svc)).status, 200);
  auto detail = http_client(svc.admin_port()).get("/admin/customers/" + std::to_string(id), staff_auth(svc)).json();
  EXPECT_TRUE(has_event(detail["events"], "erased")) << detail["events"].dump();
  for (const auto& e : detail["events"])
    if (e["kind"] != "erased") EXPECT_EQ(e["detail"], "") << "no detail of the past is kept: " << e.dump();

  // The email is free: the same person buys again as a new customer, with a new account of their own. (The mails
  // already handed to the mail drop are the relay's: cleared here so that the new link is the one found.)
  for (const auto& file : std::filesystem::directory_iterator(mail_dir(svc))) std::filesystem::remove(file.path());
  registered(svc, "erase@example.org", "another long password");
  auto again = customer_id_of(svc, "erase@example.org");
  EXPECT_NE(again, id);
  auto new_login = login_header(svc, "erase@example.org", "another long password");
  EXPECT_EQ(http_client(svc.port()).get("/api/v1/me/bills", new_login).json()["bills"].size(), 1u)
    << "the new account sees its own bill only";
}

TEST(privacy, an_order_that_can_still_be_paid_holds_the_erasure_back_until_it_is_cancelled) {
  test_service svc;
  checkout shopper(svc.port());
  ASSERT_EQ(shopper.cart(json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}})).status, 200);
  ASSERT_EQ(shopper.contact(contact_form("unpaid-erase@example.org")).status, 200);
  auto placed = shopper.order();
  ASSERT_EQ(placed.status, 201) << placed.body;
  std::string transid = placed.json()["transid"];
  auto id = customer_id_of(svc, "unpaid-erase@example.org");

  auto refused = erase_by_staff(svc, id);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.body.find(transid), std::string::npos) << "the refusal names the order: " << refused.body;
  EXPECT_EQ(column_of_customer(svc, "email", id), "unpaid-erase@example.org");

  auto cancelled = http_client(svc.admin_port()).send("POST", "/admin/bills/" + transid + "/cancel", "", staff_auth(svc));
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  auto erased = erase_by_staff(svc, id);
  ASSERT_EQ(erased.status, 202) << erased.body;
  EXPECT_EQ(erased.json()["status"], "erased");
  EXPECT_EQ(erased.json()["invoices_kept"], 0);
  EXPECT_EQ(bill_contact_field(svc, transid, "city"), "")
    << "a bill that is no invoice keeps no contact";
  EXPECT_EQ(erase_by_staff(svc, 999999).status, 404);
  EXPECT_EQ(erase_by_staff(svc, id).json()["status"], "already erased");
}

TEST(privacy, a_thousand_concurrent_erasures_of_one_customer_erase_it_once) {
  test_service svc;
  registered(svc, "crowd-erase@example.org", privacy_password);
  auto id = customer_id_of(svc, "crowd-erase@example.org");
  std::atomic<int> erased{0}, already{0}, other{0};
  in_parallel(20, [&](int) {
    http_client admin(svc.admin_port());
    for (int i = 0; i < 50; ++i) {
      auto r = admin.send("DELETE", "/admin/customers/" + std::to_string(id), "", staff_auth(svc));
      if (r.status == 202 && r.json()["status"] == "erased") ++erased;
      else if (r.status == 202) ++already;
      else ++other;
    }
  });
  EXPECT_EQ(erased.load(), 1);
  EXPECT_EQ(already.load(), 999);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(timeline_count(svc, id, "erased"), 1);
}

TEST(privacy, a_checkout_holding_an_erased_account_cannot_order_until_its_contact_is_given_again) {
  test_service svc;
  checkout shopper(svc.port());
  ASSERT_EQ(shopper.cart(json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}})).status, 200);
  ASSERT_EQ(shopper.contact(contact_form("racing-erase@example.org")).status, 200);
  auto id = customer_id_of(svc, "racing-erase@example.org");

  // Deposits of the same email race the erasure: whichever way each one falls, the erased row keeps nothing.
  std::atomic<bool> erased{false};
  in_parallel(9, [&](int worker) {
    if (worker == 0) {
      erased = erase_by_staff(svc, id).status == 202;
      return;
    }
    checkout other(svc.port());
    for (int i = 0; i < 5; ++i) other.contact(contact_form("racing-erase@example.org", "Nantes"));
  });
  ASSERT_TRUE(erased.load());
  EXPECT_EQ(column_of_customer(svc, "firstname || city", id), "");
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM customers WHERE erased_at IS NOT NULL AND (firstname <> '' OR "
                           "email NOT LIKE 'erased-%@erased.invalid')"),
            0);

  auto refused = shopper.order();
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM bills WHERE customer_id = " + std::to_string(id)), 0);
  ASSERT_EQ(shopper.contact(contact_form("racing-erase@example.org")).status, 200);
  auto placed = shopper.order();
  ASSERT_EQ(placed.status, 201) << placed.body;
  EXPECT_NE(query_text(svc, "SELECT customer_id FROM bills WHERE transid = ?", placed.json()["transid"]),
            std::to_string(id))
    << "the order bills the account the email has now";
}

TEST(privacy, an_erased_customers_invoice_loses_the_buyers_contact_once_its_retention_has_passed) {
  test_service svc;
  registered(svc, "old-invoice@example.org", privacy_password);
  auto id = customer_id_of(svc, "old-invoice@example.org");
  std::string transid = query_text(svc, "SELECT transid FROM bills WHERE customer_id = ?", std::to_string(id));
  ASSERT_EQ(erase_by_staff(svc, id).status, 202);
  http_client admin(svc.admin_port());

  ASSERT_EQ(admin.send("POST", "/admin/retention", "", staff_auth(svc)).status, 200);
  EXPECT_EQ(bill_contact_field(svc, transid, "city"), "Lyon")
    << "kept while the law wants it";
  {
    moved_clock later(11LL * 366 * 86400);  // past the default 10 years
    auto run = admin.send("POST", "/admin/retention", "", staff_auth(svc));
    ASSERT_EQ(run.status, 200) << run.body;
    EXPECT_EQ(run.json()["rows"]["invoice_contacts"], 1);
  }
  EXPECT_EQ(bill_contact_field(svc, transid, "city"), "");
  EXPECT_NE(query_text(svc, "SELECT invoice_number FROM bills WHERE transid = ?", transid), "<none>")
    << "the invoice itself stays";
}
