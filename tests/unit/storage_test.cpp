#include "config/catalog_file.hpp"
#include "storage/catalog_queries.hpp"
#include "storage/sqlite_database.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

using namespace boutique::storage;


TEST(storage, migrations_record_the_schema_version_and_are_idempotent) {
  sqlite_database db(":memory:", {database::access::read_write, false});
  EXPECT_EQ(migrate(db), static_cast<int>(migrations().size()));
  EXPECT_EQ(migrate(db), static_cast<int>(migrations().size()));
  auto& st = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'customers'");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.integer(0), 1);
}

TEST(storage, a_database_newer_than_the_binary_is_refused) {
  sqlite_database db(":memory:", {database::access::read_write, false});
  db.exec("PRAGMA user_version = 999");
  try {
    migrate(db);
    FAIL() << "a newer schema was accepted";
  } catch (const storage_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this binary"), std::string::npos);
  }
}

TEST(storage, catalog_round_trips_in_order) {
  sqlite_database db(":memory:", {database::access::read_write, false});
  migrate(db);
  auto items = boutique::config::load_catalog(BOUTIQUE_SOURCE_DIR "/config/catalog.json");
  replace_catalog(db, items);
  EXPECT_EQ(read_catalog(db), items);
  items.pop_back();
  replace_catalog(db, items);
  EXPECT_EQ(read_catalog(db), items);
}

TEST(storage, unique_email_is_enforced_and_reported_as_a_constraint) {
  sqlite_database db(":memory:", {database::access::read_write, false});
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
  sqlite_database db(":memory:", {database::access::read_write, false});
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
    sqlite_database db("/proc/boutique-cannot-exist/x.db", {database::access::read_write, true});
    FAIL() << "opened an impossible path";
  } catch (const storage_error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/boutique-cannot-exist"), std::string::npos);
  }
}

