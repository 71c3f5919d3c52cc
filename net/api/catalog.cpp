// The catalog: GET /api/v1/catalog.
#include "net/api/kit.hpp"

namespace boutique::net::api {

void get_catalog(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
  run(b, p.due(), respond, [b, respond](self_ptr self) {
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::catalog_atom_v)
      .then([respond](domain::catalog& items) { respond(ok_json(200, {{"items", items}})); }, fail_with(respond));
  });
}

}  // namespace boutique::net::api
