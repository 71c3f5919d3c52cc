#include "domain/account_mails.hpp"
#include "domain/cancellation.hpp"
#include "domain/completion.hpp"
#include "domain/refund.hpp"
#include "domain/tokens.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "storage/queries/bills.hpp"
#include "storage/queries/privacy.hpp"
#include "storage/queries/users.hpp"
#include "storage/schema_sql.hpp"

#include <utility>

namespace boutique::storage {

namespace {

namespace q = sql::bills;  // storage/queries/bills.sql

// Both read the contact the bill was placed with (JSON written by the session), field by field (the fields of
// domain::contact's description), with each engine's JSON operator.
std::string bill_columns(backend engine) {
  return "SELECT id, transid, status, paymode, customer_id, untaxed, taxes, total, currency, emitted_at, "
         "coalesce(invoice_number, ''), coalesce(credit_note_number, ''), lang, coalesce(credit_note_at, 0), " +
         (engine == backend::postgresql ? columns_of<domain::contact>("(contact::jsonb ->> '", "')")
                                        : columns_of<domain::contact>("json_extract(contact, '$.", "')"));
}

/// A statement built for each engine.
struct per_engine {
  std::string sqlite, postgresql;
  const std::string& operator()(const database& db) const {
    return db.backend() == backend::postgresql ? postgresql : sqlite;
  }
};

per_engine bill_query(std::string_view rest) {
  return {bill_columns(backend::sqlite) + std::string(rest), bill_columns(backend::postgresql) + std::string(rest)};
}

const per_engine sql_select_bill = bill_query(" FROM bills WHERE transid = ?");
const per_engine sql_select_bills_of_customer =
  bill_query(" FROM bills WHERE customer_id = ? ORDER BY emitted_at DESC, id DESC");

struct stored_bill {
  std::int64_t id = 0;
  bill_record record;
  domain::language lang = domain::language::en;  ///< the checkout's: the bill's mails speak it
};

std::optional<stored_bill> read_bill(statement& st) {
  if (!st.step()) return std::nullopt;
  stored_bill b;
  b.id = st.integer(0);
  b.record.transid = st.text(1);
  b.record.status = st.text(2);
  b.record.paymode = st.text(3);
  b.record.customer_id = st.integer(4);
  b.record.untaxed = st.integer(5);
  b.record.taxes = st.integer(6);
  b.record.total = st.integer(7);
  b.record.currency = st.text(8);
  b.record.emitted_at = st.integer(9);
  b.record.invoice_number = st.text(10);
  b.record.credit_note_number = st.text(11);
  b.lang = domain::language_or_english(st.text(12));
  b.record.credit_note_at = st.integer(13);
  read_fields(st, 14, b.record.billed_to);
  return b;
}

/// Bill lines with their row ids (products refer to them).
std::vector<std::pair<std::int64_t, domain::bill_line>> bill_lines(database& db, std::int64_t bill_id) {
  std::vector<std::pair<std::int64_t, domain::bill_line>> lines;
  auto& st = db.prepare(q::select_bill_items).bind_all(bill_id);
  while (st.step()) {
    domain::bill_line l;
    l.code = st.text(0);
    l.name = st.text(1);
    l.quantity = static_cast<std::int32_t>(st.integer(2));
    l.unit_price = st.integer(3);
    l.untaxed = st.integer(4);
    l.taxes = st.integer(5);
    l.total = st.integer(6);
    if (auto rate = st.optional_integer(8)) l.tax_rate_bp = static_cast<std::int32_t>(*rate);
    if (auto days = st.optional_integer(9)) l.duration_days = static_cast<std::int32_t>(*days);
    lines.emplace_back(st.integer(7), std::move(l));
  }
  return lines;
}

std::optional<stored_bill> find_stored_bill(database& db, const std::string& transid) {
  auto bill = read_bill(db.prepare(sql_select_bill(db)).bind_all(transid));
  if (bill)
    for (auto& [id, line] : bill_lines(db, bill->id)) bill->record.lines.push_back(std::move(line));
  return bill;
}

product_list products_of_bill(database& db, const std::string& transid) {
  product_list products;
  auto& st = db.prepare(q::products_of_bill).bind_all(transid);
  while (st.step())
    products.push_back({st.text(0), st.text(1), st.text(2), st.integer(3), st.optional_integer(4), true});
  return products;
}

/// Refuses (409) a move of bill `transid` that its status does not allow.
void check_move(const std::string& transid, domain::bill_status from, domain::bill_status to) {
  if (!domain::can_transition(from, to))
    throw write_refused(domain::error_code::conflict,
                        "bill " + transid + " cannot go from " + domain::to_string(from) + " to " + domain::to_string(to));
}

void move_bill(database& db, const std::string& transid, domain::bill_status from, domain::bill_status to,
               std::int64_t now) {
  check_move(transid, from, to);
  db.prepare(q::update_bill_status).bind_all(domain::to_string(to), now, transid).run();
}


/// Creates a user for the customer's email, with a single-use password-set link mailed to it; returns its id.
std::int64_t create_user_with_password_link(database& db, const domain::contact& customer, domain::language lang,
                                            const mail_settings& mail, std::int64_t now) {
  auto email_norm = domain::normalize_email(customer.email);
  auto user_id =
    db.prepare(q::insert_user)
      .bind_all(email_norm, email_norm, customer.firstname, customer.lastname, now, std::string(domain::code_of(lang)))
      .run_returning_integer();
  auto token = domain::new_secret_id();
  db.prepare(sql::users::insert_token)
    .bind_all(domain::sha256_hex(token), user_id, now + mail.password_token_ttl_s)
    .run();
  queue_mail(db, domain::password_link_mail(customer, mail.base_url + "/account/password?token=" + token, lang), now);
  return user_id;
}

std::optional<domain::candidate_user> candidate(database& db, std::optional<std::int64_t> user_id) {
  if (!user_id) return std::nullopt;
  return domain::candidate_user{*user_id, db.prepare(q::user_has_customer).bind_all(*user_id).step()};
}

/// What the completion rule needs to know (domain::plan_completion).
domain::completion_facts completion_facts(database& db, const stored_bill& bill, domain::bill_status current,
                                          const payment_event& event) {
  domain::completion_facts f;
  f.current = current;
  f.transid = bill.record.transid;
  f.total = bill.record.total;
  f.currency = bill.record.currency;
  f.lang = bill.lang;
  f.lines = bill_lines(db, bill.id);
  auto customer = find_customer_by_id(db, bill.record.customer_id);
  if (!customer) throw write_refused(domain::error_code::internal, "bill without customer");
  f.customer_id = customer->id;
  f.customer = customer->details;
  f.customer_user = customer->user_id;
  f.session_user = candidate(db, event.session_user_id);
  if (!f.session_user) {
    auto& st = db.prepare(q::user_by_email).bind_all(domain::normalize_email(customer->details.email));
    std::optional<std::int64_t> id;
    if (st.step()) id = st.integer(0);
    f.email_user = candidate(db, id);
  }
  f.now = event.now;
  return f;
}

void insert_product(database& db, std::int64_t customer_id, const domain::planned_product& p) {
  for (int attempt = 0;; ++attempt) {
    try {
      transaction attempt_tx(db);  // PostgreSQL: a refused insert spoils the transaction unless rolled back alone
      db.prepare(q::insert_product)
        .bind_all(domain::new_product_reference(), customer_id, p.code, p.name, p.bill_item_id, p.start_at, p.end_at)
        .run();
      attempt_tx.commit();
      return;
    } catch (const storage_error& e) {
      if (!e.constraint() || attempt >= 5) throw;  // a reference collision: draw another
    }
  }
}

/// Carries out the completion plan of a paid bill, in the caller's transaction.
void complete(database& db, const stored_bill& bill, domain::bill_status current, const payment_event& event,
              const mail_settings& mail) {
  auto facts = completion_facts(db, bill, current, event);
  auto plan = domain::plan_completion(facts);
  if (plan.refusal) throw write_refused(domain::error_code::conflict, *plan.refusal);
  // Every step checked, the last one written, with the invoice number: one write of the bill's row.
  auto to = current;
  for (auto next : plan.steps) check_move(bill.record.transid, std::exchange(to, next), next);
  auto year = domain::invoice_year(event.now);
  auto& counter = db.prepare(q::next_invoice_number).bind_all(year);
  counter.step();
  auto number = domain::invoice_number(year, counter.integer(0));
  counter.reset();
  db.prepare(q::complete_bill).bind_all(domain::to_string(to), event.now, number, bill.id).run();
  for (const auto& product : plan.products) insert_product(db, facts.customer_id, product);
  record_event(db, facts.customer_id, "paid", bill.record.transid, event.now);
  switch (plan.attach) {
    case domain::attachment::already: break;
    case domain::attachment::skipped:
      record_event(db, facts.customer_id, "attach_skipped", "user already holds a customer account", event.now);
      break;
    case domain::attachment::to_new_user:
      plan.user_id = create_user_with_password_link(db, facts.customer, facts.lang, mail, event.now);
      [[fallthrough]];
    case domain::attachment::to_user:
      db.prepare(q::attach_customer).bind_all(*plan.user_id, facts.customer_id).run();
      record_event(db, facts.customer_id, "attached_to_user", "user " + std::to_string(*plan.user_id), event.now);
      break;
  }
  record_event(db, facts.customer_id, "completed", bill.record.transid, event.now);
  queue_mail(db, domain::order_mail(facts, number, mail.base_url), event.now);
}

/// Refunds a paid bill, in the caller's transaction: PAYBACK, the year's next credit note number, its products
/// ended, the customer's timeline and a mail. A bill refunded before is left as it is (`false`).
bool refund(database& db, const stored_bill& bill, domain::bill_status current, domain::refunder by, std::int64_t now,
            const mail_settings& mail) {
  if (current == domain::bill_status::payback) return false;
  if (auto why = domain::refund_refusal(current)) throw write_refused(domain::error_code::conflict, *why);
  const auto& r = bill.record;
  move_bill(db, r.transid, current, domain::bill_status::payback, now);
  auto year = domain::invoice_year(now);
  auto& counter = db.prepare(q::next_credit_note_number).bind_all(year);
  counter.step();
  auto number = domain::credit_note_number(year, counter.integer(0));
  counter.reset();
  db.prepare(q::set_credit_note_number).bind_all(number, bill.id, now).run();
  db.prepare(q::end_products_of_bill).bind_all(now, bill.id).run();
  record_event(db, r.customer_id, "refunded", r.transid + " by the " + domain::to_string(by) + ", credit note " + number,
               now);
  queue_mail(db,
             domain::refund_mail(r.billed_to, r.transid, r.invoice_number, number, r.total, r.currency, mail.base_url,
                                 bill.lang),
             now);
  return true;
}

}  // namespace

void place_bill(database& db, const bill_draft& d) {
  // A checkout still holding a customer account erased meanwhile: its order would bill a person no longer known.
  auto& erased = db.prepare(sql::privacy::customer_erased_at).bind_all(d.customer_id);
  bool gone = erased.step() && !erased.is_null(0);
  erased.reset();
  if (gone)
    throw write_refused(domain::error_code::conflict,
                        "the customer account of this checkout was erased: give the contact details again");
  auto bill_id =
    db.prepare(q::insert_bill)
      .bind_all(d.transid, d.session_id, d.customer_id, d.paymode, d.cart.untaxed, d.cart.taxes, d.cart.total,
                d.cart.currency, d.contact_json, d.emitted_at, d.emitted_at, std::string(domain::code_of(d.lang)))
      .run_returning_integer();
  auto optional_int = [](std::optional<std::int32_t> v) { return v ? std::optional<std::int64_t>(*v) : std::nullopt; };
  for (const auto& l : d.cart.lines)
    db.prepare(q::insert_bill_item)
      .bind_all(bill_id, l.code, l.name, std::int64_t{l.quantity}, l.unit_price, l.untaxed, l.taxes, l.total,
                optional_int(l.tax_rate_bp), optional_int(l.duration_days))
      .run();
  record_event(db, d.customer_id, "order_placed", d.transid, d.emitted_at);
  save_session(db, d.session_id, d.session_snapshot_json, d.session_expires_at);
}

std::optional<bill_record> find_bill(database& db, const std::string& transid) {
  auto bill = find_stored_bill(db, transid);
  if (!bill) return std::nullopt;
  return bill->record;
}

std::optional<std::string> bill_session(database& db, const std::string& transid) {
  auto& st = db.prepare(q::bill_session).bind_all(transid);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

bill_list bills_of_customer(database& db, std::int64_t customer_id) {
  std::vector<stored_bill> stored;
  auto& st = db.prepare(sql_select_bills_of_customer(db)).bind_all(customer_id);
  while (auto b = read_bill(st)) stored.push_back(std::move(*b));
  bill_list bills;
  for (auto& b : stored) {
    for (auto& [id, line] : bill_lines(db, b.id)) b.record.lines.push_back(std::move(line));
    bills.push_back(std::move(b.record));
  }
  return bills;
}

product_list products_of_customer(database& db, std::int64_t customer_id) {
  product_list products;
  auto& st = db.prepare(q::products_of_customer).bind_all(customer_id);
  while (st.step())
    products.push_back(
      {st.text(0), st.text(1), st.text(2), st.integer(3), st.optional_integer(4), st.text(5) == "COMPLETE",
       st.text(5) == "PAYBACK", st.integer(6) != 0});
  return products;
}

bill_change cancel_bill(database& db, const bill_cancel& c, const mail_settings& mail) {
  auto bill = read_bill(db.prepare(sql_select_bill(db)).bind_all(c.transid));
  if (!bill) throw write_refused(domain::error_code::not_found, "unknown transid");
  auto current = domain::parse_bill_status(bill->record.status).value_or(domain::bill_status::placed);
  if (auto why = domain::cancel_refusal(current)) throw write_refused(domain::error_code::conflict, *why);
  db.prepare(q::cancel_bill).bind_all(c.now, c.transid).run();
  const auto& r = bill->record;
  record_event(db, r.customer_id, "order_cancelled", c.transid + " by the " + domain::to_string(c.by), c.now);
  queue_mail(db,
             domain::cancellation_mail(r.billed_to, c.transid, r.total, r.currency, c.by, mail.base_url, bill->lang),
             c.now);
  if (c.session_id) save_session(db, *c.session_id, c.session_snapshot_json, c.session_expires_at);
  return {c.transid, domain::to_string(domain::bill_status::cancelled), r.customer_id};
}

payment_outcome apply_payment(database& db, const payment_event& event, const mail_settings& mail) {
  using domain::bill_status;
  auto bill = read_bill(db.prepare(sql_select_bill(db)).bind_all(event.transid));  // its lines are read on completion
  if (!bill) throw write_refused(domain::error_code::not_found, "unknown transid");
  payment_outcome outcome;
  outcome.transid = event.transid;
  outcome.customer_id = bill->record.customer_id;
  outcome.status = bill->record.status;  // unless this delivery moves it
  auto& recorded = db.prepare(q::select_notification).bind_all(event.provider, event.txn_id);
  if (recorded.step()) {
    auto result = recorded.text(0);
    outcome.replay = true;
    if (result != "applied") outcome.refusal = result;
  } else if (event.amount != bill->record.total || event.currency != bill->record.currency) {
    outcome.refusal = "amount or currency does not match the bill (" + std::to_string(bill->record.total) + " " +
                      bill->record.currency + ")";
    db.prepare(q::insert_notification)
      .bind_all(event.provider, event.txn_id, event.transid, event.status, outcome.refusal, event.now)
      .run();
  } else {
    auto current = domain::parse_bill_status(bill->record.status).value_or(bill_status::placed);
    if (event.status == "completed") {
      if (current != bill_status::complete) {
        complete(db, *bill, current, event, mail);
        outcome.completed_now = true;
        outcome.status = domain::to_string(bill_status::complete);
      }
    } else if (event.status == "pending") {
      move_bill(db, event.transid, current, bill_status::pending, event.now);
      outcome.status = domain::to_string(bill_status::pending);
    } else if (event.status == "failed") {
      move_bill(db, event.transid, current, bill_status::failed, event.now);
      outcome.status = domain::to_string(bill_status::failed);
    } else if (event.status == "refunded") {
      auto by = event.provider == domain::staff_refund_provider ? domain::refunder::staff : domain::refunder::provider;
      outcome.refunded_now = refund(db, *bill, current, by, event.now, mail);
      outcome.status = domain::to_string(bill_status::payback);
    } else {
      throw write_refused(domain::error_code::validation, "status must be completed, pending, failed or refunded");
    }
    db.prepare(q::insert_notification)
      .bind_all(event.provider, event.txn_id, event.transid, event.status, std::string("applied"), event.now)
      .run();
  }
  outcome.products = products_of_bill(db, event.transid);
  // The checkout session learns the outcome in the same transaction, whichever path delivered it.
  db.prepare(q::sync_session_bill).bind_all(outcome.status, event.transid).run();
  return outcome;
}

}  // namespace boutique::storage
