#include "domain/deposit.hpp"
#include "domain/tokens.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "storage/queries/customers.hpp"
#include "storage/schema_sql.hpp"

namespace boutique::storage {

namespace {

namespace q = sql::customers;  // storage/queries/customers.sql

// The contact's columns follow domain::contact's description (storage/schema_sql.hpp).
const std::string customer_columns =
  "id, " + columns_of<domain::contact>() + ", user_id, created_at, updated_at, version";

const std::string sql_customer_by_email = "SELECT " + customer_columns + " FROM customers WHERE email_norm = ?";
const std::string sql_customer_by_id = "SELECT " + customer_columns + " FROM customers WHERE id = ?";
const std::string sql_customer_by_user = "SELECT " + customer_columns + " FROM customers WHERE user_id = ?";
// email_norm, the contact, then created_at, updated_at, seen_at.
const std::string sql_insert_customer = "INSERT INTO customers (email_norm, " + columns_of<domain::contact>() +
                                        ", created_at, updated_at, seen_at) VALUES (?, " +
                                        placeholders_of<domain::contact>() + ", ?, ?, ?) RETURNING id";
// The contact from ?1, then the time and the id.
const int contact_count = static_cast<int>(domain::field_names<domain::contact>().size());
const std::string sql_update_customer =
  "UPDATE customers SET " + assignments_of<domain::contact>(1) + ", updated_at = ?" +
  std::to_string(contact_count + 1) + ", seen_at = ?" + std::to_string(contact_count + 1) +
  ", version = version + 1 WHERE id = ?" + std::to_string(contact_count + 2);
const std::string sql_search_customers =
  "SELECT " + customer_columns +
  " FROM customers WHERE id > ?2 AND (?1 = '' OR email_norm LIKE lower(?1) ESCAPE '\\' OR lower(lastname) LIKE "
  "lower(?1) ESCAPE '\\' OR lower(firstname) LIKE lower(?1) ESCAPE '\\') ORDER BY id LIMIT ?3";
/// The snapshot of an id retired at login (valid JSON: the retention index reads snapshots).
constexpr const char* retired_snapshot = "{\"retired\":true}";

std::optional<customer_record> one_customer(statement& st) {
  if (!st.step()) return std::nullopt;
  customer_record c;
  c.id = st.integer(0);
  auto next = read_fields(st, 1, c.details);
  c.user_id = st.optional_integer(next);
  c.created_at = st.integer(next + 1);
  c.updated_at = st.integer(next + 2);
  c.version = st.integer(next + 3);
  return c;
}

}  // namespace

std::optional<customer_record> find_customer_by_email(database& db, const std::string& email_norm) {
  return one_customer(db.prepare(sql_customer_by_email).bind_all(email_norm));
}

std::optional<customer_record> find_customer_by_id(database& db, std::int64_t id) {
  return one_customer(db.prepare(sql_customer_by_id).bind_all(id));
}

std::optional<customer_record> find_customer_by_user(database& db, std::int64_t user_id) {
  return one_customer(db.prepare(sql_customer_by_user).bind_all(user_id));
}

customer_record deposit_contact(database& db, const domain::contact& d, std::optional<std::int64_t> acting_user,
                                std::int64_t now) {
  auto email_norm = domain::normalize_email(d.email);
  std::optional<domain::depositor> acting;
  if (acting_user) {
    acting = domain::depositor{*acting_user, ""};
    if (auto account = find_customer_by_user(db, *acting_user))
      acting->own_email_norm = domain::normalize_email(account->details.email);
    else if (auto user = find_user(db, *acting_user))
      acting->own_email_norm = domain::normalize_email(user->email);
  }
  auto existing = find_customer_by_email(db, email_norm);
  std::optional<domain::existing_account> facts;
  if (existing) facts = domain::existing_account{existing->details, existing->user_id};
  switch (domain::deposit_policy(d, facts, acting)) {
    case domain::deposit_action::refuse:
      throw write_refused(domain::message{"contact_invalid"}, {{"email", {"own_email_only"}}});
    case domain::deposit_action::create: {
      auto& insert = db.prepare(sql_insert_customer).bind(1, email_norm);
      auto next = bind_fields(insert, 2, d);
      auto id = insert.bind(next, now).bind(next + 1, now).bind(next + 2, now).run_returning_integer();
      record_event(db, id, "created", "", now);
      return *find_customer_by_id(db, id);
    }
    case domain::deposit_action::keep:
      db.prepare(q::touch_customer).bind_all(existing->id, now).run();
      return *existing;
    case domain::deposit_action::update: break;
  }
  auto& update = db.prepare(sql_update_customer);
  auto next = bind_fields(update, 1, d);
  update.bind(next, now).bind(next + 1, existing->id).run();
  record_event(db, existing->id, "contact_updated", "", now);
  return *find_customer_by_id(db, existing->id);
}

customer_list search_customers(database& db, const customer_query& query) {
  std::string pattern;
  for (char c : domain::normalize_email(query.q)) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  if (!pattern.empty()) pattern += '%';
  customer_list found;
  auto& st = db.prepare(sql_search_customers).bind_all(pattern, query.after, std::int64_t{query.limit});
  while (auto c = one_customer(st)) found.push_back(std::move(*c));
  return found;
}

std::optional<customer_detail> customer_details(database& db, std::int64_t id) {
  auto customer = find_customer_by_id(db, id);
  if (!customer) return std::nullopt;
  customer_detail d;
  d.customer = *customer;
  if (customer->user_id) d.user = find_user(db, *customer->user_id);
  d.bills = bills_of_customer(db, id);
  d.products = products_of_customer(db, id);
  auto& st = db.prepare(q::customer_events).bind_all(id);
  while (st.step()) d.events.push_back({st.integer(0), st.text(1), st.text(2)});
  return d;
}

std::string service_key(database& db, const std::string& name) {
  db.prepare(q::insert_key).bind_all(name, domain::random_base62(43)).run();
  auto& st = db.prepare(q::select_key).bind_all(name);
  st.step();
  auto key = st.text(0);
  db.reset_all();
  return key;
}

void save_session(database& db, const std::string& id, const std::string& snapshot, std::int64_t expires_at) {
  db.prepare(q::upsert_session).bind_all(id, snapshot, expires_at).run();
}

void rekey_session(database& db, const session_rekey& r) {
  transaction tx(db);
  // The old id keeps an empty row until it expires: a tombstone, so that it answers 404 instead of coming back as
  // a blank session from its signed id.
  save_session(db, r.old_id, retired_snapshot, r.expires_at);
  save_session(db, r.new_id, r.snapshot_json, r.expires_at);
  if (r.transid) db.prepare(q::move_bill).bind_all(*r.transid, r.new_id).run();
  if (r.logged_in_customer) record_event(db, *r.logged_in_customer, "logged_in", "", r.now);
  tx.commit();
}

std::optional<std::string> load_session(database& db, const std::string& id, std::int64_t now) {
  auto& st = db.prepare(q::select_session).bind_all(id, now);
  if (!st.step()) return std::nullopt;
  auto snapshot = st.text(0);
  if (snapshot == retired_snapshot) return std::string();
  return snapshot;
}

void record_event(database& db, std::int64_t customer_id, const std::string& kind, const std::string& detail,
                  std::int64_t now) {
  db.prepare(q::insert_event).bind_all(customer_id, now, kind, detail).run();
}

}  // namespace boutique::storage
