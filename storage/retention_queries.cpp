#include "domain/completion.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "storage/queries/retention.hpp"
#include "storage/retention.hpp"

#include <chrono>

namespace boutique::storage {

namespace {

namespace q = sql::retention;  // storage/queries/retention.sql

std::int64_t delete_expired_sessions(database& db, std::int64_t now, const retention_policy& p) {
  db.prepare(q::delete_expired_sessions).bind_all(now, p.batch_rows).run();
  return db.changes();
}

std::int64_t delete_expired_logins(database& db, std::int64_t now, const retention_policy& p) {
  db.prepare(q::delete_expired_logins).bind_all(now, p.batch_rows).run();
  return db.changes();
}

std::int64_t delete_spent_password_tokens(database& db, std::int64_t now, const retention_policy& p) {
  db.prepare(q::delete_spent_password_tokens).bind_all(now, p.batch_rows).run();
  return db.changes();
}

std::int64_t delete_spent_email_tokens(database& db, std::int64_t now, const retention_policy& p) {
  db.prepare(q::delete_spent_email_tokens).bind_all(now, p.batch_rows, domain::email_change_interval_s).run();
  return db.changes();
}

std::int64_t strip_sent_mail(database& db, std::int64_t, const retention_policy& p) {
  db.prepare(q::strip_sent_mail).bind_all(p.batch_rows).run();
  return db.changes();
}

std::int64_t delete_unattached_customers(database& db, std::int64_t now, const retention_policy& p) {
  std::vector<std::int64_t> ids;
  auto& found = db.prepare(q::unattached_customers).bind_all(now - p.unattached_customer_s, now, p.batch_rows);
  while (found.step()) ids.push_back(found.integer(0));
  found.reset();
  for (auto id : ids) {
    db.prepare(q::delete_customer_events).bind_all(id).run();
    db.prepare(q::delete_customer).bind_all(id).run();
  }
  return static_cast<std::int64_t>(ids.size());
}

std::int64_t delete_expired_idempotency_keys(database& db, std::int64_t now, const retention_policy& p) {
  return delete_expired_idempotency(db, now, p.batch_rows);
}

}  // namespace

const std::vector<retention_step>& retention_steps() {
  static const std::vector<retention_step> steps = {
    {"sessions", delete_expired_sessions},
    {"auth_sessions", delete_expired_logins},
    {"password_tokens", delete_spent_password_tokens},
    {"email_tokens", delete_spent_email_tokens},
    {"mail_bodies", strip_sent_mail},
    {"customers", delete_unattached_customers},
    {"idempotency_keys", delete_expired_idempotency_keys},
    {"invoice_contacts", clear_expired_invoice_contacts},
    {"reminders", send_reminders},
  };
  return steps;
}

std::int64_t run_retention_batch(database& db, const retention_step& step, std::int64_t now,
                                 const retention_policy& policy) {
  transaction tx(db);
  std::int64_t rows = 0;
  try {
    rows = step.run(db, now, policy);
  } catch (...) {
    // A failed statement still in progress would make the rollback's RELEASE fail and leave the transaction open.
    db.reset_all();
    throw;
  }
  db.reset_all();
  tx.commit();
  return rows;
}

retention_report run_retention(database& db, std::int64_t now, const retention_policy& policy) {
  auto started = std::chrono::steady_clock::now();
  retention_report report;
  report.now = now;
  for (const auto& step : retention_steps()) {
    std::uint64_t total = 0;
    for (std::int64_t rows = policy.batch_rows; rows >= policy.batch_rows;) {
      rows = run_retention_batch(db, step, now, policy);
      total += static_cast<std::uint64_t>(rows);
    }
    report.rows.emplace_back(step.kind, total);
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace boutique::storage
