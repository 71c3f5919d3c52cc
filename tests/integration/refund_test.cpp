// Refunds (issue 15, point 3): staff refund a paid order (POST /admin/bills/{transid}/refund) or a signed `refunded`
// notification does: the bill becomes PAYBACK, its products end and show "refunded", a credit note is numbered
// apart from invoices, the customer is mailed; exactly once under concurrent and replayed deliveries.
#include "domain/clock.hpp"
#include "domain/signature.hpp"
#include "support/parallel.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>

using namespace boutique::testing;
using nlohmann::json;

namespace {

const std::string refund_password = "a long enough password";

reply staff_refund(test_service& svc, const std::string& transid, const std::string& key = "") {
  std::map<std::string, std::string> headers{{"Authorization", "Bearer " + svc.settings().admin.token}};
  if (!key.empty()) headers["Idempotency-Key"] = key;
  return http_client(svc.admin_port()).send("POST", "/admin/bills/" + transid + "/refund", "", headers);
}

reply refunded_notification(test_service& svc, const std::string& transid, std::int64_t amount, const std::string& txn) {
  auto text = json{{"provider", "bank"}, {"txn_id", txn},      {"transid", transid},
                   {"status", "refunded"}, {"amount", amount}, {"currency", "EUR"}}
                .dump();
  auto signature = boutique::domain::sign_notification(text, svc.settings().payments.secret, std::time(nullptr));
  return http_client(svc.port())
    .send("POST", "/api/v1/payments/notify", text,
          {{"Content-Type", "application/json"}, {"X-Boutique-Signature", signature}});
}

/// The user's paid bill (registered() bought one product).
json paid_bill(test_service& svc, const header_map& login) {
  auto bills = http_client(svc.port()).get("/api/v1/me/bills", login).json()["bills"];
  for (const auto& b : bills)
    if (b["status"] == "COMPLETE") return b;
  throw std::runtime_error("no paid bill");
}

/// A customer who bought once and set a password: their login and their paid bill.
std::pair<header_map, json> paying_customer(test_service& svc, const std::string& email) {
  registered(svc, email, refund_password);
  auto login = login_header(svc, email, refund_password);
  return {login, paid_bill(svc, login)};
}

std::int64_t refunds_of(test_service& svc, const std::string& what, const std::string& transid) {
  if (what == "events")
    return std::stoll(query_text(svc, "SELECT count(*) FROM customer_events WHERE kind = 'refunded' "
                                      "AND detail LIKE ? || ' by %'", transid));
  if (what == "credit notes")
    return std::stoll(query_text(svc, "SELECT count(*) FROM bills WHERE credit_note_number IS NOT NULL AND transid = ?",
                                 transid));
  return std::stoll(query_text(svc, "SELECT count(*) FROM outbox WHERE subject = 'Your order ' || ? || ' is refunded'",
                               transid));
}

std::string credit_note_year() { return "CN-" + boutique::domain::utc_text(boutique::domain::now_s(), "%Y") + "-"; }

}  // namespace

TEST(refund, staff_refund_a_paid_order_its_products_end_a_credit_note_is_numbered_and_the_customer_is_mailed) {
  test_service svc;
  auto [login, bill] = paying_customer(svc, "refunded@example.org");
  std::string transid = bill["transid"];
  EXPECT_TRUE(bill["credit_note_number"].is_null()) << "no credit note before a refund";
  auto before = http_client(svc.port()).get("/api/v1/me/products", login).json()["products"];
  for (const auto& p : before) ASSERT_EQ(p["state"], "running");

  auto r = staff_refund(svc, transid);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "PAYBACK");
  bill = json{};
  auto bills = http_client(svc.port()).get("/api/v1/me/bills", login).json()["bills"];
  for (const auto& b : bills)
    if (b["transid"] == transid) bill = b;
  EXPECT_EQ(bill["status"], "PAYBACK");
  EXPECT_EQ(bill["credit_note_number"], credit_note_year() + "000001") << "the first credit note of the year";
  EXPECT_FALSE(bill["invoice_number"].is_null()) << "the invoice keeps its number";
  auto products = http_client(svc.port()).get("/api/v1/me/products", login).json()["products"];
  ASSERT_FALSE(products.empty());
  for (const auto& p : products) {
    EXPECT_EQ(p["state"], "refunded") << p.dump();
    EXPECT_TRUE(p["end"].is_string()) << "a refunded product ends at the refund";
  }
  auto mail = wait_for_mail(svc, "refunded@example.org", "is refunded");
  EXPECT_NE(mail.find(credit_note_year() + "000001"), std::string::npos) << mail;
  EXPECT_EQ(refunds_of(svc, "events", transid), 1);

  // The support space says it in words, in both languages.
  auto page = http_client(svc.port()).get("/account", login);
  EXPECT_NE(page.body.find("Refunded"), std::string::npos);
  EXPECT_NE(page.body.find(credit_note_year() + "000001"), std::string::npos);
  auto french = http_client(svc.port()).get("/account", {{"Cookie", login.at("Cookie") + "; boutique_lang=fr"}});
  EXPECT_NE(french.body.find("Remboursé"), std::string::npos);

  auto again = staff_refund(svc, transid);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(refunds_of(svc, "mails", transid), 1);
}

