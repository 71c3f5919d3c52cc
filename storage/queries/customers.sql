-- Customer accounts and their events, checkout sessions, service keys: storage/customer_queries.cpp.
-- SQLite. Each statement follows a line `-- name: NAME`; cmake/EmbedQueries.cmake makes it the constant
-- boutique::storage::sql::customers::NAME in the build tree's generated/storage/queries/customers.hpp, its lines
-- joined by one space. SQL built from a described record stays in C++ (storage/schema_sql.hpp).

-- A deposit that changes nothing still tells retention that a checkout holds this account.
-- name: touch_customer
UPDATE customers SET seen_at = ?2 WHERE id = ?1 AND seen_at < ?2;

-- name: insert_event
INSERT INTO customer_events (customer_id, at, kind, detail) VALUES (?, ?, ?, ?);

-- customer_id: the account the snapshot holds (retention and erasure look it up; migration 017), read once here; a
-- snapshot holding none (most, and every one a flood creates) costs a substring test, not a JSON parse.
-- name: upsert_session
INSERT INTO sessions (id, snapshot, updated_at, expires_at, customer_id)
  VALUES (?1, ?2, strftime('%s','now'), ?3,
    CASE WHEN instr(?2, '"customer_id":null') = 0 THEN json_extract(?2, '$.customer_id') END)
  ON CONFLICT(id) DO UPDATE SET snapshot = excluded.snapshot, updated_at = excluded.updated_at,
  expires_at = excluded.expires_at, customer_id = excluded.customer_id;

-- name: customer_events
SELECT at, kind, detail FROM customer_events WHERE customer_id = ? ORDER BY at, id;

-- A cancelled bill has left its session for good: a rename never brings it back.
-- name: move_bill
UPDATE bills SET session_id = ?2 WHERE transid = ?1 AND status <> 'CANCELLED';

-- name: insert_key
INSERT INTO service_keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING;

-- name: select_key
SELECT value FROM service_keys WHERE name = ?;

-- name: select_session
SELECT snapshot FROM sessions WHERE id = ? AND expires_at > ?;
