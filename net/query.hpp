#pragma once

#include <map>
#include <optional>
#include <string>

namespace boutique::net {

/// Decodes an application/x-www-form-urlencoded string ("a=1&b=x%20y"); the last value of a repeated key wins.
/// Returns nullopt when a percent escape is malformed.
std::optional<std::map<std::string, std::string>> parse_query(const std::string& query);

/// Decodes one percent-encoded component ('+' is a space); nullopt when malformed.
std::optional<std::string> percent_decode(const std::string& text);

}  // namespace boutique::net
