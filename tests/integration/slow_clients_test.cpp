// Slow and idle clients must not keep the service from serving everyone else.
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <cstdio>
#include <map>

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

/// A connection to the service from source address `source` (any 127.x address is a distinct client on Linux).
tcp::socket connect_from(asio::io_context& ioc, const std::string& source, std::uint16_t port) {
  tcp::socket socket(ioc);
  socket.open(tcp::v4());
  socket.bind(tcp::endpoint(asio::ip::make_address(source), 0));
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  return socket;
}

/// Everything the server sends on `socket` until it closes it (or `limit` passes).
std::string read_until_closed(tcp::socket& socket, std::chrono::seconds limit) {
  timeval timeout{static_cast<long>(limit.count()), 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string answer;
  char buf[4096];
  boost::system::error_code ec;
  for (;;) {
    auto n = socket.read_some(asio::buffer(buf), ec);
    if (ec) return answer;
    answer.append(buf, n);
  }
}

/// Fresh connections from 127.0.0.1, one GET each; the statuses seen.
std::map<int, int> requests_from_localhost(std::uint16_t port, int count) {
  std::map<int, int> statuses;
  for (int i = 0; i < count; ++i) {
    auto answer = http_client::raw_exchange(port, "GET /api/v1/catalog HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ++statuses[answer.size() >= 12 && answer.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(answer.substr(9, 3)) : 0];
  }
  return statuses;
}

}  // namespace

TEST(slow_clients, thousands_of_idle_and_slowloris_connections_do_not_stop_service) {
  auto settings = test_settings();
  settings.http.read_timeout_s = 2;
  settings.http.idle_timeout_s = 2;
  test_service svc(settings);
  asio::io_context ioc;

  // From 41 addresses (50 connections each, within the per-address cap), so that only the global limits apply.
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 2000; ++i) idle.push_back(connect_from(ioc, "127.0.1." + std::to_string(1 + i % 40), svc.port()));
  std::vector<tcp::socket> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(connect_from(ioc, "127.0.2.1", svc.port()));
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

TEST(slow_clients, one_address_holding_idle_connections_cannot_take_the_slots_of_others) {
  auto settings = test_settings();
  settings.http.max_connections = 200;
  settings.http.max_connections_per_address = 50;
  settings.http.read_timeout_s = 10;  // the idle connections outlive the test's requests
  test_service svc(settings);
  asio::io_context ioc;
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 300; ++i) idle.push_back(connect_from(ioc, "127.0.0.2", svc.port()));

  auto started = std::chrono::steady_clock::now();
  auto statuses = requests_from_localhost(svc.port(), 100);
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(statuses, (std::map<int, int>{{200, 100}})) << "100 requests from 127.0.0.1 beside 300 idle from 127.0.0.2";
  EXPECT_LT(took, 5.0);

  // Beyond its 50, each connection from 127.0.0.2 was answered 503 with Retry-After and closed.
  auto refused = read_until_closed(idle.back(), std::chrono::seconds(5));
  EXPECT_EQ(refused.rfind("HTTP/1.1 503 ", 0), 0u) << refused;
  EXPECT_NE(refused.find("\r\nRetry-After: "), std::string::npos) << refused;
  std::printf("[figures] 300 idle from 127.0.0.2 (cap 50 per address, 200 in all): 100 requests from 127.0.0.1 "
              "in %.2f s, statuses 200 x %d\n", took, statuses[200]);
}

TEST(slow_clients, near_the_connection_limit_silent_connections_are_cut_after_the_first_byte_timeout) {
  auto settings = test_settings();
  settings.http.max_connections = 100;
  settings.http.read_timeout_s = 10;
  settings.http.first_byte_timeout_s = 1;
  test_service svc(settings);
  asio::io_context ioc;
  // A flood from four addresses (25 each, within the per-address cap) fills every slot.
  std::vector<tcp::socket> flood;
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) flood.push_back(connect_from(ioc, "127.0.0." + std::to_string(2 + i % 4), svc.port()));
  // A client accepted under pressure that does speak in time is served as usual.
  asio::write(flood[99], asio::buffer(std::string("GET /api/v1/catalog HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
  auto served = read_until_closed(flood[99], std::chrono::seconds(5));
  EXPECT_EQ(served.rfind("HTTP/1.1 200 ", 0), 0u) << served;

  // The connections accepted past half the limit that stay silent are closed after ~1 s, not the 10 s read timeout.
  auto cut = read_until_closed(flood[98], std::chrono::seconds(5));
  auto cut_after = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(cut, "") << "closed without an answer";
  EXPECT_LT(cut_after, 4.0) << "a silent connection kept its slot";

  auto statuses = requests_from_localhost(svc.port(), 40);
  EXPECT_EQ(statuses, (std::map<int, int>{{200, 40}})) << "requests after the flood was cut";
  std::printf("[figures] 100 idle connections at max_connections=100: the silent ones past 50 %% cut after %.2f s; "
              "then 40 requests from 127.0.0.1: 200 x %d\n", cut_after, statuses[200]);
}
