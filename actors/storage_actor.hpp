#pragma once

#include "actors/messages.hpp"
#include "storage/cluster.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "storage/retention.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>

namespace boutique::actors {

/// The only writer of the database. Writes that arrive together are committed in one transaction
/// (group commit); each write is answered only after that transaction committed, and a write that fails
/// is rolled back alone (savepoint) without failing the others of its batch.
///
/// A write a client's request caused starts with that request's deadline: one whose deadline has passed before it
/// begins is dropped (503, nothing written), so that a request already answered 503 never takes effect later.
/// A write that began in time is never cut off (its requester waits `deadline::settle_grace` for the answer).
using storage_actor = caf::typed_actor<
  caf::replies_to<caf::ping_atom>::with<bool>,
  // session id, snapshot, expires_at
  caf::replies_to<deadline, caf::put_atom, atoms::session_atom, std::string, std::string,
                  std::int64_t>::with<caf::ok_atom>,
  caf::replies_to<deadline, atoms::rekey_atom, session_rekey>::with<caf::ok_atom>,
  // contact, acting user, now -> the customer account as it now is (see queries.hpp deposit_contact)
  caf::replies_to<deadline, atoms::deposit_atom, domain::contact, std::optional<std::int64_t>,
                  std::int64_t>::with<customer_record>,
  caf::replies_to<deadline, atoms::order_atom, bill_draft>::with<caf::ok_atom>,
  caf::replies_to<deadline, atoms::payment_atom, payment_event>::with<payment_outcome>,
  // a payment applied by the checkout session `session id` (in a cluster, fenced by that session's lease)
  caf::replies_to<deadline, atoms::payment_atom, payment_event, std::string>::with<payment_outcome>,
  caf::replies_to<deadline, atoms::cancel_atom, bill_cancel>::with<bill_change>,
  // a person's data: everything held (recorded in their timeline), or its erasure (storage/queries.hpp)
  caf::replies_to<deadline, atoms::export_atom, privacy_subject>::with<personal_export>,
  caf::replies_to<deadline, atoms::erase_atom, privacy_subject>::with<erasure_outcome>,
  caf::replies_to<deadline, atoms::idempotency_atom, idempotency_claim>::with<idempotency_verdict>,
  // the outcome of work already done: recorded whatever the deadline, so that a retry answers it
  caf::replies_to<atoms::idempotency_atom, idempotency_outcome>::with<caf::ok_atom>,
  // token hash, password hash, now
  caf::replies_to<deadline, atoms::password_atom, std::string, std::string, std::int64_t>::with<caf::ok_atom>,
  // login, the link's token, now: "forgot your password?" (storage::request_password_reset)
  caf::replies_to<deadline, atoms::forgot_atom, std::string, std::string, std::int64_t>::with<caf::ok_atom>,
  // token hash, user id, expires_at
  caf::replies_to<deadline, atoms::auth_atom, std::string, std::int64_t, std::int64_t,
                  std::optional<domain::language>>::with<caf::ok_atom>,
  caf::replies_to<deadline, atoms::logout_atom, std::string>::with<caf::ok_atom>,
  // user id, new address, the link's token, the token hash of the login asking, now: an email change asked for
  // (storage::request_email_change)
  caf::replies_to<deadline, atoms::email_atom, std::int64_t, std::string, std::string, std::string,
                  std::int64_t>::with<caf::ok_atom>,
  // the link's token hash, now -> the user as now: the email change confirmed (storage::confirm_email_change)
  caf::replies_to<deadline, atoms::email_atom, std::string, std::int64_t>::with<user_record>,
  // user id, the token hash of the login to keep ("" for none), now: "log out everywhere" (storage::end_logins)
  caf::replies_to<deadline, atoms::logout_atom, std::int64_t, std::string, std::int64_t>::with<caf::ok_atom>,
  // user id, password hash, the token hash of the login to keep, now: a password changed while logged in
  caf::replies_to<deadline, atoms::password_atom, std::int64_t, std::string, std::string,
                  std::int64_t>::with<caf::ok_atom>,
  // customer id, now: a user logged in during a checkout (customer timeline)
  caf::replies_to<atoms::login_atom, std::int64_t, std::int64_t>::with<caf::ok_atom>,
  // a reloaded catalog: the catalog table holds exactly these items once answered
  caf::replies_to<atoms::catalog_atom, domain::catalog>::with<caf::ok_atom>,
  // limit, now, until: the due mails, taken by this node's mailer until `until` (in a cluster, where every node's
  // mailer sends: storage::claim_due_mail)
  caf::replies_to<deadline, atoms::outbox_atom, std::int32_t, std::int64_t, std::int64_t>::with<outbox_batch>,
  // what the mailer's attempts made of their mails
  caf::replies_to<atoms::sent_atom, domain::mail_outcome_list>::with<caf::ok_atom>,
  caf::replies_to<caf::get_atom, atoms::stats_atom>::with<storage_stats>,
  // now: runs every retention step against `now`, answered when the run is done
  caf::replies_to<atoms::retention_atom, std::int64_t>::with<retention_report>,
  // now: mails one batch of the reminders due (the retention step "reminders"), answered with how many went out
  caf::replies_to<atoms::reminder_atom, std::int64_t>::with<std::int64_t>,
  // the periodic timer (a run against the clock), and the next batch of a run in progress
  caf::reacts_to<atoms::retention_atom, caf::tick_atom>,
  caf::reacts_to<atoms::retention_atom, caf::pending_atom>,
  caf::reacts_to<caf::flush_atom>,
  // cluster (docs/CLUSTER.md): kind (storage::session_lease, storage::account_lease), key: the lease of an actor for
  // this node, taken before its actor is loaded. A listener (below) is told (lease_atom, kind, key) when a write of
  // that actor was fenced: this node no longer holds its lease, and its actor here must passivate.
  caf::replies_to<deadline, atoms::lease_atom, std::string, std::string>::with<lease_grant>,
  // its release, once its actor's last write is queued (a session actor sends it as it passivates)
  caf::reacts_to<atoms::lease_atom, caf::delete_atom, std::string, std::string>,
  // this node in the cluster, and the membership table
  caf::replies_to<caf::get_atom, atoms::cluster_atom>::with<cluster_stats>,
  // the heartbeat's news (actors/heartbeat.hpp): this node's generation and heartbeats written; `listener` (below)
  // is told (cluster_atom, generation) whenever the generation changes (the node rejoined: its leases lapsed, its
  // live actors must passivate)
  caf::reacts_to<atoms::cluster_atom, caf::update_atom, std::int64_t, std::uint64_t>,
  caf::reacts_to<atoms::cluster_atom, caf::subscribe_atom, caf::actor>,
  // a graceful stop: this node's leases released and its membership ended (storage::leave_cluster)
  caf::replies_to<atoms::cluster_atom, caf::leave_atom>::with<caf::ok_atom>>;

struct writer_limits {
  /// Messages waiting in the mailbox beyond which a new write is refused (overloaded, Retry-After); 0: no bound.
  std::size_t queue_max = 0;
  storage::retention_policy retention;
  /// How often retention runs by itself; 0: only when asked.
  std::chrono::seconds retention_every{0};
  /// This node, when in a cluster, as it joined (storage::join_cluster: its generation set); actors/heartbeat.hpp
  /// keeps its membership.
  std::optional<storage::node_identity> node;
  /// Since when (steady clock, ms) the writer has been running its current batch; 0 between batches. The heartbeat
  /// reads it: a writer stuck for 3 leases (a connection hung without an answer) must not keep its node a member.
  std::shared_ptr<std::atomic<std::int64_t>> busy_since_ms = std::make_shared<std::atomic<std::int64_t>>(0);
};

/// Milliseconds of the steady clock, as busy_since_ms holds them.
inline std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

/// Spawns the storage actor on its own thread; it takes ownership of the read-write connection `db`.
storage_actor spawn_storage(caf::actor_system& sys, std::unique_ptr<storage::database> db, int batch_max,
                            const storage::mail_settings& mail, writer_limits limits = {});

}  // namespace boutique::actors
