#pragma once

// The vocabulary every actor speaks: atoms, payload types and the domain error category.
// Payload types are local-only (this service does not serialise messages), hence allowed as unsafe.

#include "domain/bill.hpp"
#include "domain/catalog.hpp"
#include "domain/contact.hpp"
#include "domain/deadline.hpp"
#include "domain/errors.hpp"
#include "domain/idempotency.hpp"

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

/// Cumulative histogram counts: counts[i] is the number of observations <= bounds[i] (the last is +Inf).
struct histogram {
  std::vector<double> bounds;
  std::vector<std::uint64_t> counts;  ///< one per bound, plus +Inf
  double sum = 0;
  std::uint64_t count = 0;

  explicit histogram(std::vector<double> b = {}) : bounds(std::move(b)), counts(bounds.size() + 1, 0) {}
  void observe(double value) {
    for (std::size_t i = 0; i < bounds.size(); ++i)
      if (value <= bounds[i]) ++counts[i];
    ++counts.back();
    sum += value;
    ++count;
  }
};

/// What one retention run removed (storage/retention.hpp).
struct retention_report {
  std::int64_t now = 0;   ///< the time expiry was judged against (unix seconds)
  double seconds = 0;     ///< how long the run took
  std::vector<std::pair<std::string, std::uint64_t>> rows;  ///< kind -> rows deleted (or mail bodies emptied)
  std::uint64_t total() const {
    std::uint64_t sum = 0;
    for (const auto& [kind, n] : rows) sum += n;
    return sum;
  }
};

/// Counters the storage actor keeps about its group commits and the payments it applied.
struct storage_stats {
  std::uint64_t batches = 0;       ///< transactions committed
  std::uint64_t writes = 0;        ///< writes acknowledged
  std::uint64_t failed_writes = 0; ///< writes rolled back
  std::uint64_t largest_batch = 0;
  std::uint64_t mailbox = 0;       ///< messages waiting when the stats were taken
  histogram batch_sizes{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}};
  histogram commit_seconds{{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}};
  std::uint64_t checkouts_completed = 0;
  std::uint64_t payments_applied = 0;
  std::uint64_t payments_replayed = 0;
  std::uint64_t payments_refused = 0;
  std::uint64_t writes_refused_overloaded = 0;  ///< writes refused because the mailbox was over its bound
  std::uint64_t writes_dropped_past_deadline = 0;  ///< writes whose request's deadline passed before they began
  std::uint64_t retention_runs = 0;
  std::vector<std::pair<std::string, std::uint64_t>> retention_rows;  ///< kind -> rows removed by every run
  std::optional<retention_report> last_retention;
};

/// What a directory says of itself and its live actors.
struct directory_stats {
  std::uint64_t live = 0;
  std::uint64_t activations = 0;
  std::uint64_t passivations = 0;  ///< idle ones, and least recently used ones beyond the cap
  std::uint64_t mailbox = 0;
  std::uint64_t evictions = 0;     ///< passivations forced by the live cap
  std::uint64_t cap = 0;           ///< most live actors at once
};

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

/// One live actor as a directory knows it.
struct actor_entry {
  std::string kind;
  std::string key;
  std::uint64_t routed = 0;        ///< requests the directory routed to it
  std::int64_t last_active = 0;    ///< unix seconds
};

/// A page of live actors, ordered by key; `next` is the cursor of the following page.
struct actor_page {
  std::vector<actor_entry> actors;
  std::optional<std::string> next;
};

/// A live actor's own account of itself, for the management endpoint.
struct actor_vitals {
  std::uint64_t messages = 0;    ///< messages handled
  std::uint64_t mailbox = 0;     ///< messages waiting
  std::int64_t last_active = 0;  ///< unix seconds
};

/// A customer account as stored.
struct customer_record {
  std::int64_t id = 0;
  domain::contact details;
  std::optional<std::int64_t> user_id;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t version = 0;
};

/// A user account as the support space shows it (never its password hash).
struct user_record {
  std::int64_t id = 0;
  std::string username;
  std::string email;
  std::string firstname;
  std::string lastname;
};

/// A user and its password hash, for verifying a login.
struct user_credentials {
  user_record user;
  std::optional<std::string> password_hash;
};

/// The whole state of one checkout session (what its actor holds and persists).
struct session_snapshot {
  std::string id;
  std::string stage = "browsing";  ///< browsing, contact, placed, completed, cancelled
  std::vector<domain::cart_line> cart;
  domain::priced_cart priced;      ///< the cart priced against the catalog
  domain::contact contact;         ///< the contact form's current values
  bool contact_given = false;      ///< contact details were deposited (not only pre-filled)
  std::optional<std::int64_t> customer_id;
  std::optional<std::int64_t> user_id;  ///< the logged-in user, if any
  std::optional<std::string> transid;
  std::optional<std::string> bill_status;
  std::string paymode;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t expires_at = 0;
};

/// A bill to place: computed by the session actor from its cart and contact. The session's new snapshot is
/// saved in the same transaction.
struct bill_draft {
  std::string transid;
  std::string session_id;
  std::int64_t customer_id = 0;
  std::string paymode;
  domain::priced_cart cart;
  std::string contact_json;
  std::int64_t emitted_at = 0;
  std::string session_snapshot_json;
  std::int64_t session_expires_at = 0;
};

/// A checkout session given a new id at login (against session fixation): its row moves to the new id, with
/// its bill when one is placed, and the login is recorded on the customer's timeline, in one transaction.
struct session_rekey {
  std::string old_id;
  std::string new_id;
  std::string snapshot_json;
  std::int64_t expires_at = 0;
  std::optional<std::string> transid;           ///< the placed bill, now referring to the new id
  std::optional<std::int64_t> logged_in_customer;  ///< the customer account the session now holds
  std::int64_t now = 0;
};

