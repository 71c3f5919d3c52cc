#include "net/json_codec.hpp"

#include "domain/clock.hpp"
#include "domain/product.hpp"
#include "domain/reminder.hpp"
#include "net/problem.hpp"

#include <algorithm>
#include <ctime>
#include <set>
#include <vector>

namespace boutique::domain {

void to_json(nlohmann::json& j, const catalog_item& item) {
  j = {{"code", item.code},
       {"name", item.name},
       {"price", item.price},
       {"currency", item.currency},
       {"tax_rate_bp", item.tax_rate_bp},
       {"duration_days", item.duration_days ? nlohmann::json(*item.duration_days) : nlohmann::json(nullptr)},
       {"renewable", item.renewable}};
}

}  // namespace boutique::domain

namespace boutique::net {

using nlohmann::json;

std::string rfc3339(std::int64_t unix_seconds) { return domain::utc_text(unix_seconds, "%Y-%m-%dT%H:%M:%SZ"); }

namespace {

json optional_time(const std::optional<std::int64_t>& t) { return t ? json(rfc3339(*t)) : json(nullptr); }

json lines_json(const std::vector<domain::bill_line>& lines) {
  json items = json::array();
  for (const auto& l : lines)
    items.push_back({{"code", l.code},
                     {"name", l.name},
                     {"quantity", l.quantity},
                     {"unit_price", l.unit_price},
                     {"untaxed", l.untaxed},
                     {"taxes", l.taxes},
                     {"total", l.total}});
  return items;
}

}  // namespace

json cart_json(const domain::priced_cart& cart) {
  return {{"items", lines_json(cart.lines)},
          {"untaxed", cart.untaxed},
          {"taxes", cart.taxes},
          {"total", cart.total},
          {"currency", cart.currency}};
}

json session_json(const session_snapshot& s) {
  return {{"session_id", s.id},
          {"stage", s.stage},
          {"cart", cart_json(s.priced)},
          {"contact_given", s.contact_given},
          {"authenticated", s.user_id.has_value()},
          {"transid", s.transid ? json(*s.transid) : json(nullptr)},
          {"bill_status", s.bill_status ? json(*s.bill_status) : json(nullptr)}};
}

json products_json(const product_list& products, std::int64_t now, bool with_state) {
  json list = json::array();
  for (const auto& p : products) {
    json item = {{"reference", p.reference},
                 {"code", p.code},
                 {"name", p.name},
                 {"start", rfc3339(p.start)},
                 {"end", optional_time(p.end)}};
    if (with_state) {
      item["state"] = domain::product_state(now, p.start, p.end, p.bill_complete, p.refunded);
      item["renewable"] = domain::offers_renewal(p.renewable, p.bill_complete, p.refunded);
    }
    list.push_back(std::move(item));
  }
  return list;
}

json bill_json(const bill_record& b) {
  return {{"transid", b.transid},
          {"status", b.status},
          {"emitted_at", rfc3339(b.emitted_at)},
          {"untaxed", b.untaxed},
          {"taxes", b.taxes},
          {"total", b.total},
          {"currency", b.currency},
          {"items", lines_json(b.lines)},
          {"billed_to", b.billed_to},
          {"invoice_number", b.invoice_number.empty() ? json(nullptr) : json(b.invoice_number)},
          {"credit_note_number", b.credit_note_number.empty() ? json(nullptr) : json(b.credit_note_number)}};
}

json user_json(const user_record& u) {
  return {{"username", u.username}, {"email", u.email}, {"firstname", u.firstname}, {"lastname", u.lastname}};
}

namespace {

/// A user as staff see it (with its id), or null.
json admin_user_json(const std::optional<user_record>& u) {
  if (!u) return nullptr;
  auto user = user_json(*u);
  user["id"] = u->id;
  return user;
}

}  // namespace

json admin_customer_json(const customer_record& c) {
  return {{"id", c.id},
          {"email", c.details.email},
          {"firstname", c.details.firstname},
          {"lastname", c.details.lastname},
          {"user_id", c.user_id ? json(*c.user_id) : json(nullptr)},
          {"created_at", rfc3339(c.created_at)},
          {"updated_at", rfc3339(c.updated_at)}};
}

json customer_detail_json(const customer_detail& d, std::int64_t now) {
  auto customer = admin_customer_json(d.customer);
  customer["contact"] = d.customer.details;
  json bills = json::array(), events = json::array();
  for (const auto& bill : d.bills) bills.push_back(bill_json(bill));
  for (const auto& e : d.events) events.push_back({{"at", rfc3339(e.at)}, {"kind", e.kind}, {"detail", e.detail}});
  return {{"customer", customer},
          {"user", admin_user_json(d.user)},
          {"bills", bills},
          {"products", products_json(d.products, now, true)},
          {"events", events}};
}

json personal_export_json(const personal_export& e, std::int64_t now) {
  json out = e.customer ? customer_detail_json(*e.customer, now)
                        : json{{"customer", nullptr}, {"user", nullptr}, {"bills", json::array()},
                               {"products", json::array()}, {"events", json::array()}};
  if (!e.customer) out["user"] = admin_user_json(e.user);
  json mails = json::array();
  for (const auto& m : e.mails)
    mails.push_back({{"recipient", m.recipient},
                     {"subject", m.subject},
                     {"queued_at", rfc3339(m.created_at)},
                     {"sent_at", m.sent_at ? json(rfc3339(*m.sent_at)) : json(nullptr)}});
  out["mails"] = mails;
  out["logins"] = {{"active", e.active_logins}};
  out["erased_at"] = e.erased_at ? json(rfc3339(*e.erased_at)) : json(nullptr);
  out["exported_at"] = rfc3339(now);
  return out;
}

namespace {

/// Parses `text` as nlohmann does (discarded when invalid), and sets `duplicate` when an object, at any depth, holds
/// the same key twice. nlohmann would keep the last value silently, and two readers of one signed payment
/// notification could then disagree on its amount.
json parse_strict(const std::string& text, bool& duplicate) {
  std::vector<std::set<std::string>> open_objects;
  json::parser_callback_t check = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start: open_objects.emplace_back(); break;
      case json::parse_event_t::object_end: open_objects.pop_back(); break;
      case json::parse_event_t::key:
        if (!open_objects.back().insert(parsed.get<std::string>()).second) duplicate = true;
        break;
      default: break;
    }
    return true;
  };
  return json::parse(text, check, false);
}

}  // namespace

