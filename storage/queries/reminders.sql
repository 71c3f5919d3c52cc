-- The reminder step of the scheduled job: storage/reminder_queries.cpp.
-- SQLite. Each statement follows a line `-- name: NAME`; cmake/EmbedQueries.cmake makes it the constant
-- boutique::storage::sql::reminders::NAME in the build tree's generated/storage/queries/reminders.hpp, its lines
-- joined by one space. SQL built from a described record stays in C++ (storage/schema_sql.hpp).

-- The products due for their reminder at ?1 (unix seconds), ?2 being reminders.days_before in seconds: the rule of
-- domain::reminder_due in SQL (not reminded yet, ending after ?1 and within the lead: ?2, at most half the term;
-- paid, not refunded; customer not erased; not renewed: no other product of the customer's for the same item ends
-- later or never), with what the mail says and whom it goes to, in the customer's language (their user's, else the
-- bill's). Soonest end first, ?3 at most.
-- name: due_reminders
SELECT p.id, p.customer_id, p.reference, p.code, p.name, p.start_at, p.end_at, coalesce(ci.renewable, 0),
  c.email, c.firstname, coalesce(u.lang, b.lang), b.status, c.erased_at IS NOT NULL,
  EXISTS (SELECT 1 FROM products r WHERE r.customer_id = p.customer_id AND r.code = p.code AND r.id <> p.id
    AND (r.end_at IS NULL OR r.end_at > p.end_at)) AS renewed
  FROM products p JOIN bill_items i ON i.id = p.bill_item_id JOIN bills b ON b.id = i.bill_id
  JOIN customers c ON c.id = p.customer_id LEFT JOIN users u ON u.id = c.user_id
  LEFT JOIN catalog_items ci ON ci.code = p.code
  WHERE p.reminded_at IS NULL AND p.end_at > ?1 AND p.end_at <= ?1 + ?2
    AND p.end_at - ?1 <= (p.end_at - p.start_at) / 2 AND b.status = 'COMPLETE' AND c.erased_at IS NULL
    AND NOT renewed
  ORDER BY p.end_at, p.id LIMIT ?3;

-- Once per product: a product reminded meanwhile changes no row.
-- name: mark_reminded
UPDATE products SET reminded_at = ?1 WHERE id = ?2 AND reminded_at IS NULL;
