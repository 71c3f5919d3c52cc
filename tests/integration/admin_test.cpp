// The management endpoint: authentication, live actor state, customers, metrics, log level.
#include "config/logging.hpp"
#include "support/shop.hpp"

#include "support/write_lock.hpp"

#include <gtest/gtest.h>
#include <future>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>

using namespace boutique::testing;
using nlohmann::json;

namespace {

struct admin_fixture : ::testing::Test {
  test_service svc;
  http_client admin{svc.admin_port()};
  std::map<std::string, std::string> auth{{"Authorization", "Bearer " + svc.settings().admin.token}};

  json get(const std::string& target) {
    auto r = admin.get(target, auth);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.status == 200 && r.header("content-type") == "application/json" ? r.json() : json();
  }
};

}  // namespace

TEST_F(admin_fixture, every_route_but_health_refuses_a_missing_or_wrong_token) {
  for (const std::string target : {"/admin/metrics", "/admin/actors", "/admin/actors/session/x",
                                   "/admin/actors/account/1", "/admin/customers", "/admin/customers/1"}) {
    EXPECT_EQ(admin.get(target).status, 401) << target;
    EXPECT_EQ(admin.get(target, {{"Authorization", "Bearer wrong-token"}}).status, 401) << target;
    EXPECT_EQ(admin.get(target, {{"Authorization", svc.settings().admin.token}}).status, 401) << target;
    EXPECT_NE(admin.get(target, auth).status, 401) << target;
  }
  EXPECT_EQ(admin.send("PUT", "/admin/log-level", R"({"level":"info"})", {{"Content-Type", "application/json"}}).status,
            401);
  EXPECT_EQ(admin.get("/admin/health").status, 200);
}

TEST_F(admin_fixture, the_bearer_scheme_is_case_insensitive_and_the_token_is_not) {
  const auto& token = svc.settings().admin.token;
  for (const std::string scheme : {"Bearer", "bearer", "BEARER", "bEaReR"})
    EXPECT_EQ(admin.get("/admin/actors", {{"Authorization", scheme + " " + token}}).status, 200) << scheme;
  std::string upper = token;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& value : {"bearer " + upper, "Basic " + token, "Bearer" + token, "bearer " + token + "x",
                                  "bearers " + token, std::string("Bearer ")})
    EXPECT_EQ(admin.get("/admin/actors", {{"Authorization", value}}).status, 401) << value;
}

TEST_F(admin_fixture, counts_and_pages_follow_the_sessions_created) {
  EXPECT_EQ(get("/admin/actors")["counts"]["session"], 0);
  std::vector<std::unique_ptr<checkout>> shoppers;
  for (int i = 0; i < 5; ++i) shoppers.push_back(std::make_unique<checkout>(svc.port()));
  auto listing = get("/admin/actors?kind=session&limit=3");
  EXPECT_EQ(listing["counts"]["session"], 5);
  EXPECT_EQ(listing["counts"]["storage"], 1);
  ASSERT_EQ(listing["actors"].size(), 3u);
  ASSERT_TRUE(listing["next"].is_string());
  auto rest = get("/admin/actors?kind=session&limit=3&after=" + listing["next"].get<std::string>());
  ASSERT_EQ(rest["actors"].size(), 2u);
  EXPECT_TRUE(rest["next"].is_null());
  std::set<std::string> keys;
  for (const auto& page : {listing, rest})
    for (const auto& a : page["actors"]) keys.insert(a["key"]);
  for (const auto& s : shoppers) EXPECT_TRUE(keys.count(s->id())) << s->id();
  for (const auto& a : listing["actors"]) {
    EXPECT_EQ(a["kind"], "session");
    EXPECT_TRUE(a["mailbox"].is_number_integer()) << a.dump();
    EXPECT_TRUE(a["messages"].is_number_integer()) << a.dump();
  }
  EXPECT_EQ(admin.get("/admin/actors?kind=teapot", auth).status, 422);
  EXPECT_EQ(admin.get("/admin/actors?limit=0", auth).status, 422);
}

