#include "net/page_routes.hpp"

namespace boutique::net {

void add_page_routes(router&, std::shared_ptr<backend>) {}

}  // namespace boutique::net
