// The storage actors under a flood (bounded mailboxes) and the retention run they carry out.
#include "storage/database.hpp"
#include "support/write_lock.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"
#include "actors/reader.hpp"
#include "actors/storage_actor.hpp"
#include "support/actor_system_fixture.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <set>
#include <thread>

using namespace boutique;

namespace {

struct bounds_fixture : boutique::testing::actor_system_fixture {
  actors::storage_actor writer;

  void start_writer(actors::writer_limits limits, int batch_max) {
    writer = actor_system_fixture::start_writer(batch_max, limits);
  }

  void TearDown() override {
    writer = nullptr;
    actor_system_fixture::TearDown();
  }

  static domain::contact contact(int i) {
    domain::contact c;
    c.email = "flood" + std::to_string(i) + "@example.org";
    c.firstname = "Ana";
    c.lastname = "Lima";
    c.country = "FR";
    return c;
  }

  static bool is_overload_with_retry_after(const caf::error& err) {
    return domain_code(err) == domain::error_code::overloaded && error_retry_after(err) > 0;
  }
};

}  // namespace

TEST_F(bounds_fixture, a_flooded_writer_refuses_the_excess_and_commits_every_accepted_write_whole) {
  actors::writer_limits limits;
  limits.queue_max = 20;
  start_writer(limits, 1);  // one durable commit per write: a flood outruns it
  constexpr int writes = 2000;
  caf::scoped_actor self{*sys};
  using handle = decltype(self->request(writer, caf::infinite, deadline::none(), atoms::deposit_atom_v, domain::contact{},
                                        std::optional<std::int64_t>{}, std::int64_t{0}));
  std::vector<handle> pending;
  pending.reserve(writes);
  for (int i = 0; i < writes; ++i)
    pending.push_back(
      self->request(writer, caf::infinite, deadline::none(), atoms::deposit_atom_v, contact(i),
                    std::optional<std::int64_t>{}, std::int64_t{7}));
  std::set<int> accepted, refused;
  int other = 0;
  for (int i = 0; i < writes; ++i)
    pending[static_cast<std::size_t>(i)].receive([&](customer_record&) { accepted.insert(i); },
                                                 [&](caf::error& err) {
                                                   if (is_overload_with_retry_after(err)) refused.insert(i);
                                                   else ++other;
                                                 });
  EXPECT_EQ(other, 0) << "every write is either committed or refused as overload";
  ASSERT_GT(refused.size(), 0u) << "a flood beyond the bound is refused";
  ASSERT_GT(accepted.size(), 0u);
  EXPECT_EQ(accepted.size() + refused.size(), static_cast<std::size_t>(writes));
  EXPECT_EQ(count("SELECT count(*) FROM customers"), static_cast<std::int64_t>(accepted.size()));
  EXPECT_EQ(count("SELECT count(*) FROM customer_events WHERE kind = 'created'"),
            static_cast<std::int64_t>(accepted.size()))
    << "each accepted deposit has its customer and its timeline event, each refused one neither";
  for (int i : {*accepted.begin(), *accepted.rbegin()})
    EXPECT_EQ(count("SELECT count(*) FROM customers WHERE email_norm = 'flood" + std::to_string(i) + "@example.org'"), 1);
  for (int i : {*refused.begin(), *refused.rbegin()})
    EXPECT_EQ(count("SELECT count(*) FROM customers WHERE email_norm = 'flood" + std::to_string(i) + "@example.org'"), 0);

  storage_stats stats;
  self->request(writer, caf::infinite, caf::get_atom_v, atoms::stats_atom_v)
    .receive([&](storage_stats& s) { stats = s; }, [](caf::error&) { FAIL(); });
  EXPECT_EQ(stats.writes_refused_overloaded, refused.size());
  self->request(writer, caf::infinite, deadline::none(), atoms::deposit_atom_v, contact(writes), std::optional<std::int64_t>{},
                std::int64_t{7})
    .receive([](customer_record&) {}, [](caf::error& err) { FAIL() << error_detail(err); });
}

