-- PostgreSQL's text of statements of storage/queries/bills.sql, under the same names (cmake/EmbedQueries.cmake,
-- DIALECT): storage/postgres_database.cpp runs these instead. Parameters are cast where PostgreSQL could not tell
-- their type from their place.

-- jsonb writes the whole snapshot anew (in its own spacing and key order): a status the snapshot already holds
-- leaves its row as it is, as SQLite's json_set leaves the same text.
-- name: sync_session_bill
UPDATE sessions SET snapshot = jsonb_set(jsonb_set(snapshot::jsonb, '{bill_status}', to_jsonb(?1::text)), '{stage}',
  CASE WHEN ?1::text = 'COMPLETE' THEN to_jsonb('completed'::text)
  ELSE coalesce(snapshot::jsonb -> 'stage', 'null'::jsonb) END)::text
  WHERE id = (SELECT session_id FROM bills WHERE transid = ?2::text)
  AND (snapshot::jsonb -> 'bill_status' IS DISTINCT FROM to_jsonb(?1::text)
    OR (?1::text = 'COMPLETE' AND snapshot::jsonb -> 'stage' IS DISTINCT FROM to_jsonb('completed'::text)));
