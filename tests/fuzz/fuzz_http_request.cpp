// Raw bytes -> Beast request parser with the service's limits -> the router holding the service's whole route table
// (JSON API, pages and management, from net::make_routes, the function the service itself calls).
#include "net/beast_request.hpp"
#include "net/problem.hpp"
#include "net/query.hpp"
#include "net/routes.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace http = boost::beast::http;
using namespace boutique::net;

namespace {

/// The real routers' tables with handlers that answer what they matched: the real handlers talk to actors, which a
/// fuzz run does not start, so the table is built with no backend (registering never reads it) and never invoked.
router probe_of(const router& real) {
  router probe;
  for (const auto& [method, registered] : real.table())
    probe.add(method, registered, [pattern = registered](http_request& request, const route_params&, responder respond) {
      if (split_path(request.path).size() != split_path(pattern).size()) __builtin_trap();
      respond(json_response(200, pattern));
    });
  return probe;
}

const route_table& service_routes() {
  static const route_table real = make_routes(nullptr);
  static const route_table probes{probe_of(real.api), probe_of(real.management)};
  if (real.api.table().empty() || real.management.table().empty()) __builtin_trap();
  return probes;
}

void route(const router& r, http_request request) {
  int answers = 0;
  r.dispatch(std::move(request), [&](http_response response) {
    ++answers;
    if (response.status < 200 || response.status > 599) __builtin_trap();
  });
  if (answers != 1) __builtin_trap();  // every request gets exactly one answer
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(64 * 1024);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  parser.put_eof(ec);
  auto request = to_http_request(parser.get());
  parse_query(request.query);
  route(service_routes().api, request);
  route(service_routes().management, std::move(request));
  return 0;
}
