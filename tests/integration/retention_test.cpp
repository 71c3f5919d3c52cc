// Bounded storage mailboxes seen from HTTP (503 + Retry-After, nothing half-done) and retention seen from the
// management endpoint.
#include "domain/clock.hpp"
#include "storage/database.hpp"
#include "support/parallel.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

using namespace boutique::testing;
using nlohmann::json;

namespace {

std::map<std::string, std::string> admin_auth(const test_service& svc) {
  return {{"Authorization", "Bearer " + svc.settings().admin.token}};
}

/// Writes rows straight into the service's database (another connection; SQLite serialises the writers).
void write_rows(const test_service& svc, const std::string& sql) {
  svc.open_database()->exec(sql);
}

/// The value of the sample `name` (with its labels) in a Prometheus text, or -1 when absent.
double sample(const std::string& metrics, const std::string& name) {
  auto at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + name.size() + 2));
}

}  // namespace

TEST(overload, a_flood_of_cart_changes_beyond_the_storage_bound_gets_503_with_retry_after_and_nothing_half_done) {
  auto settings = test_settings();
  settings.storage.queue_max = 4;
  settings.storage.batch_max = 1;          // one commit per write, so that the writer falls behind the flood
  settings.storage.synchronous = "full";
  settings.http.max_connections_per_address = 1000;  // 512 shoppers' connections, all from 127.0.0.1
  test_service svc(settings);
  constexpr int workers = 128, per_worker = 4;
  std::vector<std::unique_ptr<checkout>> shoppers;
  for (int i = 0; i < workers * per_worker; ++i) shoppers.push_back(std::make_unique<checkout>(svc.port()));

  std::vector<reply> replies(shoppers.size());
  in_parallel(workers, [&](int w) {
    for (int i = w; i < workers * per_worker; i += workers)
      replies[static_cast<std::size_t>(i)] =
        shoppers[static_cast<std::size_t>(i)]->cart(json::array({{{"code", "A51-11236-F"}, {"quantity", 2}}}));
  });

  int accepted = 0, refused = 0;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const auto& r = replies[i];
    ASSERT_TRUE(r.status == 200 || r.status == 503) << r.status << " " << r.body;
    auto cart = shoppers[i]->state().json()["cart"]["items"];
    if (r.status == 200) {
      ++accepted;
      EXPECT_EQ(cart.size(), 1u) << "an accepted change is kept";
    } else {
      ++refused;
      EXPECT_GE(std::stoi(r.header("retry-after")), 1) << r.body;
      EXPECT_EQ(r.header("content-type"), "application/problem+json");
      EXPECT_EQ(cart.size(), 0u) << "a refused change is not applied, not even in the live session";
    }
  }
  EXPECT_GT(refused, 0) << "the flood never went beyond the bound";
  EXPECT_GT(accepted, 0);
  std::int64_t with_cart = 0;
  for (const auto& row : query_rows(svc, "SELECT snapshot FROM sessions"))
    if (!json::parse(row[0]).value("cart", json::array()).empty()) ++with_cart;
  EXPECT_EQ(with_cart, accepted)
    << "storage holds exactly the accepted changes";
}

TEST(retention, a_run_through_the_management_endpoint_shows_in_the_metrics) {
  test_service svc;
  write_rows(svc,
             "INSERT INTO sessions (id, snapshot, updated_at, expires_at) VALUES ('gone1', '{}', 0, 1), "
             "('gone2', '{}', 0, 1), ('gone3', '{}', 0, 1);"
             "INSERT INTO outbox (recipient, subject, body, created_at, sent_at) VALUES "
             "('a@example.org', 'Your account', 'token=SECRET', 1, 2)");
  http_client admin(svc.admin_port());
  EXPECT_EQ(admin.send("POST", "/admin/retention").status, 401);
  auto run = admin.send("POST", "/admin/retention", "", admin_auth(svc));
  ASSERT_EQ(run.status, 200) << run.body;
  auto report = run.json();
  EXPECT_EQ(report["rows"]["sessions"], 3);
  EXPECT_EQ(report["rows"]["mail_bodies"], 1);
  EXPECT_EQ(report["total"], 4);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM sessions WHERE expires_at = 1"), 0);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM outbox WHERE body LIKE '%SECRET%'"), 0);

  auto metrics = admin.get("/admin/metrics", admin_auth(svc));
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(sample(metrics.body, "boutique_retention_runs_total"), 1) << metrics.body;
  EXPECT_EQ(sample(metrics.body, "boutique_retention_rows_total{kind=\"sessions\"}"), 3);
  EXPECT_EQ(sample(metrics.body, "boutique_retention_rows_total{kind=\"mail_bodies\"}"), 1);
  EXPECT_EQ(sample(metrics.body, "boutique_retention_rows_total{kind=\"customers\"}"), 0);
  EXPECT_EQ(sample(metrics.body, "boutique_retention_last_run_rows"), 4);
  EXPECT_EQ(sample(metrics.body, "boutique_retention_last_run_timestamp_seconds"), report["at"].get<double>());
  EXPECT_GE(sample(metrics.body, "boutique_retention_last_run_duration_seconds"), 0);
  EXPECT_EQ(sample(metrics.body, "boutique_storage_overloaded_total"), 0);

  if (std::system("command -v promtool >/dev/null 2>&1") != 0) GTEST_SKIP() << "promtool is not installed";
  auto file = svc.settings().storage.path + ".metrics.txt";
  std::ofstream(file) << metrics.body;
  auto pipe = popen(("promtool check metrics < '" + file + "' 2>&1").c_str(), "r");
  std::string out;
  char buf[512];
  while (auto n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  EXPECT_EQ(pclose(pipe), 0) << out;
}

TEST(retention, runs_by_itself_every_interval) {
  auto settings = test_settings();
  settings.retention.interval_s = 1;
  test_service svc(settings);
  write_rows(svc, "INSERT INTO sessions (id, snapshot, updated_at, expires_at) VALUES ('gone', '{}', 0, 1)");
  http_client admin(svc.admin_port());
  double removed = -1;
  // Polls the metrics until the timer's run shows (bounded: 10 s).
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
       removed < 1 && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(std::chrono::milliseconds(100)))
    removed = sample(admin.get("/admin/metrics", admin_auth(svc)).body, "boutique_retention_rows_total{kind=\"sessions\"}");
  EXPECT_EQ(removed, 1);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM sessions WHERE id = 'gone'"), 0);
}

// Time is moved, not waited for: a week later the session has expired, retention removes its row, and its id no
// longer answers once its actor is gone.
TEST(retention, a_week_later_an_expired_session_is_removed_and_its_id_no_longer_answers) {
  test_service svc;
  checkout c(svc.port());
  ASSERT_EQ(c.cart(json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}})).status, 200);
  ASSERT_EQ(query_int(svc, "SELECT count(*) FROM sessions"), 1);
  http_client admin(svc.admin_port());
  auto early = admin.send("POST", "/admin/retention", "", admin_auth(svc)).json();
  EXPECT_EQ(early["rows"]["sessions"], 0) << "not expired yet";

  moved_clock later(svc.settings().lifetimes.session_ttl_s + 1);
  auto run = admin.send("POST", "/admin/retention", "", admin_auth(svc)).json();
  EXPECT_EQ(run["rows"]["sessions"], 1);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM sessions"), 0);
  svc.restart();  // the live actor is gone; its id must now be unknown
  EXPECT_EQ(http_client(svc.port()).get(c.path()).status, 404);
}
