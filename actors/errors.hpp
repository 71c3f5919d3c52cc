#pragma once

// The domain's error codes as CAF errors (category "boutique"), with their detail, field errors and retry delay.

#include "domain/contact.hpp"
#include "domain/errors.hpp"

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <cstdint>
#include <optional>
#include <string>

CAF_ERROR_CODE_ENUM(boutique::domain::error_code, "boutique")

namespace boutique {

/// Makes a CAF error of the domain category carrying a human-readable detail.
caf::error make_domain_error(domain::error_code code, std::string detail);

/// Makes a validation error carrying field-level messages (field -> message).
caf::error make_validation_error(domain::message detail, domain::field_errors fields);

/// Makes a throttling error telling after how many seconds to retry.
caf::error make_throttled_error(std::string detail, std::int64_t retry_after_s);

/// Makes an overload error (503) telling after how many seconds to retry.
caf::error make_overloaded_error(std::string detail, std::int64_t retry_after_s);

/// The seconds to wait carried by a throttling or overload error (0 for other errors).
std::int64_t error_retry_after(const caf::error& err);

/// The field-level messages of a validation error (empty for other errors).
domain::field_errors error_fields(const caf::error& err);

/// The detail of a validation error as a message (to be shown in the visitor's language); none for other errors.
std::optional<domain::message> error_message(const caf::error& err);

/// The domain code of `err`, or error_code::internal when `err` belongs to another category.
domain::error_code domain_code(const caf::error& err);

/// The human-readable detail of `err`.
std::string error_detail(const caf::error& err);

}  // namespace boutique
