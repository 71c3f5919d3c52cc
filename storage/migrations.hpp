#pragma once

#include <vector>

namespace boutique::storage {

class database;

struct migration {
  const char* name;  ///< file name, e.g. 001_initial.sql
  const char* sql;
};

/// Every migration embedded in the binary, in order; migration i brings the schema to version i + 1: SQLite's
/// (storage/migrations/*.sql), and PostgreSQL's (storage/migrations/postgresql/*.sql), each backend numbering its
/// own.
const std::vector<migration>& migrations();
const std::vector<migration>& postgresql_migrations();

/// Applies the missing migrations in one transaction each and records the schema version
/// (database::set_schema_version). Throws storage_error when the database is newer than this binary.
/// Returns the schema version now in place.
int migrate(database& db);

}  // namespace boutique::storage
