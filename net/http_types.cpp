#include "net/http_types.hpp"

namespace boutique::net {

std::optional<std::string_view> http_request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key == name) return std::string_view{value};
  return std::nullopt;
}

}  // namespace boutique::net