json_body parse_body(const http_request& request, const std::set<std::string>& allowed_fields) {
  json_body body;
  auto type = request.header("content-type").value_or("");
  auto media = std::string(type.substr(0, type.find(';')));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (media != "application/json") {
    body.error = problem(415, "Unsupported Media Type", "send the body as application/json");
    return body;
  }
  bool duplicate = false;
  body.value = parse_strict(request.body, duplicate);
  if (body.value.is_discarded()) {
    body.error = problem(400, "Bad Request", "the body is not valid JSON");
  } else if (duplicate) {
    body.error = problem(400, "Bad Request", "the body repeats a key within an object");
  } else if (!body.value.is_object()) {
    body.error = problem(400, "Bad Request", "the body must be a JSON object");
  } else {
    for (const auto& [key, _] : body.value.items())
      if (!allowed_fields.count(key)) {
        body.error = problem(400, "Bad Request", "unknown field '" + key + "'", {{key, "unknown field"}});
        break;
      }
  }
  return body;
}

std::string string_field(json_body& body, const char* key) {
  if (body.error) return {};
  auto it = body.value.find(key);
  if (it == body.value.end() || it->is_null()) return {};
  if (!it->is_string()) {
    body.error = problem(400, "Bad Request", std::string("field '") + key + "' must be a string", {{key, "must be a string"}});
    return {};
  }
  return it->get<std::string>();
}

const std::set<std::string>& contact_field_names() {
  static const auto& names = domain::field_names<domain::contact>();
  static const std::set<std::string> all(names.begin(), names.end());
  return all;
}

domain::contact contact_field(json_body& body) {
  domain::contact c;
  domain::for_each_field(c, [&](const char* name, std::string& value) { value = string_field(body, name); });
  return c;
}

cart_request cart_field(json_body& body) {
  cart_request lines;
  if (body.error) return lines;
  auto items = body.value.find("items");
  if (items == body.value.end() || !items->is_array()) {
    body.error = problem(400, "Bad Request", "'items' must be an array", {{"items", "must be an array"}});
    return lines;
  }
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto& item = (*items)[i];
    auto field = "items[" + std::to_string(i) + "]";
    bool shape_ok = item.is_object() && item.size() == 2 && item.contains("code") && item.contains("quantity") &&
                    item["code"].is_string() && item["quantity"].is_number_integer();
    if (!shape_ok) {
      body.error = problem(400, "Bad Request", field + " must be {\"code\": string, \"quantity\": integer}",
                           {{field, "must be {code, quantity}"}});
      return lines;
    }
    auto quantity = item["quantity"].get<std::int64_t>();
    lines.push_back({item["code"].get<std::string>(),
                     static_cast<std::int32_t>(std::clamp<std::int64_t>(quantity, -1, 1000))});
  }
  if (lines.size() > domain::max_cart_lines)
    body.error = problem(422, "Unprocessable Content", "at most " + std::to_string(domain::max_cart_lines) + " lines",
                         {{"items", "too many lines"}});
  return lines;
}

}  // namespace boutique::net
