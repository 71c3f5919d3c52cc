-- Retention (storage/retention_queries.cpp): what the periodic clean-up looks rows up by.
-- seen_at: the last time a checkout deposited this customer's email, changed or not. A customer account never
-- attached to a user and never billed is deleted once it has not been seen for retention.unattached_customer_days.
ALTER TABLE customers ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE customers SET seen_at = updated_at;
CREATE INDEX customers_unattached_seen ON customers(seen_at) WHERE user_id IS NULL;
-- The customer account a checkout session holds: a customer held by an unexpired session is never deleted.
-- Partial: a session holding no customer (most, and every one a flood creates) costs a substring test, not a
-- JSON parse, at each write.
CREATE INDEX sessions_customer ON sessions(json_extract(snapshot, '$.customer_id'))
  WHERE instr(snapshot, '"customer_id":null') = 0;
CREATE INDEX auth_sessions_expiry ON auth_sessions(expires_at);
CREATE INDEX password_tokens_expiry ON password_tokens(expires_at);
-- Sent mail whose body (with its one-time link) is still stored: only rows written before bodies were emptied at
-- sending time.
CREATE INDEX outbox_sent_with_body ON outbox(id) WHERE sent_at IS NOT NULL AND body <> '';
