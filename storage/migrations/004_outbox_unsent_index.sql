-- The mailer polls for unsent mail: index only those rows (the scan over every mail ever sent grew with the outbox).
CREATE INDEX outbox_unsent ON outbox(id) WHERE sent_at IS NULL;
