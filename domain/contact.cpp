#include "domain/contact.hpp"

#include "domain/schema.hpp"

#include <algorithm>
#include <iterator>
#include <cctype>
#include <string_view>

namespace boutique::domain {

namespace {

/// ISO 3166-1 alpha-2, sorted, one code every 3 characters.
constexpr std::string_view country_codes =
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY "
  "BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK "
  "FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR "
  "IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK "
  "ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
  "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF "
  "TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

void check_text(field_errors& errors, const char* field, const std::string& value, std::size_t max, bool required,
                bool multiline = false) {
  if (required && value.empty()) errors[field] = {"required"};
  else if (value.size() > max) errors[field] = {"too_long", static_cast<std::int64_t>(max)};
  else if (!is_clean_text(value, multiline)) errors[field] = {"bad_text"};
}

}  // namespace

std::string normalize_email(const std::string& email) {
  auto result = trim(email);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

const field_rule& rule_of(std::string_view name) {
  static const std::map<std::string_view, field_rule> rules = {
    {"firstname", {100, true, false}}, {"lastname", {100, true, false}},  {"email", {254, true, false}},
    {"address", {500, false, true}},   {"zip", {20, false, false}},       {"city", {120, false, false}},
    {"country", {2, true, false}},     {"invoiceinfo", {1000, false, true}}};
  static const field_rule others;
  auto it = rules.find(name);
  return it == rules.end() ? others : it->second;
}

contact tidy(contact c) {
  for_each_field(c, [](const char*, std::string& value) { value = trim(value); });
  std::transform(c.country.begin(), c.country.end(), c.country.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return c;
}

account_edit edit_of_account(contact submitted, const std::string& account_email) {
  submitted.email = account_email;
  account_edit edit{tidy(std::move(submitted)), {}};
  edit.errors = validate(edit.details);
  return edit;
}

bool is_valid_email(const std::string& email) {
  if (email.size() < 3 || email.size() > 254) return false;
  auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos) return false;
  if (at > 64) return false;
  auto domain = std::string_view(email).substr(at + 1);
  auto dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.' || domain.find("..") != std::string_view::npos)
    return false;
  // The reserved top-level domain .invalid (RFC 2606) receives no mail; erased accounts keep such an address
  // (domain/privacy.hpp), which no one may then give as theirs.
  constexpr std::string_view reserved = ".invalid";
  if (domain.size() >= reserved.size() &&
      std::equal(reserved.begin(), reserved.end(), domain.end() - reserved.size(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); }))
    return false;
  return std::none_of(email.begin(), email.end(), [](unsigned char c) {
    return c <= ' ' || c == '"' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' ||
           c == '\\' || c == '[' || c == ']' || c >= 0x7f;
  });
}

std::size_t country_code_count() { return (country_codes.size() + 1) / 3; }

bool is_country_code(const std::string& code) {
  if (code.size() != 2) return false;
  std::size_t lo = 0, hi = (country_codes.size() + 1) / 3;  // a binary search over the codes
  while (lo < hi) {
    auto mid = (lo + hi) / 2;
    auto at = country_codes.substr(mid * 3, 2);
    if (at == code) return true;
    if (at < code) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

bool is_layout_control(std::uint32_t cp) {
  return cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

bool is_clean_text(const std::string& text, bool multiline) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f) return false;
      ++i;
      continue;
    }
    std::size_t len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || i + len > text.size()) return false;
    std::uint32_t cp = c & (0xff >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr std::uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < minimum[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
      return false;
    if (is_layout_control(cp)) return false;
    i += len;
  }
  return true;
}

std::optional<message> new_email_problem(const std::string& email, const std::string& current_norm) {
  if (email.empty()) return message{"required"};
  if (!is_valid_email(email)) return message{"bad_email"};
  if (normalize_email(email) == current_norm) return message{"same_email"};
  return std::nullopt;
}

field_errors validate(const contact& c) {
  field_errors errors;
  for_each_field(c, [&](const char* name, const std::string& value) {
    if (std::string_view(name) == "email" || std::string_view(name) == "country") return;  // checked below
    const auto& rule = rule_of(name);
    check_text(errors, name, value, rule.max_bytes, rule.required, rule.multiline);
  });
  if (c.email.empty()) errors["email"] = {"required"};
  else if (!is_valid_email(c.email)) errors["email"] = {"bad_email"};
  if (c.country.empty()) errors["country"] = {"required"};
  else if (!is_country_code(c.country)) errors["country"] = {"bad_country"};
  return errors;
}

}  // namespace boutique::domain
