#pragma once

#include "net/backend.hpp"
#include "net/router.hpp"

#include <memory>

namespace boutique::net {

/// The service's whole route table: the public listener's (JSON API and HTML pages) and the management
/// listener's. Registering reads only `b->timeout` (the handlers read the rest, when a request comes), so the table
/// can be built with a backend that is not started: the request fuzz target does.
struct route_table {
  router api;
  router management;
};

/// Builds the route table; loads the page templates (throws std::runtime_error on a broken installation).
route_table make_routes(std::shared_ptr<backend> b);

}  // namespace boutique::net
