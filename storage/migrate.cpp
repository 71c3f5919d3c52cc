#include "storage/database.hpp"
#include "storage/migrations.hpp"

#include <sqlite3.h>

namespace boutique::storage {

namespace {

int schema_version(database& db) {
  auto& st = db.prepare("PRAGMA user_version");
  st.step();
  auto version = static_cast<int>(st.integer(0));
  st.reset();  // a statement left on its row would lock the schema: a migration could not drop an index
  return version;
}

}  // namespace

int migrate(database& db) {
  const int known = static_cast<int>(migrations().size());
  int version = schema_version(db);
  if (version > known)
    throw storage_error("database '" + db.path() + "' has schema version " + std::to_string(version) +
                          ", newer than this binary supports (" + std::to_string(known) +
                          "); run a newer Boutique or restore a backup",
                        SQLITE_MISMATCH);
  for (; version < known; ++version) {
    const auto& m = migrations()[static_cast<std::size_t>(version)];
    transaction tx(db);
    db.exec(m.sql);
    db.exec("PRAGMA user_version = " + std::to_string(version + 1));
    tx.commit();
  }
  return version;
}

}  // namespace boutique::storage
