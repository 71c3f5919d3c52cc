-- The catalog as the database keeps it: storage/catalog_queries.cpp.
-- SQLite. Each statement follows a line `-- name: NAME`; cmake/EmbedQueries.cmake makes it the constant
-- boutique::storage::sql::catalog::NAME in the build tree's generated/storage/queries/catalog.hpp, its lines joined
-- by one space. SQL built from a described record stays in C++ (storage/schema_sql.hpp).

-- name: delete_catalog
DELETE FROM catalog_items;

-- name: insert_catalog_item
INSERT INTO catalog_items (code, name, price, currency, tax_rate_bp, duration_days, renewable, position)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: select_catalog
SELECT code, name, price, currency, tax_rate_bp, duration_days, renewable FROM catalog_items ORDER BY position;
