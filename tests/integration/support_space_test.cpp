// Password-set links, login, and the customer support space (issue rules 8-9).
#include "support/shop.hpp"

#include <gtest/gtest.h>

using namespace boutique::testing;
using nlohmann::json;

namespace {

std::string cookie_of(const reply& r) {
  auto header = r.header("set-cookie");
  return header.substr(0, header.find(';'));
}

}  // namespace

TEST(support_space, the_password_link_sets_a_password_once_and_login_opens_the_space) {
  test_service svc;
  checkout c(svc.port());
  ASSERT_EQ(c.buy("space@example.org", json::array({{{"code", "A51-11236-F"}, {"quantity", 1}},
                                                    {{"code", "F18-60012-S"}, {"quantity", 2}}}))
              .status,
            200);
  auto token = token_in(wait_for_mail(svc, "space@example.org", "token="));
  ASSERT_FALSE(token.empty());
  http_client client(svc.port());
  EXPECT_EQ(client.post("/api/v1/auth/password", {{"token", token}, {"password", "short"}}).status, 422);
  EXPECT_EQ(client.post("/api/v1/auth/password", {{"token", token}, {"password", std::string(1025, 'x')}}).status, 422);
  ASSERT_EQ(client.post("/api/v1/auth/password", {{"token", token}, {"password", "a good long password"}}).status, 200);
  EXPECT_EQ(client.post("/api/v1/auth/password", {{"token", token}, {"password", "another long password"}}).status, 404)
    << "a link works once";

  EXPECT_EQ(client.post("/api/v1/auth/login", {{"login", "space@example.org"}, {"password", "wrong password"}}).status,
            401);
  auto login = client.post("/api/v1/auth/login", {{"login", "SPACE@example.org"}, {"password", "a good long password"}});
  ASSERT_EQ(login.status, 200) << login.body;
  auto set_cookie = login.header("set-cookie");
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Lax"), std::string::npos);
  std::map<std::string, std::string> auth = {{"Cookie", cookie_of(login)}};

  auto me = client.get("/api/v1/me", auth);
  ASSERT_EQ(me.status, 200) << me.body << " cookie=" << cookie_of(login);
  EXPECT_EQ(me.json()["user"]["email"], "space@example.org");
  EXPECT_EQ(me.json()["customer"]["city"], "Lyon");
  EXPECT_EQ(me.body.find("password"), std::string::npos);

  auto bills = client.get("/api/v1/me/bills", auth).json()["bills"];
  ASSERT_EQ(bills.size(), 1u);
  EXPECT_EQ(bills[0]["status"], "COMPLETE");
  EXPECT_EQ(bills[0]["items"].size(), 2u);
  EXPECT_EQ(bills[0]["total"], 14400 + 2 * 7200);

  auto products = client.get("/api/v1/me/products", auth).json()["products"];
  ASSERT_EQ(products.size(), 3u);
  for (const auto& p : products) {
    EXPECT_EQ(p["state"], "running") << p.dump();
    EXPECT_TRUE(p["reference"].is_string());
    EXPECT_TRUE(p["start"].is_string());
  }

  auto edited = client.send("PUT", "/api/v1/me/customer",
                            json{{"firstname", "Ana"}, {"lastname", "Lopez"}, {"email", "other@example.org"},
                                 {"country", "BE"}, {"city", "Liège"}}
                              .dump(),
                            {{"Content-Type", "application/json"}, {"Cookie", cookie_of(login)}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  auto after = client.get("/api/v1/me", auth).json()["customer"];
  EXPECT_EQ(after["city"], "Liège");
  EXPECT_EQ(after["country"], "BE");
  EXPECT_EQ(after["email"], "space@example.org") << "the email stays the user's";
  auto invalid = client.send("PUT", "/api/v1/me/customer", json{{"firstname", ""}, {"country", "XX"}}.dump(),
                             {{"Content-Type", "application/json"}, {"Cookie", cookie_of(login)}});
  EXPECT_EQ(invalid.status, 422);
  EXPECT_TRUE(invalid.json()["errors"].contains("country"));

  checkout later(svc.port());
  EXPECT_EQ(later.login("space@example.org", "a good long password").status, 200) << "checkout login works too";

  EXPECT_EQ(client.send("POST", "/api/v1/auth/logout", "", auth).status, 204);
  EXPECT_EQ(client.get("/api/v1/me", auth).status, 401) << "logout ends the session on the server";
}
