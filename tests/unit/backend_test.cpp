// The contract every storage backend keeps (storage/database.hpp), run on the backend the suites run on
// (support/storage.hpp: SQLite, or PostgreSQL under scripts/with-postgres.sh).
#include "storage/migrations.hpp"
#include "storage/postgres_database.hpp"
#include "storage/postgres_dialect.hpp"
#include "storage/queries/all.hpp"
#include "support/storage.hpp"
#include "support/test_service.hpp"

#include <gtest/gtest.h>

using namespace boutique::storage;
using boutique::testing::on_postgresql;
using boutique::testing::temp_dir;
using boutique::testing::test_store;

namespace {

struct backend_fixture : ::testing::Test {
  temp_dir dir;
  test_store store{(dir.path() / "b.db").string()};
  std::unique_ptr<database> db = store.open();

  void SetUp() override { migrate(*db); }

  std::int64_t scalar(const std::string& sql) {
    auto& st = db->prepare(sql);
    st.step();
    auto value = st.integer(0);
    st.reset();
    return value;
  }
};

const char* insert_customer =
  "INSERT INTO customers (email_norm, email, firstname, lastname, country, created_at, updated_at) "
  "VALUES (?, ?, 'A', 'B', 'FR', 0, 0) RETURNING id";

}  // namespace

TEST_F(backend_fixture, the_suites_run_on_the_backend_they_were_asked_for) {
  EXPECT_EQ(db->backend(), on_postgresql() ? backend::postgresql : backend::sqlite);
}

TEST_F(backend_fixture, migrations_record_the_schema_version_and_are_idempotent) {
  const auto& all = on_postgresql() ? postgresql_migrations() : migrations();
  EXPECT_EQ(db->schema_version(), static_cast<int>(all.size()));
  EXPECT_EQ(migrate(*db), static_cast<int>(all.size()));
  EXPECT_EQ(scalar("SELECT count(*) FROM customers"), 0);
}

TEST_F(backend_fixture, a_database_newer_than_the_binary_is_refused) {
  db->set_schema_version(999);
  try {
    migrate(*db);
    FAIL() << "a newer schema was accepted";
  } catch (const storage_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this binary"), std::string::npos);
  }
}

// Every named statement of storage/queries (PostgreSQL's own text where it has one) prepares: a statement the tests
// never run still fails here, not in production.
TEST_F(backend_fixture, every_statement_prepares) {
  std::vector<std::pair<const char*, const char*>> statements;  // {module, SQL}
#define BOUTIQUE_QUERY_MODULES_ITEM(module) \
  for (const char* sql : sql::module::all) statements.emplace_back(#module, sql);
  BOUTIQUE_QUERY_MODULES
#undef BOUTIQUE_QUERY_MODULES_ITEM
  for (const auto& [module, sql] : statements)
    EXPECT_NO_THROW(db->prepare(sql)) << module << ": " << (on_postgresql() ? postgresql_text(sql) : sql);
  auto prepared = statements.size();
  EXPECT_GT(prepared, 90u);
}

TEST_F(backend_fixture, a_new_row_gives_its_id_and_a_unique_email_is_refused_as_a_constraint) {
  auto first = db->prepare(insert_customer).bind_all("a@example.org", "A@example.org").run_returning_integer();
  auto second = db->prepare(insert_customer).bind_all("b@example.org", "b@example.org").run_returning_integer();
  EXPECT_GT(first, 0);
  EXPECT_NE(first, second);
  try {
    db->prepare(insert_customer).bind_all("a@example.org", "a@example.org").run();
    FAIL() << "duplicate email accepted";
  } catch (const storage_error& e) {
    EXPECT_TRUE(e.constraint()) << e.what();
  }
}

// The storage writer's shape: one batch, a savepoint per write; a write that fails leaves its neighbours committed
// (on PostgreSQL an error aborts the whole transaction unless its savepoint is rolled back).
TEST_F(backend_fixture, a_failed_write_inside_a_batch_leaves_its_neighbours_committed) {
  db->begin_batch();
  for (const char* email : {"one@example.org", "one@example.org", "two@example.org"}) {
    try {
      transaction write(*db);
      db->prepare(insert_customer).bind_all(email, email).run();
      write.commit();
    } catch (const storage_error& e) {
      EXPECT_TRUE(e.constraint());
    }
  }
  db->commit_batch();
  EXPECT_EQ(scalar("SELECT count(*) FROM customers"), 2);
}

TEST_F(backend_fixture, a_transaction_that_throws_leaves_nothing_and_changes_counts_rows) {
  try {
    transaction tx(*db);
    db->exec("INSERT INTO outbox (recipient, subject, body, created_at) VALUES ('a', 'b', 'c', 0)");
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM outbox"), 0);
  for (int i = 0; i < 3; ++i)
    db->exec("INSERT INTO outbox (recipient, subject, body, created_at) VALUES ('a', 'b', 'c', 0)");
  db->prepare("UPDATE outbox SET attempts = ?1 WHERE recipient = ?2").bind_all(std::int64_t{1}, "a").run();
  EXPECT_EQ(db->changes(), 3);
}

TEST_F(backend_fixture, a_reader_sees_commits_made_after_its_previous_query) {
  auto reader = store.open({database::access::read_only, false});
  const char* insert = "INSERT INTO outbox (recipient, subject, body, created_at) VALUES ('a', 'b', 'c', 0)";
  db->exec(insert);
  ASSERT_TRUE(reader->prepare("SELECT id FROM outbox ORDER BY id LIMIT 1").step());
  reader->reset_all();
  db->exec(insert);
  auto& count = reader->prepare("SELECT count(*) FROM outbox");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.integer(0), 2);
  EXPECT_THROW(reader->exec(insert), storage_error) << "a reader's connection writes nothing";
}

TEST_F(backend_fixture, nulls_text_and_integers_round_trip) {
  db->prepare("INSERT INTO service_keys (name, value) VALUES (?, ?)").bind_all("k", "it's \"quoted\" ? ?1 é").run();
  auto& st = db->prepare("SELECT value, ?1, ?2 FROM service_keys WHERE name = 'k'").bind(1, std::nullopt);
  st.bind(2, std::int64_t{-9007199254740993});
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.text(0), "it's \"quoted\" ? ?1 é") << "a ? inside a literal or a value is not a parameter";
  EXPECT_TRUE(st.is_null(1));
  EXPECT_EQ(st.integer(2), -9007199254740993);
  EXPECT_EQ(st.columns(), 3);
}

