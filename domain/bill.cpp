#include "domain/bill.hpp"

#include "domain/clock.hpp"

#include <algorithm>
#include <cstdio>

#include <set>

namespace boutique::domain {

std::int64_t line_taxes(std::int64_t untaxed, std::int32_t tax_rate_bp) {
  return (untaxed * tax_rate_bp + 5000) / 10000;
}

pricing_result price_cart(const std::vector<cart_line>& lines, const catalog& items) {
  pricing_result result;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& line = lines[i];
    auto field = "items[" + std::to_string(i) + "]";
    const catalog_item* item = nullptr;
    for (const auto& candidate : items)
      if (candidate.code == line.code) item = &candidate;
    if (!item) {
      result.errors[field + ".code"] = {"unknown_product"};
      continue;
    }
    if (line.quantity < 1 || line.quantity > 100) {
      result.errors[field + ".quantity"] = {"quantity_range"};
      continue;
    }
    if (!seen.insert(line.code).second) {
      result.errors[field + ".code"] = {"duplicate_line"};
      continue;
    }
    if (result.cart.lines.empty()) result.cart.currency = item->currency;
    else if (item->currency != result.cart.currency) {
      result.errors[field + ".code"] = {"other_currency"};
      continue;
    }
    bill_line priced;
    priced.code = item->code;
    priced.name = item->name;
    priced.quantity = line.quantity;
    priced.unit_price = item->price;
    priced.untaxed = item->price * line.quantity;
    priced.taxes = line_taxes(priced.untaxed, item->tax_rate_bp);
    priced.total = priced.untaxed + priced.taxes;
    priced.tax_rate_bp = item->tax_rate_bp;
    priced.duration_days = item->duration_days;
    result.cart.untaxed += priced.untaxed;
    result.cart.taxes += priced.taxes;
    result.cart.total += priced.total;
    result.cart.lines.push_back(std::move(priced));
  }
  return result;
}

std::string to_string(bill_status s) {
  switch (s) {
    case bill_status::placed: return "PLACED";
    case bill_status::pending: return "PENDING";
    case bill_status::soldout: return "SOLDOUT";
    case bill_status::complete: return "COMPLETE";
    case bill_status::cancelled: return "CANCELLED";
    case bill_status::failed: return "FAILED";
    case bill_status::refused: return "REFUSED";
    case bill_status::payback: return "PAYBACK";
  }
  return "UNKNOWN";
}

std::optional<bill_status> parse_bill_status(const std::string& s) {
  for (auto candidate : {bill_status::placed, bill_status::pending, bill_status::soldout, bill_status::complete,
                         bill_status::cancelled, bill_status::failed, bill_status::refused, bill_status::payback})
    if (to_string(candidate) == s) return candidate;
  return std::nullopt;
}

bool can_transition(bill_status from, bill_status to) {
  using enum bill_status;
  switch (from) {
    case placed: return to == pending || to == soldout || to == cancelled || to == failed;
    case pending: return to == soldout || to == refused || to == cancelled || to == failed;
    case soldout: return to == complete || to == payback;
    case failed: return to == soldout || to == cancelled;
    case refused: return to == pending || to == soldout;
    case complete: return to == payback;
    case cancelled:
    case payback: return false;
  }
  return false;
}

std::vector<cart_line> change_cart(std::vector<cart_line> lines, const std::string& code, std::int32_t quantity,
                                   bool add) {
  auto line = std::find_if(lines.begin(), lines.end(), [&](const cart_line& l) { return l.code == code; });
  if (line == lines.end()) {
    if (quantity != 0) lines.push_back({code, quantity});
  } else if (quantity == 0) {
    lines.erase(line);
  } else {
    line->quantity = add && quantity > 0 ? std::min(line->quantity + quantity, 1000) : quantity;
  }
  return lines;
}

std::string invoice_number(std::int64_t year, std::int64_t n) {
  char out[32];
  std::snprintf(out, sizeof out, "%04lld-%06lld", static_cast<long long>(year), static_cast<long long>(n));
  return out;
}

std::int64_t invoice_year(std::int64_t unix_seconds) { return std::stoll(utc_text(unix_seconds, "%Y")); }

}  // namespace boutique::domain
