#pragma once

// The rules a payment provider's notification must meet before it is applied to a bill.

#include "domain/contact.hpp"
#include "domain/records.hpp"

#include <string>

namespace boutique::domain {

/// The statuses a notification may carry.
inline bool is_payment_status(const std::string& s) {
  return s == "completed" || s == "pending" || s == "failed" || s == "refunded";
}

/// What is wrong with `event`'s fields, by field (empty when nothing is): a provider (at most 64 characters), a
/// transaction id (at most 128) and a transid (at most 64) are required, and the status is one of the above.
field_errors notification_errors(const payment_event& event);

}  // namespace boutique::domain
