#pragma once

// From Beast's parsed request to the service's own. Include only from Beast translation units (the server, and
// the fuzz target that checks this very conversion).

#include "net/http_types.hpp"

#include <boost/beast/http.hpp>

#include <cctype>
#include <string>

namespace boutique::net {

/// Method, target split into path and query, header names lower-cased, and the body (moved out of `req`).
/// The request id, the client's address and the time received are the connection's to set.
inline http_request to_http_request(boost::beast::http::request<boost::beast::http::string_body>& req) {
  http_request request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  auto q = request.target.find('?');
  request.path = request.target.substr(0, q);
  if (q != std::string::npos) request.query = request.target.substr(q + 1);
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(req.body());
  return request;
}

}  // namespace boutique::net
