#include "storage/database.hpp"

namespace boutique::storage {

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
