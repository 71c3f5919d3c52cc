#pragma once

// Membership and leases of a cluster of Boutique nodes sharing one PostgreSQL database (docs/CLUSTER.md). SQL only;
// the storage actor runs it inside its batch transaction. PostgreSQL's clock (now()) is the only one used: nodes'
// clocks may differ, the database's is one.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace boutique::storage {

class database;

/// The kinds of actors a lease is for, and their keys: a checkout session by its id; a customer account by the
/// SHA-256 of its normalised email (its id is known only once loaded, and the email itself is kept out of the
/// lease table and the logs).
inline constexpr const char* session_lease = "session";
inline constexpr const char* account_lease = "account";
std::string account_lease_key(const std::string& email);

/// Who this node is in the cluster: its id, the address other nodes reach it on, the generation of its current
/// membership, and how long a member lives without a heartbeat.
struct node_identity {
  std::string node_id;
  std::string advertise;
  std::int64_t generation = 0;
  std::int64_t lease_s = 10;
};

/// The heartbeat of node `node_id` (milliseconds since the Unix epoch, on PostgreSQL's clock) while it is a member;
/// nothing when it is not (never joined, left, or lapsed). Read twice a heartbeat apart, it tells a live process
/// (it moved) from one that died without leaving (it did not).
std::optional<std::int64_t> member_heartbeat(database& db, const std::string& node_id, std::int64_t lease_s);

/// Joins (or rejoins) the cluster: the node's row gets a generation one above its last one and a fresh heartbeat.
/// Every lease taken under an earlier generation is void from now on. Returns the new generation.
std::int64_t join_cluster(database& db, const node_identity& me);

/// Renews the node's membership, and with it all its leases: false when it had already lapsed (no heartbeat
/// for lease_s, or another process joined under the same id): the node must rejoin, and its actors passivate.
bool heartbeat(database& db, const node_identity& me);

/// The outcome of asking for the lease of an actor: taken (with its new epoch), or held by a live node.
struct lease_claim {
  bool taken = false;
  std::int64_t epoch = 0;
  std::string owner;          ///< when held elsewhere: the owner's node id
  std::string owner_address;  ///< and the address it advertises
};

/// Takes the lease of actor `key` of `kind` when it is free (no row), held under an earlier generation of this
/// node, or held by a node that is no longer a member; the epoch is then one above the last. Otherwise says who
/// holds it.
lease_claim take_lease(database& db, const node_identity& me, const std::string& kind, const std::string& key);

/// Releases this node's lease of `key` under `epoch` (the actor passivated): its row goes. Nothing when it is no
/// longer held so.
void release_lease(database& db, const node_identity& me, const std::string& kind, const std::string& key,
                   std::int64_t epoch);

/// Whether this node still holds `key` under `epoch` and is still a member. The lease row is then locked in
/// share mode to the end of the transaction: no node can take it before this write commits or rolls back.
bool lease_holds(database& db, const node_identity& me, const std::string& kind, const std::string& key,
                 std::int64_t epoch);

/// Leaves the cluster (a graceful stop): every lease of this node is released and its membership ends now, so that
/// the other nodes take its sessions at once instead of after lease_s.
void leave_cluster(database& db, const node_identity& me);

/// Removes up to `limit` leases of nodes that died holding them (or held under a generation they left), taken more
/// than `older_than_s` ago; returns how many.
int forget_abandoned_leases(database& db, const node_identity& me, std::int64_t older_than_s, int limit);

/// A node as the cluster table shows it.
struct node_view {
  std::string node_id;
  std::string advertise;
  std::int64_t generation = 0;
  double heartbeat_age_s = 0;
  bool member = false;  ///< its heartbeat is younger than the lease time
  std::int64_t leases = 0;  ///< leases it holds under its current generation
  std::int64_t started_at = 0;  ///< unix seconds
};

std::vector<node_view> cluster_nodes(database& db, std::int64_t lease_s);

/// The epoch and owner of `key`'s lease, if it was ever taken (tests and the admin view).
struct lease_view {
  std::string owner;
  std::int64_t generation = 0;
  std::int64_t epoch = 0;
};
std::optional<lease_view> find_lease(database& db, const std::string& kind, const std::string& key);

}  // namespace boutique::storage
