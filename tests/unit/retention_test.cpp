// Retention (storage/retention_queries.cpp) with moved time: each kind goes only when due, and nothing a
// customer still needs goes at all.
#include "domain/mail.hpp"
#include "domain/mail_body.hpp"
#include "storage/database.hpp"
#include "support/storage.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"
#include "storage/retention.hpp"

#include <gtest/gtest.h>

using namespace boutique;
using namespace boutique::storage;

namespace {

constexpr std::int64_t day = 86400;

struct retention_fixture : ::testing::Test {
  boutique::testing::test_store store{":memory:"};  // or a scratch PostgreSQL database (support/storage.hpp)
  std::unique_ptr<database> connection = store.open();
  database& db = *connection;
  retention_policy policy{30 * day, 1000};

  void SetUp() override { migrate(db); }

  std::int64_t count(const std::string& sql) {
    auto& st = db.prepare(sql);
    st.step();
    auto n = st.integer(0);
    db.reset_all();
    return n;
  }

  std::uint64_t rows(const retention_report& r, const std::string& kind) {
    for (const auto& [k, n] : r.rows)
      if (k == kind) return n;
    ADD_FAILURE() << "no kind " << kind << " in the report";
    return 0;
  }

  std::int64_t customer(const std::string& email, std::int64_t now) {
    domain::contact c;
    c.email = email;
    c.firstname = "Ana";
    c.lastname = "Lima";
    c.country = "FR";
    return deposit_contact(db, c, std::nullopt, now).id;
  }

  std::int64_t user(const std::string& name) {
    return db.prepare("INSERT INTO users (username, email_norm, created_at) VALUES (?, ?, 0) RETURNING id")
      .bind_all(name, name + "@example.org")
      .run_returning_integer();
  }

  void bill(std::int64_t customer_id, const std::string& transid) {
    db.prepare("INSERT INTO bills (transid, session_id, customer_id, status, paymode, untaxed, taxes, total, "
               "currency, contact, emitted_at, updated_at) VALUES (?, 's', ?, 'PLACED', 'test', 0, 0, 0, 'EUR', "
               "'{}', 0, 0)")
      .bind_all(transid, customer_id)
      .run();
  }
};

}  // namespace

TEST_F(retention_fixture, expired_sessions_logins_and_password_links_go_only_once_due) {
  save_session(db, "old", "{}", 1000);
  save_session(db, "young", "{}", 2000);
  auto u = user("ana");
  open_auth_session(db, "login-old", u, 1000, std::nullopt);
  open_auth_session(db, "login-young", u, 2000, std::nullopt);
  db.exec("INSERT INTO password_tokens (hash, user_id, expires_at) VALUES ('link-old', 1, 1000), "
          "('link-young', 1, 2000)");
  db.exec("INSERT INTO password_tokens (hash, user_id, expires_at, used_at) VALUES ('link-used', 1, 2000, 500)");

  auto before = run_retention(db, 999, policy);
  EXPECT_EQ(before.total(), 1u) << "only the used link is due before anything expires";
  EXPECT_EQ(rows(before, "password_tokens"), 1u);
  EXPECT_EQ(count("SELECT count(*) FROM sessions"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM auth_sessions"), 2);

  auto at_expiry = run_retention(db, 1000, policy);
  EXPECT_EQ(rows(at_expiry, "sessions"), 1u);
  EXPECT_EQ(rows(at_expiry, "auth_sessions"), 1u);
  EXPECT_EQ(rows(at_expiry, "password_tokens"), 1u);
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE id = 'young'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM auth_sessions WHERE token_hash = 'login-young'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM password_tokens WHERE hash = 'link-young'"), 1);
  EXPECT_EQ(load_session(db, "young", 1000), std::optional<std::string>("{}")) << "a live session is untouched";

  EXPECT_EQ(run_retention(db, 1000, policy).total(), 0u) << "a second run at the same time finds nothing";
  EXPECT_EQ(run_retention(db, 2000, policy).total(), 3u);
}

TEST_F(retention_fixture, sent_mail_loses_its_body_and_unsent_mail_keeps_it) {
  auto link_mail = [](const std::string& to, const std::string& token) {
    return domain::mail_body(domain::language::en)
      .link("set it:", "https://shop/password?token=" + token)
      .finish(to, "Your account");
  };
  // Mail sent before bodies were emptied at sending time (an older database): one queued as text and HTML (before
  // migration 018), one as blocks.
  db.exec("INSERT INTO outbox (recipient, subject, body, html, created_at, sent_at) VALUES ('a@example.org', "
          "'Your account', 'set it: https://shop/password?token=SECRET', '<p>SECRET</p>', 100, 200)");
  queue_mail(db, link_mail("c@example.org", "THIRD"), 100);
  db.exec("UPDATE outbox SET sent_at = 200 WHERE recipient = 'c@example.org'");
  queue_mail(db, link_mail("b@example.org", "OTHER"), 100);

  auto report = run_retention(db, 300, policy);
  EXPECT_EQ(rows(report, "mail_bodies"), 2u);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE recipient IN ('a@example.org', 'c@example.org') AND body = '' "
                  "AND html = '' AND blocks = '' AND subject = 'Your account' AND sent_at = 200"),
            2)
    << "who, what and when are kept";
  auto unsent = due_mail(db, 300, 10).due;
  ASSERT_EQ(unsent.size(), 1u);
  EXPECT_EQ(domain::rendered(unsent[0]).body, "set it:\nhttps://shop/password?token=OTHER\n");

  record_mail_outcomes(db, {{unsent[0].id, domain::mail_outcome::state::sent, 1, 400, {}}});
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE body || html || blocks LIKE '%token=%'"), 0)
    << "marking a mail sent empties its body at once";
}

