#pragma once

// One connection to the service's database, whichever engine holds it: the SQL the storage functions run goes
// through this interface, and each backend (storage/sqlite_database.hpp, storage/postgres_database.hpp) implements
// it. Each connection belongs to one actor: none is thread-safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace boutique::storage {

/// A failure reported by the database; `constraint()` tells a UNIQUE/CHECK/NOT NULL violation from other failures.
class storage_error : public std::runtime_error {
 public:
  explicit storage_error(const std::string& what, bool constraint = false)
      : std::runtime_error(what), constraint_(constraint) {}
  bool constraint() const noexcept { return constraint_; }

 private:
  bool constraint_;
};

/// One prepared statement. Parameters are 1-based, columns 0-based. Parameters are written `?` (numbered in
/// order) or `?N` in the SQL of every backend.
class statement {
 public:
  virtual ~statement() = default;

  statement& bind(int index, std::int64_t value) { return bind_integer(index, value), *this; }
  statement& bind(int index, std::string_view value) { return bind_text(index, value), *this; }
  statement& bind(int index, const std::string& value) { return bind(index, std::string_view{value}); }
  statement& bind(int index, const char* value) { return bind(index, std::string_view{value}); }
  statement& bind(int index, std::nullopt_t) { return bind_null(index), *this; }
  statement& bind(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }

  /// Binds all values from parameter 1 on.
  template <class... Ts>
  statement& bind_all(const Ts&... values) {
    int index = 0;
    (bind(++index, values), ...);
    return *this;
  }

  /// Advances to the next row; false when done.
  virtual bool step() = 0;
  /// Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }
  /// Runs a statement that returns one row of one integer (an INSERT's `RETURNING id`), and returns it.
  std::int64_t run_returning_integer() {
    if (!step()) throw storage_error("the statement returned no row");
    auto value = integer(0);
    run();
    return value;
  }
  /// Leaves the current row and clears the bindings.
  virtual void reset() = 0;

  /// How many columns its rows have.
  virtual int columns() const = 0;
  virtual bool is_null(int column) const = 0;
  virtual std::int64_t integer(int column) const = 0;
  std::optional<std::int64_t> optional_integer(int column) const {
    if (is_null(column)) return std::nullopt;
    return integer(column);
  }
  virtual std::string text(int column) const = 0;

 protected:
  virtual void bind_integer(int index, std::int64_t value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_null(int index) = 0;
};

/// A connection's prepared statements by their SQL text, each prepared once (looked up without copying the text).
class statement_cache {
 public:
  /// The statement for `sql`, reset, made by `make()` the first time.
  template <class Make>
  statement& get(std::string_view sql, Make make) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) it = cache_.emplace(std::string(sql), make()).first;
    it->second->reset();
    return *it->second;
  }
  void reset_all() {
    for (auto& [sql, st] : cache_) st->reset();
  }
  std::size_t size() const { return cache_.size(); }
  void clear() { cache_.clear(); }

 private:
  struct sql_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<statement>, sql_hash, std::equal_to<>> cache_;
};

/// The engines a database can live in.
enum class backend { sqlite, postgresql };

class database {
 public:
  enum class access { read_write, read_only };
  struct options {
    access mode = access::read_write;
    bool synchronous_full = true;
  };

  virtual ~database() = default;
  database() = default;
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  virtual storage::backend backend() const = 0;
  /// Where it is, as messages name it (a file path, or a URL without its password).
  virtual const std::string& location() const = 0;

  virtual void exec(std::string_view sql) = 0;
  /// Returns the cached prepared statement for `sql`, reset and with its bindings cleared.
  virtual statement& prepare(std::string_view sql) = 0;
  /// Resets every cached statement. A statement left on a row keeps its read transaction (and so an old
  /// snapshot of the database) open: call this when a unit of work is done.
  virtual void reset_all() = 0;
  /// The rows changed by the last INSERT, UPDATE or DELETE run.
  virtual int changes() const = 0;

  /// The storage writer's batch: one transaction that takes the write lock at once, holding one savepoint a write.
  virtual void begin_batch() = 0;
  virtual void commit_batch() = 0;
  virtual void rollback_batch() = 0;

  /// From now to the end of the batch's current write, a statement waits at most `most` for a lock held elsewhere
  /// (PostgreSQL locks rows as a write goes; SQLite's writer holds the one write lock from the batch's start).
  virtual void limit_lock_waits(std::chrono::milliseconds most) {}
  /// Held while migrations run, so that two processes starting on one database migrate one after the other.
  virtual void lock_schema() {}
  virtual void unlock_schema() {}

  /// The schema version migrations brought it to (0: none yet).
  virtual int schema_version() = 0;
  /// Records the version, inside the transaction of the migration that reached it.
  virtual void set_schema_version(int version) = 0;

 private:
  friend class transaction;
  /// A transaction nested in the open one (or the outermost one when none is open).
  virtual void savepoint() = 0;
  virtual void release() = 0;
  virtual void rollback_to_savepoint() = 0;
};

/// Whether `where` names a PostgreSQL database (postgresql://... or postgres://...) rather than an SQLite file.
inline bool is_postgresql_url(std::string_view where) {
  return where.rfind("postgresql://", 0) == 0 || where.rfind("postgres://", 0) == 0;
}

/// Opens the database at `where`: a PostgreSQL URL (postgresql://... or postgres://...), else an SQLite file path.
std::unique_ptr<database> open_database(const std::string& where, database::options opts);

/// Runs `body` inside a transaction (or a savepoint when one is already open); rolls back when it throws.
class transaction {
 public:
  explicit transaction(database& db);
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit();

 private:
  database& db_;
  bool done_ = false;
};

}  // namespace boutique::storage
