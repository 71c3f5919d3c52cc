-- Outcomes of requests sent with an Idempotency-Key header (docs/API-NOTES.md, "Idempotency"): a retry with the
-- same key answers the recorded outcome, also after a restart. Keyed by the SHA-256 of the key's scope (route and
-- session) and the key; the session id itself is not kept here.
CREATE TABLE idempotency_keys (
  key_hash     TEXT PRIMARY KEY,
  fingerprint  TEXT NOT NULL,             -- SHA-256 of the request body
  status       INTEGER NOT NULL DEFAULT 0, -- HTTP status of the outcome; 0 while the first request runs
  content_type TEXT NOT NULL DEFAULT '',
  body         TEXT NOT NULL DEFAULT '',
  started_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX idempotency_expiry ON idempotency_keys(expires_at);
