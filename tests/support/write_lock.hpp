#pragma once

#include "storage/database.hpp"
#include "support/test_service.hpp"

#include <memory>

namespace boutique::testing {

/// Holds the service database's write lock from another connection until released: the service's writer then
/// waits, as behind a long transaction or a stalled disk. SQLite: BEGIN IMMEDIATE. PostgreSQL, which locks rows
/// rather than the database: every table the service writes, locked against writers (readers go on, as in WAL).
class write_lock {
 public:
  explicit write_lock(const test_service& svc) : write_lock(svc.settings().storage.where()) {}
  /// The lock of the database storage::open_database(where) opens.
  explicit write_lock(const std::string& where) : db_(storage::open_database(where, {})) {
    if (db_->backend() == storage::backend::postgresql) {
      // Held on purpose while the test waits: not ended by the server's idle-in-transaction limit (2 s, set on every
      // connection of the service's, storage/postgres_database.cpp).
      db_->exec("SET idle_in_transaction_session_timeout = 0");
      db_->exec("BEGIN");
      db_->exec("LOCK TABLE sessions, customers, customer_events, bills, bill_items, products, payment_notifications, "
                "users, password_tokens, auth_sessions, outbox, idempotency_keys, email_tokens, invoice_counters, "
                "credit_note_counters, catalog_items, service_keys IN EXCLUSIVE MODE");
    } else {
      db_->exec("BEGIN IMMEDIATE");
    }
  }
  ~write_lock() { release(); }
  write_lock(const write_lock&) = delete;
  write_lock& operator=(const write_lock&) = delete;
  void release() {
    if (held_) db_->exec("COMMIT");
    held_ = false;
  }

 private:
  std::unique_ptr<storage::database> db_;
  bool held_ = true;
};

}  // namespace boutique::testing
