// boutique-sqlite-ceiling: the storage ceiling. Writes the rows a guest checkout writes in the service (sessions,
// customers, customer_events, bills, bill_items, products, users, password_tokens, outbox, payment_notifications),
// straight into SQLite with the project's schema (the embedded storage/migrations), WAL, synchronous=FULL, foreign keys
// on, committing every --batch writes (a "write" is one of the 6 storage requests of a checkout, as in the service's
// group commit). No service, no actors, no reads: what SQLite alone can do on this disk.
//
// usage: boutique-sqlite-ceiling --db=PATH [--seconds=5] [--batch=32] [--savepoints=0|1]

#include "storage/sqlite_database.hpp"
#include "storage/migrations.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace {

namespace storage = boutique::storage;

struct settings {
  std::string db_path;
  double seconds = 5;
  int batch = 32;
  bool savepoints = false;  // wrap each write in SAVEPOINT/RELEASE, as the service's storage actor does
};

/// The project's own connection (storage/database.hpp) with the bench's parameter lists.
class connection {
 public:
  explicit connection(const std::string& path) : db_(path, {storage::database::access::read_write, true}) {}
  void exec(const std::string& sql) { db_.exec(sql); }
  /// Runs a cached prepared statement with the given text/integer parameters; returns the rows changed.
  int run(const char* sql, const std::vector<std::variant<std::int64_t, std::string>>& params) {
    auto& st = db_.prepare(sql);
    for (std::size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      if (auto n = std::get_if<std::int64_t>(&params[i])) st.bind(index, *n);
      else st.bind(index, std::get<std::string>(params[i]));
    }
    st.run();
    return db_.changes();
  }
  std::int64_t last_id() const { return db_.last_insert_rowid(); }
  storage::database& db() { return db_; }

 private:
  storage::sqlite_database db_;
};

/// The service's schema, from the migrations embedded in the project's storage library.
void apply_schema(connection& db) {
  storage::migrate(db.db());
  db.exec("INSERT INTO catalog_items VALUES ('A51-11236-F','Formation initiale','12000','EUR',2000,365,0,1),"
          "('B12-20410-F','Sauveteur secouriste',24000,'EUR',2000,730,1,2),"
          "('D22-40155-M','Moodle for teachers',4900,'EUR',550,90,0,3)");
}

const char* sql_session =
  "INSERT INTO sessions (id, snapshot, updated_at, expires_at) VALUES (?1, ?2, strftime('%s','now'), ?3) "
  "ON CONFLICT(id) DO UPDATE SET snapshot = excluded.snapshot, updated_at = excluded.updated_at, "
  "expires_at = excluded.expires_at";
const char* sql_customer =
  "INSERT INTO customers (email_norm, email, firstname, lastname, organisation, address, zip, city, country, "
  "invoiceinfo, created_at, updated_at) VALUES (?, ?, 'Ada', 'Lovelace', 'Bench Ltd', '', '69001', 'Lyon', 'FR', '', ?, ?)";
const char* sql_event = "INSERT INTO customer_events (customer_id, at, kind, detail) VALUES (?, ?, ?, ?)";
const char* sql_bill =
  "INSERT INTO bills (transid, session_id, customer_id, status, paymode, untaxed, taxes, total, currency, contact, "
  "emitted_at, updated_at) VALUES (?, ?, ?, 'PLACED', 'test', 24000, 4800, 28800, 'EUR', ?, ?, ?)";
const char* sql_item =
  "INSERT INTO bill_items (bill_id, code, name, quantity, unit_price, untaxed, taxes, total) "
  "VALUES (?, 'A51-11236-F', 'Formation initiale', ?, 12000, 12000, 2400, 14400)";
const char* sql_bill_status = "UPDATE bills SET status = ?, updated_at = ? WHERE transid = ?";
const char* sql_product =
  "INSERT INTO products (reference, customer_id, code, name, bill_item_id, start_at, end_at) "
  "VALUES (?, ?, 'A51-11236-F', 'Formation initiale', ?, ?, ?)";
const char* sql_user =
  "INSERT INTO users (username, email_norm, password_hash, firstname, lastname, created_at) "
  "VALUES (?, ?, NULL, 'Ada', 'Lovelace', ?)";
const char* sql_token = "INSERT INTO password_tokens (hash, user_id, expires_at) VALUES (?, ?, ?)";
const char* sql_outbox = "INSERT INTO outbox (recipient, subject, body, created_at) VALUES (?, ?, ?, ?)";
const char* sql_attach = "UPDATE customers SET user_id = ? WHERE id = ? AND user_id IS NULL";
const char* sql_notification =
  "INSERT INTO payment_notifications (provider, txn_id, transid, status, result, received_at) "
  "VALUES ('test', ?, ?, 'completed', 'applied', ?)";
const char* sql_session_bill =
  "UPDATE sessions SET snapshot = json_set(snapshot, '$.bill_status', 'COMPLETE', '$.stage', 'completed') "
  "WHERE id = ?";

/// Random ids shaped like the service's (22 base62 characters).
class id_maker {
 public:
  std::string next(std::size_t length = 22) {
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string id(length, '0');
    for (auto& c : id) c = alphabet[rng_() % 62];
    return id;
  }
  int between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }

 private:
  std::mt19937_64 rng_{42};
};

std::string snapshot_json(const std::string& sid, const std::string& email, const std::string& stage) {
  return R"({"id":")" + sid + R"(","stage":")" + stage +
         R"(","cart":[{"code":"A51-11236-F","quantity":2}],"contact":{"firstname":"Ada","lastname":"Lovelace","email":")" +
         email + R"(","organisation":"Bench Ltd","address":"","zip":"69001","city":"Lyon","country":"FR","invoiceinfo":""},)" +
         R"("contact_given":true,"customer_id":1,"user_id":null,"transid":null,"bill_status":null,"paymode":"",)" +
         R"("created_at":1764400000,"updated_at":1764400000,"expires_at":1765000000})";
}