// A write carries the deadline of the request that caused it: past it, the request was answered 503, so the write
// must never happen. One already late is refused on arrival; one whose deadline passes while it waits (here behind
// the write lock of another connection) is dropped when its turn comes, and the rest of its batch commits.
TEST_F(bounds_fixture, a_write_whose_deadline_passes_before_it_begins_is_dropped_and_the_rest_of_its_batch_commits) {
  // The writer waits here for SQLite's one write lock before its batch begins. PostgreSQL has none: the batch begins
  // at once, and a write that began in time waits on the rows it writes (lock_timeout), as a stalled disk would.
  if (boutique::testing::on_postgresql()) GTEST_SKIP() << "SQLite's database-wide write lock";
  start_writer({}, 512);
  caf::scoped_actor self{*sys};
  const std::optional<std::int64_t> nobody;
  std::vector<std::string> outcomes;
  auto record = [&](customer_record&) { outcomes.push_back("written"); };
  auto refusal = [&](caf::error& err) {
    outcomes.push_back(is_overload_with_retry_after(err) ? "dropped" : "failed: " + error_detail(err));
  };
  self->request(writer, caf::infinite, deadline{deadline::clock::now()}, atoms::deposit_atom_v, contact(0), nobody,
                std::int64_t{7})
    .receive(record, refusal);

  boutique::testing::write_lock holder(path);
  auto soon = deadline::in(std::chrono::milliseconds(200));
  auto late = self->request(writer, caf::infinite, soon, atoms::deposit_atom_v, contact(1), nobody, std::int64_t{7});
  auto patient = self->request(writer, caf::infinite, deadline::none(), atoms::deposit_atom_v, contact(2), nobody,
                               std::int64_t{7});
  // Time passes (the condition under test, not a wait for another thread): the first write's deadline goes by
  // while the writer waits for the lock.
  std::this_thread::sleep_until(soon.at);
  holder.release();
  late.receive(record, refusal);
  patient.receive(record, refusal);

  EXPECT_EQ(outcomes, (std::vector<std::string>{"dropped", "dropped", "written"}));
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE email_norm IN ('flood0@example.org', 'flood1@example.org')"), 0)
    << "nothing of a dropped write is written";
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE email_norm = 'flood2@example.org'"), 1);
  storage_stats stats;
  self->request(writer, caf::infinite, caf::get_atom_v, atoms::stats_atom_v)
    .receive([&](storage_stats& s) { stats = s; }, [](caf::error&) { FAIL(); });
  EXPECT_EQ(stats.writes_dropped_past_deadline, 2u);
  EXPECT_EQ(stats.failed_writes, 0u);
}

TEST_F(bounds_fixture, a_flooded_reader_refuses_the_excess_and_answers_the_rest) {
  {
    auto db_connection = storage::open_database(path, storage::database::options{});
    auto& db = *db_connection;
    for (int i = 0; i < 200; ++i) storage::deposit_contact(db, contact(i), std::nullopt, 7);
  }
  auto readers = actors::spawn_reader_pool(*sys, path, 1, 20);
  constexpr int reads = 3000;
  caf::scoped_actor self{*sys};
  using handle = decltype(self->request(readers.next(), caf::infinite, caf::get_atom_v, atoms::customer_atom_v,
                                        customer_query{}));
  std::vector<handle> pending;
  pending.reserve(reads);
  for (int i = 0; i < reads; ++i)
    pending.push_back(self->request(readers.next(), caf::infinite, caf::get_atom_v, atoms::customer_atom_v, customer_query{}));
  int answered = 0, refused = 0, other = 0;
  for (auto& p : pending)
    p.receive([&](customer_list&) { ++answered; },
              [&](caf::error& err) { is_overload_with_retry_after(err) ? ++refused : ++other; });
  EXPECT_EQ(other, 0);
  EXPECT_GT(refused, 0) << "a flood beyond the bound is refused";
  EXPECT_GT(answered, 0);
  readers.exit();
}

