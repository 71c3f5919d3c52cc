// Invoice numbers (issue 15, point 2): each completed bill gets YYYY-NNNNNN, sequential without gaps per year of
// completion, assigned in the completion transaction; a bill not paid yet has none.
#include "domain/clock.hpp"
#include "support/parallel.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

using namespace boutique::testing;

namespace {

const nlohmann::json a_product_line = nlohmann::json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}});

/// A session holding a placed, unpaid order for `email`; its id.
std::string order_left_unpaid(test_service& svc, const std::string& email) {
  checkout c(svc.port());
  for (auto step : {c.cart(a_product_line), c.contact(contact_form(email)), c.order()})
    if (step.status >= 300) throw std::runtime_error("cannot place an order: " + step.body);
  return c.id();
}

std::string invoice_year_now() { return boutique::domain::utc_text(boutique::domain::now_s(), "%Y"); }

}  // namespace

TEST(invoice_numbers, a_completed_bill_has_the_next_number_of_the_year_and_an_unpaid_one_none) {
  test_service svc;
  registered(svc, "numbered@example.org", "a long enough password");
  auto login = login_header(svc, "numbered@example.org", "a long enough password");
  ASSERT_EQ(checkout(svc.port()).buy("someone-else@example.org").status, 200);
  // Logged in at the checkout, the same customer places a second order and leaves it unpaid.
  checkout unpaid(svc.port());
  ASSERT_EQ(unpaid.login("numbered@example.org", "a long enough password").status, 200);
  ASSERT_EQ(unpaid.cart(a_product_line).status, 200);
  ASSERT_EQ(unpaid.contact(contact_form("numbered@example.org")).status, 200);
  ASSERT_EQ(unpaid.order().status, 201);

  auto bills = http_client(svc.port()).get("/api/v1/me/bills", login).json()["bills"];
  ASSERT_EQ(bills.size(), 2u) << bills.dump();
  std::map<std::string, nlohmann::json> by_status;
  for (const auto& b : bills) by_status[b["status"]] = b["invoice_number"];
  EXPECT_EQ(by_status["COMPLETE"], invoice_year_now() + "-000001") << "the first purchase of the shop this year";
  EXPECT_TRUE(by_status["PLACED"].is_null()) << "no number before the bill is paid";

  ASSERT_EQ(unpaid.pay().status, 200);
  bills = http_client(svc.port()).get("/api/v1/me/bills", login).json()["bills"];
  std::set<std::string> numbers;
  for (const auto& b : bills) numbers.insert(b["invoice_number"].get<std::string>());
  EXPECT_EQ(numbers, (std::set<std::string>{invoice_year_now() + "-000001", invoice_year_now() + "-000003"}))
    << "the other customer's purchase took number 2";
}

TEST(invoice_numbers, a_thousand_concurrent_completions_take_a_thousand_consecutive_numbers) {
  test_service svc;
  constexpr int workers = 50, per_worker = 20;
  std::vector<std::string> sessions(workers * per_worker);
  in_parallel(workers, [&](int w) {
    for (int i = 0; i < per_worker; ++i)
      sessions[w * per_worker + i] = order_left_unpaid(svc, "numbers-" + std::to_string(w * per_worker + i) + "@example.org");
  });
  std::atomic<int> paid{0};
  in_parallel(workers, [&](int w) {
    http_client client(svc.port());
    for (int i = 0; i < per_worker; ++i)
      if (client.send("POST", "/api/v1/sessions/" + sessions[w * per_worker + i] + "/pay").status == 200) ++paid;
  });
  ASSERT_EQ(paid.load(), workers * per_worker);

  std::set<std::string> numbers;
  for (int n = 1; n <= workers * per_worker; ++n) {
    auto transid_of = query_text(svc, "SELECT transid FROM bills WHERE invoice_number = ?",
                                 boutique::domain::utc_text(boutique::domain::now_s(), "%Y") + "-" +
                                   std::string(6 - std::to_string(n).size(), '0') + std::to_string(n));
    EXPECT_NE(transid_of, "<none>") << "number " << n << " is missing";
    numbers.insert(transid_of);
  }
  EXPECT_EQ(numbers.size(), static_cast<std::size_t>(workers * per_worker)) << "one bill per number";
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM bills WHERE invoice_number IS NOT NULL"), workers * per_worker)
    << "numbers 1 to 1,000 and no other";
}
