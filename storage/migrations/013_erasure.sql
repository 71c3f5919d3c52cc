-- Privacy (issue 15, point 4): a customer account or user erased at the person's request keeps its row, emptied of
-- personal data, with the time of the erasure (storage/privacy_queries.cpp). Issued invoices keep the buyer's
-- contact as billed until the retention step clears it (retention.invoice_years).
ALTER TABLE customers ADD COLUMN erased_at INTEGER;
ALTER TABLE users ADD COLUMN erased_at INTEGER;
-- An export lists, and an erasure deletes, the mails of an address.
CREATE INDEX outbox_recipient ON outbox(lower(recipient));
-- The retention step finds the erased customers, whose invoices it clears once their retention has ended.
CREATE INDEX customers_erased ON customers(erased_at) WHERE erased_at IS NOT NULL;
