#include "domain/product.hpp"

#include <gtest/gtest.h>

using namespace boutique::domain;

namespace {

constexpr std::int64_t start = 1'700'000'000;
constexpr std::int64_t day = seconds_per_day;

}  // namespace

TEST(product, end_is_start_plus_duration_or_none) {
  EXPECT_EQ(seconds_per_day, 86400);
  EXPECT_EQ(product_end(start, std::nullopt), std::nullopt);
  EXPECT_EQ(product_end(start, 365), start + 365 * 86400);
  EXPECT_EQ(product_end(start, 1), start + 86400);
  EXPECT_EQ(product_end(start, 0), start);
  EXPECT_EQ(product_end(0, 100'000), std::int64_t{100'000} * 86400);  // no 32-bit overflow
}

TEST(product, state_is_pending_until_the_bill_is_complete) {
  const auto end = start + 30 * day;
  for (auto now : {start - day, start, start + day, end - day, end, end + day})
    EXPECT_EQ(product_state(now, start, end, false), "pending") << now;
  EXPECT_EQ(product_state(start + day, start, std::nullopt, false), "pending");
}

TEST(product, state_follows_the_product_lifetime) {
  const auto end = start + 30 * day;
  EXPECT_EQ(product_state(start - 1, start, end, true), "available");
  EXPECT_EQ(product_state(start, start, end, true), "running");
  EXPECT_EQ(product_state(end - 3 * day - 1, start, end, true), "running");
  EXPECT_EQ(product_state(end - 3 * day, start, end, true), "expiring");
  EXPECT_EQ(product_state(end - 1, start, end, true), "expiring");
  EXPECT_EQ(product_state(end, start, end, true), "expired");
  EXPECT_EQ(product_state(end + 365 * day, start, end, true), "expired");
}

TEST(product, state_without_end_is_running_forever) {
  EXPECT_EQ(product_state(start - 1, start, std::nullopt, true), "available");
  EXPECT_EQ(product_state(start, start, std::nullopt, true), "running");
  EXPECT_EQ(product_state(start + 100 * 365 * day, start, std::nullopt, true), "running");
}
