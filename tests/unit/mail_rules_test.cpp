// What becomes of a mail after an attempt (domain/mail.hpp), the outbox that records it (storage/mail_queries.cpp),
// the text sent (mail/eml.cpp) and the [mail] options.
#include "config/config.hpp"
#include "domain/mail.hpp"
#include "domain/mail_body.hpp"
#include "mail/transport.hpp"
#include "storage/database.hpp"
#include "support/storage.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"

#include <gtest/gtest.h>

using namespace boutique;
using state = domain::mail_outcome::state;

namespace {

const domain::retry_policy policy{3, 5, 60};

outbox_mail queued_mail(int attempts = 0) { return {7, "to@example.org", "Subject", "Body", 1000, attempts, ""}; }

std::string mail_option_error(const std::vector<std::string>& args) {
  try {
    config::load(args);
  } catch (const config::config_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(mail_rules, waits_double_from_the_first_up_to_the_longest) {
  EXPECT_EQ(domain::retry_delay_s(1, policy), 5);
  EXPECT_EQ(domain::retry_delay_s(2, policy), 10);
  EXPECT_EQ(domain::retry_delay_s(4, policy), 40);
  EXPECT_EQ(domain::retry_delay_s(5, policy), 60);
  EXPECT_EQ(domain::retry_delay_s(1000, policy), 60);
}

TEST(mail_rules, an_attempt_sends_fails_or_reschedules_the_mail) {
  auto sent = domain::after_attempt(queued_mail(), domain::delivery::accepted, "", 2000, policy);
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->after, state::sent);
  EXPECT_EQ(sent->at, 2000);
  EXPECT_EQ(sent->attempts, 1);

  auto refused = domain::after_attempt(queued_mail(), domain::delivery::refused, "550 no such user", 2000, policy);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->after, state::failed) << "a 5xx is never retried";
  EXPECT_EQ(refused->error, "550 no such user");

  auto deferred = domain::after_attempt(queued_mail(1), domain::delivery::deferred, "451 later", 2000, policy);
  ASSERT_TRUE(deferred);
  EXPECT_EQ(deferred->after, state::waiting);
  EXPECT_EQ(deferred->attempts, 2);
  EXPECT_EQ(deferred->at, 2000 + 10) << "the second failure waits twice the first delay";

  auto last = domain::after_attempt(queued_mail(2), domain::delivery::deferred, "451 later", 2000, policy);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->after, state::failed) << "deferred max_attempts times: failed";

  EXPECT_FALSE(domain::after_attempt(queued_mail(), domain::delivery::unreachable, "refused", 2000, policy))
    << "an unreachable relay is not the mail's attempt";
}

TEST(mail_rules, the_outbox_hands_out_due_mail_only_and_keeps_a_sent_or_failed_mail_as_it_is) {
  boutique::testing::test_store store{":memory:"};  // or a scratch PostgreSQL database (support/storage.hpp)
  auto connection = store.open();
  auto& db = *connection;
  storage::migrate(db);
  std::int64_t queued_at = 100;
  for (const char* to : {"a@example.org", "b@example.org", "c@example.org"}) {
    auto mail = domain::mail_body(domain::language::en).paragraph("token=SECRET").finish(to, "Your account");
    storage::queue_mail(db, mail, queued_at++);
  }
  auto first = storage::due_mail(db, 102, 10);
  ASSERT_EQ(first.due.size(), 3u);
  EXPECT_EQ(first.queued, 3);
  EXPECT_EQ(first.oldest_queued_at, 100);
  auto a = first.due[0].id, b = first.due[1].id, c = first.due[2].id;
  storage::record_mail_outcomes(db, {{a, state::sent, 1, 110, {}},
                                     {b, state::waiting, 1, 200, "451 later"},
                                     {c, state::failed, 1, 110, "550 no"}});
  auto second = storage::due_mail(db, 150, 10);
  EXPECT_TRUE(second.due.empty()) << "b waits until 200";
  EXPECT_EQ(second.queued, 1) << "neither sent nor failed";
  EXPECT_EQ(second.oldest_queued_at, 101) << "b, the one still waiting";
  auto third = storage::due_mail(db, 200, 10);
  ASSERT_EQ(third.due.size(), 1u);
  EXPECT_EQ(third.due[0].id, b);
  EXPECT_EQ(third.due[0].attempts, 1);

  // A late outcome for a mail already sent or failed changes nothing.
  storage::record_mail_outcomes(db, {{a, state::failed, 2, 300, "late"}, {c, state::sent, 2, 300, {}}});
  auto& check = db.prepare("SELECT count(*) FROM outbox WHERE (id = ? AND sent_at = 110 AND failed_at IS NULL) OR "
                           "(id = ? AND failed_at = 110 AND sent_at IS NULL AND body = '' AND html = '' AND "
                           "blocks = '' AND error = '550 no')");
  check.bind_all(a, c);
  ASSERT_TRUE(check.step());
  EXPECT_EQ(check.integer(0), 2);
  db.reset_all();
}

TEST(mail_rules, a_mail_names_its_sender_and_keeps_one_message_id_whenever_it_is_sent) {
  mail::sender from{"orders@shop.example", "Boutique Lyon"};
  outbox_mail mail{42, "to@example.org", "Votre compte créé", "Line one\nLine two", 1767225600, 0, ""};
  auto text = mail::render_eml(mail, from);
  EXPECT_NE(text.find("From: Boutique Lyon <orders@shop.example>\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Message-ID: <outbox-42-1767225600@shop.example>\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Subject: =?UTF-8?B?"), std::string::npos) << "a subject with accents is encoded";
  EXPECT_NE(text.find("Line one\r\nLine two"), std::string::npos) << "CRLF line ends";
  EXPECT_EQ(text, mail::render_eml(mail, from)) << "a mail sent again is the same mail";
}

TEST(mail_rules, mail_options_are_checked_at_start) {
  EXPECT_NE(mail_option_error({"--mail.transport=smtp"}).find("mail.smtp_url"), std::string::npos);
  EXPECT_NE(mail_option_error({"--mail.transport=smtp", "--mail.smtp_url=http://relay:25"}).find("smtp://"),
            std::string::npos);
  EXPECT_NE(mail_option_error({"--mail.smtp_url=smtp://relay:25"}).find("mail.transport"), std::string::npos)
    << "a relay given to the maildir transport would be silently unused";
  EXPECT_NE(mail_option_error({"--mail.transport=smtp", "--mail.smtp_url=smtp://user:pw@relay:25"})
              .find("BOUTIQUE_SMTP_PASSWORD"),
            std::string::npos)
    << "no password in a URL that is logged";
  EXPECT_NE(mail_option_error({"--mail.from=a@b.example\r\nBcc: x@y.example"}).find("mail.from"), std::string::npos);
  EXPECT_NE(mail_option_error({"--mail.from=nobody"}).find("mail.from"), std::string::npos);
  EXPECT_NE(mail_option_error({"--mail.smtp_starttls=maybe"}).find("required"), std::string::npos);
  EXPECT_NE(mail_option_error({"--mail.retry_first_s=100", "--mail.retry_max_s=10"}).find("mail.retry_max_s"),
            std::string::npos);
  auto ok = config::load({"--mail.transport=smtp", "--mail.smtp_url=smtps://relay.example:465",
                          "--mail.smtp_user=shop", "--mail.from=orders@shop.example"});
  EXPECT_EQ(ok.mail.transport, "smtp");
  EXPECT_EQ(ok.mail.smtp_starttls, "required") << "TLS unless said otherwise";
}
