// Email change (POST /api/v1/me/email, confirmed by POST /api/v1/auth/email with the link mailed to the new
// address): the user's and the customer account's address change together, once, and only to a free address.
#include "support/parallel.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <atomic>

using namespace boutique::testing;

namespace {

const std::string password = "a long enough password";

reply ask_for_email(test_service& svc, const header_map& login, const std::string& email,
                    const std::string& current = password) {
  return http_client(svc.port())
    .send("POST", "/api/v1/me/email", nlohmann::json{{"email", email}, {"current", current}}.dump(), login);
}

reply confirm_link(test_service& svc, const std::string& token) {
  return http_client(svc.port()).post("/api/v1/auth/email", {{"token", token}});
}

std::int64_t counted(test_service& svc, const std::string& sql, const std::string& param) {
  return std::stoll(query_text(svc, sql, param));
}

}  // namespace

TEST(email_change, the_link_to_the_new_address_changes_the_user_and_the_customer_once) {
  test_service svc;
  registered(svc, "before@example.org", "a long enough password");
  auto login = login_header(svc, "before@example.org", "a long enough password");

  auto asked = ask_for_email(svc, login, "after@example.org");
  ASSERT_EQ(asked.status, 202) << asked.body;
  EXPECT_EQ(asked.json(), (nlohmann::json{{"status", "sent"}}));
  auto link = token_in(wait_for_mail(svc, "after@example.org", "confirm your new email address"));
  ASSERT_FALSE(link.empty());
  EXPECT_EQ(login_status(svc, "before@example.org", "a long enough password"), 200) << "nothing changes before the link";

  auto confirmed = confirm_link(svc, link);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(confirmed.json()["user"]["email"], "after@example.org");
  auto me = http_client(svc.port()).get("/api/v1/me", login);
  ASSERT_EQ(me.status, 200) << "the logins held stay";
  EXPECT_EQ(me.json()["user"]["email"], "after@example.org");
  EXPECT_EQ(me.json()["customer"]["email"], "after@example.org") << "the customer account follows";
  EXPECT_EQ(login_status(svc, "after@example.org", "a long enough password"), 200);
  EXPECT_EQ(login_status(svc, "before@example.org", "a long enough password"), 401);
  EXPECT_NE(wait_for_mail(svc, "before@example.org", "is now after@example.org").find("answer this mail"),
            std::string::npos)
    << "the old address is told";
  EXPECT_EQ(counted(svc, "SELECT count(*) FROM customer_events WHERE kind = ?", "email_changed"), 1);
  EXPECT_EQ(confirm_link(svc, link).status, 404) << "a link works once";

  // The account can still be edited, and keeps its new address; the old one is free for a new customer.
  auto edited = http_client(svc.port())
                  .send("PUT", "/api/v1/me/customer", contact_form("after@example.org", "Nantes").dump(),
                        login);
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json()["customer"]["email"], "after@example.org");
  EXPECT_EQ(checkout(svc.port()).buy("before@example.org").status, 200);
  EXPECT_EQ(counted(svc, "SELECT count(*) FROM customers WHERE email_norm = ?", "before@example.org"), 1);
}

TEST(email_change, an_address_that_has_an_account_gets_a_notice_not_a_link_and_the_same_answer) {
  test_service svc;
  registered(svc, "mover@example.org", "a long enough password");
  ASSERT_EQ(checkout(svc.port()).buy("guest-owner@example.org").status, 200);
  auto login = login_header(svc, "mover@example.org", "a long enough password");

  auto asked = ask_for_email(svc, login, "Guest-Owner@Example.org");
  EXPECT_EQ(asked.status, 202);
  EXPECT_EQ(asked.json(), (nlohmann::json{{"status", "sent"}}));
  auto notice = wait_for_mail(svc, "Guest-Owner@Example.org", "already in use");
  EXPECT_TRUE(token_in(notice).empty()) << notice;
  EXPECT_EQ(counted(svc, "SELECT count(*) FROM email_tokens WHERE used_at IS NULL AND email = ?",
                     "Guest-Owner@Example.org"),
            0);
  EXPECT_EQ(http_client(svc.port()).get("/api/v1/me", login).json()["user"]["email"], "mover@example.org");
}

TEST(email_change, a_link_confirmed_after_the_address_went_to_another_account_changes_nothing) {
  test_service svc;
  registered(svc, "slow@example.org", "a long enough password");
  auto login = login_header(svc, "slow@example.org", "a long enough password");
  ASSERT_EQ(ask_for_email(svc, login, "contested@example.org").status, 202);
  auto link = token_in(wait_for_mail(svc, "contested@example.org", "confirm your new email address"));
  ASSERT_FALSE(link.empty());
  ASSERT_EQ(checkout(svc.port()).buy("contested@example.org").status, 200) << "a guest buys with the address";

  EXPECT_EQ(confirm_link(svc, link).status, 409);
  auto me = http_client(svc.port()).get("/api/v1/me", login).json();
  EXPECT_EQ(me["user"]["email"], "slow@example.org");
  EXPECT_EQ(me["customer"]["email"], "slow@example.org");
  EXPECT_EQ(counted(svc, "SELECT count(*) FROM customer_events WHERE kind = ?", "email_changed"), 0);
}

