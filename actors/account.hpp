#pragma once

#include "actors/directory.hpp"
#include "actors/messages.hpp"
#include "actors/storage_actor.hpp"

#include <chrono>

namespace boutique::actors {

/// One customer account: serialises every change of it. Its messages carry the route (customer id, generation)
/// the directory sent them under; one meant for another activation is refused.
using account_actor = caf::typed_actor<
  // contact, acting user -> the account as it now is
  caf::replies_to<account_route, atoms::deposit_atom, domain::contact, std::optional<std::int64_t>>::with<customer_record>,
  caf::replies_to<account_route, caf::get_atom>::with<customer_record>,
  caf::replies_to<caf::get_atom, atoms::vitals_atom>::with<account_vitals>,
  caf::reacts_to<atoms::passivate_atom>>;

/// Finds or creates the account actor of an email: at most one live actor per customer account, and one
/// customer account per normalised email (the directory plus the UNIQUE index). Idle accounts are passivated.
///
/// In a cluster (docs/CLUSTER.md) an account's actor lives on the node holding the lease of its email, taken before
/// it is loaded; its writes are fenced by that lease. It holds the lease only while it has deposits in hand, and at
/// most `hold` at a time when more keep coming, then passivates and gives it back. A node whose deposit finds the
/// lease held by another live node asks again every `lease_retry` until the deposit's deadline (answered 503,
/// Retry-After, when it passes): the deposits of one account come from the sessions of every node, so there is no
/// one owner to forward them to, and a wait of a few milliseconds costs less than a request sent across.
using account_directory_actor = directory_interface<std::int64_t, account_vitals>::extend<
  caf::replies_to<deadline, atoms::deposit_atom, domain::contact, std::optional<std::int64_t>>::with<customer_record>,
  // customer id: its account changed elsewhere (a completion); drop the live copy
  caf::reacts_to<atoms::refresh_atom, std::int64_t>,
  // in a cluster: a normalised email whose lease was held elsewhere, asked for again (sent to itself)
  caf::reacts_to<atoms::lease_atom, std::string>,
  // from the storage actor: kind, key of a lease this node no longer holds; and its new generation after a rejoin
  caf::reacts_to<atoms::lease_atom, std::string, std::string>,
  caf::reacts_to<atoms::cluster_atom, std::int64_t>>;

struct account_settings {
  std::chrono::seconds idle{600};
  std::size_t max_live = 0;  ///< most live account actors (0: no cap)
  bool clustered = false;
  std::chrono::milliseconds hold{200};        ///< in a cluster: longest a busy account keeps its lease at a time
  std::chrono::milliseconds lease_retry{20};  ///< in a cluster: how often a lease held elsewhere is asked for again
};

account_directory_actor spawn_account_directory(caf::actor_system& sys, actors::storage_actor storage,
                                                account_settings settings);

}  // namespace boutique::actors
