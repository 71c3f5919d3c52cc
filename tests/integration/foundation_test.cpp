#include "support/http_client.hpp"
#include "support/shop.hpp"
#include "support/test_service.hpp"

#include <gtest/gtest.h>

using namespace boutique::testing;

TEST(foundation, catalog_is_served_from_the_database) {
  test_service svc;
  http_client client(svc.port());
  auto r = client.get("/api/v1/catalog");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  auto items = r.json()["items"];
  ASSERT_GE(items.size(), 5u);
  EXPECT_EQ(items[0]["code"], "A51-11236-F");
  EXPECT_EQ(items[0]["price"], 12000);
  EXPECT_EQ(items[0]["currency"], "EUR");
  EXPECT_EQ(items[0]["tax_rate_bp"], 2000);
  EXPECT_EQ(items[0]["duration_days"], 365);
  EXPECT_EQ(items[0]["renewable"], false);
}

TEST(foundation, every_response_carries_a_request_id_and_echoes_the_clients) {
  test_service svc;
  http_client client(svc.port());
  EXPECT_FALSE(client.get("/api/v1/catalog").header("x-request-id").empty());
  EXPECT_EQ(client.get("/api/v1/catalog", {{"X-Request-Id", "trace-42"}}).header("x-request-id"), "trace-42");
  EXPECT_FALSE(client.get("/nowhere").header("x-request-id").empty());
}

TEST(foundation, errors_are_problem_details) {
  test_service svc;
  http_client client(svc.port());
  auto r = client.get("/api/v1/nothing-here");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(r.json()["status"], 404);
  EXPECT_EQ(client.send("DELETE", "/api/v1/catalog").status, 405);
}

TEST(foundation, oversized_body_and_headers_are_refused) {
  test_service svc;
  http_client client(svc.port());
  auto big = client.send("POST", "/api/v1/catalog", std::string(svc.settings().http.body_limit + 1, 'x'));
  EXPECT_EQ(big.status, 413);
  auto huge_header = client.get("/api/v1/catalog", {{"X-Filler", std::string(20000, 'a')}});
  EXPECT_EQ(huge_header.status, 431);
  EXPECT_EQ(client.get("/api/v1/catalog").status, 200) << "the service must keep serving after a refusal";
}

TEST(foundation, malformed_http_is_a_400) {
  test_service svc;
  auto answer = http_client::raw_exchange(svc.port(), "GARBAGE\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
}

TEST(foundation, keep_alive_serves_many_requests_on_one_connection) {
  test_service svc;
  std::string pipeline;
  for (int i = 0; i < 3; ++i) pipeline += "GET /api/v1/catalog HTTP/1.1\r\nHost: x\r\n\r\n";
  pipeline += "GET /api/v1/catalog HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto answer = http_client::raw_exchange(svc.port(), pipeline);
  std::size_t count = 0;
  for (auto pos = answer.find("HTTP/1.1 200"); pos != std::string::npos; pos = answer.find("HTTP/1.1 200", pos + 1))
    ++count;
  EXPECT_EQ(count, 4u);
}

TEST(foundation, management_health_reports_storage) {
  test_service svc;
  http_client admin(svc.admin_port());
  auto r = admin.get("/admin/health");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "ok");
  EXPECT_EQ(r.json()["storage"], "ok");
  EXPECT_TRUE(r.json()["uptime_s"].is_number_integer());
  http_client api(svc.port());
  EXPECT_EQ(api.get("/admin/health").status, 404) << "management routes must not be on the public listener";
}

// The service rewrites the catalog at every start, so an equal catalog alone cannot tell the same database from a
// wiped one: a checkout session (never recreated at start) must come back too, with the schema left as it was.
TEST(foundation, restart_on_the_same_database_keeps_the_schema_and_catalog) {
  test_service svc;
  auto before = http_client(svc.port()).get("/api/v1/catalog").json();
  checkout c(svc.port());
  ASSERT_EQ(c.cart(nlohmann::json::array({{{"code", "A51-11236-F"}, {"quantity", 2}}})).status, 200);
  auto version = schema_version(svc);
  svc.restart();
  EXPECT_EQ(http_client(svc.port()).get("/api/v1/catalog").json(), before);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM catalog_items"), static_cast<std::int64_t>(before["items"].size()));
  EXPECT_EQ(schema_version(svc), version);
  auto session = http_client(svc.port()).get(c.path());
  ASSERT_EQ(session.status, 200) << "the session written before the restart is gone: " << session.body;
  EXPECT_EQ(session.json()["cart"]["total"], 28800);
}
