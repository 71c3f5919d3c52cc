#include "storage/catalog_queries.hpp"

#include "storage/database.hpp"
#include "storage/queries/catalog.hpp"

namespace boutique::storage {

namespace {

namespace q = sql::catalog;  // storage/queries/catalog.sql

}  // namespace

void replace_catalog(database& db, const domain::catalog& items) {
  transaction tx(db);
  db.prepare(q::delete_catalog).run();
  std::int64_t position = 0;
  for (const auto& item : items) {
    std::optional<std::int64_t> duration;
    if (item.duration_days) duration = *item.duration_days;
    db.prepare(q::insert_catalog_item)
      .bind_all(item.code, item.name, item.price, item.currency, std::int64_t{item.tax_rate_bp}, duration,
                std::int64_t{item.renewable ? 1 : 0}, position++)
      .run();
  }
  tx.commit();
}

domain::catalog read_catalog(database& db) {
  domain::catalog items;
  auto& st = db.prepare(q::select_catalog);
  while (st.step()) {
    domain::catalog_item item;
    item.code = st.text(0);
    item.name = st.text(1);
    item.price = st.integer(2);
    item.currency = st.text(3);
    item.tax_rate_bp = static_cast<std::int32_t>(st.integer(4));
    if (auto d = st.optional_integer(5)) item.duration_days = static_cast<std::int32_t>(*d);
    item.renewable = st.integer(6) != 0;
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace boutique::storage
