#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace boutique::storage {

/// A failure reported by SQLite; `constraint()` tells a UNIQUE/CHECK violation from other failures.
class storage_error : public std::runtime_error {
 public:
  storage_error(const std::string& what, int code);
  int code() const noexcept { return code_; }
  bool constraint() const noexcept;

 private:
  int code_;
};

/// One prepared statement. Parameters are 1-based, columns 0-based, as in SQLite.
class statement {
 public:
  statement(sqlite3* db, std::string_view sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int index, std::int64_t value);
  statement& bind(int index, std::string_view value);
  statement& bind(int index, const std::string& value) { return bind(index, std::string_view{value}); }
  statement& bind(int index, const char* value) { return bind(index, std::string_view{value}); }
  statement& bind(int index, std::nullopt_t);
  statement& bind(int index, const std::optional<std::int64_t>& value);

  /// Binds all values from parameter 1 on.
  template <class... Ts>
  statement& bind_all(const Ts&... values) {
    int index = 0;
    (bind(++index, values), ...);
    return *this;
  }

  /// Advances to the next row; false when done.
  bool step();
  /// Runs a statement that returns no rows.
  void run();
  void reset();

  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;
  std::string text(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// One SQLite connection. Not thread-safe: each actor owns its own.
class database {
 public:
  enum class access { read_write, read_only };
  struct options {
    access mode = access::read_write;
    bool synchronous_full = true;
  };

  database(const std::string& path, options opts);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  void exec(std::string_view sql);
  /// Returns the cached prepared statement for `sql`, reset and with its bindings cleared.
  statement& prepare(std::string_view sql);
  /// Resets every cached statement. A statement left on a row keeps its read transaction (and so an old
  /// snapshot of the database) open: call this when a unit of work is done.
  void reset_all();
  std::int64_t last_insert_rowid() const;
  int changes() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  /// Looked up by the SQL text without copying it into a key first.
  struct sql_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<statement>, sql_hash, std::equal_to<>> cache_;
};

/// A backup's target that already exists: never overwritten.
class backup_target_exists : public storage_error {
 public:
  using storage_error::storage_error;
};

/// What a backup copied.
struct backup_result {
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
};

/// Copies the database at `source` as of one moment into a new file `target`, with SQLite's online backup API on a
/// read-only connection of its own: writers on other connections go on meanwhile (WAL), and the copy holds every
/// transaction committed before it began. The copy is written to `target` + ".partial", synced, then renamed, so
/// that `target` is either absent or complete. Throws storage_error when `target` (or its ".partial") already
/// exists (backup_target_exists), or when the copy fails (the partial file is then removed).
backup_result backup_database(const std::string& source, const std::string& target);

/// Runs `body` inside a transaction (or a savepoint when one is already open); rolls back when it throws.
class transaction {
 public:
  explicit transaction(database& db);
  ~transaction();
  void commit();

 private:
  database& db_;
  bool done_ = false;
};

}  // namespace boutique::storage
