#pragma once

// The records the service keeps and passes around: what storage reads and writes, what actors hold and send, what
// the HTTP layer shows. Plain data, no framework (the layers above include this; it includes only domain/).

#include "domain/bill.hpp"
#include "domain/cancellation.hpp"
#include "domain/catalog.hpp"
#include "domain/contact.hpp"
#include "domain/idempotency.hpp"
#include "domain/language.hpp"
#include "domain/privacy.hpp"

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boutique {

/// A customer account as stored.
struct customer_record {
  std::int64_t id = 0;
  domain::contact details;
  std::optional<std::int64_t> user_id;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t version = 0;
};
BOOST_DESCRIBE_STRUCT(customer_record, (), (id, details, user_id, created_at, updated_at, version))

/// A user account as the support space shows it (never its password hash).
struct user_record {
  std::int64_t id = 0;
  std::string username;
  std::string email;
  std::string firstname;
  std::string lastname;
  domain::language lang = domain::language::en;  ///< the mails' (docs/API-NOTES.md, "Mails")
};
BOOST_DESCRIBE_STRUCT(user_record, (), (id, username, email, firstname, lastname, lang))

/// A user and its password hash, for verifying a login.
struct user_credentials {
  user_record user;
  std::optional<std::string> password_hash;
};
BOOST_DESCRIBE_STRUCT(user_credentials, (), (user, password_hash))

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
  domain::language lang = domain::language::en;  ///< the checkout's, from the page that placed the order
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t expires_at = 0;
};
BOOST_DESCRIBE_STRUCT(session_snapshot, (), (id, stage, cart, priced, contact, contact_given, customer_id, user_id,
                                             transid, bill_status, paymode, lang, created_at, updated_at, expires_at))

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
  domain::language lang = domain::language::en;  ///< the checkout's: the bill's mails speak it
};
BOOST_DESCRIBE_STRUCT(bill_draft, (), (transid, session_id, customer_id, paymode, cart, contact_json, emitted_at,
                                       session_snapshot_json, session_expires_at, lang))

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
BOOST_DESCRIBE_STRUCT(session_rekey, (), (old_id, new_id, snapshot_json, expires_at, transid, logged_in_customer, now))

/// An order cancelled before it was paid (domain/cancellation.hpp). In one transaction the bill becomes CANCELLED
/// and leaves its checkout session (one bill per session: the session can place another), and the session, when
/// it asked, gets its new state: the same cart and contact, no order.
struct bill_cancel {
  std::string transid;
  domain::canceller by = domain::canceller::customer;
  std::optional<std::string> session_id;  ///< the session that cancels; none when staff cancel a bill without one
  std::string session_snapshot_json;
  std::int64_t session_expires_at = 0;
  std::int64_t now = 0;
};
BOOST_DESCRIBE_STRUCT(bill_cancel, (), (transid, by, session_id, session_snapshot_json, session_expires_at, now))

/// A bill's status after a change asked by a person (a cancellation).
struct bill_change {
  std::string transid;
  std::string status;
  std::int64_t customer_id = 0;
};
BOOST_DESCRIBE_STRUCT(bill_change, (), (transid, status, customer_id))

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
  std::string invoice_number;            ///< YYYY-NNNNNN from its completion on ("" before: domain::invoice_number)
  std::string credit_note_number;        ///< CN-YYYY-NNNNNN once refunded ("" otherwise: domain::credit_note_number)
  std::int64_t credit_note_at = 0;       ///< when the refund issued it (0 without one)
};
BOOST_DESCRIBE_STRUCT(bill_record, (), (transid, status, paymode, customer_id, untaxed, taxes, total, currency,
                                        emitted_at, lines, billed_to, invoice_number, credit_note_number,
                                        credit_note_at))

/// One product instance acquired by a customer.
struct product_record {
  std::string reference;
  std::string code;
  std::string name;
  std::int64_t start = 0;
  std::optional<std::int64_t> end;
  bool bill_complete = true;
  bool refunded = false;  ///< its bill was refunded: it ended then
  bool renewable = false;  ///< its catalog item is renewable today (domain::offers_renewal decides on "Renew")
};
BOOST_DESCRIBE_STRUCT(product_record, (), (reference, code, name, start, end, bill_complete, refunded, renewable))

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
BOOST_DESCRIBE_STRUCT(payment_event, (), (provider, txn_id, transid, status, amount, currency, session_user_id, now))

/// What applying a payment event did; the same answer for every delivery of one (provider, txn_id).
struct payment_outcome {
  std::string transid;
  std::string status;  ///< the bill status after the event
  std::int64_t customer_id = 0;
  std::vector<product_record> products;
  std::string refusal;  ///< why the event was refused (amount or currency mismatch), empty when applied
  bool replay = false;  ///< this (provider, txn_id) had been delivered before
  bool completed_now = false;  ///< this delivery completed the purchase
  bool refunded_now = false;   ///< this delivery refunded the bill
};
BOOST_DESCRIBE_STRUCT(payment_outcome, (), (transid, status, customer_id, products, refusal, replay, completed_now,
                                            refunded_now))