/// A bill as stored, with its lines.
struct bill_record {
  std::string transid;
  std::string status;
  std::string paymode;
  std::int64_t customer_id = 0;
  std::int64_t untaxed = 0;
  std::int64_t taxes = 0;
  std::int64_t total = 0;
  std::string currency;
  std::int64_t emitted_at = 0;
  std::vector<domain::bill_line> lines;  ///< as sold: name, price, tax rate and duration of the day it was placed
  domain::contact billed_to;             ///< the contact the bill was placed with
};

/// One product instance acquired by a customer.
struct product_record {
  std::string reference;
  std::string code;
  std::string name;
  std::int64_t start = 0;
  std::optional<std::int64_t> end;
  bool bill_complete = true;
};

/// A payment outcome to apply to a bill (from the test paymode or a signed notification).
struct payment_event {
  std::string provider;
  std::string txn_id;
  std::string transid;
  std::string status;  ///< completed, pending or failed
  std::int64_t amount = 0;
  std::string currency;
  std::optional<std::int64_t> session_user_id;  ///< the checkout session's logged-in user, if any
  std::int64_t now = 0;
};

/// What applying a payment event did; the same answer for every delivery of one (provider, txn_id).
struct payment_outcome {
  std::string transid;
  std::string status;  ///< the bill status after the event
  std::int64_t customer_id = 0;
  std::vector<product_record> products;
  std::string refusal;  ///< why the event was refused (amount or currency mismatch), empty when applied
  bool replay = false;  ///< this (provider, txn_id) had been delivered before
  bool completed_now = false;  ///< this delivery completed the purchase
};

/// A request sent with an Idempotency-Key, claimed before it runs (docs/API-NOTES.md, "Idempotency").
struct idempotency_claim {
  std::string key_hash;            ///< SHA-256 of the key's scope (route, session) and the key
  std::string fingerprint;         ///< SHA-256 of the request body
  std::int64_t now = 0;
  std::int64_t expires_at = 0;     ///< when the outcome is forgotten
  std::int64_t stale_before = 0;   ///< a claim started before this was abandoned and is taken over
};

/// What a claim found; `status`, `content_type` and `body` are the recorded outcome when it is a replay.
struct idempotency_verdict {
  domain::idempotency_decision decision = domain::idempotency_decision::proceed;
  int status = 0;
  std::string content_type;
  std::string body;
};

/// The outcome of a claimed request: recorded for its retries, or, with status 0, the claim released.
struct idempotency_outcome {
  std::string key_hash;
  int status = 0;
  std::string content_type;
  std::string body;
};

/// An email waiting in the outbox.
struct outbox_mail {
  std::int64_t id = 0;
  std::string recipient;
  std::string subject;
  std::string body;
  std::int64_t created_at = 0;
};

/// One entry of a customer's timeline.
struct customer_event {
  std::int64_t at = 0;
  std::string kind;
  std::string detail;
};

/// Everything an admin sees of one customer.
struct customer_detail {
  customer_record customer;
  std::optional<user_record> user;
  std::vector<bill_record> bills;
  std::vector<product_record> products;
  std::vector<customer_event> events;
};

/// A search of customers by email prefix or name, paged by id.
struct customer_query {
  std::string q;
  std::int32_t limit = 50;
  std::int64_t after = 0;
};

struct session_vitals {
  session_snapshot session;
  actor_vitals vitals;
};

struct account_vitals {
  customer_record customer;
  actor_vitals vitals;
};

using customer_list = std::vector<customer_record>;
using bill_list = std::vector<bill_record>;
using product_list = std::vector<product_record>;
using outbox_list = std::vector<outbox_mail>;
using id_list = std::vector<std::int64_t>;
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
CAF_END_TYPE_ID_BLOCK(boutique)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::catalog)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::storage_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::retention_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::directory_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::actor_page)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::session_vitals)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::account_vitals)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::customer_detail)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::customer_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<boutique::customer_detail>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::contact)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::field_errors)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::customer_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::user_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::user_credentials)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::bill_draft)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::session_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::bill_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::payment_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::payment_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::customer_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::bill_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::product_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::outbox_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::cart_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<boutique::customer_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<boutique::user_credentials>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<boutique::user_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<std::string>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::session_rekey)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::session_route)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::account_route)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::idempotency_claim)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::idempotency_verdict)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::idempotency_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<std::int64_t>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::deadline)

CAF_ERROR_CODE_ENUM(boutique::domain::error_code, "boutique")

namespace boutique {

/// Makes a CAF error of the domain category carrying a human-readable detail.
caf::error make_domain_error(domain::error_code code, std::string detail);

/// Makes a validation error carrying field-level messages (field -> message).
caf::error make_validation_error(std::string detail, domain::field_errors fields);

/// Makes a throttling error telling after how many seconds to retry.
caf::error make_throttled_error(std::string detail, std::int64_t retry_after_s);

/// Makes an overload error (503) telling after how many seconds to retry.
caf::error make_overloaded_error(std::string detail, std::int64_t retry_after_s);

/// The seconds to wait carried by a throttling or overload error (0 for other errors).
std::int64_t error_retry_after(const caf::error& err);

/// The field-level messages of a validation error (empty for other errors).
domain::field_errors error_fields(const caf::error& err);

/// The domain code of `err`, or error_code::internal when `err` belongs to another category.
domain::error_code domain_code(const caf::error& err);

/// The human-readable detail of `err`.
std::string error_detail(const caf::error& err);

}  // namespace boutique