/// The 6 writes of one guest checkout, in the order the service makes them. Each returns the rows it changed.
std::vector<std::function<int(connection&)>> checkout_writes(id_maker& ids, std::int64_t now, std::uint64_t n) {
  auto sid = ids.next(), transid = ids.next(), email = "raw" + std::to_string(n) + "@bench.example";
  auto customer = std::make_shared<std::int64_t>(0), item = std::make_shared<std::int64_t>(0);
  int lines = ids.between(1, 3), units_per_line = ids.between(1, 3);
  auto session = [=](const std::string& stage) {
    return [=](connection& db) { return db.run(sql_session, {sid, snapshot_json(sid, email, stage), now + 604800}); };
  };
  auto deposit = [=](connection& db) {
    int rows = db.run(sql_customer, {email, email, now, now});
    *customer = db.last_id();
    return rows + db.run(sql_event, {*customer, now, std::string("created"), std::string("")});
  };
  auto order = [=](connection& db) {
    int rows = db.run(sql_bill, {transid, sid, *customer, snapshot_json(sid, email, "contact").substr(0, 200), now, now});
    auto bill = db.last_id();
    for (int l = 0; l < lines; ++l) rows += db.run(sql_item, {bill, std::int64_t{units_per_line}});
    *item = db.last_id();
    rows += db.run(sql_event, {*customer, now, std::string("order_placed"), transid});
    return rows + db.run(sql_session, {sid, snapshot_json(sid, email, "placed"), now + 604800});
  };
  auto pay = [=, &ids](connection& db) {
    int rows = db.run(sql_bill_status, {std::string("SOLDOUT"), now, transid});
    rows += db.run(sql_bill_status, {std::string("COMPLETE"), now, transid});
    for (int p = 0; p < lines * units_per_line; ++p)
      rows += db.run(sql_product, {ids.next(12), *customer, *item, now, now + 365 * 86400});
    rows += db.run(sql_event, {*customer, now, std::string("paid"), transid});
    rows += db.run(sql_user, {email, email, now});
    auto user = db.last_id();
    rows += db.run(sql_token, {ids.next(64), user, now + 86400});
    rows += db.run(sql_outbox, {email, std::string("Your Boutique account"), std::string(420, 'x'), now});
    rows += db.run(sql_attach, {user, *customer});
    rows += db.run(sql_event, {*customer, now, std::string("attached_to_user"), std::string("user")});
    rows += db.run(sql_event, {*customer, now, std::string("completed"), transid});
    rows += db.run(sql_outbox, {email, std::string("Your order is complete"), std::string(260, 'x'), now});
    rows += db.run(sql_notification, {"test-" + transid, transid, now});
    return rows + db.run(sql_session_bill, {sid});
  };
  return {session("browsing"), session("browsing"), deposit, session("contact"), order, pay};
}

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto eq = a.find('=');
    auto key = a.substr(0, eq), value = eq == std::string::npos ? "" : a.substr(eq + 1);
    if (key == "--db") s.db_path = value;
    else if (key == "--seconds") s.seconds = std::stod(value);
    else if (key == "--batch") s.batch = std::max(1, std::stoi(value));
    else if (key == "--savepoints") s.savepoints = value == "1";
    else {
      std::fprintf(stderr, "usage: boutique-sqlite-ceiling --db=PATH [--seconds=5] [--batch=32] [--savepoints=0|1]\n");
      std::exit(2);
    }
  }
  if (s.db_path.empty()) {
    std::fprintf(stderr, "boutique-sqlite-ceiling: --db=PATH is required\n");
    std::exit(2);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  auto s = parse(argc, argv);
  std::filesystem::remove(s.db_path);
  connection db(s.db_path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  apply_schema(db);
  id_maker ids;
  std::uint64_t checkouts = 0, rows = 0, writes = 0, commits = 0;
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::vector<std::function<int(connection&)>> pending;
  double next_progress = 1;
  while (elapsed() < s.seconds) {
    db.exec("BEGIN IMMEDIATE");
    for (int w = 0; w < s.batch; ++w) {
      if (pending.empty()) {
        pending = checkout_writes(ids, 1764400000, checkouts++);
        std::reverse(pending.begin(), pending.end());
      }
      if (s.savepoints) db.exec("SAVEPOINT raw");
      rows += static_cast<std::uint64_t>(pending.back()(db));
      if (s.savepoints) db.exec("RELEASE raw");
      pending.pop_back();
      ++writes;
    }
    db.exec("COMMIT");
    ++commits;
    if (elapsed() >= next_progress) {
      std::fprintf(stderr, "[sqlite ceiling] %.0f s  checkouts %llu  rows %llu\n", next_progress,
                   (unsigned long long)checkouts, (unsigned long long)rows);
      next_progress += 1;
    }
  }
  double t = elapsed();
  double done = static_cast<double>(checkouts) - static_cast<double>(pending.size()) / 6.0;
  std::printf("sqlite ceiling: batch %d writes/transaction, savepoints %s, %.1f s\n", s.batch, s.savepoints ? "yes" : "no", t);
  std::printf("raw checkouts/s: %.0f\nraw rows/s: %.0f\nraw writes/s: %.0f\nraw commits/s: %.0f\nrows per checkout: %.2f\n",
              done / t, static_cast<double>(rows) / t, static_cast<double>(writes) / t, static_cast<double>(commits) / t,
              static_cast<double>(rows) / std::max(1.0, done));
  return 0;
}
