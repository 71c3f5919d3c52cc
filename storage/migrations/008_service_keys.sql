-- Keys the service makes once and keeps across restarts (e.g. the key that signs new checkout-session ids,
-- whose sessions are stored only with their first change).
CREATE TABLE service_keys (
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
