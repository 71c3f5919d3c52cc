#include "storage/postgres_dialect.hpp"

#include "storage/queries/postgresql/all.hpp"

#include <string>
#include <unordered_map>

namespace boutique::storage {

namespace {

using replacements = std::unordered_map<std::string_view, std::string_view>;

const replacements& all_replacements() {
  static const replacements table = [] {
    replacements out;
#define BOUTIQUE_POSTGRESQL_MODULES_ITEM(module) \
  for (const auto& [from, to] : sql::postgresql::module::replaced) out.emplace(from, to);
    BOUTIQUE_POSTGRESQL_MODULES
#undef BOUTIQUE_POSTGRESQL_MODULES_ITEM
    return out;
  }();
  return table;
}

}  // namespace

std::string_view postgresql_text(std::string_view sqlite_sql) {
  const auto& table = all_replacements();
  auto it = table.find(sqlite_sql);
  return it == table.end() ? sqlite_sql : it->second;
}

}  // namespace boutique::storage
