// Raw bytes -> Beast request parser with the service's limits -> router with the real route patterns.
#include "net/beast_request.hpp"
#include "net/problem.hpp"
#include "net/query.hpp"
#include "net/router.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace http = boost::beast::http;
using namespace boutique::net;

namespace {

const router& routes() {
  static const router r = [] {
    router built;
    for (const char* pattern :
         {"/api/v1/catalog", "/api/v1/sessions", "/api/v1/sessions/{sid}", "/api/v1/sessions/{sid}/cart",
          "/api/v1/sessions/{sid}/contact", "/api/v1/sessions/{sid}/login", "/api/v1/sessions/{sid}/order",
          "/api/v1/sessions/{sid}/pay", "/api/v1/payments/notify", "/api/v1/me", "/admin/actors/session/{sid}",
          "/admin/customers/{id}"})
      for (const char* method : {"GET", "POST", "PUT"})
        built.add(method, pattern, [](http_request&, const route_params& p, responder respond) {
          respond(json_response(200, p.get("sid") + p.get("id")));
        });
    return built;
  }();
  return r;
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
  int answers = 0;
  routes().dispatch(std::move(request), [&](http_response r) {
    ++answers;
    if (r.status < 200 || r.status > 599) __builtin_trap();
  });
  if (answers != 1) __builtin_trap();  // every request gets exactly one answer
  return 0;
}
