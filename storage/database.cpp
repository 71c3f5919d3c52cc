#include "storage/database.hpp"

#include "storage/postgres_database.hpp"
#include "storage/sqlite_database.hpp"

namespace boutique::storage {

std::unique_ptr<database> open_database(const std::string& where, database::options opts) {
  if (is_postgresql_url(where))
    return std::make_unique<postgres_database>(where, opts);
  return std::make_unique<sqlite_database>(where, opts);
}

transaction::transaction(database& db) : db_(db) { db_.savepoint(); }

transaction::~transaction() {
  if (done_) return;
  try {
    db_.rollback_to_savepoint();
  } catch (...) {
  }
}

void transaction::commit() {
  db_.release();
  done_ = true;
}

}  // namespace boutique::storage
