#pragma once

#include "net/backend.hpp"
#include "net/router.hpp"

#include <memory>
#include <string>

namespace boutique::net::api {

/// Gives `handler` the Idempotency-Key semantics of docs/API-NOTES.md: the key is scoped to `route` and the
/// path's resource (its session, or its bill), a retry with the same body answers the first outcome, another body
/// a 422, a retry while the first runs a 409. Requests without the header run as before.
route_handler idempotent(const std::shared_ptr<backend>& b, std::string route, route_handler handler);

}  // namespace boutique::net::api
