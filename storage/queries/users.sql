-- Users: logins, password links, the email change: storage/user_queries.cpp.
-- SQLite. Each statement follows a line `-- name: NAME`; cmake/EmbedQueries.cmake makes it the constant
-- boutique::storage::sql::users::NAME in the build tree's generated/storage/queries/users.hpp, its lines joined by
-- one space. SQL built from a described record stays in C++ (storage/schema_sql.hpp).

-- name: find_token
SELECT user_id FROM password_tokens WHERE hash = ? AND used_at IS NULL AND expires_at > ?;

-- name: use_token
UPDATE password_tokens SET used_at = ? WHERE hash = ?;

-- name: set_password
UPDATE users SET password_hash = ? WHERE id = ?;

-- A password set through a link retires the user's other links and ends their logins.
-- name: retire_tokens
UPDATE password_tokens SET used_at = ?1 WHERE user_id = ?2 AND used_at IS NULL;

-- name: end_logins
DELETE FROM auth_sessions WHERE user_id = ?;

-- name: end_other_logins
DELETE FROM auth_sessions WHERE user_id = ?1 AND token_hash <> ?2;

-- name: customer_of_user
SELECT id FROM customers WHERE user_id = ?;

-- name: login_held
SELECT 1 FROM auth_sessions WHERE user_id = ? AND token_hash = ?;

-- name: retire_email_tokens
UPDATE email_tokens SET used_at = ?1 WHERE user_id = ?2 AND used_at IS NULL;

-- An unused link of the user issued less than `password_reset_interval_s` ago (its expiry is later than ?2).
-- name: recent_token
SELECT 1 FROM password_tokens WHERE user_id = ?1 AND used_at IS NULL AND expires_at > ?2;

-- name: insert_token
INSERT INTO password_tokens (hash, user_id, expires_at) VALUES (?, ?, ?);

-- name: insert_auth_session
INSERT INTO auth_sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?);

-- The language of the pages a user logged in on: their account mails speak it.
-- name: set_user_lang
UPDATE users SET lang = ? WHERE id = ?;

-- name: delete_auth_session
DELETE FROM auth_sessions WHERE token_hash = ?;

-- The email change.
-- The address belongs to another user, or to a customer account that is not this user's.
-- Whether the address belongs to another account, and in which language its owner reads mails (a user's, or the
-- customer's last checkout's).
-- name: email_taken
SELECT lang FROM users WHERE email_norm = ?1 AND id <> ?2
  UNION ALL SELECT coalesce((SELECT b.lang FROM bills b WHERE b.customer_id = c.id ORDER BY b.id DESC LIMIT 1), 'en')
  FROM customers c WHERE c.email_norm = ?1 AND (c.user_id IS NULL OR c.user_id <> ?2) LIMIT 1;

-- name: recent_email_request
SELECT 1 FROM email_tokens WHERE user_id = ? AND created_at > ?;

-- name: insert_email_token
INSERT INTO email_tokens (hash, user_id, email, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?);

-- name: find_email_token
SELECT user_id, email FROM email_tokens WHERE hash = ? AND used_at IS NULL AND expires_at > ?;

-- The username follows the address when it was the address (and the new one is no one's username).
-- name: username_follows
UPDATE users SET username = ?1 WHERE id = ?2 AND username = ?3
  AND NOT EXISTS (SELECT 1 FROM users WHERE username = ?1);

-- name: set_user_email
UPDATE users SET email_norm = ? WHERE id = ?;

-- name: set_customer_email
UPDATE customers SET email = ?1, email_norm = ?2, updated_at = ?3, version = version + 1 WHERE id = ?4;
