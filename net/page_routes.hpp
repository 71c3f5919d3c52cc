#pragma once

#include "net/backend.hpp"
#include "net/router.hpp"

#include <memory>

namespace boutique::net {

/// Registers the server-rendered HTML pages (browser front) on `r`.
void add_page_routes(router& r, std::shared_ptr<backend> b);

}  // namespace boutique::net
