#pragma once

// Cancelling an order before it is paid: who may, from which bill status, and what the customer is told.

#include "domain/bill.hpp"
#include "domain/contact.hpp"
#include "domain/language.hpp"
#include "domain/mail_body.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace boutique::domain {

/// Who cancels: the shopper of the checkout session, or staff through the management endpoint.
enum class canceller { customer, staff };

std::string to_string(canceller who);

/// Why a bill in status `current` cannot be cancelled, in English; nothing when it can. The bill table decides
/// (can_transition to CANCELLED): an order placed, waiting for its payment (PENDING) or whose payment failed can be;
/// a paid order (SOLDOUT, COMPLETE, PAYBACK) cannot, nor one already cancelled.
std::optional<std::string> cancel_refusal(bill_status current);

/// The mail telling the customer, in language `l` (the checkout's), that order `transid` (`total` in `currency`) was
/// cancelled, and by whom.
composed_mail cancellation_mail(const contact& customer, const std::string& transid, std::int64_t total,
                                const std::string& currency, canceller who, const std::string& base_url, language l);

}  // namespace boutique::domain
