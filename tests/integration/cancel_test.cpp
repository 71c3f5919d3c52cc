// Cancelling an order before it is paid: by its shopper (POST /api/v1/sessions/{sid}/cancel, the payment page's
// button) or by staff (POST /admin/bills/{transid}/cancel); raced against its payment, repeated, replayed.
#include "domain/signature.hpp"
#include "support/parallel.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>

using namespace boutique::testing;
using nlohmann::json;

namespace {

const json two_units = json::array({{{"code", "A51-11236-F"}, {"quantity", 2}}});

/// A shopper's session holding an order placed and not paid yet.
struct unpaid {
  std::unique_ptr<checkout> session;
  std::string cancel_path;  ///< the session's cancel route
  std::string transid;
  std::int64_t total = 0;
};

unpaid place_unpaid(test_service& svc, const std::string& email) {
  unpaid o{std::make_unique<checkout>(svc.port()), "", "", 0};
  o.cancel_path = o.session->path("/cancel");
  EXPECT_EQ(o.session->cart(two_units).status, 200);
  EXPECT_EQ(o.session->contact(contact_form(email)).status, 200);
  auto r = o.session->order();
  EXPECT_EQ(r.status, 201) << r.body;
  o.transid = r.json().value("transid", "");
  o.total = r.json().value("total", std::int64_t{0});
  return o;
}

reply paid_notification(test_service& svc, const unpaid& o, const std::string& txn) {
  auto text = json{{"provider", "bank"}, {"txn_id", txn},        {"transid", o.transid},
                   {"status", "completed"}, {"amount", o.total}, {"currency", "EUR"}}
                .dump();
  auto signature = boutique::domain::sign_notification(text, svc.settings().payments.secret, std::time(nullptr));
  return http_client(svc.port())
    .send("POST", "/api/v1/payments/notify", text,
          {{"Content-Type", "application/json"}, {"X-Boutique-Signature", signature}});
}

reply staff_cancel(test_service& svc, const std::string& transid, const std::string& key = "") {
  std::map<std::string, std::string> headers{{"Authorization", "Bearer " + svc.settings().admin.token}};
  if (!key.empty()) headers["Idempotency-Key"] = key;
  return http_client(svc.admin_port()).send("POST", "/admin/bills/" + transid + "/cancel", "", headers);
}

/// The stage of the order's checkout session, as its shopper's next request sees it.
std::string session_stage(test_service& svc, const unpaid& o) {
  auto path = o.cancel_path.substr(0, o.cancel_path.size() - std::string("/cancel").size());
  auto r = http_client(svc.port()).get(path);
  return r.status == 200 ? r.json().value("stage", "") : "HTTP " + std::to_string(r.status);
}

/// The payment page's cancel form, as a browser holding the session's cookie posts it: `transid` is the order
/// the page showed.
reply cancel_from_page(test_service& svc, const unpaid& o, const std::string& shown_transid) {
  auto sid = o.cancel_path.substr(std::string("/api/v1/sessions/").size());
  sid = sid.substr(0, sid.find('/'));
  http_client browser(svc.port());
  auto page = browser.get("/checkout/pay", {{"Cookie", "boutique_checkout=" + sid}});
  auto csrf_cookie = page.header("set-cookie").substr(0, page.header("set-cookie").find(';'));
  auto at = page.body.find("name=\"csrf\" value=\"");
  if (at == std::string::npos) return page;
  at += 19;
  auto csrf = page.body.substr(at, page.body.find('"', at) - at);
  return browser.send("POST", "/checkout/cancel", "csrf=" + csrf + "&transid=" + shown_transid,
                      {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"Cookie", "boutique_checkout=" + sid + "; " + csrf_cookie}});
}

std::string status_of(test_service& svc, const std::string& transid) {
  return query_text(svc, "SELECT status FROM bills WHERE transid = ?", transid);
}

std::int64_t count_of(test_service& svc, const std::string& what, const std::string& transid) {
  // what: "products" (of the bill), "cancelled" (timeline events), "mails" (cancellation mails queued)
  if (what == "products")
    return std::stoll(query_text(svc,
                                 "SELECT count(*) FROM products p JOIN bill_items i ON i.id = p.bill_item_id "
                                 "JOIN bills b ON b.id = i.bill_id WHERE b.transid = ?",
                                 transid));
  if (what == "cancelled")
    return std::stoll(query_text(svc, "SELECT count(*) FROM customer_events WHERE kind = 'order_cancelled' "
                                      "AND detail LIKE ? || ' by %'", transid));
  return std::stoll(query_text(svc, "SELECT count(*) FROM outbox WHERE subject = 'Your order ' || ? || ' is cancelled'",
                               transid));
}

}  // namespace