TEST(refund, only_a_paid_order_is_refunded_and_only_with_the_token) {
  test_service svc;
  checkout unpaid(svc.port());
  ASSERT_EQ(unpaid.cart(json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}})).status, 200);
  ASSERT_EQ(unpaid.contact(contact_form("unpaid@example.org")).status, 200);
  auto placed = unpaid.order();
  ASSERT_EQ(placed.status, 201);
  std::string transid = placed.json()["transid"];
  auto refused = staff_refund(svc, transid);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(query_text(svc, "SELECT status FROM bills WHERE transid = ?", transid), "PLACED");
  EXPECT_EQ(refunded_notification(svc, transid, placed.json()["total"], "bank-early").status, 409)
    << "a refund notification for an order never paid";
  EXPECT_EQ(staff_refund(svc, "T-unknown").status, 404);
  EXPECT_EQ(http_client(svc.admin_port()).send("POST", "/admin/bills/" + transid + "/refund").status, 401);
}

TEST(refund, a_signed_notification_refunds_and_its_replay_and_a_later_staff_refund_change_nothing) {
  test_service svc;
  auto bill = paying_customer(svc, "notified@example.org").second;
  std::string transid = bill["transid"];
  auto first = refunded_notification(svc, transid, bill["total"], "bank-r1");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json()["status"], "PAYBACK");
  EXPECT_EQ(refunded_notification(svc, transid, bill["total"], "bank-r1").status, 200) << "a replay";
  EXPECT_EQ(refunded_notification(svc, transid, bill["total"], "bank-r2").status, 200)
    << "another delivery of a refund that already happened is acknowledged";
  EXPECT_EQ(staff_refund(svc, transid).status, 409);
  EXPECT_EQ(refunds_of(svc, "events", transid), 1);
  EXPECT_EQ(refunds_of(svc, "mails", transid), 1);
  EXPECT_EQ(refunds_of(svc, "credit notes", transid), 1);
}

TEST(refund, a_thousand_concurrent_refunds_from_staff_and_the_provider_refund_once) {
  test_service svc;
  auto bill = paying_customer(svc, "crowd-refund@example.org").second;
  std::string transid = bill["transid"];
  std::int64_t total = bill["total"];
  std::atomic<int> staff_ok{0}, staff_conflict{0}, notified{0}, other{0};
  in_parallel(50, [&](int worker) {
    for (int i = 0; i < 20; ++i) {
      if (worker % 2 == 0) {
        auto r = staff_refund(svc, transid);
        (r.status == 200 ? staff_ok : r.status == 409 ? staff_conflict : other)++;
      } else {
        // Each worker's provider deliveries: a few ids, each delivered more than once.
        auto r = refunded_notification(svc, transid, total, "bank-" + std::to_string(worker) + "-" + std::to_string(i % 4));
        (r.status == 200 ? notified : other)++;
      }
    }
  });
  EXPECT_EQ(other.load(), 0);
  EXPECT_LE(staff_ok.load(), 1) << "at most one staff request did the refund";
  EXPECT_EQ(staff_ok.load() + staff_conflict.load(), 500);
  EXPECT_EQ(notified.load(), 500);
  EXPECT_EQ(query_text(svc, "SELECT status FROM bills WHERE transid = ?", transid), "PAYBACK");
  EXPECT_EQ(refunds_of(svc, "events", transid), 1);
  EXPECT_EQ(refunds_of(svc, "mails", transid), 1);
  EXPECT_EQ(query_text(svc, "SELECT count(*) FROM bills WHERE credit_note_number IS NOT NULL AND ? <> ''", transid), "1");
  EXPECT_EQ(query_text(svc, "SELECT last FROM credit_note_counters WHERE ? <> ''", transid), "1") << "no number taken and given back";
}

