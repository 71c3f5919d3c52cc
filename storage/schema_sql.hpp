#pragma once

// SQL derived from a record's one description (domain/schema.hpp): a described record is stored in columns named
// after its members, so its column list, its placeholders, its binds and its row reading follow the record.

#include "domain/schema.hpp"
#include "storage/database.hpp"

#include <string>
#include <string_view>

namespace boutique::storage {

/// T's member names as SQL, each written `before` NAME `after`, joined by ", " ("firstname, lastname", or with
/// before = "json_extract(contact, '$." and after = "')" the same read out of a JSON column).
template <domain::described T>
std::string columns_of(std::string_view before = "", std::string_view after = "") {
  std::string sql;
  for (const auto& name : domain::field_names<T>()) {
    if (!sql.empty()) sql += ", ";
    sql.append(before).append(name).append(after);
  }
  return sql;
}

/// One "?" per member of T, joined by ", ".
template <domain::described T>
std::string placeholders_of() {
  std::string sql;
  for (std::size_t i = 0; i < domain::field_names<T>().size(); ++i) sql += i ? ", ?" : "?";
  return sql;
}

/// "NAME = ?i" for each member of T, numbered from `first`, joined by ", " (an UPDATE's SET list).
template <domain::described T>
std::string assignments_of(int first) {
  std::string sql;
  for (const auto& name : domain::field_names<T>()) {
    if (!sql.empty()) sql += ", ";
    sql += name + " = ?" + std::to_string(first++);
  }
  return sql;
}

/// Binds T's members from parameter `first` on; returns the next parameter's index.
template <domain::described T>
int bind_fields(statement& st, int first, const T& record) {
  domain::for_each_field(record, [&](const char*, const auto& value) { st.bind(first++, value); });
  return first;
}

/// Reads T's members (text columns; NULL reads as "") from column `first` on; returns the next column's index.
template <domain::described T>
int read_fields(const statement& st, int first, T& record) {
  domain::for_each_field(record, [&](const char*, std::string& value) {
    value = st.is_null(first) ? std::string() : st.text(first);
    ++first;
  });
  return first;
}

}  // namespace boutique::storage
