// Online backups (POST /admin/backup, boutique backup): a copy taken while shoppers check out holds every checkout
// acknowledged before it began, opens as the database of a new service, and never overwrites a file.
#include "storage/sqlite_database.hpp"
#include "storage/queries.hpp"
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/shop.hpp"
#include "support/storage.hpp"
#include "support/test_service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

using namespace boutique;
using namespace boutique::testing;

namespace {

std::map<std::string, std::string> auth(const test_service& svc) {
  return {{"Authorization", "Bearer " + svc.settings().admin.token}};
}

reply post_backup(const test_service& svc, const std::string& name) {
  return http_client(svc.admin_port()).send("POST", "/admin/backup", nlohmann::json{{"to", name}}.dump(), auth(svc));
}

/// Where the service's backups go by default: "backups" beside its database.
std::filesystem::path backup_dir(const test_service& svc) {
  return std::filesystem::path(svc.settings().storage.path).parent_path() / "backups";
}

/// Shoppers buying in a loop until told to stop; each acknowledged purchase's transid is kept in order.
class shoppers {
 public:
  shoppers(std::uint16_t port, int count) {
    for (int t = 0; t < count; ++t)
      threads_.emplace_back([this, port, t] {
        for (int n = 0; !stop_; ++n) {
          checkout c(port);
          auto paid = c.buy("load-" + std::to_string(t) + "-" + std::to_string(n) + "@example.org");
          if (paid.status != 200) continue;
          std::lock_guard lock(mutex_);
          acknowledged_.push_back(paid.json()["transid"]);
          changed_.notify_all();
        }
      });
  }
  ~shoppers() { stop(); }

  /// Waits until at least `n` purchases were acknowledged; returns those acknowledged so far.
  std::vector<std::string> wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(60), [&] { return acknowledged_.size() >= n; });
    return acknowledged_;
  }
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> acknowledged_;
  std::vector<std::thread> threads_;
};

}  // namespace

namespace {

/// Every transid in `acknowledged` is a completed bill in the database file `copy`, which is sound.
void expect_holds(const std::string& copy, const std::vector<std::string>& acknowledged) {
  storage::sqlite_database db(copy, {storage::database::access::read_only, true});
  auto& check = db.prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.step());
  EXPECT_EQ(check.text(0), "ok");
  for (const auto& transid : acknowledged) {
    auto bill = storage::find_bill(db, transid);
    ASSERT_TRUE(bill) << transid << " was acknowledged before the backup began but is not in " << copy;
    EXPECT_EQ(bill->status, "COMPLETE") << transid;
  }
}

}  // namespace

TEST(backup, a_copy_taken_under_load_holds_every_checkout_acknowledged_before_it_began) {
  if (on_postgresql()) GTEST_SKIP() << "SQLite's online backup (on PostgreSQL a backup is refused: below)";
  test_service svc;
  temp_dir out;
  shoppers load(svc.port(), 4);
  // Several copies, each while the shoppers go on: the latest commits are often only in the write-ahead log, which
  // a plain copy of the database file would miss.
  std::vector<std::pair<std::string, std::vector<std::string>>> copies;
  for (int round = 0; round < 4; ++round) {
    auto before = load.wait_for(20 * (round + 1));
    ASSERT_GE(before.size(), 20u * (round + 1)) << "the load did not get going";
    auto name = "copy-" + std::to_string(round) + ".db";
    auto copy = (backup_dir(svc) / name).string();
    auto r = post_backup(svc, name);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["to"], copy);
    EXPECT_GT(r.json()["pages"].get<std::int64_t>(), 0);
    EXPECT_FALSE(std::filesystem::exists(copy + ".partial"));
    EXPECT_EQ(r.json()["bytes"].get<std::int64_t>(), static_cast<std::int64_t>(std::filesystem::file_size(copy)));
    copies.emplace_back(copy, std::move(before));
  }
  load.stop();
  for (const auto& [copy, before] : copies) expect_holds(copy, before);
  using std::filesystem::perms;
  EXPECT_EQ(std::filesystem::status(copies.front().first).permissions() & perms::all, perms::owner_read | perms::owner_write)
    << "a copy holds personal data: readable by the service's user only";

  // Restored: a new service on the last copy serves what it holds.
  auto settings = test_settings();
  settings.storage.path = (out.path() / "restored.db").string();
  std::filesystem::copy_file(copies.back().first, settings.storage.path);
  test_service restored(settings);
  EXPECT_GE(query_int(restored, "SELECT count(*) FROM bills WHERE status = 'COMPLETE'"),
            static_cast<std::int64_t>(copies.back().second.size()));
}

