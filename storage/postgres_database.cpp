#include "storage/postgres_database.hpp"

#include "storage/postgres_dialect.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <optional>

namespace boutique::storage {

namespace {

/// The SQLSTATE class of integrity constraint violations (UNIQUE, CHECK, NOT NULL, foreign keys).
bool is_constraint(const PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  return state && state[0] == '2' && state[1] == '3';
}

std::string trimmed(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

/// Owns a PGresult.
struct result_deleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

void ignore_notice(void*, const char*) {}

}  // namespace

numbered_parameters number_parameters(std::string_view sql) {
  numbered_parameters out;
  out.text.reserve(sql.size() + 8);
  char quote = 0;  // inside '...' or "..."
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      out.text += c;
      if (c == quote) quote = 0;  // a doubled quote closes and reopens: the same text
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out.text += c;
      continue;
    }
    if (c != '?') {
      out.text += c;
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') ++end;
    int number = 0;
    if (end > i + 1) std::from_chars(sql.data() + i + 1, sql.data() + end, number);
    else number = out.count + 1;  // as SQLite numbers a bare `?`: one more than the largest so far
    out.count = std::max(out.count, number);
    out.text += '$';
    out.text += std::to_string(number);
    i = end - 1;
  }
  return out;
}

std::string without_password(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto at = url.find('@', scheme + 3);
  auto colon = url.find(':', scheme + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + url.substr(at);
}

/// One statement prepared on the server under its own name; executed at its first step, its rows read from the
/// result afterwards.
class postgres_statement final : public statement {
 public:
  postgres_statement(postgres_database& db, std::string name, numbered_parameters sql)
      : db_(db), name_(std::move(name)), sql_(std::move(sql)), values_(static_cast<std::size_t>(sql_.count)) {
    prepare_on_server();
  }

  bool step() override {
    if (!result_) execute();
    return ++row_ < rows_;
  }

  void reset() override {
    result_.reset();
    row_ = -1;
    rows_ = 0;
    for (auto& v : values_) v.reset();
  }

  int columns() const override { return PQnfields(result_.get()); }
  bool is_null(int column) const override { return PQgetisnull(result_.get(), row_, column) != 0; }

  std::int64_t integer(int column) const override {
    if (is_null(column)) return 0;
    const char* v = PQgetvalue(result_.get(), row_, column);
    if (v[0] == 't' && v[1] == 0) return 1;  // a boolean, as SQLite gives it
    if (v[0] == 'f' && v[1] == 0) return 0;
    std::int64_t out = 0;
    std::from_chars(v, v + PQgetlength(result_.get(), row_, column), out);
    return out;
  }

  std::string text(int column) const override {
    return std::string(PQgetvalue(result_.get(), row_, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
  }

 private:
  void bind_integer(int index, std::int64_t value) override { slot(index) = std::to_string(value); }
  void bind_text(int index, std::string_view value) override { slot(index) = std::string(value); }
  void bind_null(int index) override { slot(index).reset(); }

  std::optional<std::string>& slot(int index) {
    if (index < 1 || static_cast<std::size_t>(index) > values_.size())
      throw storage_error("bind: parameter " + std::to_string(index) + " out of range");
    return values_[static_cast<std::size_t>(index - 1)];
  }

  /// Prepared once per connection: a reconnection (postgres_database::usable) prepares it anew at its next use.
  void prepare_on_server() {
    db_.usable();
    result_ptr res(PQprepare(db_.conn_, name_.c_str(), sql_.text.c_str(), sql_.count, nullptr));
    db_.check(res.get(), "prepare failed for '" + sql_.text.substr(0, 60) + "'");
    prepared_on_ = db_.connection_;
  }

  void execute() {
    db_.usable();
    if (prepared_on_ != db_.connection_) prepare_on_server();
    std::vector<const char*> params;
    params.reserve(values_.size());
    for (const auto& v : values_) params.push_back(v ? v->c_str() : nullptr);
    result_.reset(PQexecPrepared(db_.conn_, name_.c_str(), static_cast<int>(params.size()), params.data(), nullptr,
                                 nullptr, 0));
    db_.check(result_.get(), "step");
    rows_ = PQntuples(result_.get());
    row_ = -1;
    const char* changed = PQcmdTuples(result_.get());
    if (changed && *changed) std::from_chars(changed, changed + std::char_traits<char>::length(changed), db_.changes_);
  }

  postgres_database& db_;
  std::string name_;
  numbered_parameters sql_;
  std::uint64_t prepared_on_ = 0;  ///< the connection (postgres_database::connection_) it was prepared on
  std::vector<std::optional<std::string>> values_;
  result_ptr result_;
  int row_ = -1;
  int rows_ = 0;
};

postgres_database::postgres_database(const std::string& url, options opts)
    : location_(without_password(url)), opts_(opts) {
  // libpq's own words on a malformed URL quote it, password and all: checked first, answered in words of ours.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  PQfreemem(parse_error);
  if (!parsed)
    throw storage_error("storage.url is not a PostgreSQL URL libpq can read (postgresql://USER@HOST:PORT/DB)");
  PQconninfoFree(parsed);
  const char* keys[] = {"dbname", "client_encoding", "application_name", "connect_timeout", nullptr};
  const char* values[] = {url.c_str(), "UTF8", "boutique", "10", nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string message = "cannot connect to PostgreSQL at '" + location_ + "': " +
                          trimmed(conn_ ? PQerrorMessage(conn_) : "out of memory");
    PQfinish(conn_);
    conn_ = nullptr;
    throw storage_error(message);
  }
  try {
    configure();
  } catch (...) {
    PQfinish(conn_);
    throw;
  }
}

void postgres_database::configure() {
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  // The error's first line only: PostgreSQL's DETAIL quotes the values a constraint refused (an email address).
  PQsetErrorVerbosity(conn_, PQERRORS_TERSE);
  // A lock held elsewhere fails the write after 5 s, as SQLite's busy timeout does.
  exec("SET lock_timeout = '5s'");
  // This process never leaves a transaction waiting on itself: one that does is stopped (kill -STOP, a frozen VM)
  // or cut off. The server ends it after 2 s, and with it the locks it held (the lease rows its writes share-locked:
  // the nodes taking its sessions wait no longer). Its commit then fails, as a lost connection's does.
  exec("SET idle_in_transaction_session_timeout = '2s'");
  if (opts_.mode == access::read_only) exec("SET default_transaction_read_only = on");
  // normal: a commit is answered before its WAL reaches the disk (the last commits may be lost in a crash of the
  // server, the database stays consistent), as SQLite's synchronous = NORMAL.
  if (!opts_.synchronous_full) exec("SET synchronous_commit = off");
  ++connection_;
}

void postgres_database::check(const pg_result* res, std::string_view what) {
  auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  std::string message(what);
  message += ": ";
  message += trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
  throw storage_error(message, is_constraint(res));
}

void postgres_database::usable() {
  if (PQstatus(conn_) == CONNECTION_OK) return;
  // Inside a transaction its work is gone with the connection: the transaction fails as a whole (its writer rolls
  // back, which ends it here), and only then does the connection come back.
  if (in_batch_ || !savepoints_.empty())
    throw storage_error("the connection to PostgreSQL at '" + location_ + "' was lost during a transaction");
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK)
    throw storage_error("PostgreSQL at '" + location_ + "' is unreachable: " + trimmed(PQerrorMessage(conn_)));
  configure();
}

postgres_database::~postgres_database() {
  cache_.clear();
  PQfinish(conn_);
}

void postgres_database::exec(std::string_view sql) {
  usable();
  result_ptr res(PQexec(conn_, std::string(sql).c_str()));
  check(res.get(), "cannot execute on '" + location_ + "'");
  const char* changed = PQcmdTuples(res.get());
  if (changed && *changed) std::from_chars(changed, changed + std::char_traits<char>::length(changed), changes_);
}

statement& postgres_database::prepare(std::string_view sql) {
  return cache_.get(sql, [&] {
    auto name = "s" + std::to_string(cache_.size() + 1);
    return std::make_unique<postgres_statement>(*this, name, number_parameters(postgresql_text(sql)));
  });
}

void postgres_database::reset_all() { cache_.reset_all(); }

void postgres_database::begin_batch() {
  exec("BEGIN");
  in_batch_ = true;
}

void postgres_database::commit_batch() {
  in_batch_ = false;
  savepoints_.clear();
  exec("COMMIT");
}

void postgres_database::rollback_batch() {
  in_batch_ = false;
  savepoints_.clear();
  if (PQstatus(conn_) == CONNECTION_OK) exec("ROLLBACK");  // a lost connection took the transaction with it
}

void postgres_database::limit_lock_waits(std::chrono::milliseconds most) {
  auto ms = std::max<std::int64_t>(1, most.count());
  exec("SET LOCAL lock_timeout = " + std::to_string(ms));
}

void postgres_database::lock_schema() { exec("SELECT pg_advisory_lock(" + std::to_string(schema_lock_key) + ")"); }
void postgres_database::unlock_schema() {
  exec("SELECT pg_advisory_unlock(" + std::to_string(schema_lock_key) + ")");
}

void postgres_database::savepoint() {
  bool begins = PQtransactionStatus(conn_) == PQTRANS_IDLE;
  exec(begins ? "BEGIN" : "SAVEPOINT boutique_tx");
  savepoints_.push_back(begins);
}

void postgres_database::release() {
  bool began = !savepoints_.empty() && savepoints_.back();
  if (!savepoints_.empty()) savepoints_.pop_back();
  exec(began ? "COMMIT" : "RELEASE SAVEPOINT boutique_tx");
}

void postgres_database::rollback_to_savepoint() {
  bool began = !savepoints_.empty() && savepoints_.back();
  if (!savepoints_.empty()) savepoints_.pop_back();
  if (began) exec("ROLLBACK");
  else exec("ROLLBACK TO SAVEPOINT boutique_tx; RELEASE SAVEPOINT boutique_tx");
}

int postgres_database::schema_version() {
  exec("CREATE TABLE IF NOT EXISTS boutique_schema (version BIGINT NOT NULL)");
  auto& st = prepare("SELECT coalesce(max(version), 0) FROM boutique_schema");
  st.step();
  auto version = static_cast<int>(st.integer(0));
  st.reset();
  return version;
}

void postgres_database::set_schema_version(int version) {
  exec("DELETE FROM boutique_schema");
  exec("INSERT INTO boutique_schema (version) VALUES (" + std::to_string(version) + ")");
}

}  // namespace boutique::storage
