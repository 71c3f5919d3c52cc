#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boutique::net {

using header_list = std::vector<std::pair<std::string, std::string>>;

/// A parsed HTTP request, free of any HTTP library type. Header names are lower case.
struct http_request {
  std::string method;
  std::string target;  ///< as received: path and query
  std::string path;    ///< target without the query
  std::string query;   ///< after '?', undecoded
  header_list headers;
  std::string body;
  std::string request_id;
  std::string remote_address;
  /// The client's connection is HTTPS: shop.base_url is https://, or a trusted proxy said so (X-Forwarded-Proto).
  /// Cookies are then Secure and __Host- prefixed, and the response carries Strict-Transport-Security.
  bool secure = false;
  std::chrono::steady_clock::time_point received_at = std::chrono::steady_clock::now();

  /// The first value of header `name` (lower case), if present.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  header_list headers;
  std::string route;  ///< the route pattern that answered, for logs and metrics ("" when none matched)
  std::string log_detail;  ///< why it failed, for the access log only: never sent to the client
};

/// Sends the response for one request. Safe to call from any thread, exactly once.
using responder = std::function<void(http_response)>;

/// Answers one request; may answer later, from another thread.
using request_handler = std::function<void(http_request&&, responder)>;

}  // namespace boutique::net
