#pragma once

#include "config/config.hpp"
#include "net/http_types.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace boutique::net {

/// A listener's options: those of the configuration's [http] section (the admin listener overrides its address,
/// port and limits), its name, and what observes each response.
struct server_options : config::http_options {
  std::string name = "http";  ///< logger name and log prefix
  /// Called once per response with its route pattern ("" when none matched), status and duration in seconds.
  std::function<void(const std::string&, int, double)> observe;
};

/// An HTTP/1.1 server on Boost.Beast: one strand per connection, keep-alive, explicit limits (connections in
/// all and per client address, a first-byte deadline under pressure), strict framing (RFC 9112 §6.3: a
/// Transfer-Encoding other than a lone "chunked" is a 400 and a close), HEAD answered as GET without its body,
/// one request in flight per connection. Requests go to `handler`; every response gets X-Request-Id and an access-log line.
class http_server {
 public:
  http_server(server_options options, request_handler handler);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds, listens and starts the threads. Throws std::runtime_error naming the address when binding fails.
  void start();
  /// The port actually bound (useful with port 0).
  std::uint16_t port() const;
  /// Stops accepting, closes idle connections, lets in-flight requests finish (up to `grace_ms`), then stops
  /// the threads. Idempotent.
  void stop(int grace_ms = 4000);
  std::size_t open_connections() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace boutique::net
