#pragma once

// A person's data (GDPR): who asks for an export or an erasure, what an erased account keeps, and what holds an
// erasure back. Storage applies these rules (storage/privacy_queries.cpp); docs/API-NOTES.md tells them to users.

#include "domain/bill.hpp"
#include "domain/contact.hpp"

#include <boost/describe/enum.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace boutique::domain {

/// Who asks: the logged-in person from the support space, or staff through the management endpoint. Recorded in
/// the customer's timeline.
enum class privacy_requester { customer, staff };
BOOST_DESCRIBE_ENUM(privacy_requester, customer, staff)

std::string to_string(privacy_requester who);

/// The address an erased customer account or user keeps in place of the person's: unique per row, in the reserved
/// `.invalid` domain (RFC 2606), so that it reaches no one and the person's own address is free again.
std::string erased_customer_email(std::int64_t customer_id);
std::string erased_user_login(std::int64_t user_id);

/// The contact an erased customer account keeps, and the one its bills that are no invoice keep: every field
/// empty but the erased address.
contact erased_contact(std::int64_t customer_id);

/// Why the customer account whose bills are `bills` (transid, status) cannot be erased now, in English; nothing
/// when it can. An order waiting for its payment (the bill table: it can reach SOLDOUT, and CANCELLED) holds the
/// erasure back: the payment would complete an order for a person no longer known; the shopper or staff cancel it
/// first. A bill whose payment the provider refused (REFUSED: no way to CANCELLED) does not, or an abandoned one
/// would hold it back for ever; were it paid after all, its invoice would bill the erased contact.
std::optional<std::string> erasure_refusal(const std::vector<std::pair<std::string, bill_status>>& bills);

/// The time until which an invoice issued at `issued_at` keeps the buyer's contact as billed: `years` later (the
/// legal retention of accounting documents, config `retention.invoice_years`).
std::int64_t invoice_kept_until(std::int64_t issued_at, int years);

}  // namespace boutique::domain
