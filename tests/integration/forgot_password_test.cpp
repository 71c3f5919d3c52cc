// "Forgot your password?" (POST /api/v1/auth/forgot, the login pages' link): the same answer whether or not the
// name is a user's, a single-use link by mail, a new password that ends the logins held, one mail per minute.
#include "domain/completion.hpp"
#include "support/parallel.hpp"
#include "support/shop.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

using namespace boutique::testing;

namespace {

reply ask_for_link(test_service& svc, const std::string& login) {
  return http_client(svc.port()).post("/api/v1/auth/forgot", {{"login", login}});
}

std::string login_cookie_of(const reply& r) {
  auto cookie = r.header("set-cookie");
  return cookie.substr(0, cookie.find(';'));
}

std::int64_t reset_mails_to(test_service& svc, const std::string& email) {
  return std::stoll(query_text(svc, "SELECT count(*) FROM outbox WHERE recipient = ? AND subject LIKE '%new password'",
                               email));
}

}  // namespace

TEST(forgot_password, the_answer_is_the_same_for_any_name_and_the_link_sets_a_new_password_once) {
  test_service svc;
  registered(svc, "forgetful@example.org", "the first long password");
  http_client client(svc.port());
  auto held = client.post("/api/v1/auth/login", {{"login", "forgetful@example.org"}, {"password", "the first long password"}});
  ASSERT_EQ(held.status, 200);
  std::map<std::string, std::string> held_login{{"Cookie", login_cookie_of(held)}};

  // An unknown name first, then the user's (storage works through them in this order).
  auto unknown = ask_for_link(svc, "nobody-here@example.org");
  auto known = ask_for_link(svc, "Forgetful@Example.org");
  EXPECT_EQ(unknown.status, 202);
  EXPECT_EQ(known.status, 202);
  EXPECT_EQ(known.body, unknown.body);
  EXPECT_EQ(known.json(), (nlohmann::json{{"status", "sent"}}));
  std::set<std::string> known_headers, unknown_headers;
  for (const auto& [name, value] : known.headers) known_headers.insert(name);
  for (const auto& [name, value] : unknown.headers) unknown_headers.insert(name);
  EXPECT_EQ(known_headers, unknown_headers);
  auto mail = wait_for_mail(svc, "forgetful@example.org", "choose a new password");
  auto token = token_in(mail);
  ASSERT_FALSE(token.empty()) << mail;
  EXPECT_NE(mail.find("If you did not ask for it, ignore this mail"), std::string::npos);
  EXPECT_EQ(reset_mails_to(svc, "forgetful@example.org"), 1);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM outbox WHERE recipient = 'nobody-here@example.org'"), 0);

  // The old password works until the new one is set; then the logins held end and the link is spent.
  ASSERT_EQ(client.post("/api/v1/auth/password", {{"token", token}, {"password", "the second long password"}}).status,
            200);
  EXPECT_EQ(client.get("/api/v1/me", held_login).status, 401) << "a login held before the reset ends";
  EXPECT_EQ(client.post("/api/v1/auth/login", {{"login", "forgetful@example.org"}, {"password", "the first long password"}})
              .status,
            401);
  EXPECT_EQ(client.post("/api/v1/auth/login", {{"login", "forgetful@example.org"}, {"password", "the second long password"}})
              .status,
            200);
  EXPECT_EQ(client.post("/api/v1/auth/password", {{"token", token}, {"password", "a third long password"}}).status, 404)
    << "a link works once";
}

