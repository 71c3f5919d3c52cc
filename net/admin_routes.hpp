#pragma once

#include "net/backend.hpp"
#include "net/router.hpp"

#include <memory>

namespace boutique::net {

/// Registers the management endpoint (API.md "Management endpoint") on `r`.
void add_admin_routes(router& r, std::shared_ptr<backend> b);

}  // namespace boutique::net
