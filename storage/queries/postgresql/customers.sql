-- PostgreSQL's text of statements of storage/queries/customers.sql, under the same names (cmake/EmbedQueries.cmake,
-- DIALECT): storage/postgres_database.cpp runs these instead. Parameters are cast where PostgreSQL could not tell
-- their type from their place.

-- The time is the server's, as SQLite's strftime('%s','now').
-- name: upsert_session
INSERT INTO sessions (id, snapshot, updated_at, expires_at, customer_id)
  VALUES (?1::text, ?2::text, extract(epoch FROM now())::bigint, ?3::bigint,
    CASE WHEN strpos(?2::text, '"customer_id":null') = 0 THEN (?2::text::jsonb ->> 'customer_id')::bigint END)
  ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot, updated_at = excluded.updated_at,
  expires_at = excluded.expires_at, customer_id = excluded.customer_id;
