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
using account_directory_actor = directory_interface<std::int64_t, account_vitals>::extend<
  caf::replies_to<deadline, atoms::deposit_atom, domain::contact, std::optional<std::int64_t>>::with<customer_record>,
  // customer id: its account changed elsewhere (a completion); drop the live copy
  caf::reacts_to<atoms::refresh_atom, std::int64_t>>;

struct account_settings {
  std::chrono::seconds idle{600};
  std::size_t max_live = 0;  ///< most live account actors (0: no cap)
};

account_directory_actor spawn_account_directory(caf::actor_system& sys, actors::storage_actor storage,
                                                account_settings settings);

}  // namespace boutique::actors
