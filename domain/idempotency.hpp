#pragma once

// Requests sent with an Idempotency-Key header (docs/API-NOTES.md, "Idempotency"): the decisions, without storage.

#include <boost/describe/enum.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boutique::domain {

/// True for a usable key: 1..64 visible ASCII characters (0x21..0x7E).
bool valid_idempotency_key(std::string_view key);

/// A key as recorded: the first request's body fingerprint and, once it answered, its outcome.
struct idempotency_record {
  std::string fingerprint;
  int status = 0;  ///< 0 while the first request runs
  std::int64_t started_at = 0;
  std::int64_t expires_at = 0;
};

enum class idempotency_decision {
  proceed,      ///< run the request (first use of the key, expired record, or an abandoned claim taken over)
  replay,       ///< answer the recorded outcome
  mismatch,     ///< the key was used with another body: 422
  in_progress,  ///< the first request with this key is still running: 409
};
BOOST_DESCRIBE_ENUM(idempotency_decision, proceed, replay, mismatch, in_progress)

/// What a request with `fingerprint` does with the key's `record` at `now`. A claim started before
/// `stale_before` was abandoned (its process stopped before answering) and is taken over.
idempotency_decision decide_idempotency(const std::optional<idempotency_record>& record, const std::string& fingerprint,
                                        std::int64_t now, std::int64_t stale_before);

/// Outcomes kept for retries: every answer below 500. A 5xx (timeout, storage failure) releases the key, so that
/// a retry runs the request again (the operations behind these routes are themselves safe to repeat).
bool keeps_idempotent_outcome(int status);

}  // namespace boutique::domain
