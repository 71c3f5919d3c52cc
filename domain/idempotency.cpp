#include "domain/idempotency.hpp"

#include <algorithm>

namespace boutique::domain {

bool valid_idempotency_key(std::string_view key) {
  return !key.empty() && key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

idempotency_decision decide_idempotency(const std::optional<idempotency_record>& record, const std::string& fingerprint,
                                        std::int64_t now, std::int64_t stale_before) {
  if (!record || record->expires_at <= now) return idempotency_decision::proceed;
  if (record->fingerprint != fingerprint) return idempotency_decision::mismatch;
  if (record->status != 0) return idempotency_decision::replay;
  if (record->started_at < stale_before) return idempotency_decision::proceed;
  return idempotency_decision::in_progress;
}

bool keeps_idempotent_outcome(int status) { return status > 0 && status < 500; }

}  // namespace boutique::domain
