// The mailer under a backlog: the outbox drains at the transport's pace, not one batch per poll.
#include "actors/mailer.hpp"
#include "actors/reader.hpp"
#include "actors/storage_actor.hpp"
#include "domain/mail_body.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "support/actor_system_fixture.hpp"
#include "support/wait.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <filesystem>

using namespace boutique;

namespace {

struct mailer_fixture : boutique::testing::actor_system_fixture {
  std::filesystem::path drop = dir.path() / "mail";

  /// Queues `n` mails, as checkouts and account changes do, before any mailer runs.
  void queue(int n) {
    auto db_connection = storage::open_database(path, storage::database::options{});
    auto& db = *db_connection;
    storage::transaction tx(db);
    for (int i = 0; i < n; ++i) {
      auto mail = domain::mail_body(domain::language::en)
                    .paragraph("Mail " + std::to_string(i))
                    .finish("buyer" + std::to_string(i) + "@example.org", "Your order");
      storage::queue_mail(db, mail, 100);
    }
    tx.commit();
  }

  std::size_t dropped() const {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(drop, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".eml") ++n;
    return n;
  }
};

}  // namespace

// A shop at full load queues more mail per second than one batch per poll hands over (100 per 200 ms): the mailer
// must keep going while it finds full batches, or the outbox, and the delay of every password link, grows without
// bound. Here the poll is an hour: every mail beyond the first batch goes out only if the mailer drains.
TEST_F(mailer_fixture, a_backlog_larger_than_one_batch_is_sent_without_waiting_for_the_next_poll) {
  constexpr int backlog = 350;
  queue(backlog);
  auto writer = start_writer(64);
  auto readers = own(actors::spawn_reader_pool(*sys, path, 1));
  actors::mailer_settings settings;
  settings.transport = mail::maildir(drop, {"shop@example.org", "Shop"});
  settings.poll_every = std::chrono::hours(1);
  settings.batch = 100;
  auto counters = settings.counters;
  own(actors::spawn_mailer(*sys, writer, readers, settings));

  auto all_sent = [&] { return counters->sent.load() == backlog; };
  EXPECT_TRUE(boutique::testing::within(std::chrono::seconds(30), all_sent))
    << counters->sent.load() << " of " << backlog << " sent";
  EXPECT_EQ(dropped(), static_cast<std::size_t>(backlog));
  // Every one is marked sent in the outbox (the last round's marks are stored before the mailer stops asking).
  EXPECT_TRUE(boutique::testing::within(std::chrono::seconds(10), [&] {
    return count("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0;
  }));
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND body || html || blocks = ''"), backlog);
}

// A queued body that cannot be read (a row written by hand, a disk that flipped a byte) fails alone, for good, with
// the reason; the mails around it are sent.
TEST_F(mailer_fixture, a_mail_whose_body_cannot_be_read_fails_alone) {
  queue(2);
  {
    auto db_connection = storage::open_database(path, storage::database::options{});
    auto& db = *db_connection;
    db.exec("INSERT INTO outbox (recipient, subject, body, blocks, created_at) "
            "VALUES ('x@example.org', 'Broken', '', '{\"lang\"', 100)");
  }
  queue(2);
  auto writer = start_writer(64);
  auto readers = own(actors::spawn_reader_pool(*sys, path, 1));
  actors::mailer_settings settings;
  settings.transport = mail::maildir(drop, {"shop@example.org", "Shop"});
  auto counters = settings.counters;
  own(actors::spawn_mailer(*sys, writer, readers, settings));

  EXPECT_TRUE(boutique::testing::within(std::chrono::seconds(30), [&] {
    return count("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL") == 0;
  }));
  EXPECT_EQ(counters->sent.load(), 4u);
  EXPECT_EQ(counters->failed.load(), 1u);
  EXPECT_EQ(dropped(), 4u);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE recipient = 'x@example.org' AND failed_at IS NOT NULL AND "
                  "blocks = '' AND error LIKE 'the queued body cannot be read%'"),
            1);
}
