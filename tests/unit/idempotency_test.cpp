// Idempotency keys: the decisions (domain) and their storage, without an actor system.
#include "domain/idempotency.hpp"
#include "storage/database.hpp"
#include "support/storage.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"

#include <gtest/gtest.h>

using namespace boutique;
using domain::idempotency_decision;

TEST(idempotency, keys_are_one_to_64_visible_ascii_characters) {
  EXPECT_TRUE(domain::valid_idempotency_key("a"));
  EXPECT_TRUE(domain::valid_idempotency_key(std::string(64, '~')));
  EXPECT_TRUE(domain::valid_idempotency_key("3f2b9c1e-7a4d-4e8b-9f0a-1c2d3e4f5a6b"));
  EXPECT_FALSE(domain::valid_idempotency_key(""));
  EXPECT_FALSE(domain::valid_idempotency_key(std::string(65, 'k')));
  EXPECT_FALSE(domain::valid_idempotency_key("two words"));
  EXPECT_FALSE(domain::valid_idempotency_key("tab\there"));
  EXPECT_FALSE(domain::valid_idempotency_key("cl\xc3\xa9"));
  EXPECT_FALSE(domain::valid_idempotency_key(std::string("nul\0", 4)));
}

TEST(idempotency, decisions_follow_the_record) {
  const std::int64_t now = 1000;
  domain::idempotency_record done{"body", 201, 900, 2000};
  domain::idempotency_record running{"body", 0, 995, 2000};
  EXPECT_EQ(domain::decide_idempotency(std::nullopt, "body", now, 980), idempotency_decision::proceed);
  EXPECT_EQ(domain::decide_idempotency(done, "body", now, 980), idempotency_decision::replay);
  EXPECT_EQ(domain::decide_idempotency(done, "other", now, 980), idempotency_decision::mismatch);
  EXPECT_EQ(domain::decide_idempotency(running, "body", now, 980), idempotency_decision::in_progress);
  EXPECT_EQ(domain::decide_idempotency(running, "other", now, 980), idempotency_decision::mismatch);
  EXPECT_EQ(domain::decide_idempotency(running, "body", now, 996), idempotency_decision::proceed)
    << "a claim older than the lease was abandoned";
  done.expires_at = now;
  EXPECT_EQ(domain::decide_idempotency(done, "other", now, 980), idempotency_decision::proceed)
    << "an expired key is a new key";
  EXPECT_TRUE(domain::keeps_idempotent_outcome(201));
  EXPECT_TRUE(domain::keeps_idempotent_outcome(409));
  EXPECT_FALSE(domain::keeps_idempotent_outcome(503)) << "a retry after a timeout runs again";
}

TEST(idempotency, storage_claims_records_releases_and_forgets_expired_keys) {
  boutique::testing::test_store store{":memory:"};  // or a scratch PostgreSQL database (support/storage.hpp)
  auto connection = store.open();
  auto& db = *connection;
  storage::migrate(db);
  idempotency_claim claim{"k1", "fp", 1000, 1000 + 86400, 980};
  EXPECT_EQ(storage::claim_idempotency(db, claim).decision, idempotency_decision::proceed);
  EXPECT_EQ(storage::claim_idempotency(db, claim).decision, idempotency_decision::in_progress);

  storage::settle_idempotency(db, {"k1", 201, "application/json", R"({"transid":"t"})"});
  auto replay = storage::claim_idempotency(db, claim);
  EXPECT_EQ(replay.decision, idempotency_decision::replay);
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.content_type, "application/json");
  EXPECT_EQ(replay.body, R"({"transid":"t"})");

  idempotency_claim other{"k2", "fp", 1000, 1000 + 60, 980};
  ASSERT_EQ(storage::claim_idempotency(db, other).decision, idempotency_decision::proceed);
  storage::settle_idempotency(db, {"k2", 0, "", ""});
  EXPECT_EQ(storage::claim_idempotency(db, other).decision, idempotency_decision::proceed) << "released after a 5xx";

  EXPECT_EQ(storage::delete_expired_idempotency(db, 1059, 100), 0);
  EXPECT_EQ(storage::delete_expired_idempotency(db, 1060, 100), 1) << "k2 expired";
  EXPECT_EQ(storage::delete_expired_idempotency(db, 1000 + 86400, 100), 1) << "k1 expired";
  auto& left = db.prepare("SELECT count(*) FROM idempotency_keys");
  ASSERT_TRUE(left.step());
  EXPECT_EQ(left.integer(0), 0);
}
