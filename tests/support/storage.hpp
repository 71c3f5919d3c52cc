#pragma once

// The backend the test suites run on. By default SQLite; run under scripts/with-postgres.sh (which sets
// BOUTIQUE_TEST_POSTGRES to the URL of a server of the run's own), every suite runs on PostgreSQL, each test in a
// database of its own. A test of what only one backend has (SQLite's files, its online backup) skips on the other.

#include "storage/database.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace boutique::testing {

/// The test server's URL when the suites run on PostgreSQL, else empty.
const std::string& test_postgres();
inline bool on_postgresql() { return !test_postgres().empty(); }

/// A new PostgreSQL database on the test server, dropped (its connections ended first) when this goes.
class scratch_postgres {
 public:
  scratch_postgres();
  ~scratch_postgres();
  scratch_postgres(const scratch_postgres&) = delete;
  scratch_postgres& operator=(const scratch_postgres&) = delete;
  const std::string& url() const { return url_; }

 private:
  std::string name_;
  std::string url_;
};

/// A fresh, empty database for one test: a scratch PostgreSQL database on PostgreSQL, else the SQLite file
/// `sqlite_path` (":memory:" for one that lives as long as its one connection).
class test_store {
 public:
  explicit test_store(std::string sqlite_path);
  /// What storage::open_database opens (and storage.url names).
  const std::string& where() const { return pg_ ? pg_->url() : sqlite_path_; }
  /// The option giving it to the service's executable.
  std::string option() const { return "--storage.url=" + where(); }
  /// The mail folder beside the SQLite file (where the service puts it by itself on SQLite; PostgreSQL needs it
  /// given), as an option.
  std::string mail_option() const;
  /// A new connection to it.
  std::unique_ptr<storage::database> open(storage::database::options opts = {storage::database::access::read_write,
                                                                            false}) const;

 private:
  std::string sqlite_path_;
  std::unique_ptr<scratch_postgres> pg_;
};

/// The integer in the first column of the first row `sql` returns on `db` (-1: no row); the statement is reset.
inline std::int64_t query_int(storage::database& db, const std::string& sql) {
  auto& st = db.prepare(sql);
  auto value = st.step() ? st.integer(0) : std::int64_t{-1};
  st.reset();
  return value;
}

}  // namespace boutique::testing
