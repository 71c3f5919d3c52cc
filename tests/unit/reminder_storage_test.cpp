// The reminder step (storage/reminder_queries.cpp) on a database in memory: its query finds exactly the products the
// rule (domain::reminder_due) says are due, day after day, and each is mailed once, in its customer's language, with
// its reminder recorded beside the mail.
#include "domain/reminder.hpp"
#include "storage/database.hpp"
#include "support/storage.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"
#include "storage/retention.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <set>

using namespace boutique;
using namespace boutique::storage;

namespace {

/// One product of the agreement test: what is stored, and what the rule is told.
struct stored_term {
  std::string code;
  std::int64_t start_day = 0;
  std::optional<std::int64_t> days;  ///< none: never ends
  std::string status = "COMPLETE";
  bool renewed = false;  ///< another product of the table, same code, ends later
};

struct reminder_store : ::testing::Test {
  static constexpr std::int64_t d = 86400;
  boutique::testing::test_store scratch{":memory:"};  // or a scratch PostgreSQL database (support/storage.hpp)
  std::unique_ptr<database> connection = scratch.open();
  database& db = *connection;
  retention_policy policy;  // 30 days before, batches of 1000
  std::int64_t customer_id = 0;
  std::int64_t bills = 0;

  void SetUp() override {
    migrate(db);
    domain::contact c;
    c.email = "ana@example.org";
    c.firstname = "Ana";
    c.lastname = "Lima";
    c.country = "FR";
    customer_id = deposit_contact(db, c, std::nullopt, 0).id;
  }

  /// Stores product `t` on a bill of its own; returns the product's id.
  std::int64_t store(const stored_term& t) {
    auto transid = "T-" + std::to_string(++bills);
    auto bill =
      db.prepare("INSERT INTO bills (transid, session_id, customer_id, status, paymode, untaxed, taxes, total, "
                 "currency, contact, emitted_at, updated_at) "
                 "VALUES (?1, 's-' || CAST(?1 AS TEXT), ?2, ?3, 'test', 0, 0, 0, 'EUR', '{}', 0, 0) RETURNING id")
        .bind_all(transid, customer_id, t.status)
        .run_returning_integer();
    auto item = db.prepare("INSERT INTO bill_items (bill_id, code, name, quantity, unit_price, untaxed, taxes, total) "
                           "VALUES (?, ?, 'Training', 1, 0, 0, 0, 0) RETURNING id")
                  .bind_all(bill, t.code)
                  .run_returning_integer();
    std::optional<std::int64_t> end;
    if (t.days) end = (t.start_day + *t.days) * d;
    return db.prepare("INSERT INTO products (reference, customer_id, code, name, bill_item_id, start_at, end_at) "
                      "VALUES (?, ?, ?, 'Training', ?, ?, ?) RETURNING id")
      .bind_all("P-" + transid, customer_id, t.code, item, t.start_day * d, end)
      .run_returning_integer();
  }

  /// The first column of the first row of `sql`, as text ("<none>" without a row).
  std::string text(const std::string& sql) {
    auto& st = db.prepare(sql);
    auto found = st.step() ? st.text(0) : "<none>";
    db.reset_all();
    return found;
  }

  std::int64_t count(const std::string& sql) { return std::stoll(text(sql)); }
};

}  // namespace

TEST_F(reminder_store, the_query_finds_day_after_day_exactly_what_the_rule_says_is_due) {
  const std::vector<stored_term> table = {
    {"YEAR", 0, 365},
    {"MONTH", 0, 30},  // reminded 15 days before its end: half its term
    {"REFUNDED", 0, 365, "PAYBACK"},
    {"UNPAID", 0, 365, "PLACED"},
    {"ENDLESS", 0, std::nullopt},
    {"TWICE", 0, 365, "COMPLETE", true},  // renewed at day 100 by the next one
    {"TWICE", 100, 365},
    {"LATE", 200, 60},
  };
  std::vector<std::int64_t> ids;
  for (const auto& t : table) ids.push_back(store(t));
  std::vector<bool> reminded(table.size());
  for (std::int64_t now = 0; now <= 600 * d; now += d / 2) {
    std::set<std::int64_t> expected;
    for (std::size_t i = 0; i < table.size(); ++i) {
      const auto& t = table[i];
      std::optional<std::int64_t> end;
      if (t.days) end = (t.start_day + *t.days) * d;
      domain::reminder_facts facts{t.start_day * d, end, t.status == "COMPLETE", t.status == "PAYBACK",
                                   reminded[i], false, t.renewed};
      if (domain::reminder_due(facts, now, policy.reminder_days_before)) {
        expected.insert(ids[i]);
        reminded[i] = true;
      }
    }
    EXPECT_EQ(send_reminders(db, now, policy), static_cast<std::int64_t>(expected.size())) << "at day " << now / d;
    std::set<std::int64_t> sent;
    auto& st = db.prepare("SELECT id FROM products WHERE reminded_at = ?").bind_all(now);
    while (st.step()) sent.insert(st.integer(0));
    db.reset_all();
    EXPECT_EQ(sent, expected) << "at day " << now / d;
  }
  EXPECT_EQ(count("SELECT count(*) FROM products WHERE reminded_at IS NOT NULL"), 4) << "YEAR, MONTH, TWICE, LATE";
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM customer_events WHERE kind = 'reminded'"), 4);
}

TEST_F(reminder_store, the_mail_speaks_the_user_language_and_nothing_goes_once_reminded_erased_or_turned_off) {
  store({"A51-11237-R", 0, 365});
  auto ana = db.prepare("INSERT INTO users (username, email_norm, created_at, lang) "
                        "VALUES ('ana', 'ana@example.org', 0, 'fr') RETURNING id")
               .run_returning_integer();
  db.prepare("UPDATE customers SET user_id = ?").bind_all(ana).run();
  auto off = policy;
  off.reminder_days_before = 0;
  EXPECT_EQ(send_reminders(db, 340 * d, off), 0) << "0 turns reminders off";
  EXPECT_EQ(send_reminders(db, 340 * d, policy), 1);
  EXPECT_EQ(send_reminders(db, 341 * d, policy), 0) << "once";
  EXPECT_EQ(text("SELECT subject FROM outbox"), "Votre formation [A51-11237-R] Training se termine le 1 janv. 1971");
  EXPECT_EQ(text("SELECT recipient FROM outbox"), "ana@example.org");
  EXPECT_EQ(text("SELECT detail FROM customer_events WHERE kind = 'reminded'"), "P-T-1 ends 1971-01-01");

  store({"A51-11237-R", 400, 365});
  db.exec("UPDATE customers SET erased_at = 1");
  EXPECT_EQ(send_reminders(db, 740 * d, policy), 0) << "an erased customer is written to no more";
}
