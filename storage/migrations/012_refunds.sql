-- Refunds (issue 15, point 3): a refunded bill (PAYBACK) gets a credit note number CN-YYYY-NNNNNN, sequential without
-- gaps per year of the refund (UTC), assigned in the refund's transaction from the year's counter.
ALTER TABLE bills ADD COLUMN credit_note_number TEXT;
CREATE UNIQUE INDEX bills_credit_note_number ON bills(credit_note_number) WHERE credit_note_number IS NOT NULL;
CREATE TABLE credit_note_counters (
  year INTEGER PRIMARY KEY,
  last INTEGER NOT NULL
);
