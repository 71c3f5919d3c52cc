// A logged-in user's own security: changing the password (PUT /api/v1/me/password: the current one first, the
// other logins end) and logging out everywhere (POST /api/v1/auth/logout-everywhere).
#include "support/parallel.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <atomic>

using namespace boutique::testing;

namespace {

reply change_password(test_service& svc, const header_map& login,
                      const std::string& current, const std::string& next) {
  return http_client(svc.port())
    .send("PUT", "/api/v1/me/password", nlohmann::json{{"current", current}, {"password", next}}.dump(), login);
}

int me_status(test_service& svc, const header_map& login) {
  return http_client(svc.port()).get("/api/v1/me", login).status;
}

std::int64_t events_of(test_service& svc, const std::string& kind) {
  return std::stoll(query_text(svc, "SELECT count(*) FROM customer_events WHERE kind = ?", kind));
}

}  // namespace

TEST(account_security, a_password_change_keeps_this_login_ends_the_others_and_the_links) {
  test_service svc;
  const std::string email = "changer@example.org";
  registered(svc, email, "the first long password");
  auto here = login_header(svc, email, "the first long password");
  auto elsewhere = login_header(svc, email, "the first long password");
  ASSERT_EQ(http_client(svc.port()).post("/api/v1/auth/forgot", {{"login", email}}).status, 202);
  auto pending_link = token_in(wait_for_mail(svc, email, "choose a new password"));
  ASSERT_FALSE(pending_link.empty());

  auto changed = change_password(svc, here, "the first long password", "the second long password");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json(), (nlohmann::json{{"status", "password changed"}}));

  EXPECT_EQ(me_status(svc, here), 200) << "the login that changed it stays";
  EXPECT_EQ(me_status(svc, elsewhere), 401) << "every other login ends";
  EXPECT_EQ(login_status(svc, email, "the first long password"), 401);
  EXPECT_EQ(login_status(svc, email, "the second long password"), 200);
  EXPECT_EQ(http_client(svc.port())
              .post("/api/v1/auth/password", {{"token", pending_link}, {"password", "somebody else's password"}})
              .status,
            404)
    << "a password link asked for before the change no longer works";
  auto notice = wait_for_mail(svc, email, "your password was changed");
  EXPECT_NE(notice.find("/account/forgot"), std::string::npos) << notice;
  EXPECT_EQ(events_of(svc, "password_changed"), 1);
}

TEST(account_security, a_refused_password_change_changes_nothing) {
  test_service svc;
  const std::string email = "careful@example.org";
  registered(svc, email, "the first long password");
  auto here = login_header(svc, email, "the first long password");
  auto elsewhere = login_header(svc, email, "the first long password");

  auto wrong = change_password(svc, here, "not my password at all", "the second long password");
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_EQ(wrong.json()["errors"]["current"], "is not your current password") << wrong.body;
  auto weak = change_password(svc, here, "the first long password", "short");
  EXPECT_EQ(weak.status, 422) << weak.body;
  EXPECT_TRUE(weak.json()["errors"].contains("password")) << weak.body;
  EXPECT_EQ(change_password(svc, {}, "the first long password", "the second long password").status, 401);

  EXPECT_EQ(me_status(svc, elsewhere), 200);
  EXPECT_EQ(login_status(svc, email, "the first long password"), 200);
  EXPECT_EQ(login_status(svc, email, "the second long password"), 401);
  EXPECT_EQ(events_of(svc, "password_changed"), 0);
}

// Someone holding a stolen login cookie guesses the current password to take the account over: the guesses count
// as failed logins of the user, so that a thousand at once verify at most the limit.
TEST(account_security, a_thousand_concurrent_guesses_of_the_current_password_verify_at_most_the_limit) {
  test_service svc;
  const std::string email = "guessed@example.org";
  registered(svc, email, "the real long password");
  auto stolen = login_header(svc, email, "the real long password");
  std::atomic<int> verified{0}, throttled{0}, other{0};
  in_parallel(50, [&](int worker) {
    http_client client(svc.port());
    for (int i = 0; i < 20; ++i) {
      auto guess = "guess number " + std::to_string(worker * 20 + i);
      auto r = client.send("PUT", "/api/v1/me/password",
                           nlohmann::json{{"current", guess}, {"password", "the thief's long password"}}.dump(), stolen);
      if (r.status == 422) ++verified;
      else if (r.status == 429) ++throttled;
      else ++other;
    }
  });
  EXPECT_EQ(other.load(), 0);
  EXPECT_GE(verified.load(), 1);
  EXPECT_LE(verified.load(), 5) << "auth.max_failed_logins guesses at most";
  EXPECT_EQ(verified.load() + throttled.load(), 1000);
  EXPECT_EQ(change_password(svc, stolen, "the real long password", "the thief's long password").status, 429)
    << "even the right password waits once the guesses are used up";
  EXPECT_EQ(events_of(svc, "password_changed"), 0);
}

TEST(account_security, logging_out_everywhere_ends_every_login_of_the_user_only) {
  test_service svc;
  registered(svc, "leaver@example.org", "a long enough password");
  registered(svc, "stayer@example.org", "a long enough password");
  std::vector<header_map> logins;
  for (int i = 0; i < 20; ++i) logins.push_back(login_header(svc, "leaver@example.org", "a long enough password"));
  auto other_user = login_header(svc, "stayer@example.org", "a long enough password");

  auto out = http_client(svc.port()).send("POST", "/api/v1/auth/logout-everywhere", "", logins.front());
  ASSERT_EQ(out.status, 204) << out.body;
  EXPECT_NE(out.header("set-cookie").find("boutique_auth=;"), std::string::npos) << out.header("set-cookie");
  for (const auto& login : logins) EXPECT_EQ(me_status(svc, login), 401);
  EXPECT_EQ(me_status(svc, other_user), 200) << "another user's logins stay";
  EXPECT_EQ(events_of(svc, "logged_out_everywhere"), 1);
  EXPECT_EQ(http_client(svc.port()).send("POST", "/api/v1/auth/logout-everywhere", "", logins.back()).status, 401);
  EXPECT_EQ(login_status(svc, "leaver@example.org", "a long enough password"), 200) << "the password still works";
}
