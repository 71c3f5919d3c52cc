#include "storage/sqlite_database.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

namespace boutique::storage {

namespace {

bool is_constraint(int rc) { return (rc & 0xff) == SQLITE_CONSTRAINT; }

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw storage_error(message, is_constraint(rc));
}

/// One prepared SQLite statement.
class sqlite_statement final : public statement {
 public:
  sqlite_statement(sqlite3* db, std::string_view sql);
  ~sqlite_statement() override { sqlite3_finalize(stmt_); }
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;

  bool step() override;
  void reset() override;
  int columns() const override { return sqlite3_column_count(stmt_); }
  bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::int64_t integer(int column) const override { return sqlite3_column_int64(stmt_, column); }
  std::string text(int column) const override;

 private:
  void bind_integer(int index, std::int64_t value) override;
  void bind_text(int index, std::string_view value) override;
  void bind_null(int index) override;

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

sqlite_statement::sqlite_statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "prepare failed for '" + std::string(sql.substr(0, 60)) + "'");
}

void sqlite_statement::bind_integer(int index, std::int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) fail(db_, rc, "bind");
}

void sqlite_statement::bind_text(int index, std::string_view value) {
  if (int rc = sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
      rc != SQLITE_OK)
    fail(db_, rc, "bind");
}

void sqlite_statement::bind_null(int index) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) fail(db_, rc, "bind");
}

bool sqlite_statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, "step");
}

void sqlite_statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string sqlite_statement::text(int column) const {
  auto p = sqlite3_column_text(stmt_, column);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

sqlite_database::sqlite_database(const std::string& path, options opts) : path_(path) {
  int flags = SQLITE_OPEN_NOMUTEX;
  if (opts.mode == access::read_write) {
    flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    auto dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty() && path != ":memory:") std::filesystem::create_directories(dir, ec);
    if (ec) throw storage_error("cannot create database folder '" + dir.string() + "': " + ec.message());
  } else {
    flags |= SQLITE_OPEN_READONLY;
  }
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open database '" + path + "': " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    db_ = nullptr;
    throw storage_error(message);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec("PRAGMA foreign_keys = ON");
    if (opts.mode == access::read_write) {
      exec("PRAGMA journal_mode = WAL");
      exec(opts.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    }
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

sqlite_database::~sqlite_database() {
  cache_.clear();
  sqlite3_close(db_);
}

void sqlite_database::exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw storage_error("cannot execute on '" + path_ + "': " + message, is_constraint(rc));
  }
}

statement& sqlite_database::prepare(std::string_view sql) {
  return cache_.get(sql, [&] { return std::make_unique<sqlite_statement>(db_, sql); });
}

void sqlite_database::reset_all() { cache_.reset_all(); }

std::int64_t sqlite_database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int sqlite_database::changes() const { return sqlite3_changes(db_); }

void sqlite_database::begin_batch() { prepare("BEGIN IMMEDIATE").run(); }
void sqlite_database::commit_batch() { prepare("COMMIT").run(); }
void sqlite_database::rollback_batch() { exec("ROLLBACK"); }

int sqlite_database::schema_version() {
  auto& st = prepare("PRAGMA user_version");
  st.step();
  auto version = static_cast<int>(st.integer(0));
  st.reset();  // a statement left on its row would lock the schema: a migration could not drop an index
  return version;
}

void sqlite_database::set_schema_version(int version) { exec("PRAGMA user_version = " + std::to_string(version)); }

// Savepoints run as cached prepared statements: parsing their text at every write cost 5 % of a checkout. Outside
// a transaction, SQLite's savepoint begins one, and its release commits it.
void sqlite_database::savepoint() { prepare("SAVEPOINT boutique_tx").run(); }
void sqlite_database::release() { prepare("RELEASE boutique_tx").run(); }
void sqlite_database::rollback_to_savepoint() {
  prepare("ROLLBACK TO boutique_tx").run();
  prepare("RELEASE boutique_tx").run();
}

namespace {

/// fsync of the folder holding `path`, so that a rename in it survives a power cut.
void sync_folder_of(const std::filesystem::path& path) {
  auto folder = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

backup_result backup_database(const std::string& source, const std::string& target) {
  namespace fs = std::filesystem;
  auto partial = target + ".partial";
  auto exists = [&] { return backup_target_exists("backup: " + target + " already exists"); };
  std::error_code ec;
  if (fs::exists(fs::symlink_status(target, ec))) throw exists();
  // Created here, not by SQLite (which would follow a symbolic link put there meanwhile): new, never a link,
  // readable by the service's user only (the copy holds personal data and password hashes).
  int fd = ::open(partial.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) throw exists();
    throw storage_error("backup: cannot create " + partial + ": " + std::strerror(errno));
  }
  ::close(fd);
  sqlite3* from = nullptr;
  sqlite3* to = nullptr;
  auto close_both = [&] {
    sqlite3_close_v2(to);
    sqlite3_close_v2(from);
    to = from = nullptr;
  };
  auto exec = [&](const char* sql, const char* expect) {
    sqlite_statement st(to, sql);
    auto row = st.step();
    if (expect && (!row || st.text(0) != expect))
      throw storage_error(std::string("backup: ") + sql + " did not give " + expect);
  };
  try {
    if (int rc = sqlite3_open_v2(source.c_str(), &from, SQLITE_OPEN_READONLY, nullptr); rc != SQLITE_OK)
      fail(from, rc, "backup: cannot open " + source);
    sqlite3_busy_timeout(from, 5000);
    if (int rc = sqlite3_open_v2(partial.c_str(), &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr);
        rc != SQLITE_OK)
      fail(to, rc, "backup: cannot open " + partial);
    exec("PRAGMA synchronous = FULL", nullptr);  // each commit into the copy reaches the disk before it returns
    auto* job = sqlite3_backup_init(to, "main", from, "main");
    if (!job) fail(to, sqlite3_errcode(to), "backup");
    // All pages in one step: one read transaction on the source, hence one consistent moment.
    int rc = sqlite3_backup_step(job, -1);
    backup_result result{sqlite3_backup_pagecount(job), 0};
    sqlite3_backup_finish(job);
    if (rc != SQLITE_DONE) fail(to, rc, "backup");
    // The copy is a plain rollback-journal database: one file, nothing beside it to carry along.
    exec("PRAGMA journal_mode = DELETE", "delete");
    close_both();
    // Into place unless a file took the name meanwhile (never replaced), then the folder synced.
    if (::renameat2(AT_FDCWD, partial.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
      if (errno == EEXIST) throw exists();
      throw storage_error("backup: cannot rename " + partial + ": " + std::strerror(errno));
    }
    sync_folder_of(target);
    result.bytes = static_cast<std::int64_t>(fs::file_size(target, ec));
    return result;
  } catch (...) {
    close_both();
    // Only what this backup created: the partial copy and the files SQLite put beside it.
    for (const auto& file : {partial, partial + "-wal", partial + "-shm", partial + "-journal"}) fs::remove(file, ec);
    throw;
  }
}

}  // namespace boutique::storage