TEST(backup, an_existing_file_is_never_overwritten_and_only_plain_names_are_accepted) {
  if (on_postgresql()) GTEST_SKIP() << "SQLite's online backup (on PostgreSQL a backup is refused: below)";
  test_service svc;
  ASSERT_EQ(post_backup(svc, "first.db").status, 200);
  auto existing = backup_dir(svc) / "existing.db";
  std::ofstream(existing) << "keep me";
  auto r = post_backup(svc, "existing.db");
  EXPECT_EQ(r.status, 409) << r.body;
  std::ifstream in(existing);
  std::string kept((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(kept, "keep me");
  // A symbolic link in the way is not followed: the file it points to stays as it was.
  temp_dir elsewhere;
  auto victim = elsewhere.path() / "victim.txt";
  std::ofstream(victim) << "not a backup";
  std::filesystem::create_symlink(victim, backup_dir(svc) / "linked.db");
  EXPECT_EQ(post_backup(svc, "linked.db").status, 409);
  std::filesystem::create_symlink(victim, backup_dir(svc) / "pending.db.partial");
  EXPECT_EQ(post_backup(svc, "pending.db").status, 409);
  std::ifstream victim_in(victim);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(victim_in)), {}), "not a backup");

  const std::vector<std::string> bad_names{"../escape.db", "/tmp/x.db", ".hidden", "a b.db", std::string("a\0b", 3), ""};
  for (const auto& bad : bad_names)
    EXPECT_EQ(post_backup(svc, bad).status, 422) << bad;
  EXPECT_FALSE(std::filesystem::exists("/tmp/x.db"));
  EXPECT_EQ(http_client(svc.admin_port()).send("POST", "/admin/backup", R"({"to":"x.db"})").status, 401);
  EXPECT_FALSE(std::filesystem::exists(backup_dir(svc) / "x.db"));
}

TEST(backup, the_command_copies_the_database_of_a_running_service) {
  if (on_postgresql()) GTEST_SKIP() << "SQLite's online backup (on PostgreSQL a backup is refused: below)";
  test_service svc;
  ASSERT_EQ(checkout(svc.port()).buy("cli-backup@example.org").status, 200);
  temp_dir out;
  auto copy = (out.path() / "cli.db").string();
  child_process p({"backup", "--to=" + copy, "--storage.path=" + svc.settings().storage.path,
                   "--catalog.path=" BOUTIQUE_SOURCE_DIR "/config/catalog.json"});
  ASSERT_EQ(p.wait_exit(), 0) << p.output();
  EXPECT_NE(p.output().find("-> " + copy), std::string::npos) << p.output();
  storage::sqlite_database db(copy, {storage::database::access::read_only, true});
  EXPECT_TRUE(storage::find_customer_by_email(db, "cli-backup@example.org"));

  child_process again({"backup", "--to=" + copy, "--storage.path=" + svc.settings().storage.path});
  EXPECT_EQ(again.wait_exit(), 1) << again.output();
  EXPECT_NE(again.output().find("already exists"), std::string::npos) << again.output();
  child_process missing({"backup"});
  EXPECT_EQ(missing.wait_exit(), 2);
}

TEST(backup, on_postgresql_the_service_and_the_command_refuse_and_name_the_tools_to_use) {
  if (!on_postgresql()) GTEST_SKIP() << "PostgreSQL's refusal";
  test_service svc;
  auto r = post_backup(svc, "pg.db");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("pg_dump"), std::string::npos) << r.body;
  temp_dir out;
  auto copy = (out.path() / "pg.db").string();
  child_process p({"backup", "--to=" + copy, "--storage.url=" + svc.settings().storage.url,
                   "--shop.mail_dir=" + svc.settings().shop.mail_dir});
  EXPECT_EQ(p.wait_exit(), 2) << p.output();
  EXPECT_NE(p.output().find("pg_dump"), std::string::npos) << p.output();
  EXPECT_FALSE(std::filesystem::exists(copy));
}