TEST_F(admin_fixture, a_session_snapshot_agrees_with_the_json_api) {
  checkout c(svc.port());
  ASSERT_EQ(c.cart(json::array({{{"code", "C07-30001-E"}, {"quantity", 2}}})).status, 200);
  ASSERT_EQ(c.contact(contact_form("snap@example.org")).status, 200);
  ASSERT_EQ(c.order().status, 201);
  auto api = c.state().json();
  auto snap = get("/admin/actors/session/" + c.id());
  EXPECT_EQ(snap["kind"], "session");
  EXPECT_EQ(snap["state"]["stage"], api["stage"]);
  EXPECT_EQ(snap["state"]["transid"], api["transid"]);
  EXPECT_EQ(snap["state"]["bill_status"], api["bill_status"]);
  EXPECT_EQ(snap["state"]["priced"], api["cart"]);
  EXPECT_EQ(snap["state"]["contact"]["email"], "snap@example.org");
  EXPECT_TRUE(snap["state"]["customer_id"].is_number_integer()) << "admins see internal ids";
  EXPECT_GE(snap["messages"].get<int>(), 4);
  EXPECT_TRUE(snap["mailbox"].is_number_integer());
  auto missing = admin.get("/admin/actors/session/not-a-session", auth);
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.json()["detail"].get<std::string>().find("not active (passivated or unknown)"), std::string::npos);

  auto customer_id = snap["state"]["customer_id"].get<std::int64_t>();
  auto account = get("/admin/actors/account/" + std::to_string(customer_id));
  EXPECT_EQ(account["state"]["email"], "snap@example.org");
  EXPECT_EQ(admin.get("/admin/actors/account/999999", auth).status, 404);
}

TEST_F(admin_fixture, customers_are_searchable_with_their_timeline) {
  ASSERT_EQ(checkout(svc.port()).buy("timeline@example.org").status, 200);
  ASSERT_EQ(checkout(svc.port()).contact(contact_form("other@example.org")).status, 200);
  auto found = get("/admin/customers?q=TIME");
  ASSERT_EQ(found["customers"].size(), 1u);
  auto customer = found["customers"][0];
  EXPECT_EQ(customer["email"], "timeline@example.org");
  EXPECT_TRUE(customer["user_id"].is_number_integer());
  EXPECT_EQ(get("/admin/customers?q=lopez")["customers"].size(), 2u) << "search by name";
  auto page = get("/admin/customers?limit=1");
  ASSERT_EQ(page["customers"].size(), 1u);
  EXPECT_EQ(get("/admin/customers?limit=1&after=" + page["next"].get<std::string>())["customers"].size(), 1u);

  auto detail = get("/admin/customers/" + std::to_string(customer["id"].get<std::int64_t>()));
  EXPECT_EQ(detail["user"]["email"], "timeline@example.org");
  EXPECT_EQ(detail["bills"].size(), 1u);
  EXPECT_EQ(detail["products"].size(), 1u);
  std::vector<std::string> kinds;
  for (const auto& e : detail["events"]) kinds.push_back(e["kind"]);
  for (const auto* expected : {"created", "order_placed", "paid", "attached_to_user", "completed"})
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), expected), kinds.end()) << expected;
  EXPECT_EQ(admin.get("/admin/customers/424242", auth).status, 404);
}