/// A request sent with an Idempotency-Key, claimed before it runs (docs/API-NOTES.md, "Idempotency").
struct idempotency_claim {
  std::string key_hash;            ///< SHA-256 of the key's scope (route, session) and the key
  std::string fingerprint;         ///< SHA-256 of the request body
  std::int64_t now = 0;
  std::int64_t expires_at = 0;     ///< when the outcome is forgotten
  std::int64_t stale_before = 0;   ///< a claim started before this was abandoned and is taken over
};
BOOST_DESCRIBE_STRUCT(idempotency_claim, (), (key_hash, fingerprint, now, expires_at, stale_before))

/// What a claim found; `status`, `content_type` and `body` are the recorded outcome when it is a replay.
struct idempotency_verdict {
  domain::idempotency_decision decision = domain::idempotency_decision::proceed;
  int status = 0;
  std::string content_type;
  std::string body;
};
BOOST_DESCRIBE_STRUCT(idempotency_verdict, (), (decision, status, content_type, body))

/// The outcome of a claimed request: recorded for its retries, or, with status 0, the claim released.
struct idempotency_outcome {
  std::string key_hash;
  int status = 0;
  std::string content_type;
  std::string body;
};
BOOST_DESCRIBE_STRUCT(idempotency_outcome, (), (key_hash, status, content_type, body))

/// An email waiting in the outbox.
struct outbox_mail {
  std::int64_t id = 0;
  std::string recipient;
  std::string subject;
  std::string body;
  std::int64_t created_at = 0;
  int attempts = 0;  ///< earlier attempts that the relay deferred (4xx)
  /// The body as HTML: filled from `blocks` when the mail is sent ("" in a row queued before migration 014: sent as
  /// text only).
  std::string html;
  /// The body as queued (domain::mail_body::to_json), rendered to `body` and `html` when it is sent; "" for a mail
  /// queued before migration 018, which holds its text and HTML.
  std::string blocks;
};
BOOST_DESCRIBE_STRUCT(outbox_mail, (), (id, recipient, subject, body, created_at, attempts, html, blocks))

/// The mails due for an attempt, and the state of the whole outbox when they were read.
struct outbox_batch {
  std::vector<outbox_mail> due;
  std::int64_t queued = 0;              ///< mails neither sent nor failed
  std::int64_t oldest_queued_at = 0;    ///< when the oldest of them was queued (0: none)
};
BOOST_DESCRIBE_STRUCT(outbox_batch, (), (due, queued, oldest_queued_at))

/// One entry of a customer's timeline.
struct customer_event {
  std::int64_t at = 0;
  std::string kind;
  std::string detail;
};
BOOST_DESCRIBE_STRUCT(customer_event, (), (at, kind, detail))

/// Everything an admin sees of one customer.
struct customer_detail {
  customer_record customer;
  std::optional<user_record> user;
  std::vector<bill_record> bills;
  std::vector<product_record> products;
  std::vector<customer_event> events;
};
BOOST_DESCRIBE_STRUCT(customer_detail, (), (customer, user, bills, products, events))

/// Whose data an export or an erasure is about: the logged-in user (with their customer account), or the customer
/// account staff name (with its user); who asked, and when.
struct privacy_subject {
  std::optional<std::int64_t> user_id;
  std::optional<std::int64_t> customer_id;
  domain::privacy_requester by = domain::privacy_requester::customer;
  std::int64_t now = 0;
};
BOOST_DESCRIBE_STRUCT(privacy_subject, (), (user_id, customer_id, by, now))

/// A mail the shop queued for the person (its text is not kept once sent: retention).
struct mail_summary {
  std::string recipient;
  std::string subject;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> sent_at;
};
BOOST_DESCRIBE_STRUCT(mail_summary, (), (recipient, subject, created_at, sent_at))

/// Everything the shop holds about a person: their user, their customer account with its bills, products and
/// timeline, the mails queued for them and how many logins are open.
struct personal_export {
  std::optional<user_record> user;
  std::optional<customer_detail> customer;
  std::optional<std::int64_t> erased_at;  ///< of the customer account (or the user, without one)
  std::vector<mail_summary> mails;
  std::int64_t active_logins = 0;
};
BOOST_DESCRIBE_STRUCT(personal_export, (), (user, customer, erased_at, mails, active_logins))

/// What an erasure did: erased_now is false when everything was already erased (a retry, or a second request).
struct erasure_outcome {
  std::optional<std::int64_t> customer_id;
  std::optional<std::int64_t> user_id;
  bool erased_now = false;
  std::int64_t invoices_kept = 0;  ///< issued invoices that keep the buyer's contact for their retention period
};
BOOST_DESCRIBE_STRUCT(erasure_outcome, (), (customer_id, user_id, erased_now, invoices_kept))

/// A search of customers by email prefix or name, paged by id.
struct customer_query {
  std::string q;
  std::int32_t limit = 50;
  std::int64_t after = 0;
};
BOOST_DESCRIBE_STRUCT(customer_query, (), (q, limit, after))

/// What one backup wrote.
struct backup_report {
  std::string to;
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
  double seconds = 0;
};
BOOST_DESCRIBE_STRUCT(backup_report, (), (to, pages, bytes, seconds))

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
BOOST_DESCRIBE_STRUCT(retention_report, (), (now, seconds, rows))

using customer_list = std::vector<customer_record>;
using bill_list = std::vector<bill_record>;
using product_list = std::vector<product_record>;
using id_list = std::vector<std::int64_t>;

}  // namespace boutique
