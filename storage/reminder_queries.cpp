// The reminder step of the scheduled job: a mail before a product ends, once per product (domain/reminder.hpp).
// Each reminder is recorded (products.reminded_at, the customer's timeline) in the transaction that queues its mail,
// so that no run, concurrent or after a restart, sends it again.
#include "domain/clock.hpp"
#include "domain/product.hpp"
#include "domain/reminder.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "storage/queries/reminders.hpp"
#include "storage/retention.hpp"

#include <string>
#include <vector>

namespace boutique::storage {

namespace {

namespace q = sql::reminders;  // storage/queries/reminders.sql

/// One product found due, with its customer.
struct due_reminder {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  domain::reminder_facts facts;
  domain::reminded_product product;
  std::string email;
  std::string firstname;
  domain::language lang = domain::language::en;
};

std::vector<due_reminder> find_due(database& db, std::int64_t now, const retention_policy& p) {
  std::vector<due_reminder> found;
  auto lead = std::int64_t{p.reminder_days_before} * domain::seconds_per_day;
  auto& st = db.prepare(q::due_reminders).bind_all(now, lead, p.batch_rows);
  while (st.step()) {
    auto status = st.text(11);
    // Not reminded yet (false): the query takes only those.
    domain::reminder_facts facts{st.integer(5), st.optional_integer(6), status == "COMPLETE", status == "PAYBACK",
                                 false, st.integer(12) != 0, st.integer(13) != 0};
    domain::reminded_product product{st.text(2), st.text(3), st.text(4), facts.end.value_or(0),
                                     domain::offers_renewal(st.integer(7) != 0, facts.bill_complete, facts.refunded)};
    found.push_back({st.integer(0), st.integer(1), facts, std::move(product), st.text(8), st.text(9),
                     domain::language_or_english(st.text(10))});
  }
  st.reset();
  return found;
}

}  // namespace

std::int64_t send_reminders(database& db, std::int64_t now, const retention_policy& p) {
  if (p.reminder_days_before <= 0) return 0;
  std::int64_t sent = 0;
  for (const auto& d : find_due(db, now, p)) {
    if (!domain::reminder_due(d.facts, now, p.reminder_days_before)) continue;  // the rule has the last word
    db.prepare(q::mark_reminded).bind_all(now, d.id).run();
    if (db.changes() != 1) continue;
    queue_mail(db, domain::reminder_mail(d.firstname, d.email, d.product, p.base_url, d.lang), now);
    record_event(db, d.customer_id, "reminded",
                 d.product.reference + " ends " + domain::utc_text(d.product.end, "%Y-%m-%d"), now);
    ++sent;
  }
  return sent;
}

}  // namespace boutique::storage
