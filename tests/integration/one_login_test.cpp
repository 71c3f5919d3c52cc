// One login for the shop (net/pages/checkout.cpp, show_contact): a support-space login cookie logs the checkout
// session in at the contact step, under a new id. Raced by the same browser (two tabs, a double click), the
// session is renamed once, and no request ends on a 404. The whole journey is driven in Chromium by
// tests/e2e/pages.test.mjs.
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <future>
#include <latch>
#include <vector>

using namespace boutique::testing;
using nlohmann::json;

namespace {

/// "name=value" of a reply's Set-Cookie named `name`, or "".
std::string cookie_named(const reply& r, const std::string& name) {
  auto header = r.header("set-cookie");
  auto at = header.find(name + "=");
  if (at == std::string::npos) return {};
  return header.substr(at, header.find(';', at) - at);
}

}  // namespace

TEST(one_login, concurrent_contact_steps_with_the_login_cookie_rename_the_session_once_and_none_ends_on_a_404) {
  test_service svc;
  registered(svc, "race@example.org", "a good long password");
  http_client api(svc.port());
  auto login = api.post("/api/v1/auth/login", {{"login", "race@example.org"}, {"password", "a good long password"}});
  ASSERT_EQ(login.status, 200) << login.body;
  auto auth = cookie_named(login, "boutique_auth");
  ASSERT_FALSE(auth.empty()) << login.header("set-cookie");

  checkout shopper(svc.port());
  ASSERT_EQ(shopper.cart(json::array({{{"code", "B12-20410-F"}, {"quantity", 1}}})).status, 200);
  const std::string cookies = "boutique_checkout=" + shopper.id() + "; " + auth;

  const int tabs = 16;
  std::latch ready(tabs);
  std::vector<std::future<reply>> answers;
  for (int i = 0; i < tabs; ++i)
    answers.push_back(std::async(std::launch::async, [&] {
      http_client tab(svc.port());
      ready.arrive_and_wait();
      return tab.get("/checkout/contact", {{"Cookie", cookies}});
    }));
  std::vector<std::string> renamed;
  for (auto& a : answers) {
    auto r = a.get();
    EXPECT_TRUE(r.status == 200 || r.status == 303) << r.status << " " << r.body.substr(0, 200);
    auto checkout_cookie = cookie_named(r, "boutique_checkout");
    if (!checkout_cookie.empty()) renamed.push_back(checkout_cookie);
  }
  ASSERT_EQ(renamed.size(), 1u) << "the session is logged in and renamed once";
  EXPECT_NE(renamed[0], "boutique_checkout=" + shopper.id());

  auto page = api.get("/checkout/contact", {{"Cookie", renamed[0] + "; " + auth}});
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("You are logged in"), std::string::npos);
  EXPECT_EQ(shopper.state().status, 404) << "the old id is dead";

  // Without the login cookie, a session stays a guest's.
  checkout guest(svc.port());
  ASSERT_EQ(guest.cart(json::array({{{"code", "B12-20410-F"}, {"quantity", 1}}})).status, 200);
  auto as_guest = api.get("/checkout/contact", {{"Cookie", "boutique_checkout=" + guest.id()}});
  EXPECT_EQ(as_guest.status, 200);
  EXPECT_EQ(as_guest.body.find("You are logged in"), std::string::npos);
}
