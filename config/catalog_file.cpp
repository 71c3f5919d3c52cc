#include "config/catalog_file.hpp"

#include "config/config.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

namespace boutique::config {

namespace {

domain::catalog_item parse_item(const nlohmann::json& j) {
  static const std::set<std::string> known = {"code",    "name",          "price",    "currency",
                                              "tax_rate_bp", "duration_days", "renewable"};
  for (const auto& [key, _] : j.items())
    if (!known.count(key)) throw config_error("unknown field '" + key + "'");
  domain::catalog_item item;
  item.code = j.at("code").get<std::string>();
  item.name = j.at("name").get<std::string>();
  item.price = j.at("price").get<std::int64_t>();
  item.currency = j.at("currency").get<std::string>();
  item.tax_rate_bp = j.at("tax_rate_bp").get<std::int32_t>();
  if (auto d = j.find("duration_days"); d != j.end() && !d->is_null()) item.duration_days = d->get<std::int32_t>();
  item.renewable = j.value("renewable", false);
  return item;
}

}  // namespace

domain::catalog load_catalog(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw config_error("cannot open catalog file '" + path + "'");
  domain::catalog items;
  std::set<std::string> codes;
  try {
    auto doc = nlohmann::json::parse(in);
    const auto& list = doc.at("items");
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto where = path + ": items[" + std::to_string(i) + "]";
      try {
        items.push_back(parse_item(list.at(i)));
      } catch (const config_error& e) {
        throw config_error(where + ": " + e.what());
      }
      if (auto problem = domain::catalog_item_problem(items.back()); !problem.empty())
        throw config_error(where + ": " + problem);
      if (!codes.insert(items.back().code).second) throw config_error(where + ": duplicate code " + items.back().code);
    }
  } catch (const nlohmann::json::exception& e) {
    throw config_error("catalog file '" + path + "' is not valid: " + e.what());
  }
  if (items.empty()) throw config_error("catalog file '" + path + "' lists no items");
  return items;
}

}  // namespace boutique::config
