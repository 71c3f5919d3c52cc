#pragma once

// Refunding a paid order: from which bill status, its credit note's number, and what the customer is told.

#include "domain/bill.hpp"
#include "domain/contact.hpp"
#include "domain/language.hpp"
#include "domain/mail_body.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace boutique::domain {

/// Who refunds: staff through the management endpoint, or the payment provider by a signed notification.
enum class refunder { staff, provider };

std::string to_string(refunder who);

/// The provider name of a refund made by staff (POST /admin/bills/{transid}/refund): it goes the way of a signed
/// `refunded` notification, as txn_id "refund-<transid>", so that every staff refund of one bill is one delivery.
inline constexpr const char* staff_refund_provider = "staff";

/// Why a bill in status `current` cannot be refunded, in English; nothing when it can. The bill table decides
/// (can_transition to PAYBACK): only a paid order (COMPLETE, or SOLDOUT on its way to it) can be refunded.
std::optional<std::string> refund_refusal(bill_status current);

/// The number of the `n`th credit note of `year`: "CN-2026-000042". Credit notes are numbered apart from invoices,
/// without gaps per year of the refund (UTC), in the refund's transaction (storage).
std::string credit_note_number(std::int64_t year, std::int64_t n);

/// The mail telling the customer, in language `l` (the checkout's), that order `transid` (`total` in `currency`,
/// invoice `invoice`) is refunded under credit note `credit_note`, and that its products have ended.
composed_mail refund_mail(const contact& customer, const std::string& transid, const std::string& invoice,
                          const std::string& credit_note, std::int64_t total, const std::string& currency,
                          const std::string& base_url, language l);

}  // namespace boutique::domain
