-- Reminders (issue 15, point 5): a product is mailed once before it ends (domain/reminder.hpp); the time of that
-- reminder, set in the transaction that queues the mail, is what makes it once, across runs and restarts.
ALTER TABLE products ADD COLUMN reminded_at INTEGER;
-- The reminder step scans the products not reminded yet by their end.
CREATE INDEX products_unreminded_end ON products(end_at) WHERE reminded_at IS NULL;
