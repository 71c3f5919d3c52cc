-- Credit notes as documents (issue 15, point 3): a credit note is dated by the refund that issued it. Refunds made
-- before this migration are dated by their bill's last change, which was the refund (PAYBACK is final).
ALTER TABLE bills ADD COLUMN credit_note_at INTEGER;
UPDATE bills SET credit_note_at = updated_at WHERE credit_note_number IS NOT NULL;
