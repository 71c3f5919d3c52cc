#pragma once

// JSON shapes of the public contract (API.md). Public shapes carry no internal customer or user ids.

#include "actors/messages.hpp"
#include "domain/json.hpp"
#include "net/http_types.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>

namespace boutique::domain {
void to_json(nlohmann::json& j, const catalog_item& item);
}  // namespace boutique::domain

namespace boutique::net {

std::string rfc3339(std::int64_t unix_seconds);
nlohmann::json cart_json(const domain::priced_cart& cart);
nlohmann::json session_json(const session_snapshot& s);
nlohmann::json products_json(const product_list& products, std::int64_t now, bool with_state);
nlohmann::json bill_json(const bill_record& b);
nlohmann::json user_json(const user_record& u);
/// A customer account as the admin's list shows it: id, email, names, user_id, created_at, updated_at.
nlohmann::json admin_customer_json(const customer_record& c);
/// Everything staff see of a customer account (GET /admin/customers/{id}): the customer with its contact, its user,
/// bills, products (their state at `now`) and timeline.
nlohmann::json customer_detail_json(const customer_detail& d, std::int64_t now);
/// Everything held about a person (GET /api/v1/me/export, GET /admin/customers/{id}/export), exported at `now`.
nlohmann::json personal_export_json(const personal_export& e, std::int64_t now);

/// A request body decoded against a fixed set of fields. `error` is set (with its HTTP status) when the body
/// is not acceptable: wrong content type (415), not JSON or not an object, an unknown field or a wrong type (400).
struct json_body {
  nlohmann::json value;
  std::optional<http_response> error;
};
json_body parse_body(const http_request& request, const std::set<std::string>& allowed_fields);

/// Reads string field `key` (absent: ""); sets a 400 in `body.error` when it is not a string.
std::string string_field(json_body& body, const char* key);

/// The fields a contact body may carry: the contact's own (domain::contact's description).
const std::set<std::string>& contact_field_names();
/// Decodes the contact form fields of `body`.
domain::contact contact_field(json_body& body);

/// Decodes the cart of `body`: {"items":[{"code":"...","quantity":n}]}, quantities clamped to [-1, 1000]. Sets a
/// 400 in `body.error` on a malformed shape, a 422 beyond 50 lines.
cart_request cart_field(json_body& body);

}  // namespace boutique::net
