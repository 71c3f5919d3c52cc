-- Delivery through an SMTP relay (actors/mailer.cpp, domain/mail.hpp): a mail the relay defers (4xx) waits for
-- its next attempt; one it refuses (5xx), or defers too often, fails for good with the relay's answer, and is
-- never tried again. A mail is waiting while it is neither sent nor failed.
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN failed_at INTEGER;
ALTER TABLE outbox ADD COLUMN error TEXT NOT NULL DEFAULT '';
DROP INDEX outbox_unsent;
CREATE INDEX outbox_waiting ON outbox(id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_failed ON outbox(id) WHERE failed_at IS NOT NULL;
