#include "domain/catalog.hpp"

#include <algorithm>
#include <cctype>

namespace boutique::domain {

namespace {

bool is_product_code(const std::string& code) {
  if (code.empty() || code.size() > 32) return false;
  return std::all_of(code.begin(), code.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

bool is_currency_code(const std::string& currency) {
  return currency.size() == 3 && std::all_of(currency.begin(), currency.end(), [](unsigned char c) {
           return c >= 'A' && c <= 'Z';
         });
}

}  // namespace

std::string catalog_item_problem(const catalog_item& item) {
  if (!is_product_code(item.code)) return "code must be 1 to 32 letters, digits, '-', '_' or '.'";
  if (item.name.empty() || item.name.size() > 255) return "name must be 1 to 255 bytes";
  if (item.price < 0) return "price must not be negative";
  if (!is_currency_code(item.currency)) return "currency must be an ISO 4217 code such as EUR";
  if (item.tax_rate_bp < 0 || item.tax_rate_bp > 10000) return "tax_rate_bp must be within 0..10000";
  if (item.duration_days && *item.duration_days <= 0) return "duration_days must be positive or null";
  return {};
}

}  // namespace boutique::domain
