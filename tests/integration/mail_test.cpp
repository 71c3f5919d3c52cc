// Mail through a real SMTP relay (tests/support/smtp_relay.py: aiosmtpd on 127.0.0.1): delivery, a relay down then
// up, a relay refusing or deferring recipients. The service's own view is read where an operator reads it: the
// outbox table and /admin/metrics.
#include "support/shop.hpp"
#include "support/smtp_relay.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

using namespace boutique;
using namespace boutique::testing;
using namespace std::chrono_literals;

namespace {

config::settings relay_settings(std::uint16_t relay_port) {
  auto s = test_settings();
  s.mail.transport = "smtp";
  s.mail.smtp_url = "smtp://127.0.0.1:" + std::to_string(relay_port);
  s.mail.smtp_starttls = "off";  // a loopback relay without TLS
  s.mail.smtp_timeout_s = 5;
  s.mail.retry_first_s = 1;
  s.mail.retry_max_s = 1;
  return s;
}

std::int64_t outbox_count(const test_service& svc, const std::string& where) {
  return query_int(svc, "SELECT count(*) FROM outbox WHERE " + where);
}

std::size_t answered(const smtp_relay& relay, const std::string& line) {
  auto lines = relay.recipients_answered();
  return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), line));
}

/// A relay up on a free port, and a service that mails through it.
struct relayed_shop {
  temp_dir folder;
  std::uint16_t port = free_port();
  smtp_relay relay{port, folder.path() / "relay"};
  test_service svc{relay_settings(port)};
};

}  // namespace

TEST(mail, a_completed_purchase_is_mailed_through_the_relay_once_with_a_message_id_each) {
  relayed_shop shop;
  auto& [folder, port, relay, svc] = shop;
  ASSERT_EQ(checkout(svc.port()).buy("buyer@example.org").status, 200);

  ASSERT_TRUE(within(10s, [&] { return outbox_count(svc, "sent_at IS NOT NULL") == 2; }))
    << "the order mail and the password link, marked sent";
  auto mails = relay.messages();
  ASSERT_EQ(mails.size(), 2u);
  std::set<std::string> ids;
  for (const auto& mail : mails) {
    EXPECT_EQ(mail_header(mail, "To"), "<buyer@example.org>");
    EXPECT_EQ(mail_header(mail, "From"), "Boutique <no-reply@boutique.invalid>");
    ids.insert(mail_header(mail, "Message-ID"));
  }
  EXPECT_EQ(ids.size(), 2u) << "one Message-ID per mail";
  EXPECT_EQ(ids.count(""), 0u);
  EXPECT_TRUE(mails[0].find("token=") != std::string::npos || mails[1].find("token=") != std::string::npos)
    << "the password-set link reached the relay";
  EXPECT_EQ(outbox_count(svc, "attempts = 1 AND body || html || blocks = '' AND failed_at IS NULL"), 2);
  EXPECT_FALSE(std::filesystem::exists(mail_dir(svc))) << "nothing written to the mail-drop folder";
  EXPECT_TRUE(within(5s, [&] { return metric(svc, "boutique_mail_sent_total") == 2; }));
  EXPECT_TRUE(within(5s, [&] { return metric(svc, "boutique_mail_queued") == 0; }));
}

