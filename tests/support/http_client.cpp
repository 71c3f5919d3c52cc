#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace boutique::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct http_client::impl {
  std::uint16_t port;
  std::string source_address;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void connect() {
    stream.emplace(ioc);
    if (!source_address.empty()) {
      stream->socket().open(tcp::v4());
      stream->socket().bind(tcp::endpoint(asio::ip::make_address(source_address), 0));
    }
    stream->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval timeout{30, 0};  // a test never hangs on a silent server
    setsockopt(stream->socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    buffer.clear();
  }

  reply exchange(const http::request<http::string_body>& req) {
    http::write(*stream, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.skip(req.method() == http::verb::head);  // the answer to a HEAD has no body, whatever its Content-Length
    http::read(*stream, buffer, parser);
    auto& res = parser.get();
    reply r;
    r.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(field.value());
    }
    r.body = res.body();
    if (!res.keep_alive()) stream.reset();
    return r;
  }
};

http_client::http_client(std::uint16_t port) : impl_(std::make_unique<impl>()) { impl_->port = port; }

http_client::http_client(std::uint16_t port, std::string source_address) : http_client(port) {
  impl_->source_address = std::move(source_address);
}

http_client::~http_client() = default;

reply http_client::send(const std::string& method, const std::string& target, const std::string& body,
                        const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  req.keep_alive(true);
  for (int attempt = 0;; ++attempt) {
    if (!impl_->stream) impl_->connect();
    try {
      return impl_->exchange(req);
    } catch (const boost::system::system_error&) {
      impl_->stream.reset();
      if (attempt > 0) throw;
    }
  }
}

std::string http_client::raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  asio::write(stream.socket(), asio::buffer(bytes));
  std::string answer;
  char chunk[4096];
  boost::system::error_code ec;
  for (;;) {
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    auto n = stream.read_some(asio::buffer(chunk), ec);
    if (ec) break;
    answer.append(chunk, n);
  }
  return answer;
}

std::uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0)
    throw std::runtime_error("no free port");
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace boutique::testing
