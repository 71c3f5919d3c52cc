#include "domain/messages.hpp"

#include <map>

namespace boutique::domain {

namespace {

const std::map<std::string_view, std::string_view>& english_texts() {
  static const std::map<std::string_view, std::string_view> texts = {
    {"required", "is required"},
    {"too_short", "must be at least {n} characters"},
    {"too_long", "must be at most {n} bytes"},
    {"bad_text", "must be valid UTF-8 text without control characters"},
    {"bad_email", "not a valid address"},
    {"bad_country", "not an ISO 3166-1 alpha-2 country code"},
    {"unknown_product", "unknown product"},
    {"quantity_range", "must be within 1..100"},
    {"duplicate_line", "appears more than once"},
    {"other_currency", "is priced in another currency"},
    {"required_at_most", "is required (at most {n} characters)"},
    {"payment_status", "must be completed, pending, failed or refunded"},
    {"bad_paymode", "not an available payment mode"},
    {"own_email_only", "is your account's email while you are logged in; change it in your account space"},
    {"cart_invalid", "the cart is not valid"},
    {"contact_invalid", "the contact details are not valid"},
    {"paymode_invalid", "this payment mode is not available"},
    {"password_invalid", "the password is not valid"},
    {"passwords_differ", "the two passwords differ"},
    {"current_password_wrong", "the current password is wrong"},
    {"wrong_password", "is not your current password"},
    {"same_email", "is already your account's address"},
  };
  return texts;
}

}  // namespace

std::string with_number(std::string pattern, const message& m) {
  if (auto at = pattern.find("{n}"); at != std::string::npos) pattern.replace(at, 3, std::to_string(m.n));
  return pattern;
}

std::string english(const message& m) {
  auto it = english_texts().find(m.code);
  return it == english_texts().end() ? m.code : with_number(std::string(it->second), m);
}

std::vector<std::string_view> message_codes() {
  std::vector<std::string_view> out;
  for (const auto& [code, text] : english_texts()) out.push_back(code);
  return out;
}

}  // namespace boutique::domain