TEST(mail, while_the_relay_is_down_mails_wait_and_once_it_is_up_each_is_delivered_once) {
  temp_dir folder;
  auto port = free_port();  // nothing listens there yet
  test_service svc(relay_settings(port));
  for (const std::string email : {"one@example.org", "two@example.org", "three@example.org"})
    ASSERT_EQ(checkout(svc.port()).buy(email).status, 200);

  ASSERT_TRUE(within(10s, [&] { return metric(svc, "boutique_mail_transport_unreachable_total") >= 2; }))
    << "the mailer keeps trying, waiting between rounds";
  EXPECT_EQ(outbox_count(svc, "sent_at IS NULL AND failed_at IS NULL AND attempts = 0"), 6)
    << "an unreachable relay costs the mails no attempt";
  EXPECT_TRUE(within(5s, [&] { return metric(svc, "boutique_mail_queued") == 6; }));
  EXPECT_GE(metric(svc, "boutique_mail_oldest_queued_age_seconds"), 0);

  smtp_relay relay(port, folder.path() / "relay");
  ASSERT_TRUE(within(15s, [&] { return outbox_count(svc, "sent_at IS NOT NULL") == 6; }));
  auto mails = relay.messages();
  EXPECT_EQ(mails.size(), 6u) << "nothing lost, nothing sent twice";
  std::set<std::string> ids;
  for (const auto& mail : mails) ids.insert(mail_header(mail, "Message-ID"));
  EXPECT_EQ(ids.size(), 6u);
  EXPECT_EQ(relay.recipients_answered().size(), 6u);
  EXPECT_TRUE(within(5s, [&] { return metric(svc, "boutique_mail_queued") == 0; }));
}

TEST(mail, a_refused_recipient_fails_at_once_and_a_deferred_one_is_retried_until_accepted) {
  relayed_shop shop;
  auto& [folder, port, relay, svc] = shop;
  ASSERT_EQ(checkout(svc.port()).buy("refused-buyer@example.org").status, 200);
  ASSERT_EQ(checkout(svc.port()).buy("later-buyer@example.org").status, 200);

  ASSERT_TRUE(within(15s, [&] {
    return outbox_count(svc, "failed_at IS NOT NULL") == 2 && outbox_count(svc, "sent_at IS NOT NULL") == 2;
  }));
  EXPECT_EQ(outbox_count(svc, "recipient = 'refused-buyer@example.org' AND failed_at IS NOT NULL AND attempts = 1 "
                              "AND error LIKE '550%' AND body || html || blocks = ''"),
            2)
    << "refused: recorded with the relay's answer, the one-time link dropped";
  EXPECT_EQ(outbox_count(svc, "recipient = 'later-buyer@example.org' AND sent_at IS NOT NULL AND attempts = 2 "
                              "AND error LIKE '451%'"),
            2)
    << "deferred once each (two 451s for the address), then accepted";
  EXPECT_EQ(answered(relay, "later-buyer@example.org 451"), 2u);
  EXPECT_EQ(answered(relay, "later-buyer@example.org 250"), 2u);

  // Later rounds: a third purchase goes through, and the refused mails were not tried again meanwhile.
  ASSERT_EQ(checkout(svc.port()).buy("after@example.org").status, 200);
  ASSERT_TRUE(within(10s, [&] { return outbox_count(svc, "sent_at IS NOT NULL") == 4; }));
  EXPECT_EQ(answered(relay, "refused-buyer@example.org 550"), 2u) << "one attempt per refused mail, never more";
  EXPECT_EQ(relay.messages().size(), 4u);
  EXPECT_TRUE(within(5s, [&] {
    return metric(svc, "boutique_mail_failed_total") == 2 && metric(svc, "boutique_mail_deferred_total") == 2;
  }));
}

TEST(mail, a_relay_refusing_the_session_fails_no_mail_and_the_mails_wait) {
  temp_dir folder;
  auto port = free_port();
  smtp_relay relay(port, folder.path() / "relay");
  auto settings = relay_settings(port);
  settings.mail.from = "blocked@shop.example";  // the relay answers 530 (log in first) to this sender
  test_service svc(settings);
  ASSERT_EQ(checkout(svc.port()).buy("patient@example.org").status, 200);

  ASSERT_TRUE(within(10s, [&] { return metric(svc, "boutique_mail_transport_unreachable_total") >= 2; }))
    << "a refusal of the session is the relay's problem: the mailer waits and tries again";
  EXPECT_EQ(outbox_count(svc, "sent_at IS NULL AND failed_at IS NULL AND attempts = 0 AND blocks <> ''"), 2)
    << "no mail failed, none lost its one-time link";
  EXPECT_EQ(metric(svc, "boutique_mail_failed_total"), 0);
  EXPECT_TRUE(relay.messages().empty());
}
