#include "net/client_address.hpp"

#include "config/config.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <string_view>

namespace boutique::net {

namespace {

std::string_view trimmed(std::string_view text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

/// The comma-separated entries of every X-Forwarded-For header, in order.
std::vector<std::string_view> forwarded_entries(const header_list& headers) {
  std::vector<std::string_view> entries;
  for (const auto& [name, value] : headers) {
    if (name != "x-forwarded-for") continue;
    std::string_view list = value;
    std::size_t start = 0;
    while (start <= list.size()) {
      auto end = std::min(list.find(',', start), list.size());
      if (auto entry = trimmed(list.substr(start, end - start)); !entry.empty()) entries.push_back(entry);
      start = end + 1;
    }
  }
  return entries;
}

}  // namespace

bool forwarded_https(const std::string& peer, const header_list& headers,
                     const std::vector<std::string>& trusted_proxies) {
  if (std::find(trusted_proxies.begin(), trusted_proxies.end(), peer) == trusted_proxies.end()) return false;
  std::string_view last;
  for (const auto& [name, value] : headers)
    if (name == "x-forwarded-proto") last = value;
  // A list ("https, http") names each hop in order: the nearest proxy's is the last.
  if (auto comma = last.rfind(','); comma != std::string_view::npos) last = last.substr(comma + 1);
  return boost::beast::iequals(trimmed(last), "https");
}

std::string client_address(const std::string& peer, const header_list& headers,
                           const std::vector<std::string>& trusted_proxies) {
  auto trusted = [&](const std::string& address) {
    return std::find(trusted_proxies.begin(), trusted_proxies.end(), address) != trusted_proxies.end();
  };
  if (!trusted(peer)) return peer;
  auto entries = forwarded_entries(headers);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    auto address = config::canonical_ip(*it);
    if (!address) return peer;
    if (!trusted(*address)) return *address;
  }
  return peer;
}

}  // namespace boutique::net
