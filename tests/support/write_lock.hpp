#pragma once

#include "storage/sqlite_database.hpp"
#include "support/test_service.hpp"

namespace boutique::testing {

/// Holds the service database's write lock from another connection (BEGIN IMMEDIATE) until released: the
/// service's writer then waits, as behind a long transaction or a stalled disk.
class write_lock {
 public:
  explicit write_lock(const test_service& svc)
    : db_(svc.settings().storage.path, {storage::database::access::read_write, false}) {
    db_.exec("BEGIN IMMEDIATE");
  }
  ~write_lock() { release(); }
  write_lock(const write_lock&) = delete;
  write_lock& operator=(const write_lock&) = delete;
  void release() {
    if (held_) db_.exec("COMMIT");
    held_ = false;
  }

 private:
  storage::sqlite_database db_;
  bool held_ = true;
};

}  // namespace boutique::testing