TEST_F(retention_fixture, an_unused_customer_goes_with_its_timeline_once_unseen_for_the_period) {
  auto unused = customer("unused@example.org", 0);
  auto seen_again = customer("again@example.org", 0);
  customer("again@example.org", 20 * day);  // given again, unchanged, by a later checkout
  ASSERT_EQ(count("SELECT count(*) FROM customer_events WHERE customer_id = " + std::to_string(unused)), 1);

  EXPECT_EQ(rows(run_retention(db, 30 * day - 1, policy), "customers"), 0u);
  EXPECT_EQ(rows(run_retention(db, 30 * day, policy), "customers"), 1u);
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE id = " + std::to_string(unused)), 0);
  EXPECT_EQ(count("SELECT count(*) FROM customer_events WHERE customer_id = " + std::to_string(unused)), 0);
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE id = " + std::to_string(seen_again)), 1)
    << "a deposit that changed nothing still counts as use";
  EXPECT_EQ(rows(run_retention(db, 50 * day, policy), "customers"), 1u);
}

TEST_F(retention_fixture, a_customer_with_a_user_a_bill_or_a_live_session_is_never_deleted) {
  auto with_user = customer("user@example.org", 0);
  db.prepare("UPDATE customers SET user_id = ? WHERE id = ?").bind_all(user("ana"), with_user).run();
  auto with_bill = customer("bill@example.org", 0);
  bill(with_bill, "T-1");
  auto held = customer("held@example.org", 0);
  save_session(db, "checkout", R"({"stage":"contact","customer_id":)" + std::to_string(held) + "}", 400 * day);
  auto unused = customer("unused@example.org", 0);

  auto report = run_retention(db, 365 * day, policy);
  EXPECT_EQ(rows(report, "customers"), 1u);
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE id = " + std::to_string(unused)), 0);
  for (auto id : {with_user, with_bill, held})
    EXPECT_EQ(count("SELECT count(*) FROM customers WHERE id = " + std::to_string(id)), 1) << id;

  EXPECT_EQ(rows(run_retention(db, 400 * day, policy), "customers"), 1u)
    << "once the session holding it has expired (and gone), the unused account goes too";
  EXPECT_EQ(count("SELECT count(*) FROM customers"), 2);
}

TEST_F(retention_fixture, a_backlog_larger_than_a_batch_is_removed_batch_after_batch) {
  retention_policy small{30 * day, 100};
  db.exec("BEGIN");
  for (int i = 0; i < 2500; ++i) save_session(db, "s" + std::to_string(i), "{}", i % 2 ? 10 : 5000);
  db.exec("COMMIT");
  const auto& sessions = retention_steps().front();
  EXPECT_EQ(run_retention_batch(db, sessions, 100, small), 100) << "one batch removes at most batch_rows";
  auto report = run_retention(db, 100, small);
  EXPECT_EQ(rows(report, "sessions"), 1150u);
  EXPECT_EQ(count("SELECT count(*) FROM sessions"), 1250);
}

TEST_F(retention_fixture, idempotency_keys_go_once_expired_in_batches) {
  for (int i = 0; i < 5; ++i)
    claim_idempotency(db, {"old-" + std::to_string(i), "fp", 100, 1000, 0});
  claim_idempotency(db, {"young", "fp", 100, 2000, 0});
  EXPECT_EQ(rows(run_retention(db, 999, policy), "idempotency_keys"), 0u);
  auto small = policy;
  small.batch_rows = 2;  // several batches
  EXPECT_EQ(rows(run_retention(db, 1000, small), "idempotency_keys"), 5u);
  EXPECT_EQ(count("SELECT count(*) FROM idempotency_keys"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM idempotency_keys WHERE key_hash = 'young'"), 1);
}
