-- The outbox: storage/mail_queries.cpp.
-- SQLite. Each statement follows a line `-- name: NAME`; cmake/EmbedQueries.cmake makes it the constant
-- boutique::storage::sql::mail::NAME in the build tree's generated/storage/queries/mail.hpp, its lines joined by one
-- space. SQL built from a described record stays in C++ (storage/schema_sql.hpp).

-- name: insert_mail
INSERT INTO outbox (recipient, subject, body, html, blocks, created_at) VALUES (?, ?, '', '', ?, ?);

-- name: due_mail
SELECT id, recipient, subject, body, created_at, attempts, html, blocks FROM outbox
  WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?;

-- The due mail taken by one sender among several (the nodes of a cluster): pushed out of everyone's way until ?1, the
-- time by which this sender has tried them (and recorded what became of them, which sets the time again).
-- name: claim_mail
UPDATE outbox SET next_attempt_at = ?1 WHERE id IN (SELECT id FROM outbox
  WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?2 ORDER BY id LIMIT ?3)
  RETURNING id, recipient, subject, body, created_at, attempts, html, blocks;

-- The count reads the partial index alone, and the oldest is the first waiting mail by id (ids grow with time): a
-- min(created_at) read every waiting row, 20 ms a poll with 20,000 mails waiting.
-- name: waiting_mail
SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL),
  coalesce((SELECT created_at FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT 1), 0);

-- The body (its blocks, or the text and HTML of a mail queued before migration 018) holds the one-time password link:
-- once the mail is out (or can never be), the database keeps only who, what, when and the relay's answer.
-- name: mark_sent
UPDATE outbox SET sent_at = ?, attempts = ?, body = '', html = '', blocks = ''
  WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL;

-- name: mark_waiting
UPDATE outbox SET attempts = ?, next_attempt_at = ?, error = ?
  WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL;

-- name: mark_failed
UPDATE outbox SET failed_at = ?, attempts = ?, error = ?, body = '', html = '', blocks = ''
  WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL;
