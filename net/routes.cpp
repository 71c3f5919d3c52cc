#include "net/routes.hpp"

#include "net/admin_routes.hpp"
#include "net/api_routes.hpp"
#include "net/page_routes.hpp"

namespace boutique::net {

route_table make_routes(std::shared_ptr<backend> b) {
  route_table table;
  add_api_routes(table.api, b);
  add_page_routes(table.api, b);
  add_admin_routes(table.management, std::move(b));
  return table;
}

}  // namespace boutique::net
