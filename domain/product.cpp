#include "domain/product.hpp"

namespace boutique::domain {

std::optional<std::int64_t> product_end(std::int64_t start, std::optional<std::int32_t> duration_days) {
  if (!duration_days) return std::nullopt;
  return start + static_cast<std::int64_t>(*duration_days) * seconds_per_day;
}

std::string product_state(std::int64_t now, std::int64_t start, std::optional<std::int64_t> end, bool bill_complete,
                          bool refunded) {
  if (refunded) return "refunded";
  if (!bill_complete) return "pending";
  if (now < start) return "available";
  if (end && now >= *end) return "expired";
  if (end && *end - now <= 3 * seconds_per_day) return "expiring";
  return "running";
}

}  // namespace boutique::domain
