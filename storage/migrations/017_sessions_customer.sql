-- The customer account a saved checkout session holds, as a column written with the snapshot (storage/queries/
-- customers.sql, upsert_session) instead of migration 006's index on json_extract(snapshot, '$.customer_id'):
-- that index parsed the snapshot (about 1 KB of JSON) twice at every save of a session holding a customer, the
-- old row's to drop its entry and the new row's to add it, on the single writer.
ALTER TABLE sessions ADD COLUMN customer_id INTEGER;
UPDATE sessions SET customer_id = json_extract(snapshot, '$.customer_id')
  WHERE json_valid(snapshot) AND instr(snapshot, '"customer_id":null') = 0;
DROP INDEX sessions_customer;
CREATE INDEX sessions_customer ON sessions(customer_id) WHERE customer_id IS NOT NULL;
