#pragma once

// The shared backend: a PostgreSQL 15 database, for shops that run more than one Boutique node (docs/CLUSTER.md).
// Statements are written for SQLite (storage/queries/*.sql); the few that PostgreSQL reads otherwise have their
// PostgreSQL text under the same name in storage/queries/postgresql/*.sql, which this backend runs instead.
// Parameters (`?`, `?N`) become `$N`; values travel as text, and PostgreSQL gives each parameter the type its place
// in the statement asks for.

#include "storage/database.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace boutique::storage {

/// A statement's text with SQLite's parameters (`?`, `?N`) written as PostgreSQL's (`$N`), and how many it has.
struct numbered_parameters {
  std::string text;
  int count = 0;
};
numbered_parameters number_parameters(std::string_view sql);

/// `url` without its password: what logs and messages may show of it.
std::string without_password(const std::string& url);

class postgres_database final : public database {
 public:
  /// Connects to `url` (postgresql://user@host:port/db, or a libpq connection string); throws storage_error
  /// naming the server (never the password) when it cannot.
  postgres_database(const std::string& url, options opts);
  ~postgres_database() override;

  storage::backend backend() const override { return storage::backend::postgresql; }
  const std::string& location() const override { return location_; }
  void exec(std::string_view sql) override;
  statement& prepare(std::string_view sql) override;
  void reset_all() override;
  int changes() const override { return changes_; }
  void begin_batch() override;
  void commit_batch() override;
  void rollback_batch() override;
  int schema_version() override;
  void set_schema_version(int version) override;
  void limit_lock_waits(std::chrono::milliseconds most) override;
  void lock_schema() override;
  void unlock_schema() override;

 private:
  friend class postgres_statement;
  /// The session's settings, on a new connection or a renewed one.
  void configure();
  /// Reconnects a lost connection outside a transaction; throws inside one, or when the server stays unreachable.
  void usable();
  /// Throws storage_error (constraint or not) unless `res` is a success.
  void check(const pg_result* res, std::string_view what);
  void savepoint() override;
  void release() override;
  void rollback_to_savepoint() override;

  /// The advisory lock migrations take, so that nodes starting together migrate one after the other.
  static constexpr std::int64_t schema_lock_key = 0x626f757469717565;  // "boutique"
  pg_conn* conn_ = nullptr;
  std::string location_;
  options opts_;
  std::uint64_t connection_ = 0;  ///< counts (re)connections: statements are prepared again on a new one
  bool in_batch_ = false;
  int changes_ = 0;
  /// Per open savepoint: whether it began the transaction (its release commits it).
  std::vector<bool> savepoints_;
  statement_cache cache_;
};

}  // namespace boutique::storage
