-- A bill keeps what was sold, from the moment it is placed: completion, products, invoices and the support space
-- read the bill, never the catalog of the day (issue 11: an order placed at one price could not be paid once the
-- price changed, and a product removed from the catalog was sold without an end date).
ALTER TABLE bill_items ADD COLUMN tax_rate_bp INTEGER;
ALTER TABLE bill_items ADD COLUMN duration_days INTEGER;

-- Lines placed before: their terms from the catalog as last loaded (this migration runs before the new catalog
-- file replaces it). A line whose product had already left the catalog keeps NULLs: rate unknown, no end date,
-- as before.
UPDATE bill_items
SET tax_rate_bp = (SELECT c.tax_rate_bp FROM catalog_items c WHERE c.code = bill_items.code),
    duration_days = (SELECT c.duration_days FROM catalog_items c WHERE c.code = bill_items.code);

-- Checkout sessions holding a placed bill keep its lines in their snapshot ("bill"), so that reloading them does
-- not price them again against the catalog.
UPDATE sessions
SET snapshot = json_set(snapshot, '$.bill', json((
  SELECT json_object(
    'lines', json((SELECT json_group_array(json_object(
               'code', i.code, 'name', i.name, 'quantity', i.quantity, 'unit_price', i.unit_price,
               'untaxed', i.untaxed, 'taxes', i.taxes, 'total', i.total, 'tax_rate_bp', i.tax_rate_bp,
               'duration_days', i.duration_days))
             FROM (SELECT * FROM bill_items WHERE bill_id = b.id ORDER BY id) i)),
    'untaxed', b.untaxed, 'taxes', b.taxes, 'total', b.total, 'currency', b.currency)
  FROM bills b WHERE b.transid = json_extract(sessions.snapshot, '$.transid'))))
WHERE json_valid(snapshot) AND json_extract(snapshot, '$.transid') IS NOT NULL
  AND EXISTS (SELECT 1 FROM bills b WHERE b.transid = json_extract(sessions.snapshot, '$.transid'));

-- One bill per checkout session, held by the database as well as by the session actor. A login moves the bill
-- with its session (one UPDATE by transid), so a session id names at most one bill; should older data hold
-- several bills for one session anyway (two activations of one session racing), the bill the session's snapshot
-- names (else the first placed) keeps the id and the others get '<id>#<transid>', which no session carries.
UPDATE bills
SET session_id = session_id || '#' || transid
WHERE EXISTS (SELECT 1 FROM bills o WHERE o.session_id = bills.session_id AND o.id <> bills.id)
  AND id <> COALESCE(
    (SELECT o.id FROM bills o JOIN sessions s ON s.id = o.session_id
     WHERE o.session_id = bills.session_id AND json_valid(s.snapshot)
       AND o.transid = json_extract(s.snapshot, '$.transid')),
    (SELECT MIN(o.id) FROM bills o WHERE o.session_id = bills.session_id));
CREATE UNIQUE INDEX bills_session ON bills(session_id);
