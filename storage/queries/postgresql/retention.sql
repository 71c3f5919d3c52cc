-- PostgreSQL's text of statements of storage/queries/retention.sql, under the same names (cmake/EmbedQueries.cmake,
-- DIALECT): storage/postgres_database.cpp runs these instead. Parameters are cast where PostgreSQL could not tell
-- their type from their place.

-- name: strip_sent_mail
UPDATE outbox SET body = '', html = '', blocks = '' WHERE id IN
  (SELECT id FROM outbox WHERE sent_at IS NOT NULL AND (body <> '' OR html <> '' OR blocks <> '') LIMIT ?1);

-- name: unattached_customers
SELECT c.id FROM customers c WHERE c.user_id IS NULL AND c.seen_at <= ?1
  AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.customer_id = c.id)
  AND NOT EXISTS (SELECT 1 FROM products p WHERE p.customer_id = c.id)
  AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.customer_id = c.id AND s.expires_at > ?2)
  ORDER BY c.seen_at LIMIT ?3;

-- name: delete_spent_email_tokens
DELETE FROM email_tokens WHERE hash IN (SELECT hash FROM email_tokens
  WHERE (expires_at <= ?1::bigint OR used_at IS NOT NULL) AND created_at <= ?1::bigint - ?3::bigint LIMIT ?2);
