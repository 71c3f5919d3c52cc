// The cluster's login throttles on PostgreSQL (storage/attempts.hpp).
#include "storage/attempts.hpp"

#include "storage/database.hpp"

#include <algorithm>

namespace boutique::storage {

namespace {

constexpr const char* sql_lock =
  "SELECT started, in_flight, failures, admitted_at, CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT) "
  "FROM login_attempts WHERE scope = ? AND key = ? FOR UPDATE";

// A key not counted yet: its row, empty, locked as it is inserted. Nothing when another transaction inserted it
// first (it is then locked as above once that one ended).
constexpr const char* sql_insert =
  "INSERT INTO login_attempts (scope, key, started, in_flight, failures, admitted_at, forget_at) "
  "VALUES (?, ?, 0, 0, 0, 0, 0) ON CONFLICT (scope, key) DO NOTHING "
  "RETURNING CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT)";

constexpr const char* sql_update =
  "UPDATE login_attempts SET started = ?3, in_flight = ?4, failures = ?5, admitted_at = ?6, forget_at = ?7 "
  "WHERE scope = ?1 AND key = ?2";

constexpr const char* sql_delete = "DELETE FROM login_attempts WHERE scope = ? AND key = ?";

constexpr const char* sql_forget =
  "DELETE FROM login_attempts WHERE ctid IN (SELECT ctid FROM login_attempts "
  "WHERE forget_at < CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT) LIMIT ? FOR UPDATE SKIP LOCKED)";

struct counted {
  domain::attempt_window window;
  std::int64_t admitted_at = 0;
  std::int64_t now = 0;
};

/// The row of `key`, locked to the end of the transaction (inserted empty when there is none).
counted lock_row(database& db, const std::string& scope, const std::string& key) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto& row = db.prepare(sql_lock);
    row.bind_all(scope, key);
    if (row.step()) {
      counted c{{row.integer(0), static_cast<int>(row.integer(1)), static_cast<int>(row.integer(2))},
                row.integer(3), row.integer(4)};
      row.reset();
      return c;
    }
    row.reset();
    auto& insert = db.prepare(sql_insert);
    insert.bind_all(scope, key);
    if (insert.step()) {
      counted c{{}, 0, insert.integer(0)};
      insert.reset();
      return c;
    }
    insert.reset();  // inserted meanwhile by another node: locked on the next round (unless deleted again)
  }
  throw storage_error("login_attempts: a row kept coming and going");
}

}  // namespace

domain::attempt_admission apply_attempt_step(database& db, const attempt_step& step) {
  const auto& key = step.key;
  auto c = lock_row(db, step.scope, key);
  auto& w = c.window;
  auto before = w;
  if (w.in_flight > 0 && c.now - c.admitted_at >= step.in_flight_s) {  // never told how they ended: failed
    w.failures += w.in_flight;
    w.in_flight = 0;
  }
  domain::attempt_admission answer;
  switch (step.what) {
    case attempt_step::outcome::admit:
      answer = domain::admit_attempt(w, c.now, step.max_attempts, step.window_s);
      if (answer.admitted()) c.admitted_at = c.now;
      break;
    case attempt_step::outcome::failed: domain::fail_attempt(w, c.now); break;
    case attempt_step::outcome::succeeded: domain::finish_attempt(w, step.forgivable); break;
    case attempt_step::outcome::withdrawn: domain::finish_attempt(w, 0); break;
  }
  if (w.empty()) {
    db.prepare(sql_delete).bind_all(step.scope, key).run();
  } else if (w.started != before.started || w.in_flight != before.in_flight || w.failures != before.failures ||
             answer.admitted()) {
    auto forget_at = std::max(w.started + step.window_s, c.admitted_at + step.in_flight_s);
    db.prepare(sql_update)
      .bind_all(step.scope, key, w.started, std::int64_t{w.in_flight}, std::int64_t{w.failures}, c.admitted_at,
                forget_at)
      .run();
  }
  return answer;
}

int forget_attempts(database& db, int limit) {
  db.prepare(sql_forget).bind_all(std::int64_t{limit}).run();
  return db.changes();
}

}  // namespace boutique::storage
