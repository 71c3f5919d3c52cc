// The HTTP front on the wire: request framing (no smuggling), HEAD, response headers, and the client address
// behind a reverse proxy.
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>

using namespace boutique::testing;
using nlohmann::json;

namespace {

/// The number of responses in `answer`: status lines "HTTP/1.1 NNN ".
int responses_in(const std::string& answer) {
  static const std::regex status_line("HTTP/1\\.1 [0-9]{3} ");
  return static_cast<int>(std::distance(std::sregex_iterator(answer.begin(), answer.end(), status_line),
                                        std::sregex_iterator()));
}

std::string head_of(const std::string& answer) { return answer.substr(0, answer.find("\r\n\r\n") + 2); }

}  // namespace

TEST(front, a_transfer_encoding_other_than_chunked_is_a_400_and_the_smuggled_request_is_never_answered) {
  test_service svc;
  const std::string smuggled = "GET /api/v1/catalog HTTP/1.1\r\nHost: x\r\n\r\n";
  struct framing {
    std::string name;
    std::string head;
    std::string body;
  };
  const std::vector<framing> cases = {
    {"gzip", "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", ""},
    {"xchunked", "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", ""},
    {"chunked, identity", "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
     ""},
    {"gzip, chunked", "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
     "0\r\n\r\n"},
    {"two fields", "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
     "0\r\n\r\n"},
    {"chunked on HTTP/1.0",
     "POST /api/v1/sessions HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n",
     "0\r\n\r\n"},
    {"gzip on HTTP/1.0",
     "POST /api/v1/sessions HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\nTransfer-Encoding: gzip\r\n\r\n", ""},
    {"gzip and Content-Length",
     "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nContent-Length: 0\r\n\r\n", ""},
    {"Content-Length and gzip",
     "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nTransfer-Encoding: gzip\r\n\r\n", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto started = std::chrono::steady_clock::now();
    auto answer = http_client::raw_exchange(svc.port(), c.head + c.body + smuggled, 3000);
    auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
    EXPECT_EQ(responses_in(answer), 1) << "the bytes after the refused request were read as a request:\n" << answer;
    EXPECT_NE(head_of(answer).find("\r\nConnection: close\r\n"), std::string::npos) << answer;
    EXPECT_LT(waited, std::chrono::milliseconds(2500)) << "the server must close the connection itself";
  }
  // A well-framed chunked request, its coding in any case, is still served.
  auto chunked = http_client::raw_exchange(
    svc.port(), "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.rfind("HTTP/1.1 201 ", 0), 0u) << chunked;
}

TEST(front, head_answers_as_get_without_the_body) {
  test_service svc;
  http_client client(svc.port());
  for (const auto* target : {"/api/v1/catalog", "/", "/static/style.css"}) {
    SCOPED_TRACE(target);
    auto get = client.get(target);
    ASSERT_EQ(get.status, 200);
    auto head = client.send("HEAD", target);
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.body, "");
    EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size()));
    EXPECT_EQ(head.header("content-type"), get.header("content-type"));
  }
  // On the wire: no body bytes, and the connection goes on with the next request.
  auto answer = http_client::raw_exchange(
    svc.port(), "HEAD /api/v1/catalog HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/catalog HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto first_end = answer.find("\r\n\r\n") + 4;
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 ", 0), 0u) << answer;
  EXPECT_EQ(answer.compare(first_end, 13, "HTTP/1.1 200 "), 0) << answer;
  // A path without a GET route still answers 405, and its Allow names HEAD beside GET.
  auto removal = client.send("DELETE", "/api/v1/catalog");
  EXPECT_EQ(removal.status, 405);
  EXPECT_EQ(removal.header("allow"), "GET, HEAD");
}

TEST(front, a_page_sends_each_security_header_once) {
  test_service svc;
  auto answer = http_client::raw_exchange(svc.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto head = head_of(answer);
  ASSERT_EQ(head.rfind("HTTP/1.1 200 ", 0), 0u) << head;
  for (const auto* field : {"X-Content-Type-Options: nosniff\r\n", "Content-Security-Policy: ", "X-Request-Id: "}) {
    auto first = head.find(field);
    EXPECT_NE(first, std::string::npos) << field << head;
    EXPECT_EQ(head.find(field, first + 1), std::string::npos) << field << "appears twice:\n" << head;
  }
}

TEST(front, a_redirect_never_leads_to_another_host) {
  test_service svc;
  for (const auto* target : {"//cart?lang=fr", "///cart?lang=fr", "/cart?lang=fr"}) {
    auto answer = http_client::raw_exchange(
      svc.port(), std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(answer.rfind("HTTP/1.1 303 ", 0), 0u) << answer;
    EXPECT_NE(head_of(answer).find("\r\nLocation: /cart\r\n"), std::string::npos) << target << "\n" << answer;
  }
}

namespace {

/// A failed login for a fresh unknown account (so that only the per-address limit can refuse it), sent with
/// X-Forwarded-For `forwarded` (none when empty). Returns the status.
int failed_login(http_client& client, const std::string& forwarded) {
  static int serial = 0;
  std::map<std::string, std::string> headers;
  if (!forwarded.empty()) headers["X-Forwarded-For"] = forwarded;
  json credentials = {{"login", "nobody-" + std::to_string(++serial) + "@example.com"}, {"password", "not it at all"}};
  return client.send("POST", "/api/v1/auth/login", credentials.dump(), headers).status;
}

}  // namespace

TEST(front, behind_a_trusted_proxy_login_failures_count_per_forwarded_client) {
  auto settings = test_settings();
  settings.http.trusted_proxies = {"127.0.0.1"};
  settings.auth.max_failed_logins_per_address = 3;
  test_service svc(settings);
  http_client proxy(svc.port());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(failed_login(proxy, "203.0.113.7"), 401);
  EXPECT_EQ(failed_login(proxy, "203.0.113.7"), 429) << "the failing client is refused";
  EXPECT_EQ(failed_login(proxy, "198.51.100.9"), 401) << "another client behind the same proxy is not";
  // The client's own claim (left of what the proxy appended) changes nothing.
  EXPECT_EQ(failed_login(proxy, "198.51.100.9, 203.0.113.7"), 429);
  EXPECT_EQ(failed_login(proxy, "203.0.113.7, 127.0.0.1"), 429) << "a trusted proxy's own entry is skipped";
}

TEST(front, an_untrusted_peer_cannot_escape_the_limit_by_forwarding_addresses) {
  auto settings = test_settings();
  settings.auth.max_failed_logins_per_address = 3;
  test_service svc(settings);  // trusted_proxies empty: X-Forwarded-For is never believed
  http_client client(svc.port());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(failed_login(client, "203.0.113." + std::to_string(i)), 401);
  EXPECT_EQ(failed_login(client, "198.51.100.9"), 429);
  EXPECT_EQ(failed_login(client, ""), 429);
}
