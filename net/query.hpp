#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace boutique::net {

/// Decodes an application/x-www-form-urlencoded string ("a=1&b=x%20y"); the last value of a repeated key wins.
/// Returns nullopt when a percent escape is malformed.
std::optional<std::map<std::string, std::string>> parse_query(const std::string& query);

/// The value of `key` in `query` ("" when absent, or when the query is malformed).
std::string query_value(const std::string& query, const std::string& key);

/// The target of a redirect to this site, made safe from `target` (a path, maybe with a query): a single leading
/// '/' (runs of '/' and '\\', which browsers read as '/', become one '/', so "//host" cannot name another host),
/// no fragment, and control characters, spaces and non-ASCII bytes percent-encoded (no CR/LF reaches a header).
/// A target that does not start with '/' or '\\' (a scheme, a relative path, nothing) becomes "/".
std::string local_redirect_target(std::string_view target);

/// Decodes one percent-encoded component ('+' is a space); nullopt when malformed.
std::optional<std::string> percent_decode(const std::string& text);

}  // namespace boutique::net
