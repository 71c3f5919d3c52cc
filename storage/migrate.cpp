#include "storage/database.hpp"
#include "storage/migrations.hpp"

namespace boutique::storage {

namespace {

int migrate_locked(database& db) {
  const auto& all = db.backend() == backend::postgresql ? postgresql_migrations() : migrations();
  const int known = static_cast<int>(all.size());
  int version = db.schema_version();
  if (version > known)
    throw storage_error("database '" + db.location() + "' has schema version " + std::to_string(version) +
                        ", newer than this binary supports (" + std::to_string(known) +
                        "); run a newer Boutique or restore a backup");
  for (; version < known; ++version) {
    const auto& m = all[static_cast<std::size_t>(version)];
    transaction tx(db);
    db.exec(m.sql);
    db.set_schema_version(version + 1);
    tx.commit();
  }
  return version;
}

}  // namespace

int migrate(database& db) {
  db.lock_schema();
  try {
    auto version = migrate_locked(db);
    db.unlock_schema();
    return version;
  } catch (...) {
    try {
      db.unlock_schema();
    } catch (...) {
    }
    throw;
  }
}

}  // namespace boutique::storage
