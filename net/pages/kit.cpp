#include "net/pages/kit.hpp"

#include "domain/clock.hpp"

#include <cctype>

namespace boutique::net::pages {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// The quality of one Accept-Language entry ("fr-CH;q=0.9" -> 0.9); 1 when absent.
double quality_of(std::string_view params) {
  auto q = params.find("q=");
  if (q == std::string_view::npos) return 1.0;
  try {
    return std::stod(std::string(params.substr(q + 2)));
  } catch (const std::exception&) {
    return 0.0;
  }
}

}  // namespace

language choose_language(const http_request& request, std::string_view chosen) {
  if (auto l = parse_language(chosen)) return *l;
  auto header = request.header("accept-language");
  if (!header) return language::en;
  std::optional<language> best;
  double best_q = 0;
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto end = rest.find(',');
    auto entry = trim(rest.substr(0, end));
    auto semi = entry.find(';');
    auto tag = trim(entry.substr(0, semi));
    auto primary = tag.substr(0, tag.find('-'));
    auto q = semi == std::string_view::npos ? 1.0 : quality_of(entry.substr(semi + 1));
    if (auto l = parse_language(primary); l && q > best_q) {
      best = l;
      best_q = q;
    }
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return best.value_or(language::en);
}

std::optional<language> stated_language(const http_request& request, std::string_view chosen) {
  if (!parse_language(chosen) && !request.header("accept-language")) return std::nullopt;
  return choose_language(request, chosen);
}

std::string cookie_value(const http_request& request, std::string_view name) {
  auto header = request.header("cookie");
  if (!header) return {};
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto end = rest.find(';');
    auto part = trim(rest.substr(0, end));
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return {};
}

std::string cookie_header(std::string_view name, std::string_view value, std::optional<std::int64_t> max_age,
                          bool secure) {
  auto header = std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Lax";
  if (secure) header += "; Secure";
  if (max_age) header += "; Max-Age=" + std::to_string(*max_age);
  return header;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace boutique::net::pages
