-- Mails in the customer's language, as text and HTML (issue 15, point 6). A bill keeps the language of the checkout
-- that placed it (its order, password-link, cancellation and refund mails speak it); a user keeps the language of
-- the pages they last used logged in (their account mails speak it); an outbox mail keeps its HTML alternative.
-- Rows written before this migration are English and text only, as they were.
ALTER TABLE bills ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
ALTER TABLE outbox ADD COLUMN html TEXT NOT NULL DEFAULT '';
