// The outbox: mails committed with the event that needed them, then handed to the transport by the mailer.
#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "storage/queries/mail.hpp"

#include <algorithm>

namespace boutique::storage {

namespace {

namespace q = sql::mail;  // storage/queries/mail.sql

}  // namespace

void queue_mail(database& db, const domain::composed_mail& mail, std::int64_t now) {
  db.prepare(q::insert_mail).bind_all(mail.recipient, mail.subject, mail.content.to_json(), now).run();
}

namespace {

outbox_batch read_batch(database& db, statement& due) {
  outbox_batch batch;
  while (due.step())
    batch.due.push_back({due.integer(0), due.text(1), due.text(2), due.text(3), due.integer(4),
                         static_cast<int>(due.integer(5)), due.text(6), due.text(7)});
  due.reset();
  std::sort(batch.due.begin(), batch.due.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  auto& waiting = db.prepare(q::waiting_mail);
  if (waiting.step()) {
    batch.queued = waiting.integer(0);
    batch.oldest_queued_at = waiting.integer(1);
  }
  waiting.reset();
  return batch;
}

}  // namespace

outbox_batch due_mail(database& db, std::int64_t now, int limit) {
  return read_batch(db, db.prepare(q::due_mail).bind_all(now, std::int64_t{limit}));
}

outbox_batch claim_due_mail(database& db, std::int64_t now, int limit, std::int64_t until) {
  return read_batch(db, db.prepare(q::claim_mail).bind_all(until, now, std::int64_t{limit}));
}

void record_mail_outcomes(database& db, const std::vector<domain::mail_outcome>& outcomes) {
  using state = domain::mail_outcome::state;
  for (const auto& o : outcomes) {
    std::int64_t attempts = o.attempts;
    switch (o.after) {
      case state::sent: db.prepare(q::mark_sent).bind_all(o.at, attempts, o.id).run(); break;
      case state::waiting: db.prepare(q::mark_waiting).bind_all(attempts, o.at, o.error, o.id).run(); break;
      case state::failed: db.prepare(q::mark_failed).bind_all(o.at, attempts, o.error, o.id).run(); break;
    }
  }
}

}  // namespace boutique::storage