TEST(storage, a_reader_sees_commits_made_after_its_previous_query) {
  auto dir = std::filesystem::temp_directory_path() / ("boutique-reader-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto path = (dir / "r.db").string();
  sqlite_database writer(path, {database::access::read_write, false});
  migrate(writer);
  const char* insert = "INSERT INTO outbox (recipient, subject, body, created_at) VALUES ('a', 'b', 'c', 0)";
  writer.exec(insert);
  sqlite_database reader(path, {database::access::read_only, false});
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
  sqlite_database db(":memory:", {database::access::read_write, false});
  migrate(db);
  save_session(db, "fresh", "{}", 2000);
  save_session(db, "stale", "{}", 1000);
  EXPECT_TRUE(load_session(db, "fresh", 1500).has_value());
  EXPECT_FALSE(load_session(db, "stale", 1500).has_value()) << "sessions expire at expires_at";
  EXPECT_FALSE(load_session(db, "unknown", 1500).has_value());
}

namespace {

/// A database at schema version `version`, as an older binary left it.
void migrate_to(database& db, int version) {
  for (int i = 0; i < version; ++i) db.exec(migrations()[static_cast<std::size_t>(i)].sql);
  db.exec("PRAGMA user_version = " + std::to_string(version));
}

std::int64_t count(database& db, const std::string& sql) {
  auto& st = db.prepare(sql);
  st.step();
  return st.integer(0);
}

}  // namespace

TEST(storage, migration_5_keeps_the_terms_sold_on_existing_bills_and_one_bill_per_session) {
  sqlite_database db(":memory:", {database::access::read_write, false});
  migrate_to(db, 4);
  db.exec(
    "INSERT INTO customers (id, email_norm, email, firstname, lastname, country, created_at, updated_at) "
    "VALUES (1, 'a@example.org', 'a@example.org', 'A', 'B', 'FR', 0, 0);"
    "INSERT INTO catalog_items VALUES ('KEPT', 'Kept', 100, 'EUR', 2000, 365, 0, 0);"
    "INSERT INTO sessions VALUES ('s1', '{\"id\":\"s1\",\"transid\":\"t2\",\"cart\":[]}', 0, 9);"
    "INSERT INTO bills VALUES (1, 't1', 's1', 1, 'PLACED', 'test', 300, 40, 340, 'EUR', '{}', 0, 0);"
    "INSERT INTO bills VALUES (2, 't2', 's1', 1, 'PLACED', 'test', 300, 40, 340, 'EUR', '{}', 0, 0);"
    "INSERT INTO bills VALUES (3, 't3', 's3', 1, 'PLACED', 'test', 100, 20, 120, 'EUR', '{}', 0, 0);"
    "INSERT INTO bills VALUES (4, 't4', 's3', 1, 'PLACED', 'test', 100, 20, 120, 'EUR', '{}', 0, 0);"
    "INSERT INTO bill_items VALUES (1, 2, 'KEPT', 'Kept', 1, 100, 100, 20, 120);"
    "INSERT INTO bill_items VALUES (2, 2, 'GONE', 'Gone', 2, 100, 200, 20, 220);");
  migrate(db);

  EXPECT_EQ(count(db, "SELECT count(*) FROM bill_items WHERE code = 'KEPT' AND tax_rate_bp = 2000 AND "
                      "duration_days = 365"), 1) << "backfilled from the catalog";
  EXPECT_EQ(count(db, "SELECT count(*) FROM bill_items WHERE code = 'GONE' AND tax_rate_bp IS NULL AND "
                      "duration_days IS NULL"), 1) << "unknown terms stay unknown";
  EXPECT_EQ(count(db, "SELECT json_extract(snapshot, '$.bill.total') FROM sessions WHERE id = 's1'"), 340);
  EXPECT_EQ(count(db, "SELECT json_array_length(snapshot, '$.bill.lines') FROM sessions WHERE id = 's1'"), 2);
  EXPECT_EQ(count(db, "SELECT id FROM bills WHERE session_id = 's1'"), 2) << "the bill the session names keeps it";
  EXPECT_EQ(count(db, "SELECT id FROM bills WHERE session_id = 's3'"), 3) << "else the first placed";
  EXPECT_EQ(count(db, "SELECT count(*) FROM bills WHERE session_id IN ('s1#t1', 's3#t4')"), 2);
  EXPECT_THROW(db.exec("INSERT INTO bills VALUES (5, 't5', 's1', 1, 'PLACED', 'test', 1, 0, 1, 'EUR', '{}', 0, 0)"),
               storage_error)
    << "a second bill for one session is refused by the database";
}

TEST(storage, migration_17_carries_the_customer_of_each_saved_session_into_its_column) {
  sqlite_database db(":memory:", {database::access::read_write, false});
  migrate_to(db, 16);
  db.exec(
    "INSERT INTO sessions (id, snapshot, updated_at, expires_at) VALUES "
    "('held', '{\"id\":\"held\",\"customer_id\":42,\"cart\":[]}', 0, 9), "
    "('none', '{\"id\":\"none\",\"customer_id\":null}', 0, 9), "
    "('retired', '{\"retired\":true}', 0, 9), "
    // migration 006's index refused a damaged snapshot unless this text kept it out of the index
    "('damaged', 'not a snapshot \"customer_id\":null', 0, 9);");
  migrate(db);

  EXPECT_EQ(count(db, "SELECT customer_id FROM sessions WHERE id = 'held'"), 42);
  EXPECT_EQ(count(db, "SELECT count(*) FROM sessions WHERE customer_id IS NULL"), 3)
    << "no customer, a retired id and a damaged snapshot hold none (and the migration does not fail on it)";
  save_session(db, "held", R"({"id":"held","customer_id":null})", 9);
  save_session(db, "none", R"({"id":"none","customer_id":7})", 9);
  EXPECT_EQ(count(db, "SELECT count(*) FROM sessions WHERE customer_id IS NOT NULL"), 1);
  EXPECT_EQ(count(db, "SELECT customer_id FROM sessions WHERE id = 'none'"), 7) << "a save carries the customer";
}

// A password change verified while the login held, written after a reset or "log out everywhere" ended that login:
// the later write must not put back a password the reset meant to replace (storage::change_password).
TEST(storage, a_password_change_from_a_login_that_ended_meanwhile_is_refused) {
  sqlite_database db(":memory:", {database::access::read_write, false});
  migrate(db);
  db.exec("INSERT INTO users (id, username, email_norm, password_hash, created_at) "
          "VALUES (1, 'u@example.org', 'u@example.org', 'the old hash', 0)");
  open_auth_session(db, "the login still held", 1, 4102444800, std::nullopt);
  mail_settings mail;
  try {
    change_password(db, 1, "the attacker's hash", "a login that ended", 1000, mail);
    FAIL() << "a change from an ended login was written";
  } catch (const write_refused& e) {
    EXPECT_EQ(e.code(), boutique::domain::error_code::unauthenticated);
  }
  auto& hash = db.prepare("SELECT password_hash FROM users WHERE id = 1");
  ASSERT_TRUE(hash.step());
  EXPECT_EQ(hash.text(0), "the old hash");
  db.reset_all();
  change_password(db, 1, "the new hash", "the login still held", 1000, mail);
  auto& changed = db.prepare("SELECT password_hash FROM users WHERE id = 1");
  ASSERT_TRUE(changed.step());
  EXPECT_EQ(changed.text(0), "the new hash");
}
