-- Payments read the products of a bill through bill_items: index the join (a full scan of products otherwise).
CREATE INDEX products_bill_item ON products(bill_item_id);