TEST_F(bounds_fixture, a_retention_run_removes_the_backlog_in_batches_while_writes_go_on) {
  {
    auto db_connection = storage::open_database(path, storage::database::options{});
    auto& db = *db_connection;
    db.exec("BEGIN");
    for (int i = 0; i < 3000; ++i) storage::save_session(db, "expired" + std::to_string(i), "{}", 100);
    db.exec("COMMIT");
  }
  actors::writer_limits limits;
  limits.retention.batch_rows = 100;
  start_writer(limits, 512);
  caf::scoped_actor self{*sys};
  auto run = self->request(writer, caf::infinite, atoms::retention_atom_v, std::int64_t{1000});
  using handle = decltype(self->request(writer, caf::infinite, deadline::none(), caf::put_atom_v, atoms::session_atom_v, std::string(),
                                        std::string(), std::int64_t{0}));
  std::vector<handle> puts;
  for (int i = 0; i < 50; ++i)
    puts.push_back(self->request(writer, caf::infinite, deadline::none(), caf::put_atom_v, atoms::session_atom_v,
                                 "live" + std::to_string(i), std::string("{}"), std::int64_t{5000}));
  int written = 0;
  for (auto& p : puts) p.receive([&](caf::ok_atom) { ++written; }, [](caf::error& err) { FAIL() << error_detail(err); });
  retention_report report;
  run.receive([&](retention_report& r) { report = r; }, [](caf::error& err) { FAIL() << error_detail(err); });
  EXPECT_EQ(written, 50);
  EXPECT_EQ(report.now, 1000);
  EXPECT_EQ(report.total(), 3000u);
  EXPECT_EQ(count("SELECT count(*) FROM sessions"), 50) << "the live sessions written during the run remain";

  storage_stats stats;
  self->request(writer, caf::infinite, caf::get_atom_v, atoms::stats_atom_v)
    .receive([&](storage_stats& s) { stats = s; }, [](caf::error&) { FAIL(); });
  EXPECT_EQ(stats.retention_runs, 1u);
  ASSERT_TRUE(stats.last_retention);
  EXPECT_EQ(stats.last_retention->total(), 3000u);
}

// On PostgreSQL a write waits on the rows it writes, after its batch began. A write queued behind a kept one must not
// wait on a lock past the kept write's deadline (plus half the grace), or the batch's COMMIT, and with it the kept
// write's answer, would come after its requester gave up (a 503 for a write that took effect).
TEST_F(bounds_fixture, a_write_waiting_on_a_lock_gives_up_in_time_for_the_kept_writes_of_its_batch) {
  if (!boutique::testing::on_postgresql()) GTEST_SKIP() << "SQLite's writer waits before its batch begins";
  auto holder = storage::open_database(path, {});
  // Held on purpose while the test waits: not ended by the server's 2 s idle-in-transaction limit (a slow run under
  // a sanitizer took 2.2 s, and the server had ended the holder's connection by its COMMIT).
  holder->exec("SET idle_in_transaction_session_timeout = 0");
  holder->exec("BEGIN");
  holder->exec("LOCK TABLE customers IN EXCLUSIVE MODE");  // the deposit waits; the session save does not
  start_writer({}, 512);
  caf::scoped_actor self{*sys};
  auto started = deadline::clock::now();
  auto due = deadline::in(std::chrono::milliseconds(300));
  auto kept = self->request(writer, caf::infinite, due, caf::put_atom_v, atoms::session_atom_v, std::string("kept"),
                            std::string("{}"), std::int64_t{4102444800});
  auto waiting = self->request(writer, caf::infinite, deadline::none(), atoms::deposit_atom_v, contact(0),
                               std::optional<std::int64_t>{}, std::int64_t{7});
  std::chrono::milliseconds kept_after{0};
  kept.receive(
    [&](caf::ok_atom) {
      kept_after = std::chrono::duration_cast<std::chrono::milliseconds>(deadline::clock::now() - started);
    },
    [](caf::error& err) { ADD_FAILURE() << "the kept write failed: " << to_string(err); });
  bool refused = false;
  waiting.receive([](const customer_record&) {}, [&](caf::error&) { refused = true; });
  holder->exec("COMMIT");
  EXPECT_LT(kept_after, std::chrono::milliseconds(300) + deadline::settle_grace)
    << "answered after its requester's patience ran out";
  EXPECT_TRUE(refused) << "the waiting write outwaited the kept one's deadline";
  EXPECT_EQ(count("SELECT count(*) FROM sessions WHERE id = 'kept'"), 1);
}