TEST(cancel, a_shopper_cancels_an_unpaid_order_changes_the_cart_and_orders_again) {
  test_service svc;
  auto o = place_unpaid(svc, "changes.mind@example.org");
  auto cancelled = o.session->client().send("POST", o.session->path("/cancel"));
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json(), (json{{"transid", o.transid}, {"status", "CANCELLED"}}));
  EXPECT_EQ(status_of(svc, o.transid), "CANCELLED");
  // The session keeps its cart and contact, back before the order.
  auto state = o.session->state().json();
  EXPECT_EQ(state["stage"], "contact");
  EXPECT_TRUE(state["transid"].is_null()) << state;
  EXPECT_EQ(state["cart"]["items"][0]["quantity"], 2) << state;
  EXPECT_EQ(o.session->pay().status, 409) << "nothing is placed any more";
  EXPECT_EQ(o.session->client().send("POST", o.session->path("/cancel")).status, 409) << "cancelled once";
  // The shopper changes the cart and orders again: a new bill, paid.
  ASSERT_EQ(o.session->cart(json::array({{{"code", "E03-51000-L"}, {"quantity", 1}}})).status, 200);
  auto again = o.session->order();
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_NE(again.json()["transid"], o.transid);
  auto paid = o.session->pay();
  ASSERT_EQ(paid.status, 200) << paid.body;
  EXPECT_EQ(paid.json()["status"], "COMPLETE");
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM bills"), 2);
  EXPECT_EQ(status_of(svc, o.transid), "CANCELLED") << "the cancelled bill stays cancelled";
  EXPECT_EQ(count_of(svc, "products", o.transid), 0);
  EXPECT_EQ(count_of(svc, "cancelled", o.transid), 1);
  EXPECT_EQ(count_of(svc, "mails", o.transid), 1);
  wait_for_mail(svc, "changes.mind@example.org", "was cancelled as you asked");
  // A late payment of the cancelled bill is refused, and changes nothing.
  auto late = paid_notification(svc, o, "late-1");
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_EQ(status_of(svc, o.transid), "CANCELLED");
  EXPECT_EQ(count_of(svc, "products", o.transid), 0);
}

TEST(cancel, the_payment_page_cancels_the_order_it_showed_and_a_stale_page_cancels_nothing) {
  test_service svc;
  auto o = place_unpaid(svc, "two.tabs@example.org");
  auto cancelled = cancel_from_page(svc, o, o.transid);
  ASSERT_EQ(cancelled.status, 303) << cancelled.body.substr(0, 300);
  EXPECT_EQ(cancelled.header("location"), "/cart?cancelled=1");
  EXPECT_EQ(status_of(svc, o.transid), "CANCELLED");
  // The shopper orders again in another tab; the first tab's page still shows the first order.
  auto again = o.session->order();
  ASSERT_EQ(again.status, 201) << again.body;
  std::string second = again.json()["transid"];
  auto stale = cancel_from_page(svc, o, o.transid);
  EXPECT_EQ(stale.status, 409) << stale.body.substr(0, 300);
  EXPECT_EQ(status_of(svc, second), "PLACED") << "a stale page cancels nothing";
  EXPECT_EQ(cancel_from_page(svc, o, second).status, 303);
  EXPECT_EQ(status_of(svc, second), "CANCELLED");
}

TEST(cancel, a_paid_order_cannot_be_cancelled_by_anyone) {
  test_service svc;
  auto o = place_unpaid(svc, "paid@example.org");
  ASSERT_EQ(o.session->pay().status, 200);
  auto mine = o.session->client().send("POST", o.session->path("/cancel"));
  EXPECT_EQ(mine.status, 409) << mine.body;
  auto staff = staff_cancel(svc, o.transid);
  EXPECT_EQ(staff.status, 409) << staff.body;
  EXPECT_NE(staff.body.find("refund"), std::string::npos) << staff.body;
  EXPECT_EQ(status_of(svc, o.transid), "COMPLETE");
  EXPECT_EQ(count_of(svc, "products", o.transid), 2);
  EXPECT_EQ(count_of(svc, "cancelled", o.transid), 0);
}

