// Slow and idle clients must not keep the service from serving everyone else.
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <chrono>

using namespace boutique::testing;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// Waits (up to `limit`) for the server to close `socket`; true when it did.
bool closed_by_server(tcp::socket& socket, std::chrono::seconds limit) {
  timeval timeout{static_cast<long>(limit.count()), 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char buf[4096];
  boost::system::error_code ec;
  for (;;) {
    socket.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
    if (ec) return false;  // timed out: still open
  }
}

}  // namespace

TEST(slow_clients, thousands_of_idle_and_slowloris_connections_do_not_stop_service) {
  auto settings = test_settings();
  settings.http.read_timeout_s = 2;
  settings.http.idle_timeout_s = 2;
  test_service svc(settings);
  asio::io_context ioc;
  auto endpoint = tcp::endpoint(asio::ip::make_address("127.0.0.1"), svc.port());

  std::vector<tcp::socket> idle;
  for (int i = 0; i < 2000; ++i) {
    idle.emplace_back(ioc);
    idle.back().connect(endpoint);
  }
  std::vector<tcp::socket> slow;
  for (int i = 0; i < 50; ++i) {
    slow.emplace_back(ioc);
    slow.back().connect(endpoint);
    asio::write(slow.back(), asio::buffer(std::string("GET /api/v1/catalog HTTP/1.1\r\nHost: x\r\nX-Slow: ")));
  }

  http_client client(svc.port());
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) ASSERT_EQ(client.get("/api/v1/catalog").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5))
    << "200 requests beside 2,050 hanging connections";

  // The server cuts connections that send nothing, or never finish their headers, after the read timeout.
  EXPECT_TRUE(closed_by_server(slow.front(), std::chrono::seconds(10)));
  EXPECT_TRUE(closed_by_server(idle.front(), std::chrono::seconds(10)));
  EXPECT_TRUE(closed_by_server(idle.back(), std::chrono::seconds(10)));
  EXPECT_EQ(client.get("/api/v1/catalog").status, 200);
}

TEST(slow_clients, connections_beyond_the_limit_get_a_503) {
  auto settings = test_settings();
  settings.http.max_connections = 20;
  test_service svc(settings);
  asio::io_context ioc;
  std::vector<tcp::socket> held;
  for (int i = 0; i < 20; ++i) {
    held.emplace_back(ioc);
    held.back().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), svc.port()));
  }
  // The acceptor counts a connection once it has accepted it; a request on one more connection is refused.
  auto answer = http_client::raw_exchange(svc.port(), "GET /api/v1/catalog HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
  auto body = answer.substr(answer.find("\r\n\r\n") + 4);
  EXPECT_NE(answer.find("Content-Length: " + std::to_string(body.size()) + "\r\n"), std::string::npos) << answer;
  EXPECT_EQ(nlohmann::json::parse(body)["status"], 503);
  held.clear();
}
