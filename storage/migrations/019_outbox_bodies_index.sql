-- Retention empties the bodies of sent mail (storage/queries/retention.sql, strip_sent_mail). Its partial index
-- (migration 006) covered the text only, so the query, which also looks at the HTML (014) and the blocks (018),
-- read the whole outbox at every run. The index now has the query's own condition: the run reads those rows alone.
DROP INDEX outbox_sent_with_body;
CREATE INDEX outbox_sent_with_body ON outbox(id)
  WHERE sent_at IS NOT NULL AND (body <> '' OR html <> '' OR blocks <> '');
