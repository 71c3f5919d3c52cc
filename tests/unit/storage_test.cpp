#include "config/catalog_file.hpp"
#include "storage/catalog_queries.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

using namespace boutique::storage;


TEST(storage, migrations_record_the_schema_version_and_are_idempotent) {
  database db(":memory:", {database::access::read_write, false});
  EXPECT_EQ(migrate(db), static_cast<int>(migrations().size()));
  EXPECT_EQ(migrate(db), static_cast<int>(migrations().size()));
  auto& st = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'customers'");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.integer(0), 1);
}

TEST(storage, a_database_newer_than_the_binary_is_refused) {
  database db(":memory:", {database::access::read_write, false});
  db.exec("PRAGMA user_version = 999");
  try {
    migrate(db);
    FAIL() << "a newer schema was accepted";
  } catch (const storage_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this binary"), std::string::npos);
  }
}

TEST(storage, catalog_round_trips_in_order) {
  database db(":memory:", {database::access::read_write, false});
  migrate(db);
  auto items = boutique::config::load_catalog(BOUTIQUE_SOURCE_DIR "/config/catalog.json");
  replace_catalog(db, items);
  EXPECT_EQ(read_catalog(db), items);
  items.pop_back();
  replace_catalog(db, items);
  EXPECT_EQ(read_catalog(db), items);
}

TEST(storage, unique_email_is_enforced_and_reported_as_a_constraint) {
  database db(":memory:", {database::access::read_write, false});
  migrate(db);
  const char* insert =
    "INSERT INTO customers (email_norm, email, firstname, lastname, country, created_at, updated_at) "
    "VALUES (?, ?, 'A', 'B', 'FR', 0, 0)";
  db.prepare(insert).bind_all("a@example.org", "A@example.org").run();
  try {
    db.prepare(insert).bind_all("a@example.org", "a@example.org").run();
    FAIL() << "duplicate email accepted";
  } catch (const storage_error& e) {
    EXPECT_TRUE(e.constraint());
  }
}

TEST(storage, a_failed_transaction_leaves_nothing_behind) {
  database db(":memory:", {database::access::read_write, false});
  migrate(db);
  try {
    transaction tx(db);
    db.exec("INSERT INTO outbox (recipient, subject, body, created_at) VALUES ('a', 'b', 'c', 0)");
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  auto& st = db.prepare("SELECT count(*) FROM outbox");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.integer(0), 0);
}

TEST(storage, an_unusable_path_fails_with_the_path_in_the_message) {
  try {
    database db("/proc/boutique-cannot-exist/x.db", {database::access::read_write, true});
    FAIL() << "opened an impossible path";
  } catch (const storage_error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/boutique-cannot-exist"), std::string::npos);
  }
}

TEST(storage, a_reader_sees_commits_made_after_its_previous_query) {
  auto dir = std::filesystem::temp_directory_path() / ("boutique-reader-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto path = (dir / "r.db").string();
  database writer(path, {database::access::read_write, false});
  migrate(writer);
  const char* insert = "INSERT INTO outbox (recipient, subject, body, created_at) VALUES ('a', 'b', 'c', 0)";
  writer.exec(insert);
  database reader(path, {database::access::read_only, false});
  const char* first_mail = "SELECT id FROM outbox ORDER BY id LIMIT 1";
  ASSERT_TRUE(reader.prepare(first_mail).step());  // left on its row: its read transaction stays open
  reader.reset_all();
  writer.exec(insert);
  auto& count = reader.prepare("SELECT count(*) FROM outbox");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.integer(0), 2);
  std::filesystem::remove_all(dir);
}

#include "storage/queries.hpp"

TEST(storage, an_expired_session_is_not_restored) {
  database db(":memory:", {database::access::read_write, false});
  migrate(db);
  save_session(db, "fresh", "{}", 2000);
  save_session(db, "stale", "{}", 1000);
  EXPECT_TRUE(load_session(db, "fresh", 1500).has_value());
  EXPECT_FALSE(load_session(db, "stale", 1500).has_value()) << "sessions expire at expires_at";
  EXPECT_FALSE(load_session(db, "unknown", 1500).has_value());
}
