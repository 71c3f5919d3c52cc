#include "net/api_routes.hpp"

#include "net/ask.hpp"
#include "net/json_codec.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace boutique::net {

namespace {

void get_catalog(const std::shared_ptr<backend>& b, responder respond) {
  ask(
    b->sys, b->timeout, b->readers,
    [respond](domain::catalog& items) { respond(json_response(200, nlohmann::json{{"items", items}}.dump())); },
    [respond](caf::error& err) { respond(problem_from(err)); }, caf::get_atom_v, atoms::catalog_atom_v);
}

}  // namespace

void add_api_routes(router& r, std::shared_ptr<backend> b) {
  r.add("GET", "/api/v1/catalog", [b](http_request&, const route_params&, responder respond) {
    get_catalog(b, std::move(respond));
  });
}

}  // namespace boutique::net
