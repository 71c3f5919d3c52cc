// The admins' dashboard (GET/POST /admin/dashboard): the token form, the pass cookie it sets and what that pass
// opens (reading only), forged and expired passes, cross-site forms, and a flood of wrong tokens from one address.
// The page itself is driven in Chromium by tests/e2e/dashboard.test.mjs.
#include "domain/clock.hpp"
#include "domain/signature.hpp"
#include "support/http_client.hpp"
#include "support/test_service.hpp"

#include <gtest/gtest.h>

#include <future>
#include <vector>

using namespace boutique::testing;

namespace {

const std::map<std::string, std::string> form_headers{{"Content-Type", "application/x-www-form-urlencoded"}};

struct dashboard_fixture : ::testing::Test {
  test_service svc;
  http_client admin{svc.admin_port()};
  const std::string& token() const { return svc.settings().admin.token; }

  reply sign_in(const std::string& given, std::map<std::string, std::string> headers = form_headers) {
    return admin.send("POST", "/admin/dashboard", "token=" + given, headers);
  }
  /// "boutique_admin=<pass>" from a sign-in's Set-Cookie, for the Cookie header.
  static std::string cookie_of(const reply& r) {
    auto header = r.header("set-cookie");
    return header.substr(0, header.find(';'));
  }
  std::map<std::string, std::string> with_pass(const std::string& pass) {
    return {{"Cookie", "boutique_admin=" + pass}};
  }
};

}  // namespace

TEST_F(dashboard_fixture, the_token_form_sets_an_http_only_strict_pass_for_the_management_paths) {
  auto form = admin.get("/admin/dashboard");
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("name=\"token\""), std::string::npos) << form.body;
  EXPECT_EQ(form.body.find("chart-checkouts"), std::string::npos) << "no dashboard before the token";
  EXPECT_EQ(form.header("content-security-policy"), "default-src 'self'; frame-ancestors 'none'");

  auto refused = sign_in("not-the-token");
  EXPECT_EQ(refused.status, 401);
  EXPECT_TRUE(refused.header("set-cookie").empty());
  EXPECT_NE(refused.body.find("not the admin token"), std::string::npos);
  EXPECT_EQ(refused.body.find(token()), std::string::npos);

  auto accepted = sign_in(token());
  ASSERT_EQ(accepted.status, 303) << accepted.body;
  EXPECT_EQ(accepted.header("location"), "/admin/dashboard");
  auto cookie = accepted.header("set-cookie");
  for (const char* attribute : {"; Path=/admin", "; HttpOnly", "; SameSite=Strict", "; Max-Age=28800"})
    EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute << " in " << cookie;
  EXPECT_EQ(cookie.find(token()), std::string::npos) << "the cookie carries a pass, not the token";

  auto board = admin.get("/admin/dashboard", {{"Cookie", cookie_of(accepted)}});
  ASSERT_EQ(board.status, 200);
  EXPECT_NE(board.body.find("chart-checkouts"), std::string::npos);
  EXPECT_NE(board.body.find("<script src=\"/admin/dashboard/app.js\""), std::string::npos);
  for (const char* file : {"/admin/dashboard/app.js", "/admin/dashboard/app.css"}) {
    auto r = admin.get(file);
    EXPECT_EQ(r.status, 200) << file;
    EXPECT_FALSE(r.body.empty()) << file;
  }
}

TEST_F(dashboard_fixture, the_pass_opens_reading_routes_only) {
  auto cookie = cookie_of(sign_in(token()));
  std::map<std::string, std::string> jar{{"Cookie", cookie}};
  for (const std::string target : {"/admin/metrics", "/admin/actors?kind=session", "/admin/customers?q=a"})
    EXPECT_EQ(admin.get(target, jar).status, 200) << target;
  auto json_jar = jar;
  json_jar["Content-Type"] = "application/json";
  EXPECT_EQ(admin.send("POST", "/admin/retention", "", jar).status, 401);
  EXPECT_EQ(admin.send("POST", "/admin/backup", R"({"to":"x.db"})", json_jar).status, 401);
  EXPECT_EQ(admin.send("PUT", "/admin/log-level", R"({"level":"debug"})", json_jar).status, 401);
  EXPECT_EQ(admin.send("POST", "/admin/catalog/reload", "", jar).status, 401);
}

TEST_F(dashboard_fixture, forged_expired_and_foreign_passes_are_refused) {
  namespace d = boutique::domain;
  auto now = d::now_s();
  EXPECT_EQ(admin.get("/admin/metrics", with_pass(d::admin_pass(token(), now + 600))).status, 200) << "control";
  EXPECT_EQ(admin.get("/admin/metrics", with_pass(d::admin_pass(token(), now - 1))).status, 401) << "expired";
  EXPECT_EQ(admin.get("/admin/metrics", with_pass(d::admin_pass("another-token", now + 600))).status, 401);
  auto pass = d::admin_pass(token(), now + 600);
  pass.back() = pass.back() == '0' ? '1' : '0';
  EXPECT_EQ(admin.get("/admin/metrics", with_pass(pass)).status, 401) << "tampered";
  EXPECT_EQ(admin.get("/admin/dashboard", with_pass(pass)).body.find("chart-checkouts"), std::string::npos);
}

TEST_F(dashboard_fixture, forms_from_another_site_are_refused_and_sign_out_clears_the_pass) {
  auto headers = form_headers;
  headers["Sec-Fetch-Site"] = "cross-site";
  auto planted = sign_in(token(), headers);
  EXPECT_EQ(planted.status, 403);
  EXPECT_TRUE(planted.header("set-cookie").empty());
  headers["Sec-Fetch-Site"] = "same-origin";
  EXPECT_EQ(sign_in(token(), headers).status, 303);
  EXPECT_EQ(sign_in(token(), {}).status, 400) << "not a form";

  auto out = admin.send("POST", "/admin/dashboard/logout", "", form_headers);
  EXPECT_EQ(out.status, 303);
  EXPECT_NE(out.header("set-cookie").find("boutique_admin=; Path=/admin"), std::string::npos) << out.header("set-cookie");
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
}

TEST_F(dashboard_fixture, a_flood_of_wrong_tokens_from_one_address_is_cut_at_the_attempt_limit) {
  // 50 connections at once (the management listener holds 64), 4 guesses each: 200 guesses.
  const int connections = 50, each = 4;
  const int limit = svc.settings().auth.max_failed_logins_per_address;
  std::vector<std::future<std::vector<int>>> answers;
  for (int i = 0; i < connections; ++i)
    answers.push_back(std::async(std::launch::async, [port = svc.admin_port(), i] {
      http_client c(port);
      std::vector<int> statuses;
      for (int k = 0; k < each; ++k)
        statuses.push_back(c.send("POST", "/admin/dashboard", "token=guess-" + std::to_string(i * each + k),
                                  form_headers).status);
      return statuses;
    }));
  int compared = 0, throttled = 0;
  for (auto& a : answers)
    for (int status : a.get()) {
      compared += status == 401;
      throttled += status == 429;
    }
  EXPECT_EQ(compared + throttled, connections * each);
  EXPECT_LE(compared, limit) << "no more guesses compared than the limit, however many arrive at once";
  EXPECT_GE(compared, 1);
  EXPECT_EQ(sign_in(token()).status, 429) << "the address waits out the window, right token or not";
}
