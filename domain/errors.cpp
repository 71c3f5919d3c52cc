#include "domain/errors.hpp"

namespace boutique::domain {

std::string_view to_string(error_code code) {
  switch (code) {
    case error_code::none: return "none";
    case error_code::malformed: return "malformed";
    case error_code::unauthenticated: return "unauthenticated";
    case error_code::forbidden: return "forbidden";
    case error_code::not_found: return "not_found";
    case error_code::conflict: return "conflict";
    case error_code::validation: return "validation";
    case error_code::throttled: return "throttled";
    case error_code::overloaded: return "overloaded";
    case error_code::storage_failure: return "storage_failure";
    case error_code::moved: return "moved";
    case error_code::internal: return "internal";
  }
  return "unknown";
}

}  // namespace boutique::domain
