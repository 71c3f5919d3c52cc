-- Invoice numbers (issue 15, point 2): each completed bill gets YYYY-NNNNNN, sequential without gaps per year of
-- completion (UTC), assigned in the completion transaction from the year's counter, so that a rolled-back
-- completion takes no number.
ALTER TABLE bills ADD COLUMN invoice_number TEXT;
CREATE UNIQUE INDEX bills_invoice_number ON bills(invoice_number) WHERE invoice_number IS NOT NULL;
CREATE TABLE invoice_counters (
  year INTEGER PRIMARY KEY,
  last INTEGER NOT NULL
);

-- Bills completed before: numbered in the order they completed (last update, then id), per year.
UPDATE bills SET invoice_number = (
  SELECT printf('%04d-%06d', r.year, r.n) FROM (
    SELECT id, CAST(strftime('%Y', updated_at, 'unixepoch') AS INTEGER) AS year,
           ROW_NUMBER() OVER (PARTITION BY strftime('%Y', updated_at, 'unixepoch') ORDER BY updated_at, id) AS n
    FROM bills WHERE status = 'COMPLETE') r
  WHERE r.id = bills.id)
WHERE status = 'COMPLETE';
INSERT INTO invoice_counters (year, last)
  SELECT CAST(substr(invoice_number, 1, 4) AS INTEGER), MAX(CAST(substr(invoice_number, 6) AS INTEGER))
  FROM bills WHERE invoice_number IS NOT NULL GROUP BY 1;