TEST(forgot_password, a_thousand_requests_at_once_for_one_account_send_one_mail) {
  test_service svc;
  registered(svc, "bombed@example.org", "a long enough password");
  registered(svc, "sentinel@example.org", "a long enough password");
  std::atomic<int> accepted{0};
  in_parallel(50, [&](int) {
    http_client client(svc.port());
    for (int i = 0; i < 20; ++i)
      if (client.post("/api/v1/auth/forgot", {{"login", "bombed@example.org"}}).status == 202) ++accepted;
  });
  EXPECT_EQ(accepted.load(), 1000);
  EXPECT_TRUE(within(std::chrono::seconds(10), [&] { return reset_mails_to(svc, "bombed@example.org") >= 1; },
                     std::chrono::milliseconds(50)));
  // Every request above was answered before this one, and each is looked up, then written, in a few ms: once the
  // sentinel's mail is queued, the others are long done.
  ASSERT_EQ(ask_for_link(svc, "sentinel@example.org").status, 202);
  wait_for_mail(svc, "sentinel@example.org", "choose a new password");
  EXPECT_EQ(reset_mails_to(svc, "bombed@example.org"), 1);
  EXPECT_EQ(std::stoll(query_text(svc,
                                  "SELECT count(*) FROM password_tokens t JOIN users u ON u.id = t.user_id "
                                  "WHERE u.email_norm = ? AND t.used_at IS NULL",
                                  "bombed@example.org")),
            1);

  moved_clock a_minute_later(boutique::domain::password_reset_interval_s + 1);
  ASSERT_EQ(ask_for_link(svc, "bombed@example.org").status, 202);
  ASSERT_EQ(ask_for_link(svc, "sentinel@example.org").status, 202);
  within(std::chrono::seconds(10), [&] { return reset_mails_to(svc, "sentinel@example.org") == 2; },
         std::chrono::milliseconds(50));
  EXPECT_EQ(reset_mails_to(svc, "bombed@example.org"), 2) << "a minute later the account may have another link";
}

TEST(forgot_password, a_password_set_through_one_link_retires_the_others) {
  test_service svc;
  ASSERT_EQ(checkout(svc.port()).buy("two-links@example.org").status, 200);
  auto welcome = token_in(wait_for_mail(svc, "two-links@example.org", "token="));
  moved_clock a_minute_later(boutique::domain::password_reset_interval_s + 1);  // the welcome link counts as this minute's
  ASSERT_EQ(ask_for_link(svc, "two-links@example.org").status, 202);
  auto reset = token_in(wait_for_mail(svc, "two-links@example.org", "choose a new password"));
  ASSERT_FALSE(welcome.empty());
  ASSERT_FALSE(reset.empty());
  ASSERT_NE(welcome, reset);

  http_client client(svc.port());
  ASSERT_EQ(client.post("/api/v1/auth/password", {{"token", reset}, {"password", "the chosen long password"}}).status,
            200);
  EXPECT_EQ(client.post("/api/v1/auth/password", {{"token", welcome}, {"password", "somebody else's password"}}).status,
            404)
    << "the welcome link, still unused, stops working once a password is set through another";
  EXPECT_EQ(client.post("/api/v1/auth/login", {{"login", "two-links@example.org"}, {"password", "the chosen long password"}})
              .status,
            200);
}

// A flood of names that are no one's costs reads only: the single writer, which serves orders and payments, never
// sees it (each known name costs one write, then one link a minute).
TEST(forgot_password, a_flood_of_unknown_names_writes_nothing) {
  test_service svc;
  registered(svc, "flood-sentinel@example.org", "a long enough password");
  http_client admin(svc.admin_port());
  std::map<std::string, std::string> auth{{"Authorization", "Bearer " + svc.settings().admin.token}};
  auto writes = [&] {  // writes committed so far: the sum of the group-commit batch sizes
    auto text = admin.get("/admin/metrics", auth).body;
    auto at = text.find("boutique_storage_batch_size_sum ");
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + 32));
  };
  auto before = writes();
  ASSERT_GE(before, 0.0);
  in_parallel(20, [&](int worker) {
    http_client client(svc.port());
    for (int i = 0; i < 50; ++i)
      client.post("/api/v1/auth/forgot", {{"login", "nobody-" + std::to_string(worker * 50 + i) + "@example.org"}});
  });
  ASSERT_EQ(ask_for_link(svc, "flood-sentinel@example.org").status, 202);
  wait_for_mail(svc, "flood-sentinel@example.org", "choose a new password");
  // The sentinel's link, and the mailer recording what it sent: a handful, not a thousand.
  EXPECT_LT(writes() - before, 10.0);
}
