// A session's persisted form: JSON written by Boost.JSON (at every change of every session, several times faster
// than nlohmann::json) and read back by nlohmann::json (once per activation).
#include "actors/session/codec.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <nlohmann/json.hpp>

namespace boutique::actors {

namespace {

using nlohmann::json;

boost::json::object contact_object(const domain::contact& c, boost::json::storage_ptr sp) {
  boost::json::object j(std::move(sp));
  j.reserve(9);
  j.emplace("firstname", c.firstname);
  j.emplace("lastname", c.lastname);
  j.emplace("email", c.email);
  j.emplace("organisation", c.organisation);
  j.emplace("address", c.address);
  j.emplace("zip", c.zip);
  j.emplace("city", c.city);
  j.emplace("country", c.country);
  j.emplace("invoiceinfo", c.invoiceinfo);
  return j;
}

domain::contact contact_from(const json& j) {
  domain::contact c;
  c.firstname = j.value("firstname", "");
  c.lastname = j.value("lastname", "");
  c.email = j.value("email", "");
  c.organisation = j.value("organisation", "");
  c.address = j.value("address", "");
  c.zip = j.value("zip", "");
  c.city = j.value("city", "");
  c.country = j.value("country", "");
  c.invoiceinfo = j.value("invoiceinfo", "");
  return c;
}

template <class T>
boost::json::value optional_value(const std::optional<T>& v, boost::json::storage_ptr sp) {
  if (!v) return boost::json::value(nullptr, std::move(sp));
  return boost::json::value(*v, std::move(sp));
}

template <class T>
std::optional<T> optional_from(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

/// A placed session keeps its bill's lines as sold (the same as the bill row, written in one transaction), so
/// that reloading it does not price them again against the catalog of the day.
boost::json::object bill_object(const domain::priced_cart& bill, boost::json::storage_ptr sp) {
  boost::json::array lines(sp);
  for (const auto& l : bill.lines)
    lines.push_back(boost::json::object({{"code", l.code}, {"name", l.name}, {"quantity", l.quantity},
                                         {"unit_price", l.unit_price}, {"untaxed", l.untaxed}, {"taxes", l.taxes},
                                         {"total", l.total}, {"tax_rate_bp", optional_value(l.tax_rate_bp, sp)},
                                         {"duration_days", optional_value(l.duration_days, sp)}},
                                        sp));
  return boost::json::object({{"lines", std::move(lines)}, {"untaxed", bill.untaxed}, {"taxes", bill.taxes},
                              {"total", bill.total}, {"currency", bill.currency}},
                             sp);
}

domain::priced_cart bill_from(const json& j) {
  domain::priced_cart bill;
  for (const auto& l : j.at("lines"))
    bill.lines.push_back({l.at("code"), l.at("name"), l.at("quantity"), l.at("unit_price"), l.at("untaxed"),
                          l.at("taxes"), l.at("total"), optional_from<std::int32_t>(l, "tax_rate_bp"),
                          optional_from<std::int32_t>(l, "duration_days")});
  bill.untaxed = j.at("untaxed");
  bill.taxes = j.at("taxes");
  bill.total = j.at("total");
  bill.currency = j.at("currency");
  return bill;
}

}  // namespace

std::string contact_json(const domain::contact& c) {
  unsigned char buffer[2048];
  boost::json::monotonic_resource memory(buffer);
  return boost::json::serialize(contact_object(c, &memory));
}

std::string to_json(const session_snapshot& s) {
  unsigned char buffer[4096];
  boost::json::monotonic_resource memory(buffer);
  boost::json::storage_ptr sp(&memory);
  boost::json::array cart(sp);
  for (const auto& line : s.cart) cart.push_back(boost::json::object({{"code", line.code}, {"quantity", line.quantity}}, sp));
  boost::json::object j(sp);
  j.reserve(13);
  j.emplace("id", s.id);
  j.emplace("stage", s.stage);
  j.emplace("cart", std::move(cart));
  j.emplace("contact", contact_object(s.contact, sp));
  j.emplace("contact_given", s.contact_given);
  j.emplace("customer_id", optional_value(s.customer_id, sp));
  j.emplace("user_id", optional_value(s.user_id, sp));
  j.emplace("transid", optional_value(s.transid, sp));
  j.emplace("bill_status", optional_value(s.bill_status, sp));
  j.emplace("paymode", s.paymode);
  j.emplace("created_at", s.created_at);
  j.emplace("updated_at", s.updated_at);
  j.emplace("expires_at", s.expires_at);
  if (s.transid) j.emplace("bill", bill_object(s.priced, sp));
  return boost::json::serialize(j);
}

session_snapshot session_from_json(const std::string& text) {
  auto j = json::parse(text);
  session_snapshot s;
  s.id = j.at("id").get<std::string>();
  s.stage = j.at("stage").get<std::string>();
  for (const auto& line : j.at("cart")) s.cart.push_back({line.at("code"), line.at("quantity")});
  s.contact = contact_from(j.at("contact"));
  s.contact_given = j.value("contact_given", false);
  s.customer_id = optional_from<std::int64_t>(j, "customer_id");
  s.user_id = optional_from<std::int64_t>(j, "user_id");
  s.transid = optional_from<std::string>(j, "transid");
  s.bill_status = optional_from<std::string>(j, "bill_status");
  s.paymode = j.value("paymode", "");
  s.created_at = j.value("created_at", std::int64_t{0});
  s.updated_at = j.value("updated_at", std::int64_t{0});
  s.expires_at = j.value("expires_at", std::int64_t{0});
  if (auto bill = j.find("bill"); bill != j.end()) s.priced = bill_from(*bill);
  return s;
}

}  // namespace boutique::actors
