#pragma once

#include <cstdint>
#include <string_view>

namespace boutique::domain {

/// Every way a request can fail, as a value. The HTTP layer maps each one to a status and a problem type.
enum class error_code : std::uint8_t {
  none = 0,
  malformed,         ///< the request cannot be understood (bad JSON, wrong types, unknown fields)
  unauthenticated,   ///< no valid credentials
  forbidden,         ///< authenticated or not, this is not allowed
  not_found,         ///< unknown resource
  conflict,          ///< the resource's state forbids this
  validation,        ///< well-formed but invalid values
  throttled,         ///< too many attempts
  overloaded,        ///< the service cannot take more work now
  storage_failure,   ///< the database refused or failed
  moved,             ///< the actor lives on another node of the cluster (the detail: its address, or empty)
  internal,          ///< a bug or an unexpected condition
};

std::string_view to_string(error_code code);

}  // namespace boutique::domain
