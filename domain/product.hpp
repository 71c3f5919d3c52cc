#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace boutique::domain {

constexpr std::int64_t seconds_per_day = 86400;

/// The end of a product bought at `start` (unix seconds) for `duration_days`, or none for unlimited products.
std::optional<std::int64_t> product_end(std::int64_t start, std::optional<std::int32_t> duration_days);

/// The state a customer sees for a product at time `now`:
/// "refunded" when its bill was refunded, "pending" when its bill is not complete yet, "available" before its
/// start, "expired" after its end, "expiring" when it ends within 3 days, "running" otherwise (also when it never
/// ends).
std::string product_state(std::int64_t now, std::int64_t start, std::optional<std::int64_t> end, bool bill_complete,
                          bool refunded = false);

}  // namespace boutique::domain
