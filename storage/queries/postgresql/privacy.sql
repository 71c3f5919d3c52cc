-- PostgreSQL's text of statements of storage/queries/privacy.sql, under the same names (cmake/EmbedQueries.cmake,
-- DIALECT): storage/postgres_database.cpp runs these instead. Parameters are cast where PostgreSQL could not tell
-- their type from their place.

-- name: mails_to
SELECT recipient, subject, created_at, sent_at FROM outbox WHERE lower(recipient) IN (?1::text, ?2::text) ORDER BY id;

-- name: delete_customer_sessions
DELETE FROM sessions WHERE customer_id = ?1;

-- name: expired_erased_invoices
SELECT b.id, b.customer_id FROM customers c JOIN bills b ON b.customer_id = c.id
  WHERE c.erased_at IS NOT NULL AND b.invoice_number IS NOT NULL AND b.emitted_at < ?1
  AND (b.contact::jsonb ->> 'email') IS DISTINCT FROM c.email LIMIT ?2;
