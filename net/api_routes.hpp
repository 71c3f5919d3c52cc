#pragma once

#include "net/backend.hpp"
#include "net/router.hpp"

#include <memory>

namespace boutique::net {

/// Registers the public JSON API (API.md) on `r`.
void add_api_routes(router& r, std::shared_ptr<backend> b);

}  // namespace boutique::net
