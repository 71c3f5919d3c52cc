// Membership and leases on PostgreSQL (storage/cluster.hpp). A node is a member while its heartbeat is younger than
// lease_s; a lease is valid while its owner is a member under the generation it was taken in.
#include "storage/cluster.hpp"

#include "storage/database.hpp"
#include "domain/contact.hpp"
#include "domain/tokens.hpp"

namespace boutique::storage {

namespace {

/// The node behind a lease row `l` is a member under the generation the lease was taken in.
#define BOUTIQUE_OWNER_IS_MEMBER(lease_s_param)                                                          \
  "EXISTS (SELECT 1 FROM cluster_nodes n WHERE n.node_id = l.owner AND n.generation = l.generation "   \
  "AND n.heartbeat_at > now() - make_interval(secs => " lease_s_param "))"

constexpr const char* sql_join =
  "INSERT INTO cluster_nodes (node_id, advertise, generation, started_at, heartbeat_at) "
  "VALUES (?, ?, 1, now(), clock_timestamp()) "
  "ON CONFLICT (node_id) DO UPDATE SET advertise = EXCLUDED.advertise, "
  "generation = cluster_nodes.generation + 1, started_at = now(), heartbeat_at = clock_timestamp() "
  "RETURNING generation";

// The clock of this moment, not of the transaction's start: a heartbeat in a batch that began long ago must not pass
// for a recent one (nor miss that the membership lapsed meanwhile).
constexpr const char* sql_heartbeat =
  "UPDATE cluster_nodes SET heartbeat_at = clock_timestamp() "
  "WHERE node_id = ? AND generation = ? AND heartbeat_at > clock_timestamp() - make_interval(secs => ?)";

// Free, released, this node's own (any earlier generation: void since it rejoined) or an ex-member's: taken, one
// epoch up. The row lock ON CONFLICT takes makes two nodes asking at once take it one after the other.
constexpr const char* sql_take =
  "INSERT INTO cluster_leases AS l (kind, key, owner, generation, epoch, taken_at) VALUES (?1, ?2, ?3, ?4, 1, now()) "
  "ON CONFLICT (kind, key) DO UPDATE SET owner = EXCLUDED.owner, generation = EXCLUDED.generation, "
  "epoch = l.epoch + 1, taken_at = now() "
  "WHERE l.owner IS NULL OR l.owner = EXCLUDED.owner OR NOT " BOUTIQUE_OWNER_IS_MEMBER("?5") " "
  "RETURNING epoch";

// Held by another node that is a member under the generation it took it in: not to be taken, and looked at without
// a lock (the upsert below locks the row even when its WHERE refuses it, until the asker's batch commits: a node
// asking again and again would hold up the owner's fenced writes and its release).
constexpr const char* sql_held_elsewhere =
  "SELECT l.owner, n.advertise FROM cluster_leases l JOIN cluster_nodes n ON n.node_id = l.owner "
  "WHERE l.kind = ?1 AND l.key = ?2 AND l.owner <> ?3 AND n.generation = l.generation "
  "AND n.heartbeat_at > now() - make_interval(secs => ?4)";

constexpr const char* sql_holder =
  "SELECT l.owner, n.advertise FROM cluster_leases l JOIN cluster_nodes n ON n.node_id = l.owner "
  "WHERE l.kind = ? AND l.key = ?";

// Released, the row goes: the table holds the leases of live actors only (and, until swept, those of nodes that
// died holding them). The next activation starts again at epoch 1, which fencing allows: a write is checked against
// owner, generation and epoch together, and the releasing node no longer has the actor.
constexpr const char* sql_release =
  "DELETE FROM cluster_leases WHERE kind = ? AND key = ? AND owner = ? AND generation = ? AND epoch = ?";

// Membership judged at this moment (clock_timestamp), however long ago the batch began.
constexpr const char* sql_holds =
  "SELECT 1 FROM cluster_leases l WHERE l.kind = ?1 AND l.key = ?2 AND l.owner = ?3 AND l.generation = ?4 "
  "AND l.epoch = ?5 AND EXISTS (SELECT 1 FROM cluster_nodes n WHERE n.node_id = l.owner "
  "AND n.generation = l.generation AND n.heartbeat_at > clock_timestamp() - make_interval(secs => ?6)) "
  "FOR SHARE OF l";

constexpr const char* sql_release_all =
  "DELETE FROM cluster_leases WHERE owner = ? AND generation <= ?";

constexpr const char* sql_leave =
  "UPDATE cluster_nodes SET heartbeat_at = 'epoch' WHERE node_id = ? AND generation = ?";

// Leases left by nodes that died holding them (or under a generation they left), not taken since.
constexpr const char* sql_forget =
  "DELETE FROM cluster_leases WHERE ctid IN (SELECT l.ctid FROM cluster_leases l "
  "WHERE l.taken_at < now() - make_interval(secs => ?1) AND (l.owner IS NULL OR NOT " BOUTIQUE_OWNER_IS_MEMBER("?3")
  ") LIMIT ?2 FOR UPDATE OF l SKIP LOCKED)";

constexpr const char* sql_nodes =
  "SELECT n.node_id, n.advertise, n.generation, "
  "CAST(EXTRACT(EPOCH FROM clock_timestamp() - n.heartbeat_at) * 1000 AS BIGINT), "
  "CAST(n.heartbeat_at > clock_timestamp() - make_interval(secs => ?) AS INT), "
  "(SELECT count(*) FROM cluster_leases l WHERE l.owner = n.node_id AND l.generation = n.generation), "
  "CAST(EXTRACT(EPOCH FROM n.started_at) AS BIGINT) "
  "FROM cluster_nodes n ORDER BY n.node_id";

constexpr const char* sql_member_heartbeat =
  "SELECT CAST(EXTRACT(EPOCH FROM heartbeat_at) * 1000 AS BIGINT) FROM cluster_nodes "
  "WHERE node_id = ? AND heartbeat_at > clock_timestamp() - make_interval(secs => ?)";

constexpr const char* sql_find =
  "SELECT coalesce(owner, ''), generation, epoch FROM cluster_leases WHERE kind = ? AND key = ?";


#undef BOUTIQUE_OWNER_IS_MEMBER

}  // namespace

std::string account_lease_key(const std::string& email) { return domain::sha256_hex(domain::normalize_email(email)); }

std::optional<std::int64_t> member_heartbeat(database& db, const std::string& node_id, std::int64_t lease_s) {
  auto& st = db.prepare(sql_member_heartbeat);
  st.bind_all(node_id, lease_s);
  std::optional<std::int64_t> out;
  if (st.step()) out = st.integer(0);
  st.reset();
  return out;
}

std::int64_t join_cluster(database& db, const node_identity& me) {
  auto& st = db.prepare(sql_join);
  st.bind_all(me.node_id, me.advertise);
  if (!st.step()) throw storage_error("joining the cluster returned no generation");
  auto generation = st.integer(0);
  st.reset();
  return generation;
}

bool heartbeat(database& db, const node_identity& me) {
  db.prepare(sql_heartbeat).bind_all(me.node_id, me.generation, me.lease_s).run();
  return db.changes() == 1;
}

lease_claim take_lease(database& db, const node_identity& me, const std::string& kind, const std::string& key) {
  lease_claim claim;
  {
    auto& st = db.prepare(sql_held_elsewhere);
    st.bind_all(kind, key, me.node_id, me.lease_s);
    auto held = st.step();
    if (held) {
      claim.owner = st.text(0);
      claim.owner_address = st.text(1);
    }
    st.reset();
    if (held) return claim;
  }
  {
    auto& st = db.prepare(sql_take);
    st.bind_all(kind, key, me.node_id, me.generation, me.lease_s);
    if (st.step()) {
      claim.taken = true;
      claim.epoch = st.integer(0);
    }
    st.reset();
  }
  if (claim.taken) return claim;
  auto& st = db.prepare(sql_holder);
  st.bind_all(kind, key);
  if (st.step()) {
    claim.owner = st.text(0);
    claim.owner_address = st.text(1);
  }
  st.reset();
  return claim;
}

void release_lease(database& db, const node_identity& me, const std::string& kind, const std::string& key,
                   std::int64_t epoch) {
  db.prepare(sql_release).bind_all(kind, key, me.node_id, me.generation, epoch).run();
}

bool lease_holds(database& db, const node_identity& me, const std::string& kind, const std::string& key,
                 std::int64_t epoch) {
  auto& st = db.prepare(sql_holds);
  st.bind_all(kind, key, me.node_id, me.generation, epoch, me.lease_s);
  auto holds = st.step();
  st.reset();
  return holds;
}

void leave_cluster(database& db, const node_identity& me) {
  db.prepare(sql_release_all).bind_all(me.node_id, me.generation).run();
  db.prepare(sql_leave).bind_all(me.node_id, me.generation).run();
}

int forget_abandoned_leases(database& db, const node_identity& me, std::int64_t older_than_s, int limit) {
  db.prepare(sql_forget).bind_all(older_than_s, std::int64_t{limit}, me.lease_s).run();
  return db.changes();
}

std::vector<node_view> cluster_nodes(database& db, std::int64_t lease_s) {
  std::vector<node_view> out;
  auto& st = db.prepare(sql_nodes);
  st.bind_all(lease_s);
  while (st.step())
    out.push_back({st.text(0), st.text(1), st.integer(2), static_cast<double>(st.integer(3)) / 1000.0,
                   st.integer(4) != 0, st.integer(5), st.integer(6)});
  st.reset();
  return out;
}

std::optional<lease_view> find_lease(database& db, const std::string& kind, const std::string& key) {
  auto& st = db.prepare(sql_find);
  st.bind_all(kind, key);
  std::optional<lease_view> out;
  if (st.step()) out = lease_view{st.text(0), st.integer(1), st.integer(2)};
  st.reset();
  return out;
}

}  // namespace boutique::storage