TEST_F(admin_fixture, metrics_follow_the_traffic_in_prometheus_text_format) {
  http_client api(svc.port());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(api.get("/api/v1/catalog").status, 200);
  ASSERT_EQ(checkout(svc.port()).buy("metrics@example.org").status, 200);
  auto r = admin.get("/admin/metrics", auth);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
  auto text = r.body;
  EXPECT_NE(text.find("boutique_http_requests_total{route=\"GET /api/v1/catalog\",status=\"200\"} 3\n"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("boutique_checkouts_completed_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("boutique_payment_notifications_total{result=\"applied\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("boutique_live_actors{kind=\"session\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("boutique_storage_commit_seconds_count "), std::string::npos);
  // The checkout activated one session and one account. The session is still live; the account may already be
  // passivated (its completion tells the account directory to drop the live copy), so only its family is checked.
  for (const char* kind : {"session", "account"}) {
    auto labels = std::string("{kind=\"") + kind + "\"} ";
    EXPECT_NE(text.find("boutique_activations_total" + labels + "1\n"), std::string::npos) << kind << "\n" << text;
    EXPECT_NE(text.find("boutique_passivations_total" + labels), std::string::npos) << kind;
    EXPECT_NE(text.find("boutique_evictions_total" + labels + "0\n"), std::string::npos) << kind;
    EXPECT_NE(text.find("boutique_live_actors_cap" + labels), std::string::npos) << kind;
  }
  EXPECT_NE(text.find("boutique_passivations_total{kind=\"session\"} 0\n"), std::string::npos);
  // Every line is a comment or "name{labels} value".
  std::regex sample_line(
    R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.eE+-]+$|^# (HELP|TYPE) .+$)");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) EXPECT_TRUE(std::regex_match(line, sample_line)) << line;

  auto file = svc.settings().storage.path + ".metrics.txt";
  std::ofstream(file) << text;
  std::string command = "promtool check metrics < '" + file + "' 2>&1";
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) GTEST_SKIP() << "promtool is not installed";
  auto pipe = popen(command.c_str(), "r");
  std::string report;
  char buf[512];
  while (auto n = fread(buf, 1, sizeof buf, pipe)) report.append(buf, n);
  EXPECT_EQ(pclose(pipe), 0) << report;
}

// deploy/grafana-dashboard.json: every metric its queries name is one this service exports, and every query parses
// (promtool, as recording rules).
TEST_F(admin_fixture, the_grafana_dashboard_queries_only_exported_metrics_in_valid_promql) {
  auto text = admin.get("/admin/metrics", auth).body;
  auto dashboard = json::parse(std::ifstream(BOUTIQUE_SOURCE_DIR "/deploy/grafana-dashboard.json"));
  std::string rules = "groups:\n- name: boutique_dashboard\n  rules:\n";
  std::regex metric(R"(\b(boutique|process)_[a-z_]+)");
  int queries = 0;
  for (const auto& panel : dashboard.at("panels"))
    for (const auto& target : panel.at("targets")) {
      auto expr = target.at("expr").get<std::string>();
      for (std::sregex_iterator it(expr.begin(), expr.end(), metric), end; it != end; ++it) {
        auto name = it->str();
        for (const char* suffix : {"_bucket", "_sum", "_count"})
          if (name.size() > std::strlen(suffix) && name.ends_with(suffix) &&
              text.find("# TYPE " + name.substr(0, name.size() - std::strlen(suffix)) + " histogram") != std::string::npos)
            name.resize(name.size() - std::strlen(suffix));
        EXPECT_NE(text.find("# TYPE " + name + " "), std::string::npos) << panel.at("title") << ": " << name;
      }
      std::string quoted;
      for (char c : expr) quoted += c == '\'' ? std::string("''") : std::string(1, c);
      rules += "  - record: boutique:dashboard_query_" + std::to_string(++queries) + "\n    expr: '" + quoted + "'\n";
    }
  EXPECT_GE(queries, 10);
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) GTEST_SKIP() << "promtool is not installed";
  auto file = svc.settings().storage.path + ".rules.yml";
  std::ofstream(file) << rules;
  auto pipe = popen(("promtool check rules '" + file + "' 2>&1").c_str(), "r");
  std::string report;
  char buf[512];
  while (auto n = fread(buf, 1, sizeof buf, pipe)) report.append(buf, n);
  EXPECT_EQ(pclose(pipe), 0) << report;
}

TEST_F(admin_fixture, the_log_level_changes_at_run_time) {
  auto json_header = auth;
  json_header["Content-Type"] = "application/json";
  EXPECT_EQ(admin.send("PUT", "/admin/log-level", R"({"level":"debug"})", json_header).status, 200);
  EXPECT_EQ(boutique::config::logger("http")->level(), spdlog::level::debug);
  EXPECT_EQ(admin.send("PUT", "/admin/log-level", R"({"level":"loud"})", json_header).status, 422);
  EXPECT_EQ(boutique::config::logger("http")->level(), spdlog::level::debug);
  EXPECT_EQ(admin.send("PUT", "/admin/log-level", R"({"level":"warn"})", json_header).status, 200);
}

TEST(admin, the_management_listener_leaves_loopback_only_with_a_long_token) {
  auto settings = test_settings();
  settings.admin.address = "0.0.0.0";
  settings.admin.token = "short";
  EXPECT_THROW(test_service{settings}, boutique::app::startup_error);
  settings.admin.token = std::string(32, 'k');
  test_service svc(settings);
  EXPECT_EQ(http_client(svc.admin_port()).get("/admin/health").status, 200);
}

TEST_F(admin_fixture, the_probes_answer_without_a_token_and_ready_fails_while_the_writer_is_stuck) {
  auto live = admin.get("/admin/health/live");
  EXPECT_EQ(live.status, 200) << live.body;
  EXPECT_EQ(live.json()["status"], "live");
  auto ready = admin.get("/admin/health/ready");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.json()["status"], "ready");
  {
    write_lock lock(svc);
    // A write now waits behind the lock, and the writer with it (once the write reaches it: the first probes may
    // still find it free; SQLite's busy timeout gives up after 5 s, so a stuck writer shows well within that).
    const auto items = nlohmann::json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}});
    auto stuck = std::async(std::launch::async, [&] { return checkout(svc.port()).cart(items).status; });
    auto not_ready = admin.get("/admin/health/ready");
    for (int probe = 0; probe < 50 && not_ready.status == 200; ++probe) not_ready = admin.get("/admin/health/ready");
    EXPECT_EQ(not_ready.status, 503) << not_ready.body;
    EXPECT_EQ(not_ready.json()["storage"], "unavailable") << not_ready.body;
    EXPECT_EQ(admin.get("/admin/health/live").status, 200) << "the process still answers";
    lock.release();
    stuck.get();
  }
  EXPECT_EQ(admin.get("/admin/health/ready").status, 200) << "ready again once the writer is free";
}
