// A person's data: the export of everything held about them, and its erasure (domain/privacy.hpp has the rules).
#include "domain/json.hpp"
#include "domain/privacy.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "storage/queries/privacy.hpp"
#include "storage/retention.hpp"
#include "storage/schema_sql.hpp"

namespace boutique::storage {

namespace {

namespace q = sql::privacy;  // storage/queries/privacy.sql

const int contact_count = static_cast<int>(domain::field_names<domain::contact>().size());
// The contact from ?1, then the normalised email, the time and the id.
const std::string sql_clear_customer =
  "UPDATE customers SET " + assignments_of<domain::contact>(1) + ", email_norm = ?" +
  std::to_string(contact_count + 1) + ", updated_at = ?" + std::to_string(contact_count + 2) +
  ", version = version + 1 WHERE id = ?" + std::to_string(contact_count + 3);

/// The user and customer account a subject names; write_refused(not_found) when it names none.
struct subject_rows {
  std::optional<user_record> user;
  std::optional<customer_record> customer;
};

subject_rows rows_of(database& db, const privacy_subject& s) {
  subject_rows rows;
  if (s.customer_id) {
    rows.customer = find_customer_by_id(db, *s.customer_id);
    if (!rows.customer) throw write_refused(domain::error_code::not_found, "no such customer");
    if (rows.customer->user_id) rows.user = find_user(db, *rows.customer->user_id);
  } else if (s.user_id) {
    rows.user = find_user(db, *s.user_id);
    if (!rows.user) throw write_refused(domain::error_code::not_found, "no such user");
    rows.customer = find_customer_by_user(db, rows.user->id);
  }
  return rows;
}

std::optional<std::int64_t> erased_at(database& db, const char* sql, std::int64_t id) {
  auto& st = db.prepare(sql).bind_all(id);
  st.step();
  auto at = st.optional_integer(0);
  st.reset();
  return at;
}

/// The person's addresses, normalised: the customer account's and the user's (the same, or "" when there is one).
std::pair<std::string, std::string> addresses_of(const subject_rows& rows) {
  std::string customer = rows.customer ? domain::normalize_email(rows.customer->details.email) : "";
  std::string user = rows.user ? domain::normalize_email(rows.user->email) : "";
  return {customer, user};
}

std::int64_t count_of(statement& st) {
  st.step();
  auto n = st.integer(0);
  st.reset();
  return n;
}

void erase_customer(database& db, const customer_record& c, const privacy_subject& s, erasure_outcome& out) {
  std::vector<std::pair<std::string, domain::bill_status>> bills;
  auto& statuses = db.prepare(q::bill_statuses).bind_all(c.id);
  while (statuses.step())
    if (auto status = domain::parse_bill_status(statuses.text(1))) bills.emplace_back(statuses.text(0), *status);
  if (auto refusal = domain::erasure_refusal(bills)) throw write_refused(domain::error_code::conflict, *refusal);
  auto erased = domain::erased_contact(c.id);
  auto& clear = db.prepare(sql_clear_customer);
  auto next = bind_fields(clear, 1, erased);
  clear.bind(next, erased.email).bind(next + 1, s.now).bind(next + 2, c.id).run();
  db.prepare(q::mark_customer_erased).bind_all(c.id, s.now).run();
  db.prepare(q::clear_unissued_bills).bind_all(c.id, nlohmann::json(erased).dump()).run();
  out.invoices_kept = count_of(db.prepare(q::issued_invoices).bind_all(c.id));
  db.prepare(q::delete_customer_sessions).bind_all(c.id).run();
  db.prepare(q::clear_event_details).bind_all(c.id).run();
  record_event(db, c.id, "erased",
               "by " + domain::to_string(s.by) + "; " + std::to_string(out.invoices_kept) + " invoice(s) kept",
               s.now);
}

void erase_user(database& db, const user_record& u, std::int64_t now) {
  db.prepare(q::erase_user).bind_all(u.id, domain::erased_user_login(u.id), now).run();
  db.prepare(q::delete_user_logins).bind_all(u.id).run();
  db.prepare(q::delete_user_password_tokens).bind_all(u.id).run();
  db.prepare(q::delete_user_email_tokens).bind_all(u.id).run();
}

}  // namespace

personal_export export_personal_data(database& db, const privacy_subject& s) {
  auto rows = rows_of(db, s);
  personal_export out;
  out.user = rows.user;
  if (rows.customer) {
    // The export is in the timeline, and in the export itself.
    record_event(db, rows.customer->id, "exported", "by " + domain::to_string(s.by), s.now);
    out.customer = customer_details(db, rows.customer->id);
    out.erased_at = erased_at(db, q::customer_erased_at, rows.customer->id);
  } else if (rows.user) {
    out.erased_at = erased_at(db, q::user_erased_at, rows.user->id);
  }
  auto [customer_email, user_email] = addresses_of(rows);
  auto& mails = db.prepare(q::mails_to).bind_all(customer_email, user_email);
  while (mails.step()) out.mails.push_back({mails.text(0), mails.text(1), mails.integer(2), mails.optional_integer(3)});
  if (rows.user) out.active_logins = count_of(db.prepare(q::active_logins).bind_all(rows.user->id, s.now));
  return out;
}

erasure_outcome erase_personal_data(database& db, const privacy_subject& s) {
  auto rows = rows_of(db, s);
  erasure_outcome out;
  if (rows.customer) out.customer_id = rows.customer->id;
  if (rows.user) out.user_id = rows.user->id;
  auto [customer_email, user_email] = addresses_of(rows);
  if (rows.customer && !erased_at(db, q::customer_erased_at, rows.customer->id)) {
    erase_customer(db, *rows.customer, s, out);
    out.erased_now = true;
  }
  if (rows.user && !erased_at(db, q::user_erased_at, rows.user->id)) {
    erase_user(db, *rows.user, s.now);
    out.erased_now = true;
  }
  // The mails held the person's name and address: sent ones (kept as a record) and unsent ones alike.
  if (out.erased_now) db.prepare(q::delete_mails_to).bind_all(customer_email, user_email).run();
  return out;
}

std::int64_t clear_expired_invoice_contacts(database& db, std::int64_t now, const retention_policy& policy) {
  auto issued_before = domain::invoice_kept_until(now, -policy.invoice_years);
  std::vector<std::pair<std::int64_t, std::int64_t>> due;  // bill id, customer id
  auto& st = db.prepare(q::expired_erased_invoices).bind_all(issued_before, policy.batch_rows);
  while (st.step()) due.emplace_back(st.integer(0), st.integer(1));
  for (const auto& [bill, customer] : due)
    db.prepare(q::set_bill_contact).bind_all(bill, nlohmann::json(domain::erased_contact(customer)).dump()).run();
  return static_cast<std::int64_t>(due.size());
}

}  // namespace boutique::storage
