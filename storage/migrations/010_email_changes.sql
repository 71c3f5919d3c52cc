-- Email change (PUT /api/v1/me/email, confirmed by POST /api/v1/auth/email): a single-use link mailed to the new
-- address, stored as the SHA-256 of its token. A request for an address that already has an account stores a
-- spent row (used_at set) so that it counts against the one-request-a-minute limit and can never be confirmed.
CREATE TABLE email_tokens (
  hash       TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  email      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE INDEX email_tokens_user ON email_tokens(user_id, created_at);