TEST(postgresql_dialect, parameters_are_numbered_as_sqlite_numbers_them) {
  auto n = number_parameters("SELECT ? , ?3, ? FROM t WHERE a = '?' AND \"b?\" = ?1");
  EXPECT_EQ(n.text, "SELECT $1 , $3, $4 FROM t WHERE a = '?' AND \"b?\" = $1");
  EXPECT_EQ(n.count, 4);
  EXPECT_EQ(number_parameters("x = 'it''s ?' OR y = ?").text, "x = 'it''s ?' OR y = $1");
}

TEST(postgresql_dialect, a_url_is_shown_without_its_password) {
  EXPECT_EQ(without_password("postgresql://shop:s3cret@db:5432/boutique"), "postgresql://shop@db:5432/boutique");
  EXPECT_EQ(without_password("postgresql://shop@db/boutique"), "postgresql://shop@db/boutique");
  EXPECT_EQ(without_password("postgresql://db:5432/boutique"), "postgresql://db:5432/boutique");
}

TEST(postgresql_dialect, an_unreachable_server_is_named_without_the_password) {
  try {
    postgres_database db("postgresql://shop:s3cret@/boutique?host=/nonexistent-boutique-socket", {});
    FAIL() << "connected to nothing";
  } catch (const storage_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("cannot connect to PostgreSQL"), std::string::npos) << what;
    EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
  }
}

// A connection PostgreSQL ends (a restart, a failover, an idle timeout) comes back at the next statement outside a
// transaction; inside one, the transaction fails as a whole and nothing of it is written.
TEST_F(backend_fixture, a_lost_connection_comes_back_and_a_transaction_it_cut_writes_nothing) {
  if (!on_postgresql()) GTEST_SKIP() << "PostgreSQL's server connection";
  auto admin = store.open();
  auto end_connection = [&] {
    auto& pid = db->prepare("SELECT pg_backend_pid()");
    ASSERT_TRUE(pid.step());
    auto backend = pid.integer(0);
    pid.reset();
    admin->prepare("SELECT pg_terminate_backend(?::int)").bind_all(backend).run();
  };
  end_connection();
  for (int attempt = 0; attempt < 2; ++attempt) {  // the first use may learn of the loss, the second reconnects
    try {
      if (scalar("SELECT count(*) FROM customers") == 0) break;
    } catch (const storage_error&) {
    }
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM customers"), 0) << "the connection came back";
  db->prepare(insert_customer).bind_all("kept@example.org", "kept@example.org").run();

  db->begin_batch();
  db->prepare(insert_customer).bind_all("cut@example.org", "cut@example.org").run();
  end_connection();
  EXPECT_THROW(db->prepare(insert_customer).bind_all("late@example.org", "late@example.org").run(), storage_error);
  EXPECT_THROW(db->prepare(insert_customer).bind_all("later@example.org", "later@example.org").run(), storage_error)
    << "inside the transaction, no reconnection: its later writes would commit alone";
  EXPECT_NO_THROW(db->rollback_batch());
  EXPECT_EQ(scalar("SELECT count(*) FROM customers"), 1) << "only the write made before the transaction";
  auto& cut = admin->prepare("SELECT count(*) FROM customers WHERE email_norm = 'cut@example.org'");
  EXPECT_EQ(cut.run_returning_integer(), 0);
}
