-- PostgreSQL's text of statements of storage/queries/reminders.sql, under the same names (cmake/EmbedQueries.cmake,
-- DIALECT): storage/postgres_database.cpp runs these instead. Parameters are cast where PostgreSQL could not tell
-- their type from their place.

-- A select list's name cannot be used in WHERE here: the renewal test is written out, and a row found is never
-- renewed.
-- name: due_reminders
SELECT p.id, p.customer_id, p.reference, p.code, p.name, p.start_at, p.end_at, coalesce(ci.renewable, 0),
  c.email, c.firstname, coalesce(u.lang, b.lang), b.status, c.erased_at IS NOT NULL, false AS renewed
  FROM products p JOIN bill_items i ON i.id = p.bill_item_id JOIN bills b ON b.id = i.bill_id
  JOIN customers c ON c.id = p.customer_id LEFT JOIN users u ON u.id = c.user_id
  LEFT JOIN catalog_items ci ON ci.code = p.code
  WHERE p.reminded_at IS NULL AND p.end_at > ?1::bigint AND p.end_at <= ?1::bigint + ?2::bigint
    AND p.end_at - ?1::bigint <= (p.end_at - p.start_at) / 2 AND b.status = 'COMPLETE' AND c.erased_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM products r WHERE r.customer_id = p.customer_id AND r.code = p.code AND r.id <> p.id
      AND (r.end_at IS NULL OR r.end_at > p.end_at))
  ORDER BY p.end_at, p.id LIMIT ?3;
