// After a run: every checkout the generator saw acknowledged exists exactly once in the database, COMPLETE,
// with one product per unit bought, under the one customer of its email, attached to a user; a bill is COMPLETE
// if and only if its products exist and its customer is attached; nothing is duplicated anywhere. Reads the
// SQLite file read-only (WAL: reads do not disturb the running service). Optionally reads every acknowledged
// session back through the API.

#include "client.hpp"
#include "loadgen.hpp"

#include "storage/database.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace bench {

namespace storage = boutique::storage;

namespace {

/// The service's own read-only connection, one query at a time.
class reader {
 public:
  /// `path`: the SQLite file, or a postgresql:// URL.
  explicit reader(const std::string& path)
      : db_(storage::open_database(path, {storage::database::access::read_only, true})) {}

  /// Calls `row(statement)` for each row of `sql`.
  template <class Row>
  void each(const char* sql, Row row) {
    auto& st = db_->prepare(sql);
    while (st.step()) row(st);
  }

  std::uint64_t scalar(const char* sql) {
    std::uint64_t value = 0;
    each(sql, [&](const storage::statement& st) { value = static_cast<std::uint64_t>(st.integer(0)); });
    return value;
  }

  /// One snapshot for all the queries.
  void begin() {
    db_->exec(db_->backend() == storage::backend::postgresql ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN");
  }

 private:
  std::unique_ptr<storage::database> db_;
};

struct bill_row {
  std::int64_t id = 0;
  std::string status;
  std::int64_t customer_id = 0;
  int occurrences = 0;
};

/// The database, loaded once into memory (a few hundred thousand rows at most in a bench run).
struct snapshot {
  std::unordered_map<std::string, bill_row> bills;               // by transid
  std::unordered_map<std::int64_t, std::string> customer_email;  // by id
  std::unordered_set<std::int64_t> attached_customers;           // ids of customers attached to a user
  std::unordered_map<std::string, int> customers_per_email;
  std::unordered_map<std::int64_t, std::int64_t> units_of_bill;     // sum of bill_items.quantity
  std::unordered_map<std::int64_t, std::int64_t> products_of_bill;  // products via their bill item
};

snapshot load(reader& db) {
  snapshot s;
  db.each("SELECT id, transid, status, customer_id FROM bills", [&](const storage::statement& st) {
    auto& b = s.bills[st.text(1)];
    b.id = st.integer(0);
    b.status = st.text(2);
    b.customer_id = st.integer(3);
    ++b.occurrences;
  });
  db.each("SELECT id, email_norm, user_id IS NOT NULL FROM customers", [&](const storage::statement& st) {
    auto email = st.text(1);
    s.customer_email[st.integer(0)] = email;
    ++s.customers_per_email[email];
    if (st.integer(2)) s.attached_customers.insert(st.integer(0));
  });
  db.each("SELECT bill_id, sum(quantity) FROM bill_items GROUP BY bill_id",
          [&](const storage::statement& st) { s.units_of_bill[st.integer(0)] = st.integer(1); });
  db.each("SELECT i.bill_id, count(*) FROM products p JOIN bill_items i ON i.id = p.bill_item_id GROUP BY i.bill_id",
          [&](const storage::statement& st) { s.products_of_bill[st.integer(0)] = st.integer(1); });
  return s;
}

std::int64_t count_in(const std::unordered_map<std::int64_t, std::int64_t>& counts, std::int64_t bill_id) {
  auto it = counts.find(bill_id);
  return it == counts.end() ? 0 : it->second;
}

void note(verification& v, const std::string& what) {
  if (v.examples.size() < 10) v.examples.push_back(what);
}

void check_acknowledged(const snapshot& s, const std::vector<acknowledged>& acks, verification& v) {
  std::unordered_set<std::string> emails;
  for (const auto& a : acks) {
    emails.insert(a.email_norm);
    auto it = s.bills.find(a.transid);
    if (it == s.bills.end() || it->second.occurrences != 1) {
      ++v.missing;
      note(v, "bill " + a.transid + (it == s.bills.end() ? " missing" : " present more than once"));
      continue;
    }
    const auto& b = it->second;
    bool ok = true;
    if (b.status != "COMPLETE") ++v.not_complete, ok = false, note(v, "bill " + a.transid + " is " + b.status);
    auto products = count_in(s.products_of_bill, b.id);
    if (products != a.units) {
      ++v.wrong_units, ok = false;
      note(v, "bill " + a.transid + ": " + std::to_string(products) + " products for " + std::to_string(a.units) +
                " units bought");
    }
    auto owner = s.customer_email.find(b.customer_id);
    if (owner == s.customer_email.end() || owner->second != a.email_norm) {
      ++v.wrong_customer, ok = false;
      note(v, "bill " + a.transid + " not under the customer of " + a.email_norm);
    }
    if (!s.attached_customers.count(b.customer_id)) {
      ++v.not_attached, ok = false;
      note(v, "bill " + a.transid + ": its customer is not attached to a user");
    }
    if (ok) ++v.found_complete;
  }
  v.emails = emails.size();
  for (const auto& e : emails) {
    auto it = s.customers_per_email.find(e);
    if (it == s.customers_per_email.end() || it->second != 1) {
      ++v.emails_not_once;
      note(v, "email " + e + " has " + std::to_string(it == s.customers_per_email.end() ? 0 : it->second) +
                " customer accounts");
    }
  }
}

void check_duplicates(reader& db, const snapshot& s, verification& v) {
  v.duplicate_customers = db.scalar("SELECT count(*) - count(DISTINCT email_norm) FROM customers");
  v.duplicate_bills = db.scalar("SELECT count(*) - count(DISTINCT transid) FROM bills");
  v.sessions_with_two_bills =
    db.scalar("SELECT count(*) FROM (SELECT 1 FROM bills GROUP BY session_id HAVING count(*) > 1) AS twice");
  // A completion records one `paid` event for its bill: two mean the purchase was completed twice.
  v.bills_completed_twice = db.scalar("SELECT count(*) FROM (SELECT 1 FROM customer_events WHERE kind = 'paid' "
                                      "GROUP BY detail HAVING count(*) > 1) AS twice");
  v.duplicate_products = db.scalar("SELECT count(*) - count(DISTINCT reference) FROM products");
  v.duplicate_notifications = db.scalar("SELECT count(*) FROM (SELECT 1 FROM payment_notifications "
                                        "GROUP BY provider, txn_id HAVING count(*) > 1) AS twice");
  v.customers_total = db.scalar("SELECT count(*) FROM customers");
  v.bills_total = db.scalar("SELECT count(*) FROM bills");
  v.products_total = db.scalar("SELECT count(*) FROM products");
  for (const auto& [transid, b] : s.bills) {
    auto products = count_in(s.products_of_bill, b.id);
    if (b.status != "COMPLETE") {
      if (products) {
        ++v.incomplete_bills_with_products;
        note(v, "bill " + transid + " is " + b.status + " with products");
      }
      continue;
    }
    if (count_in(s.units_of_bill, b.id) != products) ++v.complete_bills_with_wrong_products;
    if (!s.attached_customers.count(b.customer_id)) {
      ++v.complete_bills_unattached;
      note(v, "bill " + transid + " is COMPLETE, its customer attached to no user");
    }
  }
}

}  // namespace

verification verify_database(const std::string& path, const std::vector<acknowledged>& acks) {
  verification v;
  v.ran = true;
  v.acknowledged = acks.size();
  try {
    reader db(path);
    db.begin();
    auto s = load(db);
    check_acknowledged(s, acks, v);
    check_duplicates(db, s, v);
  } catch (const std::exception& e) {
    note(v, std::string("verification failed to run: ") + e.what());
    return v;
  }
  v.pass = v.found_complete == v.acknowledged && v.emails_not_once == 0 && v.duplicate_customers == 0 &&
           v.duplicate_bills == 0 && v.duplicate_products == 0 && v.duplicate_notifications == 0 &&
           v.complete_bills_with_wrong_products == 0 && v.complete_bills_unattached == 0 &&
           v.incomplete_bills_with_products == 0 && v.bills_completed_twice == 0 && v.sessions_with_two_bills == 0;
  return v;
}

namespace {

/// Reads each acknowledged session on one keep-alive connection: it must say completed, with its bill COMPLETE.
boost::asio::awaitable<void> read_sessions(int port, const std::vector<acknowledged>& acks, verification& v) {
  connection c(co_await boost::asio::this_coro::executor, port);
  for (const auto& a : acks) {
    auto r = co_await c.send(boost::beast::http::verb::get, "/api/v1/sessions/" + a.sid, "");
    if (r.status == 200 && json_string(r.body, "stage") == "completed" && json_string(r.body, "transid") == a.transid &&
        json_string(r.body, "bill_status") == "COMPLETE") {
      ++v.sessions_completed;
      continue;
    }
    ++v.sessions_not_completed;
    note(v, "session " + a.sid + " of bill " + a.transid + " reads back as: " +
              (r.status ? std::to_string(r.status) + " " + r.body.substr(0, 200) : r.failure));
  }
}

}  // namespace

void verify_sessions(int port, const std::vector<acknowledged>& acks, verification& v) {
  boost::asio::io_context io(1);
  boost::asio::co_spawn(io, read_sessions(port, acks, v), boost::asio::detached);
  io.run();
  v.sessions_read = true;
  v.pass = v.pass && v.sessions_not_completed == 0;
}

}  // namespace bench
