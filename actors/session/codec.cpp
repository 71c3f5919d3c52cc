// A session's persisted form: a JSON object whose contact, cart lines and bill are the records' own JSON
// (domain/json.hpp, derived from their one description).
#include "actors/session/codec.hpp"

#include "domain/json.hpp"

namespace boutique::actors {

namespace {

using nlohmann::json;

template <class T>
json optional_value(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <class T>
std::optional<T> optional_from(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

}  // namespace

std::string contact_json(const domain::contact& c) { return json(c).dump(); }

std::string to_json(const session_snapshot& s) {
  json j = {{"id", s.id},
            {"stage", s.stage},
            {"cart", s.cart},
            {"contact", s.contact},
            {"contact_given", s.contact_given},
            {"customer_id", optional_value(s.customer_id)},
            {"user_id", optional_value(s.user_id)},
            {"transid", optional_value(s.transid)},
            {"bill_status", optional_value(s.bill_status)},
            {"paymode", s.paymode},
            {"lang", std::string(domain::code_of(s.lang))},
            {"created_at", s.created_at},
            {"updated_at", s.updated_at},
            {"expires_at", s.expires_at}};
  // A placed session keeps its bill's lines as sold (the same as the bill row, written in one transaction), so
  // that reloading it does not price them again against the catalog of the day.
  if (s.transid) j["bill"] = s.priced;
  return j.dump();
}

session_snapshot session_from_json(const std::string& text) {
  auto j = json::parse(text);
  session_snapshot s;
  s.id = j.at("id").get<std::string>();
  s.stage = j.at("stage").get<std::string>();
  j.at("cart").get_to(s.cart);
  j.at("contact").get_to(s.contact);
  s.contact_given = j.value("contact_given", false);
  s.customer_id = optional_from<std::int64_t>(j, "customer_id");
  s.user_id = optional_from<std::int64_t>(j, "user_id");
  s.transid = optional_from<std::string>(j, "transid");
  s.bill_status = optional_from<std::string>(j, "bill_status");
  s.paymode = j.value("paymode", "");
  s.lang = domain::language_or_english(j.value("lang", "en"));
  s.created_at = j.value("created_at", std::int64_t{0});
  s.updated_at = j.value("updated_at", std::int64_t{0});
  s.expires_at = j.value("expires_at", std::int64_t{0});
  if (auto bill = j.find("bill"); bill != j.end()) bill->get_to(s.priced);
  return s;
}

}  // namespace boutique::actors
