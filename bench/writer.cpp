// boutique-writer: what one guest checkout costs the storage writer, without the service around it. Runs the storage
// functions the storage actor runs for a checkout (storage/queries.hpp: the session saved with its cart, the contact
// deposited, the session saved with its customer, the order placed, the payment applied), each write in its
// savepoint and --batch writes to a transaction, as the storage actor's group commit does, on a new database with
// the project's migrations (WAL; synchronous FULL unless --synchronous=normal). Single-threaded: the writer's CPU per
// checkout measured without a load generator sharing the cores, so that two builds compare within a few per cent.
//
// usage: boutique-writer --db=PATH [--checkouts=5000] [--batch=64] [--synchronous=full|normal] (PATH must not exist)
// Prints one line: checkouts, CPU µs per checkout (this thread: user + system), wall µs per checkout, database bytes
// per checkout (the file, once the WAL is checkpointed into it).

#include "domain/clock.hpp"
#include "domain/json.hpp"
#include "domain/tokens.hpp"
#include "storage/sqlite_database.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace storage = boutique::storage;
namespace domain = boutique::domain;

struct options {
  std::string db_path;
  int checkouts = 5000;
  int batch = 64;
  bool synchronous_full = true;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const std::string& name) -> std::optional<std::string> {
      if (arg.rfind(name + "=", 0) != 0) return std::nullopt;
      return arg.substr(name.size() + 1);
    };
    if (auto v = value("--db")) o.db_path = *v;
    else if (auto v = value("--checkouts")) o.checkouts = std::stoi(*v);
    else if (auto v = value("--batch")) o.batch = std::stoi(*v);
    else if (auto v = value("--synchronous")) o.synchronous_full = *v != "normal";
    else throw std::invalid_argument("unknown argument " + arg);
  }
  if (o.db_path.empty() || o.checkouts < 1 || o.batch < 1)
    throw std::invalid_argument("usage: boutique-writer --db=PATH [--checkouts=N] [--batch=N] [--synchronous=full|normal]");
  return o;
}

double thread_cpu_us() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

/// The bench's checkout: three lines of the shipped catalog's kind, their taxes at 20 %.
domain::priced_cart cart() {
  domain::priced_cart c;
  auto line = [&](std::string code, std::string name, int quantity, std::int64_t price, int days) {
    domain::bill_line l{std::move(code), std::move(name), quantity, price, price * quantity, price * quantity / 5,
                        price * quantity * 6 / 5, 2000, days};
    c.untaxed += l.untaxed;
    c.taxes += l.taxes;
    c.total += l.total;
    c.lines.push_back(std::move(l));
  };
  line("A51-11236-F", "Formation initiale sûreté", 2, 12000, 365);
  line("A51-11237-R", "Recyclage sûreté aéroportuaire", 1, 8500, 365);
  line("B12-20410-F", "Sauveteur secouriste du travail", 2, 24000, 730);
  return c;
}

/// A session snapshot of the size the service writes (about 1 KB once the bill is drafted).
std::string snapshot(const std::string& sid, const std::string& stage, const std::string& customer) {
  return R"({"bill":{"currency":"EUR","lines":[{"code":"A51-11236-F","duration_days":365,"name":"Formation initiale)"
         R"( sûreté","quantity":2,"tax_rate_bp":2000,"taxes":4800,"total":28800,"unit_price":12000,"untaxed":24000},)"
         R"({"code":"A51-11237-R","duration_days":365,"name":"Recyclage sûreté aéroportuaire","quantity":1,)"
         R"("tax_rate_bp":2000,"taxes":1700,"total":10200,"unit_price":8500,"untaxed":8500},{"code":"B12-20410-F",)"
         R"("duration_days":730,"name":"Sauveteur secouriste du travail","quantity":2,"tax_rate_bp":2000,)"
         R"("taxes":9600,"total":57600,"unit_price":24000,"untaxed":48000}],"taxes":16100,"total":96600,)"
         R"("untaxed":80500},"cart":[{"code":"A51-11236-F","quantity":2},{"code":"A51-11237-R","quantity":1},)"
         R"({"code":"B12-20410-F","quantity":2}],"contact":{"address":"","city":"Lyon","country":"FR",)"
         R"("email":"bench@bench.example","firstname":"Ada","invoiceinfo":"","lastname":"Lovelace",)"
         R"("organisation":"Bench Ltd","zip":"69001"},"contact_given":true,"customer_id":)" +
         customer + R"(,"id":")" + sid + R"(","lang":"en","paymode":"test","stage":")" + stage + R"("})";
}

}  // namespace

