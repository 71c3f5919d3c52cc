// The rules of a person's data (domain/privacy.hpp): what holds an erasure back, the addresses an erased account
// keeps (which no one may give as theirs), and how long an invoice keeps the buyer's contact.
#include "domain/clock.hpp"
#include "domain/contact.hpp"
#include "domain/privacy.hpp"

#include <gtest/gtest.h>

#include <chrono>

using namespace boutique::domain;

namespace {

std::int64_t utc_day(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}}.time_since_epoch() / seconds{1};
}

}  // namespace

TEST(privacy_rule, only_an_order_waiting_for_its_payment_holds_an_erasure_back) {
  EXPECT_FALSE(erasure_refusal({}));
  for (auto s : {bill_status::complete, bill_status::cancelled, bill_status::payback, bill_status::refused})
    EXPECT_FALSE(erasure_refusal({{"T-1", s}})) << to_string(s);
  for (auto s : {bill_status::placed, bill_status::pending, bill_status::failed}) {
    auto why = erasure_refusal({{"T-done", bill_status::complete}, {"T-open", s}});
    ASSERT_TRUE(why) << to_string(s);
    EXPECT_NE(why->find("T-open"), std::string::npos) << *why;
    EXPECT_EQ(why->find("T-done"), std::string::npos) << *why;
  }
}

TEST(privacy_rule, an_erased_account_keeps_an_address_no_one_can_give) {
  auto c = erased_contact(42);
  EXPECT_EQ(c.email, "erased-42@erased.invalid");
  EXPECT_TRUE(c.firstname.empty() && c.lastname.empty() && c.address.empty() && c.city.empty());
  EXPECT_EQ(erased_user_login(7), "erased-user-7@erased.invalid");
  EXPECT_FALSE(is_valid_email(c.email)) << "a shopper cannot take an erased account's address";
  EXPECT_FALSE(is_valid_email(erased_user_login(7)));
  EXPECT_FALSE(is_valid_email("someone@shop.INVALID"));
  EXPECT_TRUE(is_valid_email("someone@invalid.example.org"));
}

TEST(privacy_rule, an_invoice_keeps_the_buyers_contact_for_whole_civil_years) {
  auto issued = utc_day(2028, 2, 29) + 3600;  // a leap day, 01:00
  EXPECT_EQ(utc_text(invoice_kept_until(issued, 10), "%Y-%m-%d %H:%M"), "2038-02-28 01:00");
  auto plain = utc_day(2026, 12, 1);
  EXPECT_EQ(utc_text(invoice_kept_until(plain, 10), "%Y-%m-%d"), "2036-12-01");
  EXPECT_EQ(invoice_kept_until(invoice_kept_until(plain, 10), -10), plain);
}
