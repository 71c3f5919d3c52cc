-- The retention steps: storage/retention_queries.cpp.
-- SQLite. Each statement follows a line `-- name: NAME`; cmake/EmbedQueries.cmake makes it the constant
-- boutique::storage::sql::retention::NAME in the build tree's generated/storage/queries/retention.hpp, its lines
-- joined by one space. SQL built from a described record stays in C++ (storage/schema_sql.hpp).

-- name: delete_expired_sessions
DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= ?1 LIMIT ?2);

-- name: delete_expired_logins
DELETE FROM auth_sessions WHERE token_hash IN
  (SELECT token_hash FROM auth_sessions WHERE expires_at <= ?1 LIMIT ?2);

-- Spent email links, once they no longer count for the one-request-a-minute limit.
-- name: delete_spent_email_tokens
DELETE FROM email_tokens WHERE hash IN (SELECT hash FROM email_tokens
  WHERE (expires_at <= ?1 OR used_at IS NOT NULL) AND created_at <= ?1 - ?3 LIMIT ?2);

-- name: delete_spent_password_tokens
DELETE FROM password_tokens WHERE hash IN
  (SELECT hash FROM password_tokens WHERE expires_at <= ?1 OR used_at IS NOT NULL LIMIT ?2);

-- name: strip_sent_mail
UPDATE outbox SET body = '', html = '', blocks = '' WHERE id IN
  (SELECT id FROM outbox INDEXED BY outbox_sent_with_body
   WHERE sent_at IS NOT NULL AND (body <> '' OR html <> '' OR blocks <> '') LIMIT ?1);

-- Both scans are pinned to their partial indexes (migrations 006 and 017).
-- name: unattached_customers
SELECT c.id FROM customers c INDEXED BY customers_unattached_seen WHERE c.user_id IS NULL AND c.seen_at <= ?1
  AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.customer_id = c.id)
  AND NOT EXISTS (SELECT 1 FROM products p WHERE p.customer_id = c.id)
  AND NOT EXISTS (SELECT 1 FROM sessions s INDEXED BY sessions_customer
    WHERE s.customer_id = c.id AND s.expires_at > ?2)
  ORDER BY c.seen_at LIMIT ?3;

-- name: delete_customer_events
DELETE FROM customer_events WHERE customer_id = ?;

-- name: delete_customer
DELETE FROM customers WHERE id = ?;
