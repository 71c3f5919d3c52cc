#pragma once

// The service's SQL, as plain functions on one connection. Writes are called by the storage actor inside its
// batch transaction; reads by the reader actors. Each function that changes several rows runs in one
// transaction (savepoint) and changes nothing when it throws.

#include "domain/errors.hpp"
#include "domain/mail.hpp"
#include "domain/mail_body.hpp"
#include "domain/records.hpp"

#include <optional>
#include <stdexcept>
#include <string>

namespace boutique::storage {

class database;

/// What completion needs to write the password-set mail.
struct mail_settings {
  std::string base_url = "http://127.0.0.1:8080";
  std::int64_t password_token_ttl_s = 24 * 3600;
};

// -- customers -------------------------------------------------------------------------------------------------

std::optional<customer_record> find_customer_by_email(database& db, const std::string& email_norm);
std::optional<customer_record> find_customer_by_id(database& db, std::int64_t id);
std::optional<customer_record> find_customer_by_user(database& db, std::int64_t user_id);

/// Finds or creates the customer account for `details.email` (normalised) and applies the deposit rule:
/// a new email creates it; an account not attached to a user takes the details given; an account attached to a
/// user takes them only when `acting_user` is that user. Returns the account as it now is.
customer_record deposit_contact(database& db, const domain::contact& details, std::optional<std::int64_t> acting_user,
                                std::int64_t now);

/// Customers whose email starts with `q` or whose first or last name starts with `q` (case-insensitive),
/// with id > `after`, by id, at most `limit`.
customer_list search_customers(database& db, const customer_query& query);

/// A customer with its user, bills, products and timeline.
std::optional<customer_detail> customer_details(database& db, std::int64_t id);

/// The service key `name`, made (random, 256 bits) and stored the first time it is asked for.
std::string service_key(database& db, const std::string& name);

// -- sessions --------------------------------------------------------------------------------------------------

void save_session(database& db, const std::string& id, const std::string& snapshot, std::int64_t expires_at);
/// Moves a session to its new id (see session_rekey); the old id keeps an empty snapshot (retired) until it expires.
void rekey_session(database& db, const session_rekey& r);
/// The stored snapshot of a session that has not expired at `now` (empty for an id retired at login).
std::optional<std::string> load_session(database& db, const std::string& id, std::int64_t now);

// -- bills, payments, products ---------------------------------------------------------------------------------

/// Inserts a PLACED bill and its lines; a transid placed twice is a constraint error.
void place_bill(database& db, const bill_draft& draft);
std::optional<bill_record> find_bill(database& db, const std::string& transid);
/// The session that placed a bill; for a cancelled bill, which left its session, '<session id>#<transid>'.
std::optional<std::string> bill_session(database& db, const std::string& transid);
bill_list bills_of_customer(database& db, std::int64_t customer_id);
product_list products_of_customer(database& db, std::int64_t customer_id);

/// Applies a payment event exactly once per (provider, txn_id), in one transaction: records the notification,
/// checks amount and currency (a mismatch is recorded as refused and throws write_refused(validation)), moves the
/// bill along the transition table (write_refused(conflict) otherwise) and, on completion, creates one product
/// per unit, attaches the customer to a user (creating one with a password-set link when needed) and queues
/// the mails. A delivery already recorded returns the recorded outcome.
payment_outcome apply_payment(database& db, const payment_event& event, const mail_settings& mail);
/// Cancels a bill that is not paid yet (bill_cancel); 404 when unknown, 409 when its status forbids it
/// (domain::cancel_refusal). The customer is mailed and the cancellation is on their timeline.
bill_change cancel_bill(database& db, const bill_cancel& cancel, const mail_settings& mail);

// -- idempotency keys ------------------------------------------------------------------------------------------

/// Claims a key for a request (see domain::decide_idempotency): records the claim when the request is to run,
/// returns the recorded outcome for a replay.
idempotency_verdict claim_idempotency(database& db, const idempotency_claim& claim);
/// Records the outcome of a claimed request, or releases the claim when `outcome.status` is 0.
void settle_idempotency(database& db, const idempotency_outcome& outcome);
/// Deletes at most `limit` keys expired at `now` (a step of the retention job); returns how many.
std::int64_t delete_expired_idempotency(database& db, std::int64_t now, std::int64_t limit);

// -- users and authentication ----------------------------------------------------------------------------------

/// The user whose username or email (normalised) is `login`.
std::optional<user_credentials> find_user_by_login(database& db, const std::string& login);
std::optional<user_record> find_user(database& db, std::int64_t id);

/// Sets the password of the user owning the unused, unexpired password-set token whose hash is `token_hash`,
/// marks the token used, retires the user's other links and ends their logins (whoever knew the old password or
/// held a login is out). Throws write_refused(not_found) when there is no such token.
void set_password_with_token(database& db, const std::string& token_hash, const std::string& password_hash,
                             std::int64_t now);
/// "Forgot your password?" for `login` (a username or email): when it names a user who got no link in the last
/// domain::password_reset_interval_s, stores the SHA-256 of `token` (valid mail.password_token_ttl_s, once) and
/// queues the mail with the link; otherwise writes nothing. The caller answers the same either way.
void request_password_reset(database& db, const std::string& login, const std::string& token, std::int64_t now,
                            const mail_settings& mail);

/// Whether the password-set token whose hash is `token_hash` can still be used at `now` (unused, unexpired).
bool password_token_usable(database& db, const std::string& token_hash, std::int64_t now);
/// Records a login session (by the hash of its token) for `user_id` until `expires_at`; the user's language becomes
/// `lang` when given: the language of the pages they logged in on (their account mails speak it).
void open_auth_session(database& db, const std::string& token_hash, std::int64_t user_id, std::int64_t expires_at,
                       std::optional<domain::language> lang);
void close_auth_session(database& db, const std::string& token_hash);
/// An email change asked for by user `user_id`: unless the user asked in the last domain::email_change_interval_s,
/// mails `email` a link holding `token` (valid mail.password_token_ttl_s, once; its SHA-256 stored), or, when the
/// address already belongs to another account, a mail saying so (and a spent row that counts for the limit).
/// Throws write_refused(unauthenticated) when the login whose token hash is `login_hash` has ended meanwhile.
void request_email_change(database& db, std::int64_t user_id, const std::string& email, const std::string& token,
                          const std::string& login_hash, std::int64_t now, const mail_settings& mail);
/// The new address an unused, unexpired email-change token (by hash) would confirm; "" when none.
std::string email_change_target(database& db, const std::string& token_hash, std::int64_t now);
/// Confirms the email change of the token whose hash is `token_hash`: the user's address (and username when it
/// was the old address) and the attached customer account's email change together; the link is spent, the
/// user's other email links retired, the timeline records it and the old address is told. Returns the user as
/// now. Throws write_refused(not_found) for an unknown, used or expired link, write_refused(conflict) when the
/// address has meanwhile gone to another account.
user_record confirm_email_change(database& db, const std::string& token_hash, std::int64_t now);
/// Ends every login of user `user_id` but the one whose token hash is `keep_hash` ("" ends them all), and records
/// `event` ("logged_out_everywhere", "password_changed") in the timeline of the user's customer account.
void end_logins(database& db, std::int64_t user_id, const std::string& keep_hash, const std::string& event,
                std::int64_t now);
/// Sets the password of user `user_id` (its current password verified before), retires the user's password and
/// email links, ends the user's other logins (all but `keep_hash`), records it in the timeline and mails the user
/// a notice. Throws write_refused(unauthenticated) when the login `keep_hash` has ended meanwhile (a reset or
/// "log out everywhere" committed while this change was on its way wins).
void change_password(database& db, std::int64_t user_id, const std::string& password_hash,
                     const std::string& keep_hash, std::int64_t now, const mail_settings& mail);
/// The user of a login session that has not expired at `now`.
std::optional<user_record> auth_session_user(database& db, const std::string& token_hash, std::int64_t now);

// -- outbox ----------------------------------------------------------------------------------------------------

/// Queues `mail` (its body as blocks: domain::mail_body::to_json), committed with the caller's transaction.
void queue_mail(database& db, const domain::composed_mail& mail, std::int64_t now);
/// Up to `limit` mails due at `now` (neither sent nor failed, past their next attempt), oldest first, and the
/// counts of the whole outbox.
outbox_batch due_mail(database& db, std::int64_t now, int limit);
/// The same mails, taken by this sender (the nodes of a cluster each run one): none of them is due again before
/// `until`, so that no other sender tries them meanwhile. A write, for the storage actor.
outbox_batch claim_due_mail(database& db, std::int64_t now, int limit, std::int64_t until);
/// Records what the attempts made of their mails; a mail already sent or failed is left as it is.
void record_mail_outcomes(database& db, const std::vector<domain::mail_outcome>& outcomes);

// -- a person's data (storage/privacy_queries.cpp) ---------------------------------------------------------------

/// Everything held about the subject's person; records "exported" in their customer's timeline. Throws
/// write_refused(not_found) when the subject names no one.
personal_export export_personal_data(database& db, const privacy_subject& subject);
/// Erases the subject's person (domain/privacy.hpp): the customer account keeps its row with an erased contact,
/// its bills that are no invoice lose their contact, its saved checkouts, mails and timeline details go; the user
/// keeps its row with an erased login, no password, no login, no link. Issued invoices keep the contact as billed.
/// A second erasure changes nothing (erased_now false). Throws write_refused(conflict) while a bill can still be
/// paid, write_refused(not_found) when the subject names no one.
erasure_outcome erase_personal_data(database& db, const privacy_subject& subject);

// -- events ----------------------------------------------------------------------------------------------------

void record_event(database& db, std::int64_t customer_id, const std::string& kind, const std::string& detail,
                  std::int64_t now);

/// Thrown by a write to refuse it with a domain error (e.g. an illegal state transition); only that write
/// is rolled back.
class write_refused : public std::runtime_error {
 public:
  write_refused(domain::error_code code, const std::string& detail) : std::runtime_error(detail), code_(code) {}
  /// A validation error with messages by field.
  write_refused(domain::message detail, domain::field_errors fields)
    : std::runtime_error(domain::english(detail)), code_(domain::error_code::validation), detail_(std::move(detail)),
      fields_(std::move(fields)) {}
  domain::error_code code() const noexcept { return code_; }
  const domain::message& detail() const noexcept { return detail_; }
  const domain::field_errors& fields() const noexcept { return fields_; }

 private:
  domain::error_code code_;
  domain::message detail_;
  domain::field_errors fields_;
};

}  // namespace boutique::storage
