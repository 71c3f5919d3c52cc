#pragma once

// The embedded backend: one SQLite file in WAL mode (the default, and all a single-machine shop needs), and the
// online backup of such a file.

#include "storage/database.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;

namespace boutique::storage {

class sqlite_database final : public database {
 public:
  sqlite_database(const std::string& path, options opts);
  ~sqlite_database() override;

  storage::backend backend() const override { return storage::backend::sqlite; }
  const std::string& location() const override { return path_; }
  void exec(std::string_view sql) override;
  statement& prepare(std::string_view sql) override;
  void reset_all() override;
  int changes() const override;
  void begin_batch() override;
  void commit_batch() override;
  void rollback_batch() override;
  int schema_version() override;
  void set_schema_version(int version) override;
  /// The id of the row the last INSERT made (the benchmark of raw SQLite writes uses it; the service's SQL says
  /// `RETURNING id`, which every backend has).
  std::int64_t last_insert_rowid() const;

 private:
  void savepoint() override;
  void release() override;
  void rollback_to_savepoint() override;

  std::string path_;
  sqlite3* db_ = nullptr;
  statement_cache cache_;
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

}  // namespace boutique::storage
