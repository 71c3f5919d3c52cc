#pragma once

// The vocabulary every actor speaks: atoms and addresses (routes). The messages carry the domain's records
// (domain/records.hpp), the actors' statistics (actors/stats.hpp) and errors (actors/errors.hpp). Payload types are
// local-only (this service does not serialise messages), hence allowed as unsafe.

#include "actors/errors.hpp"
#include "actors/printing.hpp"
#include "actors/stats.hpp"
#include "domain/catalog.hpp"
#include "domain/deadline.hpp"
#include "domain/errors.hpp"
#include "domain/mail.hpp"
#include "domain/records.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <caf/type_id.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace boutique {

/// The address a message to a keyed actor was routed under: the key the directory knew it by and the generation
/// of its activation. An actor refuses (404) a message whose route is not its current one, however long the
/// message waited: a session renamed at login no longer answers to its old id, and a message meant for another
/// activation of the same key is never run by this one.
///
/// It also carries the deadline of the request that sent the message: the actor's own requests (storage, other
/// actors) go out under that same deadline.
template <class Key>
struct route {
  Key key;
  std::uint64_t generation = 0;
  deadline due;
  /// The same address (the deadline is not part of it).
  friend bool operator==(const route& a, const route& b) { return a.key == b.key && a.generation == b.generation; }
  /// This address, for a message sent under `d`.
  route under(deadline d) const { return {key, generation, d}; }
};

using session_route = route<std::string>;
using account_route = route<std::int64_t>;

using cart_request = std::vector<domain::cart_line>;


}  // namespace boutique

CAF_BEGIN_TYPE_ID_BLOCK(boutique, caf::first_custom_type_id)
CAF_ADD_ATOM(boutique, boutique::atoms, catalog_atom, "catalog")
CAF_ADD_ATOM(boutique, boutique::atoms, session_atom, "session")
CAF_ADD_ATOM(boutique, boutique::atoms, stats_atom, "stats")
CAF_ADD_ATOM(boutique, boutique::atoms, customer_atom, "customer")
CAF_ADD_ATOM(boutique, boutique::atoms, deposit_atom, "deposit")
CAF_ADD_ATOM(boutique, boutique::atoms, cart_atom, "cart")
CAF_ADD_ATOM(boutique, boutique::atoms, login_atom, "login")
CAF_ADD_ATOM(boutique, boutique::atoms, logout_atom, "logout")
CAF_ADD_ATOM(boutique, boutique::atoms, order_atom, "order")
CAF_ADD_ATOM(boutique, boutique::atoms, pay_atom, "pay")
CAF_ADD_ATOM(boutique, boutique::atoms, payment_atom, "payment")
CAF_ADD_ATOM(boutique, boutique::atoms, user_atom, "user")
CAF_ADD_ATOM(boutique, boutique::atoms, password_atom, "password")
CAF_ADD_ATOM(boutique, boutique::atoms, hash_atom, "hash")
CAF_ADD_ATOM(boutique, boutique::atoms, verify_atom, "verify")
CAF_ADD_ATOM(boutique, boutique::atoms, bills_atom, "bills")
CAF_ADD_ATOM(boutique, boutique::atoms, products_atom, "products")
CAF_ADD_ATOM(boutique, boutique::atoms, outbox_atom, "outbox")
CAF_ADD_ATOM(boutique, boutique::atoms, sent_atom, "sent")
CAF_ADD_ATOM(boutique, boutique::atoms, auth_atom, "auth")
CAF_ADD_ATOM(boutique, boutique::atoms, passivate_atom, "passivate")
CAF_ADD_ATOM(boutique, boutique::atoms, refresh_atom, "refresh")
CAF_ADD_ATOM(boutique, boutique::atoms, resolve_atom, "resolve")
CAF_ADD_ATOM(boutique, boutique::atoms, actors_atom, "actors")
CAF_ADD_ATOM(boutique, boutique::atoms, vitals_atom, "vitals")
CAF_ADD_ATOM(boutique, boutique::atoms, rekey_atom, "rekey")
CAF_ADD_ATOM(boutique, boutique::atoms, retention_atom, "retention")
CAF_ADD_ATOM(boutique, boutique::atoms, idempotency_atom, "idempotent")
CAF_ADD_ATOM(boutique, boutique::atoms, attempt_atom, "attempt")
CAF_ADD_ATOM(boutique, boutique::atoms, backup_atom, "backup")
CAF_ADD_ATOM(boutique, boutique::atoms, cancel_atom, "cancel")
CAF_ADD_ATOM(boutique, boutique::atoms, forgot_atom, "forgot")
CAF_ADD_ATOM(boutique, boutique::atoms, email_atom, "email")
CAF_ADD_ATOM(boutique, boutique::atoms, export_atom, "export")
CAF_ADD_ATOM(boutique, boutique::atoms, erase_atom, "erase")
CAF_ADD_ATOM(boutique, boutique::atoms, reminder_atom, "reminder")
CAF_ADD_ATOM(boutique, boutique::atoms, lease_atom, "lease")
CAF_ADD_ATOM(boutique, boutique::atoms, cluster_atom, "cluster")
CAF_END_TYPE_ID_BLOCK(boutique)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::catalog)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::storage_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::lease_grant)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::cluster_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::retention_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::backup_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::directory_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::actor_page)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::session_vitals)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::account_vitals)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::customer_detail)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::customer_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<boutique::customer_detail>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::contact)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::field_errors)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::customer_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::user_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::user_credentials)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::bill_draft)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::bill_cancel)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::canceller)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::language)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<boutique::domain::language>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::bill_change)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::session_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::bill_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::payment_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::payment_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::customer_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::bill_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::product_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::outbox_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::mail_outcome_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::cart_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<boutique::customer_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<boutique::user_credentials>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<boutique::user_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<boutique::bill_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<std::string>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::session_rekey)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::session_route)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::account_route)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::idempotency_claim)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::idempotency_verdict)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::idempotency_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<std::int64_t>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::deadline)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::privacy_subject)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::personal_export)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::erasure_outcome)

