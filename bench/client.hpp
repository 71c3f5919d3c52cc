#pragma once

// One keep-alive HTTP/1.1 connection to 127.0.0.1, driven by C++20 coroutines (Beast over Asio).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

#include <string>
#include <utility>
#include <vector>

namespace bench {

/// A response, or an I/O failure on connect, write or read (status 0, `failure` says what).
struct reply {
  int status = 0;
  std::string body;
  std::string failure;
};

using header_list = std::vector<std::pair<std::string, std::string>>;

class connection {
 public:
  connection(boost::asio::any_io_executor executor, int port);

  /// Sends one request and reads its response; reconnects first when the connection is closed.
  boost::asio::awaitable<reply> send(boost::beast::http::verb method, const std::string& target, std::string body,
                                     const header_list& headers = {});

  /// Connects unless already connected; returns what failed, or nothing.
  boost::asio::awaitable<std::string> open();

 private:
  void close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  boost::asio::ip::tcp::endpoint endpoint_;
  bool open_ = false;
};

/// A blocking GET (used between phases, e.g. on the management listener). Returns status 0 on I/O failure.
reply get_blocking(int port, const std::string& target, const std::string& bearer_token);

/// The string value of `"key":"..."` in a compact JSON text (as the service writes it), or empty.
std::string json_string(const std::string& text, const std::string& key);
/// The integer value of `"key":N` in a compact JSON text, or -1.
long long json_integer(const std::string& text, const std::string& key);

}  // namespace bench
