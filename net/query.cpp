#include "net/query.hpp"

#include <algorithm>

namespace boutique::net {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Appends `c`, percent-encoded when it is a control character, a space or a non-ASCII byte.
void append_visible(std::string& out, char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte > 0x20 && byte < 0x7f) {
    out += c;
    return;
  }
  static constexpr char hex[] = "0123456789ABCDEF";
  out += '%';
  out += hex[byte >> 4];
  out += hex[byte & 0xf];
}

}  // namespace

std::string local_redirect_target(std::string_view target) {
  target = target.substr(0, target.find('#'));
  if (target.empty() || (target.front() != '/' && target.front() != '\\')) return "/";
  auto query_at = std::min(target.find('?'), target.size());
  std::string out;
  for (auto c : target.substr(0, query_at)) {
    if (c == '\\') c = '/';
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    append_visible(out, c);
  }
  for (auto c : target.substr(query_at)) append_visible(out, c);
  return out;
}

std::optional<std::string> percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string query_value(const std::string& query, const std::string& key) {
  auto values = parse_query(query);
  if (!values) return "";
  auto it = values->find(key);
  return it == values->end() ? "" : it->second;
}

std::optional<std::map<std::string, std::string>> parse_query(const std::string& query) {
  std::map<std::string, std::string> values;
  std::size_t start = 0;
  while (start < query.size()) {
    auto end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    auto pair = query.substr(start, end - start);
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string::npos ? "" : pair.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    if (!key->empty()) values[*key] = *value;
    start = end + 1;
  }
  return values;
}

}  // namespace boutique::net
