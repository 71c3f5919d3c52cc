#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "storage/queries/idempotency.hpp"

namespace boutique::storage {

namespace {

namespace q = sql::idempotency;  // storage/queries/idempotency.sql

}  // namespace

idempotency_verdict claim_idempotency(database& db, const idempotency_claim& claim) {
  idempotency_verdict verdict;
  std::optional<domain::idempotency_record> record;
  auto& st = db.prepare(q::select_key).bind_all(claim.key_hash);
  if (st.step()) {
    record = domain::idempotency_record{st.text(0), static_cast<int>(st.integer(1)), st.integer(4), st.integer(5)};
    verdict.content_type = st.text(2);
    verdict.body = st.text(3);
  }
  verdict.decision = domain::decide_idempotency(record, claim.fingerprint, claim.now, claim.stale_before);
  if (verdict.decision == domain::idempotency_decision::replay) {
    verdict.status = record->status;
    return verdict;
  }
  verdict.content_type.clear();
  verdict.body.clear();
  if (verdict.decision == domain::idempotency_decision::proceed)
    db.prepare(q::claim_key).bind_all(claim.key_hash, claim.fingerprint, claim.now, claim.expires_at).run();
  return verdict;
}

void settle_idempotency(database& db, const idempotency_outcome& outcome) {
  if (outcome.status == 0) {
    db.prepare(q::release_claim).bind_all(outcome.key_hash).run();
    return;
  }
  db.prepare(q::record_outcome)
    .bind_all(std::int64_t{outcome.status}, outcome.content_type, outcome.body, outcome.key_hash)
    .run();
}

std::int64_t delete_expired_idempotency(database& db, std::int64_t now, std::int64_t limit) {
  db.prepare(q::delete_expired).bind_all(now, limit).run();
  return db.changes();
}

}  // namespace boutique::storage
