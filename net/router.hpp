#pragma once

#include "domain/deadline.hpp"
#include "net/http_types.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boutique::net {

/// Values captured from `{name}` segments of a route pattern, and the request's deadline.
class route_params {
 public:
  void add(std::string name, std::string value) { values_.emplace_back(std::move(name), std::move(value)); }
  /// The captured value, or an empty string when the route has no such parameter.
  const std::string& get(std::string_view name) const;
  /// When the client stops waiting: the request's arrival plus the router's request timeout. Every message the
  /// request causes carries it (domain/deadline.hpp).
  deadline due() const { return due_; }
  void set_due(deadline due) { due_ = due; }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
  deadline due_;
};

using route_handler = std::function<void(http_request&, const route_params&, responder)>;

/// Maps (method, path pattern) to handlers. Patterns are literal segments and `{name}` captures:
/// "/api/v1/sessions/{sid}/cart". An unknown path answers 404, a known path with another method 405. A HEAD request
/// goes to the GET route as a GET (the HTTP server sends the answer's fields without its body).
class router {
 public:
  /// `request_timeout`: how long after its arrival a request's work is still worth doing (no limit by default).
  explicit router(std::optional<std::chrono::milliseconds> request_timeout = std::nullopt)
    : request_timeout_(request_timeout) {}
  void add(std::string method, std::string pattern, route_handler handler);
  /// Answers what no route matches (by default a 404 problem+json): the pages answer an HTML page outside /api/.
  void otherwise(route_handler handler) { otherwise_ = std::move(handler); }
  void dispatch(http_request&& request, const responder& respond) const;
  /// The (method, pattern) pairs registered, in registration order.
  std::vector<std::pair<std::string, std::string>> table() const;

 private:
  struct route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    route_handler handler;
  };
  std::vector<route> routes_;
  route_handler otherwise_;
  std::optional<std::chrono::milliseconds> request_timeout_;
};

/// Splits a path into its non-empty segments.
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace boutique::net
