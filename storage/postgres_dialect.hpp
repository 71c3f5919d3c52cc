#pragma once

#include <string_view>

namespace boutique::storage {

/// The text PostgreSQL runs for the statement written `sqlite_sql` for SQLite: its replacement from
/// storage/queries/postgresql/*.sql when it has one, else the same text.
std::string_view postgresql_text(std::string_view sqlite_sql);

}  // namespace boutique::storage
