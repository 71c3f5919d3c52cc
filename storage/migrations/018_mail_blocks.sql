-- An outbox mail keeps its body as composed: its blocks as JSON (domain::mail_body::to_json), rendered to text and
-- HTML by the mailer when it sends it, not by the storage writer in the transaction that queues it. A third of the
-- bytes (about 1.2 KB instead of 3.4 KB for a checkout's two mails). Rows queued before keep their text and HTML,
-- and are sent as they are.
ALTER TABLE outbox ADD COLUMN blocks TEXT NOT NULL DEFAULT '';
