// What the service writes to its log, read from the executable's own output: no checkout session id in full,
// the client's text escaped, and a 500 whose cause is in the log but not in the answer.
#include "domain/tokens.hpp"
#include "support/storage.hpp"
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/shop.hpp"
#include "support/test_service.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <sstream>

using namespace boutique::testing;
using nlohmann::json;

namespace {

const json one_line = json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}});

/// Runs the executable on `dir`'s database with access-log lines on, until stop() returns its whole output.
class logged_service {
 public:
  explicit logged_service(const test_store& store, const std::string& format = "text")
      : process_({"--http.port=0", "--admin.port=0", store.option(), store.mail_option(),
                  "--catalog.path=" BOUTIQUE_SOURCE_DIR "/config/catalog.json", "--storage.synchronous=normal",
                  "--log.level=info", "--log.format=" + format}) {
    auto port = process_.wait_for_line(format == "json"
                                         ? std::regex(R"("logger":"http","event":"listening","address":"\S+","port":(\d+))")
                                         : std::regex("info http event=listening address=\\S+ port=(\\d+)"));
    if (!port.empty()) port_ = static_cast<std::uint16_t>(std::stoi(port));
  }
  std::uint16_t port() const { return port_; }
  /// SIGTERM, then everything the service wrote (its logger flushes at exit).
  std::string stop() {
    process_.signal(SIGTERM);
    EXPECT_EQ(process_.wait_exit(), 0);
    return process_.output();
  }

 private:
  child_process process_;
  std::uint16_t port_ = 0;
};

/// The log's short digest of a secret: the first 8 hex digits of its SHA-256.
std::string digest(const std::string& secret) { return boutique::domain::sha256_hex(secret).substr(0, 8); }

/// The access-log line of request `request_id` ("" when there is none).
std::string line_of(const std::string& log, const std::string& request_id) {
  auto at = log.find("request_id=" + request_id + " ");
  if (at == std::string::npos) return "";
  auto start = log.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  return log.substr(start, log.find('\n', at) - start);
}

}  // namespace

TEST(logs, no_line_holds_a_checkout_session_id) {
  temp_dir dir;
  test_store store{(dir.path() / "b.db").string()};
  logged_service svc(store);
  ASSERT_NE(svc.port(), 0);
  checkout c(svc.port());
  ASSERT_EQ(c.cart(one_line).status, 200);
  ASSERT_EQ(c.contact(contact_form("logs@example.org")).status, 200);
  ASSERT_EQ(c.state().status, 200);
  EXPECT_EQ(c.client().get(c.path("/nothing-here")).status, 404);
  EXPECT_EQ(c.client().get("/checkout/confirm", {{"Cookie", "boutique_checkout=" + c.id()}}).status, 200);
  auto log = svc.stop();

  EXPECT_EQ(log.find(c.id()), std::string::npos) << "the session id is in the log:\n" << log;
  EXPECT_NE(log.find("path=\"/api/v1/sessions/~" + digest(c.id()) + "/cart\" route=\"PUT /api/v1/sessions/{sid}/cart\""),
            std::string::npos)
    << "the access log shows the route and a digest of the id:\n" << log;
}

TEST(logs, client_text_is_escaped) {
  temp_dir dir;
  test_store store{(dir.path() / "b.db").string()};
  logged_service svc(store);
  ASSERT_NE(svc.port(), 0);
  // A quote, a backslash and invalid UTF-8 (C3 28, that is C3 then "(") in the path, as raw bytes on the wire. Whether the server
  // answers 404 (no such page) or refuses the target (400), its access-log line must stay one clean line.
  auto answer = http_client::raw_exchange(
    svc.port(), "GET /x\"y\\z\xC3\x28/%22 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(answer.rfind("HTTP/1.1 4", 0), 0u) << answer;
  auto log = svc.stop();

  EXPECT_NE(log.find(" path=\"/x\\x22y\\x5cz\\xc3(/%22\" "), std::string::npos) << log;
  EXPECT_EQ(log.find('\xC3'), std::string::npos) << "invalid UTF-8 reached the log:\n" << log;
  EXPECT_EQ(log.find("/x\"y"), std::string::npos) << "a raw quote reached the log:\n" << log;
}

TEST(logs, a_500_says_internal_error_with_the_request_id_and_only_the_log_has_the_cause) {
  temp_dir dir;
  test_store store{(dir.path() / "b.db").string()};
  std::string sid;
  {
    logged_service first(store);
    ASSERT_NE(first.port(), 0);
    checkout c(first.port());
    ASSERT_EQ(c.cart(one_line).status, 200);
    sid = c.id();
    first.stop();
  }
  {  // the stored snapshot is damaged while the service is down: restoring it fails inside the service
    auto db = store.open();
    db->prepare("UPDATE sessions SET snapshot = 'not a snapshot' WHERE id = ?").bind(1, sid).step();
    ASSERT_EQ(db->changes(), 1);
  }
  logged_service second(store);
  ASSERT_NE(second.port(), 0);
  http_client client(second.port());
  auto r = client.get("/api/v1/sessions/" + sid);
  auto log = second.stop();

  ASSERT_EQ(r.status, 500) << r.body;
  auto id = r.header("x-request-id");
  ASSERT_FALSE(id.empty());
  auto problem = json::parse(r.body);
  EXPECT_EQ(problem["detail"], "internal error (request id " + id + ")") << r.body;
  EXPECT_EQ(problem["request_id"], id) << r.body;
  EXPECT_EQ(r.body.find("restored"), std::string::npos) << "the answer shows the cause: " << r.body;
  EXPECT_EQ(r.body.find("snapshot"), std::string::npos) << "the answer shows the cause: " << r.body;

  auto line = line_of(log, id);
  EXPECT_NE(line.find("status=500"), std::string::npos) << log;
  EXPECT_NE(line.find("error=\"the session cannot be restored\""), std::string::npos) << log;
  EXPECT_EQ(log.find(sid), std::string::npos) << "the session id is in the log:\n" << log;
  EXPECT_NE(log.find("event=corrupt_snapshot session=" + digest(sid)), std::string::npos) << log;
}

TEST(logs, in_json_every_line_is_one_object_and_the_access_line_has_the_request_id) {
  temp_dir dir;
  test_store store{(dir.path() / "b.db").string()};
  logged_service svc(store, "json");
  ASSERT_NE(svc.port(), 0);
  auto r = http_client(svc.port()).get("/api/v1/catalog");
  ASSERT_EQ(r.status, 200);
  auto id = r.header("x-request-id");
  ASSERT_FALSE(id.empty());
  auto log = svc.stop();
  std::istringstream lines(log);
  int objects = 0;
  bool found = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    auto j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not one JSON object: " << line;
    for (const char* member : {"time", "level", "logger"}) EXPECT_TRUE(j.contains(member)) << member << ": " << line;
    ++objects;
    if (j.value("event", "") == "request" && j.value("request_id", "") == id) {
      found = true;
      EXPECT_EQ(j["status"], 200) << line;
      EXPECT_EQ(j["method"], "GET") << line;
      EXPECT_EQ(j["path"], "/api/v1/catalog") << line;
    }
  }
  EXPECT_GE(objects, 3) << log;
  EXPECT_TRUE(found) << "no access line for " << id << " in\n" << log;
}
