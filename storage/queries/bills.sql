-- Bills, their lines and products, payment notifications, the completion: storage/bill_queries.cpp.
-- SQLite. Each statement follows a line `-- name: NAME`; cmake/EmbedQueries.cmake makes it the constant
-- boutique::storage::sql::bills::NAME in the build tree's generated/storage/queries/bills.hpp, its lines joined by
-- one space. SQL built from a described record stays in C++ (storage/schema_sql.hpp).

-- name: insert_bill
INSERT INTO bills (transid, session_id, customer_id, status, paymode, untaxed, taxes, total, currency, contact,
  emitted_at, updated_at, lang) VALUES (?, ?, ?, 'PLACED', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id;

-- name: insert_bill_item
INSERT INTO bill_items (bill_id, code, name, quantity, unit_price, untaxed, taxes, total, tax_rate_bp,
  duration_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- The next number of the year: the counter moves in the completion's transaction (no gap when it rolls back).
-- name: next_invoice_number
INSERT INTO invoice_counters (year, last) VALUES (?, 1)
  ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last;

-- A completed bill's last status and its invoice number, in one write of its row.
-- name: complete_bill
UPDATE bills SET status = ?, updated_at = ?, invoice_number = ? WHERE id = ?;

-- The next credit note number of the year, in the refund's transaction (no gap when it rolls back).
-- name: next_credit_note_number
INSERT INTO credit_note_counters (year, last) VALUES (?, 1)
  ON CONFLICT (year) DO UPDATE SET last = credit_note_counters.last + 1 RETURNING last;

-- name: set_credit_note_number
UPDATE bills SET credit_note_number = ?1, credit_note_at = ?3 WHERE id = ?2;

-- The products of a refunded bill end at the refund (?1), unless they ended before.
-- name: end_products_of_bill
UPDATE products SET end_at = ?1
  WHERE bill_item_id IN (SELECT id FROM bill_items WHERE bill_id = ?2) AND (end_at IS NULL OR end_at > ?1);

-- name: select_bill_items
SELECT code, name, quantity, unit_price, untaxed, taxes, total, id, tax_rate_bp, duration_days FROM bill_items
  WHERE bill_id = ? ORDER BY id;

-- name: bill_session
SELECT session_id FROM bills WHERE transid = ?;

-- name: update_bill_status
UPDATE bills SET status = ?, updated_at = ? WHERE transid = ?;

-- A cancelled bill leaves its session: '<session id>#<transid>', which no session carries (as migration 005 did).
-- name: cancel_bill
UPDATE bills SET status = 'CANCELLED', updated_at = ?1, session_id = session_id || '#' || transid
  WHERE transid = ?2;

-- name: select_notification
SELECT result FROM payment_notifications WHERE provider = ? AND txn_id = ?;

-- name: insert_notification
INSERT INTO payment_notifications (provider, txn_id, transid, status, result, received_at)
  VALUES (?, ?, ?, ?, ?, ?);

-- name: insert_product
INSERT INTO products (reference, customer_id, code, name, bill_item_id, start_at, end_at)
  VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: products_of_bill
SELECT p.reference, p.code, p.name, p.start_at, p.end_at FROM products p
  JOIN bill_items i ON i.id = p.bill_item_id JOIN bills b ON b.id = i.bill_id WHERE b.transid = ? ORDER BY p.id;

-- With whether the product's catalog item is renewable today (an item gone from the catalog is not).
-- name: products_of_customer
SELECT p.reference, p.code, p.name, p.start_at, p.end_at, b.status, coalesce(c.renewable, 0) FROM products p
  JOIN bill_items i ON i.id = p.bill_item_id JOIN bills b ON b.id = i.bill_id
  LEFT JOIN catalog_items c ON c.code = p.code
  WHERE p.customer_id = ? ORDER BY p.start_at DESC, p.id DESC;

-- name: user_by_email
SELECT id FROM users WHERE email_norm = ?;

-- name: insert_user
INSERT INTO users (username, email_norm, password_hash, firstname, lastname, created_at, lang)
  VALUES (?, ?, NULL, ?, ?, ?, ?) RETURNING id;

-- name: user_has_customer
SELECT 1 FROM customers WHERE user_id = ?;

-- name: attach_customer
UPDATE customers SET user_id = ? WHERE id = ? AND user_id IS NULL;

-- name: sync_session_bill
UPDATE sessions SET snapshot = json_set(snapshot, '$.bill_status', ?1, '$.stage',
  CASE WHEN ?1 = 'COMPLETE' THEN 'completed' ELSE json_extract(snapshot, '$.stage') END)
  WHERE id = (SELECT session_id FROM bills WHERE transid = ?2);
