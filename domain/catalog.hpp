#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace boutique::domain {

/// A training product the shop sells. Prices are integer minor units of `currency`.
struct catalog_item {
  std::string code;
  std::string name;
  std::int64_t price = 0;
  std::string currency;
  std::int32_t tax_rate_bp = 0;  ///< tax rate in basis points: 2000 = 20 %
  std::optional<std::int32_t> duration_days;
  bool renewable = false;

  friend bool operator==(const catalog_item&, const catalog_item&) = default;
};

using catalog = std::vector<catalog_item>;

/// Returns a message describing why `item` is not a valid catalog entry, or an empty string.
std::string catalog_item_problem(const catalog_item& item);

}  // namespace boutique::domain
