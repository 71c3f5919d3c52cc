#include "domain/completion.hpp"
#include "domain/tokens.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "storage/queries/users.hpp"

namespace boutique::storage {

namespace {

namespace q = sql::users;  // storage/queries/users.sql

/// The columns one_user() reads, in its order.
const std::string user_columns = "u.id, u.username, u.email_norm, u.firstname, u.lastname, u.password_hash, u.lang";
const std::string sql_user_by_login =
  "SELECT " + user_columns + " FROM users u WHERE u.username = ?1 OR u.email_norm = ?1 LIMIT 1";
const std::string sql_user_by_id = "SELECT " + user_columns + " FROM users u WHERE u.id = ?";
const std::string sql_auth_session_user =
  "SELECT " + user_columns + " FROM auth_sessions s "
  "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?";

std::optional<user_credentials> one_user(statement& st) {
  if (!st.step()) return std::nullopt;
  user_credentials c;
  c.user.id = st.integer(0);
  c.user.username = st.text(1);
  c.user.email = st.text(2);
  c.user.firstname = st.text(3);
  c.user.lastname = st.text(4);
  if (!st.is_null(5)) c.password_hash = st.text(5);
  c.user.lang = domain::language_or_english(st.text(6));
  return c;
}

}  // namespace

std::optional<user_credentials> find_user_by_login(database& db, const std::string& login) {
  return one_user(db.prepare(sql_user_by_login).bind_all(domain::normalize_email(login)));
}

std::optional<user_record> find_user(database& db, std::int64_t id) {
  auto found = one_user(db.prepare(sql_user_by_id).bind_all(id));
  if (!found) return std::nullopt;
  return found->user;
}

void set_password_with_token(database& db, const std::string& token_hash, const std::string& password_hash,
                             std::int64_t now) {
  auto& st = db.prepare(q::find_token).bind_all(token_hash, now);
  if (!st.step())
    throw write_refused(domain::error_code::not_found, "this password link is unknown, used or expired");
  auto user_id = st.integer(0);
  db.prepare(q::use_token).bind_all(now, token_hash).run();
  db.prepare(q::set_password).bind_all(password_hash, user_id).run();
  db.prepare(q::retire_tokens).bind_all(now, user_id).run();
  db.prepare(q::retire_email_tokens).bind_all(now, user_id).run();
  db.prepare(q::end_logins).bind_all(user_id).run();
}

void request_password_reset(database& db, const std::string& login, const std::string& token, std::int64_t now,
                            const mail_settings& mail) {
  auto found = find_user_by_login(db, login);
  if (!found) return;  // the same answer; nothing to write
  const auto& user = found->user;
  auto ttl = mail.password_token_ttl_s;
  if (db.prepare(q::recent_token).bind_all(user.id, now + ttl - domain::password_reset_interval_s).step()) return;
  db.prepare(q::insert_token).bind_all(domain::sha256_hex(token), user.id, now + ttl).run();
  queue_mail(db,
             domain::password_reset_mail(user.firstname, user.email,
                                         mail.base_url + "/account/password?token=" + token, ttl, user.lang),
             now);
}

bool password_token_usable(database& db, const std::string& token_hash, std::int64_t now) {
  return db.prepare(q::find_token).bind_all(token_hash, now).step();
}

void open_auth_session(database& db, const std::string& token_hash, std::int64_t user_id, std::int64_t expires_at,
                       std::optional<domain::language> lang) {
  db.prepare(q::insert_auth_session).bind_all(token_hash, user_id, expires_at).run();
  if (lang) db.prepare(q::set_user_lang).bind_all(std::string(domain::code_of(*lang)), user_id).run();
}

void close_auth_session(database& db, const std::string& token_hash) {
  db.prepare(q::delete_auth_session).bind_all(token_hash).run();
}

/// Throws write_refused(unauthenticated) unless the user still holds the login whose token hash is `login_hash`.
void require_login(database& db, std::int64_t user_id, const std::string& login_hash) {
  if (!db.prepare(q::login_held).bind_all(user_id, login_hash).step())
    throw write_refused(domain::error_code::unauthenticated, "this login has ended; log in again");
}

void end_logins(database& db, std::int64_t user_id, const std::string& keep_hash, const std::string& event,
                std::int64_t now) {
  // An email link asked for from a login that ends (a stolen cookie) must not survive it.
  db.prepare(q::retire_email_tokens).bind_all(now, user_id).run();
  db.prepare(q::end_other_logins).bind_all(user_id, keep_hash).run();
  auto& customer = db.prepare(q::customer_of_user).bind_all(user_id);
  if (customer.step()) record_event(db, customer.integer(0), event, "", now);
}

void change_password(database& db, std::int64_t user_id, const std::string& password_hash,
                     const std::string& keep_hash, std::int64_t now, const mail_settings& mail) {
  auto user = find_user(db, user_id);
  if (!user) throw write_refused(domain::error_code::unauthenticated, "not logged in");
  require_login(db, user_id, keep_hash);
  db.prepare(q::set_password).bind_all(password_hash, user_id).run();
  db.prepare(q::retire_tokens).bind_all(now, user_id).run();
  end_logins(db, user_id, keep_hash, "password_changed", now);
  auto forgot = mail.base_url + "/account/forgot";
  queue_mail(db, domain::password_changed_mail(user->firstname, user->email, forgot, user->lang), now);
}

void request_email_change(database& db, std::int64_t user_id, const std::string& email, const std::string& token,
                          const std::string& login_hash, std::int64_t now, const mail_settings& mail) {
  auto user = find_user(db, user_id);
  if (!user) throw write_refused(domain::error_code::unauthenticated, "not logged in");
  require_login(db, user_id, login_hash);
  if (db.prepare(q::recent_email_request).bind_all(user_id, now - domain::email_change_interval_s).step()) return;
  auto ttl = mail.password_token_ttl_s;
  auto& owner = db.prepare(q::email_taken).bind_all(domain::normalize_email(email), user_id);
  bool taken = owner.step();
  auto owner_lang = domain::language_or_english(taken ? owner.text(0) : "");  // the address's owner reads it
  owner.reset();
  auto spent = taken ? std::optional<std::int64_t>{now} : std::nullopt;
  db.prepare(q::insert_email_token).bind_all(domain::sha256_hex(token), user_id, email, now, now + ttl, spent).run();
  queue_mail(db,
             taken ? domain::email_taken_mail(email, owner_lang)
                   : domain::email_change_mail(user->firstname, email, mail.base_url + "/account/email?token=" + token,
                                               ttl, user->lang),
             now);
}

std::string email_change_target(database& db, const std::string& token_hash, std::int64_t now) {
  auto& st = db.prepare(q::find_email_token).bind_all(token_hash, now);
  return st.step() ? st.text(1) : std::string{};
}

user_record confirm_email_change(database& db, const std::string& token_hash, std::int64_t now) {
  auto& st = db.prepare(q::find_email_token).bind_all(token_hash, now);
  if (!st.step()) throw write_refused(domain::error_code::not_found, "this email link is unknown, used or expired");
  auto user_id = st.integer(0);
  auto email = st.text(1);
  auto norm = domain::normalize_email(email);
  auto user = find_user(db, user_id);
  if (!user) throw write_refused(domain::error_code::not_found, "this email link is unknown, used or expired");
  if (db.prepare(q::email_taken).bind_all(norm, user_id).step())
    throw write_refused(domain::error_code::conflict, "this address belongs to another account now");
  db.prepare(q::retire_email_tokens).bind_all(now, user_id).run();
  db.prepare(q::retire_tokens).bind_all(now, user_id).run();  // password links mailed to the old address
  db.prepare(q::username_follows).bind_all(norm, user_id, user->email).run();
  db.prepare(q::set_user_email).bind_all(norm, user_id).run();
  if (auto customer = find_customer_by_user(db, user_id)) {
    db.prepare(q::set_customer_email).bind_all(email, norm, now, customer->id).run();
    record_event(db, customer->id, "email_changed", user->email + " -> " + norm, now);
  }
  queue_mail(db, domain::email_changed_mail(user->firstname, user->email, email, user->lang), now);
  return *find_user(db, user_id);
}

std::optional<user_record> auth_session_user(database& db, const std::string& token_hash, std::int64_t now) {
  auto found = one_user(db.prepare(sql_auth_session_user).bind_all(token_hash, now));
  if (!found) return std::nullopt;
  return found->user;
}

}  // namespace boutique::storage
