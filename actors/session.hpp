#pragma once

#include "actors/account.hpp"
#include "actors/directory.hpp"
#include "actors/identity.hpp"
#include "actors/messages.hpp"
#include "actors/reader.hpp"
#include "actors/storage_actor.hpp"

#include <atomic>
#include <chrono>
#include <memory>

namespace boutique::actors {

/// One checkout session: cart, contact, login, order, payment. Every change is persisted before it is answered.
/// Every message carries the route it was sent under (see route<Key>): one for another id or activation is refused.
using session_actor = caf::typed_actor<
  caf::replies_to<session_route, caf::get_atom>::with<session_snapshot>,
  caf::replies_to<session_route, caf::put_atom, atoms::cart_atom, cart_request>::with<session_snapshot>,
  // deposit contact details -> the session, holding the values now kept for it
  caf::replies_to<session_route, caf::put_atom, atoms::customer_atom, domain::contact>::with<session_snapshot>,
  // login, password -> the session under its new id, its contact pre-filled from the user's account
  caf::replies_to<session_route, atoms::login_atom, std::string, std::string>::with<session_snapshot>,
  // a user already authenticated by the caller (the support space's login cookie) -> the same as a login
  caf::replies_to<session_route, atoms::login_atom, user_record>::with<session_snapshot>,
  // paymode, the language of the checkout (its bill's mails speak it) -> the session with its placed bill
  caf::replies_to<session_route, atoms::order_atom, std::string, domain::language>::with<session_snapshot>,
  // test payment of the placed bill
  caf::replies_to<session_route, atoms::pay_atom>::with<payment_outcome>,
  caf::replies_to<session_route, atoms::payment_atom, payment_event>::with<payment_outcome>,
  // the placed order's transid (empty: whichever it is), who cancels -> the bill cancelled; the cart is open again
  caf::replies_to<session_route, atoms::cancel_atom, std::string, domain::canceller>::with<bill_change>,
  caf::replies_to<caf::get_atom, atoms::vitals_atom>::with<session_vitals>,
  caf::reacts_to<atoms::passivate_atom>>;

/// A session's live actor and the route to send it messages under.
struct session_ref {
  session_actor actor;
  session_route route;
};

/// Single activation of sessions: spawns on demand (restoring persisted state), passivates idle ones and, beyond
/// the live cap, the least recently used.
using session_directory_actor = directory_interface<std::string, session_vitals>::extend<
  // create a session -> its id
  caf::replies_to<caf::put_atom>::with<std::string>,
  // session id -> its live actor (404 when unknown or expired)
  caf::replies_to<atoms::resolve_atom, std::string>::with<session_ref>,
  // old id, new id: a session renamed at login (stored under the new id already) -> its new route generation
  caf::replies_to<atoms::rekey_atom, std::string, std::string>::with<std::uint64_t>,
  // a payment event, routed to the session that placed the bill
  caf::replies_to<deadline, atoms::payment_atom, payment_event>::with<payment_outcome>,
  // staff cancel a bill: through its session when it has one (in turn with its payments), else in storage alone
  caf::replies_to<deadline, atoms::cancel_atom, std::string>::with<bill_change>,
  // this node rejoined the cluster under a new generation: every live session passivates (its lease is void)
  caf::reacts_to<atoms::cluster_atom, std::int64_t>,
  // lease kind, key: this node no longer holds that lease (a write was fenced): a session's live actor passivates
  caf::reacts_to<atoms::lease_atom, std::string, std::string>>;

struct session_settings {
  std::chrono::seconds idle{900};
  std::chrono::seconds ttl{7 * 86400};
  std::chrono::milliseconds timeout{10000};
  bool test_payments = true;
  std::size_t max_live = 0;  ///< most live session actors (0: no cap)
  /// In a cluster: a session's actor is loaded only on the node holding its lease (docs/CLUSTER.md).
  bool clustered = false;
};

/// The catalog the session actors price carts against. A reload (POST /admin/catalog/reload, SIGHUP) replaces it
/// whole, after the storage actor committed it: a cart is priced against the old catalog or the new one, never a mix.
class live_catalog {
 public:
  explicit live_catalog(std::shared_ptr<const domain::catalog> items) : current_(std::move(items)) {}
  std::shared_ptr<const domain::catalog> get() const { return current_.load(); }
  void set(std::shared_ptr<const domain::catalog> items) { current_.store(std::move(items)); }

 private:
  std::atomic<std::shared_ptr<const domain::catalog>> current_;
};

/// What every session actor talks to.
struct session_context {
  actors::storage_actor storage;
  actors::reader_pool readers;
  identity_actor identity;
  account_directory_actor accounts;
  std::shared_ptr<live_catalog> catalog;
  session_settings settings;
  std::string id_key;  ///< signs the ids of new sessions, which are stored only with their first change
};

session_directory_actor spawn_session_directory(caf::actor_system& sys, std::shared_ptr<const session_context> ctx);

/// The persisted form of a session (JSON), and back. Throws std::exception on a corrupt snapshot.
std::string to_json(const session_snapshot& s);
session_snapshot session_from_json(const std::string& json);

}  // namespace boutique::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::actors::session_ref)