TEST(email_change, a_thousand_requests_at_once_mail_one_address_once) {
  test_service svc;
  registered(svc, "flooder@example.org", "a long enough password");
  auto login = login_header(svc, "flooder@example.org", "a long enough password");
  std::atomic<int> accepted{0}, throttled{0}, other{0};
  in_parallel(50, [&](int worker) {
    http_client client(svc.port());
    for (int i = 0; i < 20; ++i) {
      auto target = "victim" + std::to_string(worker * 20 + i) + "@example.org";
      auto body = nlohmann::json{{"email", target}, {"current", password}}.dump();
      auto status = client.send("POST", "/api/v1/me/email", body, login).status;
      if (status == 202) ++accepted;
      else if (status == 429) ++throttled;  // the client address's attempts at a secret, counted while in flight
      else ++other;
    }
  });
  EXPECT_GE(accepted.load(), 1);
  EXPECT_EQ(accepted.load() + throttled.load(), 1000);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM outbox WHERE recipient LIKE 'victim%'"), 1);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM email_tokens"), 1);
}

TEST(email_change, a_thousand_concurrent_confirmations_of_one_link_change_the_address_once) {
  test_service svc;
  registered(svc, "double@example.org", "a long enough password");
  auto login = login_header(svc, "double@example.org", "a long enough password");
  ASSERT_EQ(ask_for_email(svc, login, "single@example.org").status, 202);
  auto link = token_in(wait_for_mail(svc, "single@example.org", "confirm your new email address"));
  ASSERT_FALSE(link.empty());
  std::atomic<int> changed{0}, spent{0}, other{0};
  in_parallel(50, [&](int) {
    http_client client(svc.port());
    for (int i = 0; i < 20; ++i) {
      auto status = client.post("/api/v1/auth/email", {{"token", link}}).status;
      if (status == 200) ++changed;
      else if (status == 404 || status == 429) ++spent;  // 429: the address's failed attempts are used up
      else ++other;
    }
  });
  EXPECT_EQ(changed.load(), 1);
  EXPECT_EQ(spent.load(), 999);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(counted(svc, "SELECT count(*) FROM customer_events WHERE kind = ?", "email_changed"), 1);
  EXPECT_EQ(counted(svc, "SELECT count(*) FROM outbox WHERE recipient = ? AND subject LIKE '%was changed'",
                     "double@example.org"),
            1);
}

TEST(email_change, a_wrong_password_asks_for_nothing_and_a_login_that_ends_takes_its_pending_link_with_it) {
  test_service svc;
  registered(svc, "owner@example.org", password);
  auto thief = login_header(svc, "owner@example.org", password);  // a login cookie someone else got hold of
  auto wrong = ask_for_email(svc, thief, "thief@example.org", "a guess at the password");
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_TRUE(wrong.json()["errors"].contains("current")) << wrong.body;
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM email_tokens"), 0) << "no link for a wrong password";

  // Had the password leaked too: the owner's "log out everywhere" ends the login and the link it asked for.
  ASSERT_EQ(ask_for_email(svc, thief, "thief@example.org").status, 202);
  auto link = token_in(wait_for_mail(svc, "thief@example.org", "confirm your new email address"));
  ASSERT_FALSE(link.empty());
  auto owner = login_header(svc, "owner@example.org", password);
  ASSERT_EQ(http_client(svc.port()).send("POST", "/api/v1/auth/logout-everywhere", "", owner).status, 204);
  EXPECT_EQ(confirm_link(svc, link).status, 404);
  EXPECT_EQ(login_status(svc, "owner@example.org", password), 200) << "the address did not move";
}

TEST(email_change, the_change_retires_the_password_links_mailed_to_the_old_address) {
  test_service svc;
  registered(svc, "retiring@example.org", password);
  auto login = login_header(svc, "retiring@example.org", password);
  ASSERT_EQ(http_client(svc.port()).post("/api/v1/auth/forgot", {{"login", "retiring@example.org"}}).status, 202);
  auto reset = token_in(wait_for_mail(svc, "retiring@example.org", "choose a new password"));
  ASSERT_FALSE(reset.empty());
  ASSERT_EQ(ask_for_email(svc, login, "retired@example.org").status, 202);
  auto link = token_in(wait_for_mail(svc, "retired@example.org", "confirm your new email address"));
  ASSERT_EQ(confirm_link(svc, link).status, 200);
  EXPECT_EQ(http_client(svc.port())
              .post("/api/v1/auth/password", {{"token", reset}, {"password", "whoever reads the old mailbox"}})
              .status,
            404);
}