// Staff refund an order while its live session is paying it: each refund is refused (409) until the payment is
// written, then one refunds; never a refund of an unpaid order, never a second credit note, never a lost payment.
TEST(refund, staff_refunds_racing_the_sessions_own_payment_refund_only_a_paid_order_and_once) {
  test_service svc;
  constexpr int orders = 20;
  std::vector<std::unique_ptr<checkout>> shoppers;
  std::vector<std::string> transids;
  for (int i = 0; i < orders; ++i) {
    shoppers.push_back(std::make_unique<checkout>(svc.port()));
    auto& c = *shoppers.back();
    ASSERT_EQ(c.cart(json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}})).status, 200);
    ASSERT_EQ(c.contact(contact_form("race-" + std::to_string(i) + "@example.org")).status, 200);
    auto placed = c.order();
    ASSERT_EQ(placed.status, 201) << placed.body;
    transids.push_back(placed.json()["transid"]);
  }
  struct race {
    std::atomic<bool> refused_before{false}, paid{false};
    std::atomic<int> refunded{0}, refused_after{0};
    std::mutex mutex;
    std::condition_variable refused;  ///< the shopper waits on it (not spinning beside the service on 2 cores)
  };
  std::vector<race> races(orders);
  std::atomic<int> other{0};
  in_parallel(orders * 2, [&](int worker) {
    auto& r = races[static_cast<std::size_t>(worker / 2)];
    if (worker % 2 == 0) {  // the shopper pays once staff have been refused at least once (bounded)
      {
        std::unique_lock lock(r.mutex);
        r.refused.wait_for(lock, std::chrono::seconds(30), [&] { return r.refused_before.load(); });
      }
      auto reply = shoppers[static_cast<std::size_t>(worker / 2)]->pay();
      if (reply.status != 200) other++;
      r.paid = true;
      return;
    }
    // Staff keep refunding until the payment is acknowledged, then three times more.
    for (int i = 0, after = 0; i < 5000 && after < 3; ++i) {
      bool paid_before = r.paid;
      auto reply = staff_refund(svc, transids[static_cast<std::size_t>(worker / 2)]);
      if (reply.status == 200) r.refunded++;
      else if (reply.status != 409) other++;
      else if (!paid_before && r.refunded == 0) {
        std::lock_guard lock(r.mutex);
        r.refused_before = true;
        r.refused.notify_one();
      }
      else r.refused_after++;
      if (paid_before) ++after;
    }
  });
  EXPECT_EQ(other.load(), 0);
  int paybacks = 0;
  for (int i = 0; i < orders; ++i) {
    const auto& transid = transids[static_cast<std::size_t>(i)];
    const auto& r = races[static_cast<std::size_t>(i)];
    EXPECT_TRUE(r.refused_before) << transid << ": a refund came before the payment and was refused";
    EXPECT_EQ(r.refunded.load(), 1) << transid << ": one refund once the order was paid";
    EXPECT_NE(query_text(svc, "SELECT coalesce(invoice_number, '') FROM bills WHERE transid = ?", transid), "")
      << transid << ": the payment was written";
    EXPECT_EQ(query_text(svc, "SELECT status FROM bills WHERE transid = ?", transid), "PAYBACK") << transid;
    EXPECT_EQ(refunds_of(svc, "credit notes", transid), 1) << transid;
    EXPECT_EQ(refunds_of(svc, "events", transid), 1) << transid;
    paybacks += r.refunded.load();
  }
  EXPECT_EQ(query_text(svc, "SELECT coalesce(max(last), 0) FROM credit_note_counters WHERE ? <> ''", "x"),
            std::to_string(paybacks))
    << "credit note numbers without a gap: one per refunded order";
}
