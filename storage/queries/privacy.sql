-- Export and erasure of a person's data: storage/privacy_queries.cpp.
-- SQLite. Each statement follows a line `-- name: NAME`; cmake/EmbedQueries.cmake makes it the constant
-- boutique::storage::sql::privacy::NAME in the build tree's generated/storage/queries/privacy.hpp, its lines
-- joined by one space. SQL built from a described record stays in C++ (storage/schema_sql.hpp).

-- name: customer_erased_at
SELECT erased_at FROM customers WHERE id = ?;

-- name: user_erased_at
SELECT erased_at FROM users WHERE id = ?;

-- The mails to the person's addresses (pinned to the index of migration 013).
-- name: mails_to
SELECT recipient, subject, created_at, sent_at FROM outbox INDEXED BY outbox_recipient
  WHERE lower(recipient) IN (?1, ?2) ORDER BY id;

-- name: active_logins
SELECT count(*) FROM auth_sessions WHERE user_id = ?1 AND expires_at > ?2;

-- name: bill_statuses
SELECT transid, status FROM bills WHERE customer_id = ? ORDER BY id;

-- name: issued_invoices
SELECT count(*) FROM bills WHERE customer_id = ? AND invoice_number IS NOT NULL;

-- Bills that are no invoice keep no contact: ?2 is the erased contact's JSON.
-- name: clear_unissued_bills
UPDATE bills SET contact = ?2 WHERE customer_id = ?1 AND invoice_number IS NULL;

-- name: mark_customer_erased
UPDATE customers SET erased_at = ?2 WHERE id = ?1;

-- name: clear_event_details
UPDATE customer_events SET detail = '' WHERE customer_id = ?;

-- The checkout sessions saved with the customer account (pinned to the index of migration 017, as retention).
-- name: delete_customer_sessions
DELETE FROM sessions INDEXED BY sessions_customer WHERE customer_id = ?1;

-- name: delete_mails_to
DELETE FROM outbox WHERE lower(recipient) IN (?1, ?2);

-- name: erase_user
UPDATE users SET username = ?2, email_norm = ?2, password_hash = NULL, firstname = '', lastname = '',
  erased_at = ?3 WHERE id = ?1;

-- name: delete_user_logins
DELETE FROM auth_sessions WHERE user_id = ?;

-- name: delete_user_password_tokens
DELETE FROM password_tokens WHERE user_id = ?;

-- name: delete_user_email_tokens
DELETE FROM email_tokens WHERE user_id = ?;

-- Retention: invoices of erased customers issued before ?1 (their retention over) lose the buyer's contact. ?2 is
-- the batch size; the contact is replaced by the erased customer's (storage/privacy_queries.cpp), whose address the
-- erased account holds: an invoice with another address still names the buyer.
-- name: expired_erased_invoices
SELECT b.id, b.customer_id FROM customers c INDEXED BY customers_erased JOIN bills b ON b.customer_id = c.id
  WHERE c.erased_at IS NOT NULL AND b.invoice_number IS NOT NULL AND b.emitted_at < ?1
  AND json_extract(b.contact, '$.email') IS NOT c.email LIMIT ?2;

-- name: set_bill_contact
UPDATE bills SET contact = ?2 WHERE id = ?1;
