#include "net/routes.hpp"

#include "net/admin_routes.hpp"
#include "net/api_routes.hpp"
#include "net/page_routes.hpp"

namespace boutique::net {

route_table make_routes(std::shared_ptr<backend> b) {
  // A request's work is worth doing until its deadline: its arrival plus http.request_timeout_s.
  // (No backend when only the table is wanted, as in the request fuzz target: no handler runs then.)
  auto timeout = b ? std::optional(b->timeout) : std::nullopt;
  route_table table{router(timeout), router(timeout)};
  add_api_routes(table.api, b);
  add_page_routes(table.api, b);
  add_admin_routes(table.management, std::move(b));
  return table;
}

}  // namespace boutique::net
