#pragma once

#include "net/backend.hpp"
#include "net/http_types.hpp"

#include <memory>

namespace boutique::net {

/// Reloads the catalog from the backend's catalog file without a restart (POST /admin/catalog/reload, SIGHUP):
/// checked as at start-up (config::load_catalog), committed by the storage actor, then the one every session prices
/// against. `done` gets 200 {"items": N, "path": "..."}; or 422 with the file's problem, the old catalog kept in
/// use and in the database; or the storage's failure (503), the old catalog kept in use.
void reload_catalog(const std::shared_ptr<backend>& b, deadline due, const responder& done);

}  // namespace boutique::net
