-- Idempotency keys: storage/idempotency_queries.cpp.
-- SQLite. Each statement follows a line `-- name: NAME`; cmake/EmbedQueries.cmake makes it the constant
-- boutique::storage::sql::idempotency::NAME in the build tree's generated/storage/queries/idempotency.hpp, its lines
-- joined by one space. SQL built from a described record stays in C++ (storage/schema_sql.hpp).

-- name: select_key
SELECT fingerprint, status, content_type, body, started_at, expires_at FROM idempotency_keys WHERE key_hash = ?;

-- name: claim_key
INSERT INTO idempotency_keys (key_hash, fingerprint, status, content_type, body, started_at, expires_at)
  VALUES (?, ?, 0, '', '', ?, ?)
  ON CONFLICT (key_hash) DO UPDATE SET fingerprint = excluded.fingerprint, status = 0, content_type = '', body = '',
  started_at = excluded.started_at, expires_at = excluded.expires_at;

-- name: record_outcome
UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE key_hash = ? AND status = 0;

-- name: release_claim
DELETE FROM idempotency_keys WHERE key_hash = ? AND status = 0;

-- name: delete_expired
DELETE FROM idempotency_keys WHERE key_hash IN
  (SELECT key_hash FROM idempotency_keys WHERE expires_at <= ?1 LIMIT ?2);
