// The outbox: mails committed with the event that needed them, then handed to the transport by the mailer.
#include "storage/database.hpp"
#include "storage/queries.hpp"

namespace boutique::storage {

namespace {

constexpr const char* sql_insert_mail =
  "INSERT INTO outbox (recipient, subject, body, created_at) VALUES (?, ?, ?, ?)";
constexpr const char* sql_due_mail =
  "SELECT id, recipient, subject, body, created_at, attempts FROM outbox "
  "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?";
constexpr const char* sql_waiting_mail =
  "SELECT count(*), coalesce(min(created_at), 0) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL";
// The body holds the one-time password link: once the mail is out (or can never be), the database keeps only who,
// what, when and the relay's answer.
constexpr const char* sql_mark_sent =
  "UPDATE outbox SET sent_at = ?, attempts = ?, body = '' WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL";
constexpr const char* sql_mark_waiting =
  "UPDATE outbox SET attempts = ?, next_attempt_at = ?, error = ? "
  "WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL";
constexpr const char* sql_mark_failed =
  "UPDATE outbox SET failed_at = ?, attempts = ?, error = ?, body = '' "
  "WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL";

}  // namespace

void queue_mail(database& db, const std::string& recipient, const std::string& subject, const std::string& body,
                std::int64_t now) {
  db.prepare(sql_insert_mail).bind_all(recipient, subject, body, now).run();
}

outbox_batch due_mail(database& db, std::int64_t now, int limit) {
  outbox_batch batch;
  auto& due = db.prepare(sql_due_mail).bind_all(now, std::int64_t{limit});
  while (due.step())
    batch.due.push_back({due.integer(0), due.text(1), due.text(2), due.text(3), due.integer(4),
                         static_cast<int>(due.integer(5))});
  auto& waiting = db.prepare(sql_waiting_mail);
  if (waiting.step()) {
    batch.queued = waiting.integer(0);
    batch.oldest_queued_at = waiting.integer(1);
  }
  waiting.reset();
  return batch;
}

void record_mail_outcomes(database& db, const std::vector<domain::mail_outcome>& outcomes) {
  using state = domain::mail_outcome::state;
  for (const auto& o : outcomes) {
    std::int64_t attempts = o.attempts;
    switch (o.after) {
      case state::sent: db.prepare(sql_mark_sent).bind_all(o.at, attempts, o.id).run(); break;
      case state::waiting: db.prepare(sql_mark_waiting).bind_all(attempts, o.at, o.error, o.id).run(); break;
      case state::failed: db.prepare(sql_mark_failed).bind_all(o.at, attempts, o.error, o.id).run(); break;
    }
  }
}

}  // namespace boutique::storage