int main(int argc, char** argv) try {
  auto o = parse(argc, argv);
  for (const auto* suffix : {"", "-wal", "-shm"})
    if (std::filesystem::exists(o.db_path + suffix))
      throw std::invalid_argument(o.db_path + suffix + " exists: the benchmark starts from a new database");
  storage::sqlite_database db(o.db_path, {storage::database::access::read_write, o.synchronous_full});
  storage::migrate(db);
  storage::mail_settings mail;
  auto priced = cart();

  // One write: its own savepoint, inside the batch's transaction (as the storage actor runs it).
  std::vector<std::function<void()>> writes;
  int in_batch = 0;
  auto write = [&](const std::function<void()>& apply) {
    if (in_batch == 0) db.exec("BEGIN IMMEDIATE");
    {
      storage::transaction t(db);
      apply();
      t.commit();
    }
    if (++in_batch == o.batch) {
      db.exec("COMMIT");
      in_batch = 0;
    }
  };

  auto cpu_start = thread_cpu_us();
  auto wall_start = std::chrono::steady_clock::now();
  for (int i = 0; i < o.checkouts; ++i) {
    auto now = domain::now_s();
    auto sid = domain::new_secret_id();
    auto transid = domain::new_secret_id();
    auto expires = now + 7 * 24 * 3600;
    domain::contact contact;
    contact.firstname = "Ada";
    contact.lastname = "Lovelace";
    contact.email = "c" + std::to_string(i) + "-" + sid.substr(0, 8) + "@bench.example";
    contact.organisation = "Bench Ltd";
    contact.zip = "69001";
    contact.city = "Lyon";
    contact.country = "FR";
    std::int64_t customer_id = 0;
    write([&] { storage::save_session(db, sid, snapshot(sid, "cart", "null"), expires); });
    write([&] { customer_id = storage::deposit_contact(db, contact, std::nullopt, now).id; });
    write([&] { storage::save_session(db, sid, snapshot(sid, "contact", std::to_string(customer_id)), expires); });
    write([&] {
      boutique::bill_draft d{transid, sid, customer_id, "test", priced, nlohmann::json(contact).dump(), now,
                             snapshot(sid, "placed", std::to_string(customer_id)), expires, domain::language::en};
      storage::place_bill(db, d);
    });
    write([&] {
      boutique::payment_event e{"test", "txn-" + transid, transid, "completed", priced.total, "EUR", std::nullopt, now};
      storage::apply_payment(db, e, mail);
    });
  }
  if (in_batch > 0) db.exec("COMMIT");
  auto cpu_us = thread_cpu_us() - cpu_start;
  auto wall_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - wall_start).count();
  db.reset_all();
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");  // every page in the database file: its size is what was kept
  std::uintmax_t bytes = 0;
  for (const auto* suffix : {"", "-wal"})
    if (std::filesystem::exists(o.db_path + suffix)) bytes += std::filesystem::file_size(o.db_path + suffix);
  std::printf("checkouts %d  cpu_us_per_checkout %.1f  wall_us_per_checkout %.1f  db_bytes_per_checkout %.0f\n",
              o.checkouts, cpu_us / o.checkouts, wall_us / o.checkouts,
              static_cast<double>(bytes) / o.checkouts);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "boutique-writer: %s\n", e.what());
  return 1;
}
