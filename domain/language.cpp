#include "domain/language.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace boutique::domain {

namespace {

/// Groups digits by three with `separator`: 1234567 -> "1,234,567".
std::string grouped(std::int64_t units, std::string_view separator) {
  auto digits = std::to_string(units);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += separator;
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string_view code_of(language l) { return l == language::fr ? "fr" : "en"; }

std::optional<language> parse_language(std::string_view text) {
  std::string l(text);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (l == "en") return language::en;
  if (l == "fr") return language::fr;
  return std::nullopt;
}

language language_or_english(std::string_view code) { return parse_language(code).value_or(language::en); }

std::string money(std::int64_t minor, const std::string& currency, language l) {
  auto magnitude = minor < 0 ? -minor : minor;
  char cents[3];
  std::snprintf(cents, sizeof cents, "%02d", static_cast<int>(magnitude % 100));
  bool euro = currency == "EUR";
  std::string out = minor < 0 ? "-" : "";
  if (l == language::fr) {
    out += grouped(magnitude / 100, "\u202f");
    out += ',';
    out += cents;
    out += "\u00a0";
    out += euro ? std::string("€") : currency;
    return out;
  }
  if (euro) out += "€";
  out += grouped(magnitude / 100, ",");
  out += '.';
  out += cents;
  if (!euro) out += " " + currency;
  return out;
}

std::string date_of(std::int64_t unix_seconds, language l) {
  static constexpr const char* en[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static constexpr const char* fr[] = {"janv.", "févr.", "mars", "avr.", "mai", "juin",
                                       "juil.", "août", "sept.", "oct.", "nov.", "déc."};
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return std::to_string(tm.tm_mday) + " " + (l == language::fr ? fr : en)[tm.tm_mon] + " " +
         std::to_string(tm.tm_year + 1900);
}

}  // namespace boutique::domain
