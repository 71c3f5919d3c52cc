#pragma once

#include "domain/catalog.hpp"
#include "domain/messages.hpp"

#include <boost/describe/class.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace boutique::domain {

/// One line of a cart as the shopper asks for it.
struct cart_line {
  std::string code;
  std::int32_t quantity = 0;
  friend bool operator==(const cart_line&, const cart_line&) = default;
};
BOOST_DESCRIBE_STRUCT(cart_line, (), (code, quantity))

/// One priced line of a cart or bill. Amounts in minor units. A placed bill keeps its lines as they were sold
/// (name, price, tax rate, duration): completion, products and invoices read them, never the catalog of the day.
struct bill_line {
  std::string code;
  std::string name;
  std::int32_t quantity = 0;
  std::int64_t unit_price = 0;
  std::int64_t untaxed = 0;  ///< unit_price * quantity
  std::int64_t taxes = 0;    ///< untaxed * tax rate, rounded half up to the minor unit
  std::int64_t total = 0;    ///< untaxed + taxes
  std::optional<std::int32_t> tax_rate_bp;    ///< the rate sold (none for lines placed before it was kept)
  std::optional<std::int32_t> duration_days;  ///< the term sold, none for products that never end
};
BOOST_DESCRIBE_STRUCT(bill_line, (), (code, name, quantity, unit_price, untaxed, taxes, total, tax_rate_bp, duration_days))

/// A priced cart: its lines and their sums.
struct priced_cart {
  std::vector<bill_line> lines;
  std::int64_t untaxed = 0;
  std::int64_t taxes = 0;
  std::int64_t total = 0;
  std::string currency = "EUR";
};
BOOST_DESCRIBE_STRUCT(priced_cart, (), (lines, untaxed, taxes, total, currency))

/// Rounding rule: taxes are computed per line on the line's untaxed amount, rounded half up to the minor unit,
/// then summed; the total is untaxed + taxes. (12000 at 20 % -> 2400; 4900 at 5.5 % -> 269.5 -> 270.)
std::int64_t line_taxes(std::int64_t untaxed, std::int32_t tax_rate_bp);

/// Most lines in one cart; a cart request with more is refused as a whole before it is read further.
inline constexpr std::size_t max_cart_lines = 50;

/// `lines` with `code` set to `quantity` (added, changed, or removed at 0); `add` adds to the current quantity
/// instead (capped at 1000: pricing then refuses anything over 100 with the line named).
std::vector<cart_line> change_cart(std::vector<cart_line> lines, const std::string& code, std::int32_t quantity,
                                   bool add);

/// Prices `lines` against `items`. Field errors name the line: "items[0].code" -> "unknown product".
/// Quantities must be within 1..100; a code may appear once; all items must share one currency.
struct pricing_result {
  priced_cart cart;
  field_errors errors;
};
pricing_result price_cart(const std::vector<cart_line>& lines, const catalog& items);

enum class bill_status { placed, pending, soldout, complete, cancelled, failed, refused, payback };

std::string to_string(bill_status s);
std::optional<bill_status> parse_bill_status(const std::string& s);

/// The transition table of bills. PLACED -> PENDING | SOLDOUT | CANCELLED | FAILED,
/// PENDING -> SOLDOUT | REFUSED | CANCELLED | FAILED, SOLDOUT -> COMPLETE | PAYBACK, COMPLETE -> PAYBACK (a refund),
/// FAILED -> SOLDOUT | CANCELLED, REFUSED -> PENDING | SOLDOUT. Anything else is refused.
bool can_transition(bill_status from, bill_status to);

/// The invoice number of the `n`th bill completed in `year`: "2026-000042". Numbers run without gaps per year of
/// completion (UTC), assigned in the completion transaction (storage).
std::string invoice_number(std::int64_t year, std::int64_t n);

/// The year (UTC) of `unix_seconds`: the year an invoice completed then is numbered in.
std::int64_t invoice_year(std::int64_t unix_seconds);

}  // namespace boutique::domain