TEST(cancel, staff_cancel_with_the_token_only_and_a_retry_with_its_key_answers_the_first_outcome) {
  test_service svc;
  auto o = place_unpaid(svc, "staff@example.org");
  http_client admin(svc.admin_port());
  EXPECT_EQ(admin.send("POST", "/admin/bills/" + o.transid + "/cancel").status, 401);
  EXPECT_EQ(admin.send("POST", "/admin/bills/" + o.transid + "/cancel", "", {{"Authorization", "Bearer nope"}}).status,
            401);
  EXPECT_EQ(status_of(svc, o.transid), "PLACED");
  EXPECT_EQ(staff_cancel(svc, "no-such-bill").status, 404);
  auto first = staff_cancel(svc, o.transid, "cancel-1");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json(), (json{{"transid", o.transid}, {"status", "CANCELLED"}}));
  auto retry = staff_cancel(svc, o.transid, "cancel-1");
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.header("idempotent-replayed"), "true");
  EXPECT_EQ(staff_cancel(svc, o.transid).status, 409) << "without the key: already cancelled";
  // The same key on another bill is another request.
  auto other = place_unpaid(svc, "staff2@example.org");
  EXPECT_EQ(staff_cancel(svc, other.transid, "cancel-1").status, 200);
  EXPECT_EQ(status_of(svc, other.transid), "CANCELLED");
  // The shopper's session learnt it: its cart is open again.
  EXPECT_EQ(o.session->state().json()["stage"], "contact");
  EXPECT_EQ(count_of(svc, "cancelled", o.transid), 1);
  wait_for_mail(svc, "staff@example.org", "was cancelled by the shop");
}

TEST(cancel, a_thousand_concurrent_cancels_of_one_order_cancel_it_once) {
  test_service svc;
  auto o = place_unpaid(svc, "many@example.org");
  std::atomic<int> ok{0}, conflict{0}, other{0};
  in_parallel(50, [&](int worker) {
    http_client shopper(svc.port());
    for (int i = 0; i < 20; ++i) {
      // Half from the shopper's session, half from staff.
      auto r = worker % 2 == 0 ? shopper.send("POST", o.session->path("/cancel")) : staff_cancel(svc, o.transid);
      (r.status == 200 ? ok : r.status == 409 ? conflict : other)++;
    }
  });
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflict.load(), 999);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(status_of(svc, o.transid), "CANCELLED");
  EXPECT_EQ(count_of(svc, "cancelled", o.transid), 1);
  EXPECT_EQ(count_of(svc, "mails", o.transid), 1);
}

TEST(cancel, cancels_racing_payments_end_each_order_one_way_only) {
  test_service svc;
  constexpr int orders = 30;  // 45 connections at once to the shop, under its 64 per address
  std::vector<unpaid> placed;
  for (int i = 0; i < orders; ++i) {
    placed.push_back(place_unpaid(svc, "race" + std::to_string(i) + "@example.org"));
    placed.back().session.reset();  // its connection closed: idle ones count against the limit per address
  }
  std::vector<int> cancel_status(orders), pay_status(orders);
  std::vector<std::string> bodies(2 * orders);  // for the failure messages
  // For each order, a cancellation (the shopper's or staff's) and a signed payment, sent at the same moment.
  in_parallel(2 * orders, [&](int worker) {
    auto& o = placed[worker / 2];
    auto r = worker % 2 == 1   ? paid_notification(svc, o, "race-" + o.transid)
             : worker % 4 == 0 ? http_client(svc.port()).send("POST", o.cancel_path)
                               : staff_cancel(svc, o.transid);
    (worker % 2 == 1 ? pay_status : cancel_status)[worker / 2] = r.status;
    bodies[worker] = r.body;
  });
  int cancelled = 0, completed = 0;
  for (int i = 0; i < orders; ++i) {
    const auto& o = placed[i];
    auto status = status_of(svc, o.transid);
    SCOPED_TRACE(o.transid + ": cancel answered " + bodies[2 * i] + ", payment answered " + bodies[2 * i + 1]);
    if (status == "CANCELLED") {
      ++cancelled;
      EXPECT_EQ(cancel_status[i], 200);
      EXPECT_EQ(pay_status[i], 409);
      EXPECT_EQ(session_stage(svc, o), "contact") << "its cart open again";
      EXPECT_EQ(count_of(svc, "products", o.transid), 0);
      EXPECT_EQ(count_of(svc, "cancelled", o.transid), 1);
    } else {
      ++completed;
      EXPECT_EQ(status, "COMPLETE");
      EXPECT_EQ(pay_status[i], 200);
      EXPECT_EQ(cancel_status[i], 409);
      EXPECT_EQ(session_stage(svc, o), "completed");
      EXPECT_EQ(count_of(svc, "products", o.transid), 2);
      EXPECT_EQ(count_of(svc, "cancelled", o.transid), 0);
    }
  }
  EXPECT_EQ(cancelled + completed, orders);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM outbox WHERE subject LIKE '%is cancelled'"), cancelled);
  std::cout << "[ cancel race ] " << cancelled << " cancelled, " << completed << " completed\n";
}
