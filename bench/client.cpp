#include "client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <chrono>

namespace bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto request_timeout = std::chrono::seconds(30);

http::request<http::string_body> make_request(http::verb method, const std::string& target, std::string body,
                                              const header_list& headers) {
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.keep_alive(true);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() || method == http::verb::post || method == http::verb::put) {
    request.set(http::field::content_type, "application/json");
    request.body() = std::move(body);
    request.prepare_payload();
  }
  return request;
}

}  // namespace

connection::connection(asio::any_io_executor executor, int port)
    : stream_(std::move(executor)), endpoint_(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)) {}

void connection::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  buffer_.clear();
  open_ = false;
}

asio::awaitable<std::string> connection::open() {
  if (open_) co_return std::string{};
  beast::error_code ec;
  stream_.expires_after(request_timeout);
  co_await stream_.async_connect(endpoint_, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    close();  // a fresh socket for the next attempt
    co_return "connect: " + ec.message();
  }
  stream_.socket().set_option(tcp::no_delay(true), ec);
  open_ = true;
  co_return std::string{};
}

asio::awaitable<reply> connection::send(http::verb method, const std::string& target, std::string body,
                                        const header_list& headers) {
  reply out;
  if (auto failure = co_await open(); !failure.empty()) {
    out.failure = failure;
    co_return out;
  }
  auto request = make_request(method, target, std::move(body), headers);
  beast::error_code ec;
  stream_.expires_after(request_timeout);
  co_await http::async_write(stream_, request, asio::redirect_error(asio::use_awaitable, ec));
  http::response<http::string_body> response;
  if (!ec) co_await http::async_read(stream_, buffer_, response, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.failure = (ec == beast::error::timeout ? std::string("timeout") : ec.message());
    close();
    co_return out;
  }
  out.status = static_cast<int>(response.result_int());
  out.body = std::move(response.body());
  if (!response.keep_alive()) close();
  co_return out;
}

reply get_blocking(int port, const std::string& target, const std::string& bearer_token) {
  reply out;
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(request_timeout);
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    header_list headers;
    if (!bearer_token.empty()) headers.emplace_back("Authorization", "Bearer " + bearer_token);
    auto request = make_request(http::verb::get, target, {}, headers);
    request.keep_alive(false);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    out.status = static_cast<int>(response.result_int());
    out.body = std::move(response.body());
  } catch (const std::exception& e) {
    out.failure = e.what();
  }
  return out;
}

std::string json_string(const std::string& text, const std::string& key) {
  auto needle = "\"" + key + "\":\"";
  auto at = text.find(needle);
  if (at == std::string::npos) return {};
  auto start = at + needle.size();
  auto end = text.find('"', start);
  if (end == std::string::npos) return {};
  return text.substr(start, end - start);
}

long long json_integer(const std::string& text, const std::string& key) {
  auto needle = "\"" + key + "\":";
  auto at = text.find(needle);
  if (at == std::string::npos) return -1;
  long long value = -1;
  auto start = text.data() + at + needle.size();
  std::from_chars(start, text.data() + text.size(), value);
  return value;
}

}  // namespace bench
