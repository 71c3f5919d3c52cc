#include "domain/bill.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>
#include <utility>

using namespace boutique::domain;

namespace {

catalog shop() {
  return {
    {"A", "Formation A", 12000, "EUR", 2000, 365, false},
    {"B", "Livre B", 4900, "EUR", 550, std::nullopt, false},
    {"C", "Livre C", 4900, "EUR", 550, std::nullopt, false},
    {"U", "Course U", 1000, "USD", 0, 30, false},
  };
}

constexpr std::array all_statuses = {bill_status::placed,    bill_status::pending, bill_status::soldout,
                                     bill_status::complete,  bill_status::cancelled, bill_status::failed,
                                     bill_status::refused,   bill_status::payback};

}  // namespace

TEST(bill, taxes_are_rounded_half_up_per_line) {
  EXPECT_EQ(line_taxes(12000, 2000), 2400);
  EXPECT_EQ(line_taxes(4900, 550), 270);  // 269.5
  EXPECT_EQ(line_taxes(4899, 550), 269);  // 269.445
  EXPECT_EQ(line_taxes(1, 5000), 1);      // 0.5
  EXPECT_EQ(line_taxes(1, 4999), 0);      // 0.4999
  EXPECT_EQ(line_taxes(12345, 0), 0);
  EXPECT_EQ(line_taxes(0, 2000), 0);
}

TEST(bill, cart_totals_sum_the_rounded_lines) {
  auto result = price_cart({{"A", 2}, {"B", 1}, {"C", 1}}, shop());
  ASSERT_TRUE(result.errors.empty());
  const auto& cart = result.cart;
  ASSERT_EQ(cart.lines.size(), 3u);
  EXPECT_EQ(cart.currency, "EUR");

  const auto& a = cart.lines[0];
  EXPECT_EQ(a.code, "A");
  EXPECT_EQ(a.name, "Formation A");
  EXPECT_EQ(a.quantity, 2);
  EXPECT_EQ(a.unit_price, 12000);
  EXPECT_EQ(a.untaxed, 24000);
  EXPECT_EQ(a.taxes, 4800);
  EXPECT_EQ(a.total, 28800);
  EXPECT_EQ(a.duration_days, 365);
  EXPECT_EQ(a.tax_rate_bp, 2000);
  EXPECT_EQ(cart.lines[1].tax_rate_bp, 550);
  EXPECT_EQ(cart.lines[1].taxes, 270);
  EXPECT_EQ(cart.lines[1].total, 5170);
  EXPECT_EQ(cart.lines[1].duration_days, std::nullopt);

  EXPECT_EQ(cart.untaxed, 24000 + 4900 + 4900);
  EXPECT_EQ(cart.taxes, 4800 + 270 + 270);  // per line, not 539 from rounding the sum
  EXPECT_EQ(cart.total, cart.untaxed + cart.taxes);
}

TEST(bill, cart_errors_name_the_offending_line) {
  auto unknown = price_cart({{"A", 1}, {"NOPE", 1}}, shop());
  EXPECT_EQ(unknown.errors.size(), 1u);
  EXPECT_EQ(unknown.errors.count("items[1].code"), 1u);

  auto quantities = price_cart({{"A", 0}, {"B", 101}, {"C", 100}}, shop());
  EXPECT_EQ(quantities.errors.size(), 2u);
  EXPECT_EQ(quantities.errors.count("items[0].quantity"), 1u);
  EXPECT_EQ(quantities.errors.count("items[1].quantity"), 1u);

  auto negative = price_cart({{"A", -1}}, shop());
  EXPECT_EQ(negative.errors.count("items[0].quantity"), 1u);

  auto duplicate = price_cart({{"A", 1}, {"B", 1}, {"A", 2}}, shop());
  EXPECT_EQ(duplicate.errors.size(), 1u);
  EXPECT_EQ(duplicate.errors.count("items[2].code"), 1u);

  auto mixed = price_cart({{"A", 1}, {"U", 1}}, shop());
  EXPECT_EQ(mixed.errors.size(), 1u);
  EXPECT_EQ(mixed.errors.count("items[1].code"), 1u);
}

TEST(bill, quantity_bounds_one_and_hundred_are_accepted) {
  auto result = price_cart({{"A", 1}, {"B", 100}}, shop());
  EXPECT_TRUE(result.errors.empty());
  ASSERT_EQ(result.cart.lines.size(), 2u);
  EXPECT_EQ(result.cart.lines[1].untaxed, 490000);
}

TEST(bill, status_names_round_trip) {
  const std::pair<bill_status, const char*> names[] = {
    {bill_status::placed, "PLACED"},       {bill_status::pending, "PENDING"}, {bill_status::soldout, "SOLDOUT"},
    {bill_status::complete, "COMPLETE"},   {bill_status::cancelled, "CANCELLED"},
    {bill_status::failed, "FAILED"},       {bill_status::refused, "REFUSED"}, {bill_status::payback, "PAYBACK"}};
  for (auto [status, name] : names) {
    EXPECT_EQ(to_string(status), name);
    EXPECT_EQ(parse_bill_status(name), status) << name;
  }
  for (const char* bad : {"", "placed", "Pending", "UNKNOWN", "PAID"})
    EXPECT_EQ(parse_bill_status(bad), std::nullopt) << bad;
}

TEST(bill, transitions_follow_exactly_the_documented_table) {
  using enum bill_status;
  const std::set<std::pair<bill_status, bill_status>> allowed = {
    {placed, pending},  {placed, soldout},    {placed, cancelled}, {placed, failed},
    {pending, soldout}, {pending, refused},   {pending, cancelled}, {pending, failed},
    {soldout, complete}, {soldout, payback}, {complete, payback},
    {failed, soldout},  {failed, cancelled},
    {refused, pending}, {refused, soldout},
  };
  ASSERT_EQ(allowed.size(), 15u);
  for (auto from : all_statuses)
    for (auto to : all_statuses)
      EXPECT_EQ(can_transition(from, to), allowed.count({from, to}) == 1)
        << to_string(from) << " -> " << to_string(to);
}
