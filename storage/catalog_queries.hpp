#pragma once

#include "domain/catalog.hpp"

namespace boutique::storage {

class database;

/// Makes the catalog table hold exactly `items`, in their order, in one transaction.
void replace_catalog(database& db, const domain::catalog& items);

/// The catalog in its configured order.
domain::catalog read_catalog(database& db);

}  // namespace boutique::storage
