-- PostgreSQL's text of statements of storage/queries/mail.sql, under the same names (cmake/EmbedQueries.cmake,
-- DIALECT): storage/postgres_database.cpp runs these instead.

-- Two nodes claiming at once take different mails: the rows one locks the other skips.
-- name: claim_mail
UPDATE outbox SET next_attempt_at = ?1 WHERE id IN (SELECT id FROM outbox
  WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?2 ORDER BY id LIMIT ?3 FOR UPDATE SKIP LOCKED)
  RETURNING id, recipient, subject, body, created_at, attempts, html, blocks;
