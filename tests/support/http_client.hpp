#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace boutique::testing {

struct reply {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;

  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

/// A blocking HTTP/1.1 client over one keep-alive connection to 127.0.0.1:port, reconnecting when the server
/// closed it. Test-only.
class http_client {
 public:
  explicit http_client(std::uint16_t port);
  /// A client whose connections leave from `source_address` (another loopback address, e.g. 127.0.0.2), so
  /// that the service sees a distinct client address.
  http_client(std::uint16_t port, std::string source_address);
  ~http_client();

  reply send(const std::string& method, const std::string& target, const std::string& body = "",
             const std::map<std::string, std::string>& headers = {});
  reply get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
    return send("GET", target, "", headers);
  }
  reply post(const std::string& target, const nlohmann::json& body) { return send("POST", target, body.dump()); }
  reply put(const std::string& target, const nlohmann::json& body) { return send("PUT", target, body.dump()); }

  /// Writes raw bytes on a fresh connection and returns everything the server answers until it closes
  /// (or `timeout_ms` passes).
  static std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms = 3000);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// A port nothing listens on now (bound on 127.0.0.1, then released): for a server a test starts later.
std::uint16_t free_port();

}  // namespace boutique::testing
