#include "actors/identity.hpp"

#include "config/logging.hpp"
#include "domain/contact.hpp"
#include "domain/throttle.hpp"
#include "domain/tokens.hpp"
#include "domain/clock.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <ctime>
#include <functional>

namespace boutique::actors {

namespace {

constexpr const char* bad_credentials = "unknown login or wrong password";

using domain::now_s;
using domain::attempt_admission;
using outcome = storage::attempt_step::outcome;

/// The attempts counted under one kind of key (a login name, a client address): by this process alone, or in a
/// cluster for every node at once (actors/attempts.hpp), so that N nodes do not give N budgets.
struct attempt_counter {
  const char* scope;
  int max_attempts;
  std::int64_t window_s;
  std::unique_ptr<domain::attempt_limiter> local;  ///< one node; null in a cluster
};

struct identity_state {
  identity_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  actors::storage_actor storage;
  actors::reader_pool readers;
  hasher_actor hashers;
  attempts_actor shared;  ///< in a cluster, where the attempts are counted
  identity_settings settings;
  std::string dummy_hash;  ///< verified against for unknown logins, so that they cost the same work
  attempt_counter by_login{"login", 0, 0, nullptr};      ///< attempts per normalised login name
  attempt_counter by_address{"address", 0, 0, nullptr};  ///< attempts per client address
  std::shared_ptr<spdlog::logger> log = config::logger("identity");
  static inline const char* name = "identity";
};

using pointer = identity_actor::stateful_pointer<identity_state>;

caf::error unauthenticated() { return make_domain_error(domain::error_code::unauthenticated, bad_credentials); }

/// How long an attempt may be in flight: its request's deadline, and some (the default request timeout is 10 s).
std::int64_t in_flight_s(pointer self) {
  auto request_s = std::chrono::duration_cast<std::chrono::seconds>(self->state.settings.timeout).count();
  return std::max<std::int64_t>(storage::attempt_in_flight_s, 2 * request_s + 10);
}

/// Admits an attempt of `key` (counted from now on) or refuses it, and calls `then` with the answer, or with the
/// error that kept it from being counted (in a cluster: the database out of reach or busy; the attempt is refused).
void admit(pointer self, deadline due, attempt_counter& counter, const std::string& key,
           std::function<void(caf::expected<attempt_admission>)> then) {
  if (counter.local) return then(counter.local->admit(key, now_s()));
  storage::attempt_step step{outcome::admit, counter.scope, key, counter.max_attempts, counter.window_s, 0,
                            in_flight_s(self)};
  self->request(self->state.shared, due.patience(), due, atoms::attempt_atom_v, std::move(step))
    .then([then](attempt_admission answer) { then(answer); }, [then](caf::error& err) { then(std::move(err)); });
}

/// How an admitted attempt of `key` ended: failed, succeeded (forgiving the failures `admitted` found) or
/// withdrawn (never verified: it does not count).
void settle(pointer self, attempt_counter& counter, const std::string& key, outcome ended,
            const attempt_admission& admitted) {
  if (counter.local) {
    if (ended == outcome::failed) counter.local->failed(key, now_s());
    else if (ended == outcome::succeeded) counter.local->succeeded(key, admitted);
    else counter.local->withdrawn(key);
    return;
  }
  storage::attempt_step step{ended, counter.scope, key, counter.max_attempts, counter.window_s, admitted.forgivable,
                            in_flight_s(self)};
  self->request(self->state.shared, self->state.settings.timeout, deadline::none(), atoms::attempt_atom_v,
                std::move(step))
    .then([](attempt_admission) {},
          [self, scope = counter.scope](caf::error& err) {
            self->state.log->warn("event=attempt_settle_unanswered scope={} error=\"{}\"", scope,
                                   config::log_text(error_detail(err)));
          });
}

caf::error throttled_login(const attempt_admission& refused) {
  return make_throttled_error("too many failed logins; try again later", refused.retry_after);
}

using on_verified = std::function<void(caf::expected<user_record>)>;

/// Verifies `password` for `login`, the attempt being admitted already; settles the admission and calls `done`
/// with the user, or with unauthenticated() for a wrong password or an unknown login (the same work for both).
void verify_login(pointer self, deadline due, std::string login, std::string password, std::string key,
                  attempt_admission admitted, on_verified done) {
  auto withdraw = [self, done, key, admitted](caf::error& err) mutable {
    settle(self, self->state.by_login, key, outcome::withdrawn, admitted);  // never verified: it does not count
    done(err);
  };
  self->request(self->state.readers.next(), due.patience(), caf::get_atom_v, atoms::user_atom_v, login)
    .then(
      [self, done, password, due, key, admitted, withdraw](std::optional<user_credentials>& found) mutable {
        bool known = found && found->password_hash;
        auto hash = known ? *found->password_hash : self->state.dummy_hash;
        self->request(self->state.hashers, caf::infinite, due, atoms::verify_atom_v, hash, password)
          .then(
            [self, done, known, found, key, admitted](bool matches) mutable {
              if (known && matches) {
                settle(self, self->state.by_login, key, outcome::succeeded, admitted);
                done(found->user);
              } else {
                settle(self, self->state.by_login, key, outcome::failed, admitted);
                done(unauthenticated());
              }
            },
            withdraw);
      },
      withdraw);
}

/// Admits a login attempt of `login` (counted per normalised name), then verifies it as verify_login does.
void count_and_verify_login(pointer self, deadline due, std::string login, std::string password, on_verified done) {
  auto key = domain::normalize_email(login);
  admit(self, due, self->state.by_login, key,
        [self, due, login = std::move(login), password = std::move(password), key,
         done](caf::expected<attempt_admission> admitted) mutable {
          if (!admitted) return done(admitted.error());
          if (!admitted->admitted()) return done(throttled_login(*admitted));
          verify_login(self, due, std::move(login), std::move(password), std::move(key), *admitted, std::move(done));
        });
}

/// Verifies `current` as the password of the logged-in `user`, counted as a login of the user is (the same count
/// of failed attempts per login name, so that a stolen login cookie cannot be used to guess it), then calls
/// `done` with nothing, or with the refusal: 422 on "current" for a wrong password, 429 past the limit.
void verify_current(pointer self, deadline due, const user_record& user, std::string current,
                    std::function<void(std::optional<caf::error>)> done) {
  count_and_verify_login(self, due, user.email, std::move(current),
                         [done, user_id = user.id](caf::expected<user_record> verified) {
                           if (!verified && domain_code(verified.error()) != domain::error_code::unauthenticated)
                             return done(verified.error());
                           if (!verified || verified->id != user_id)
                             return done(make_validation_error({"current_password_wrong"},
                                                               {{"current", {"wrong_password"}}}));
                           done(std::nullopt);
                         });
}

std::string hash_of_login(const std::string& token) { return token.empty() ? std::string{} : domain::sha256_hex(token); }

/// A password changed while logged in: the current one verified, the new one replaces it and the user's other
/// logins end (storage refuses when this login has ended meanwhile: a reset or "log out everywhere" wins).
caf::result<caf::ok_atom> change_password(pointer self, deadline due, user_record user, std::string token,
                                          std::string current, std::string password) {
  if (auto problem = domain::password_problem(password))
    return make_validation_error({"password_invalid"}, {{"password", *problem}});
  auto rp = self->make_response_promise<caf::ok_atom>();
  auto fail = [rp](const caf::error& err) mutable { rp.deliver(err); };
  verify_current(self, due, user, std::move(current),
                 [self, due, fail, rp, user_id = user.id, keep_hash = hash_of_login(token),
                  password](std::optional<caf::error> refused) mutable {
                   if (refused) return fail(*refused);
                   self->request(self->state.hashers, caf::infinite, due, atoms::hash_atom_v, password)
                     .then(
                       [self, rp, due, fail, user_id, keep_hash](std::string& hash) mutable {
                         self
                           ->request(self->state.storage, due.patience(), due, atoms::password_atom_v, user_id, hash,
                                     keep_hash, now_s())
                           .then([rp](caf::ok_atom) mutable { rp.deliver(caf::ok_atom_v); }, fail);
                       },
                       fail);
                 });
  return rp;
}

/// An email change asked for while logged in: the current password verified (whoever holds a login cookie alone
/// cannot move the account to their address), then storage mails the link (or a notice) to the new address.
caf::result<caf::ok_atom> request_email_change(pointer self, deadline due, user_record user, std::string token,
                                               std::string current, std::string email) {
  auto rp = self->make_response_promise<caf::ok_atom>();
  auto fail = [rp](const caf::error& err) mutable { rp.deliver(err); };
  verify_current(self, due, user, std::move(current),
                 [self, due, fail, rp, user_id = user.id, keep_hash = hash_of_login(token),
                  email](std::optional<caf::error> refused) mutable {
                   if (refused) return fail(*refused);
                   self
                     ->request(self->state.storage, due.patience(), due, atoms::email_atom_v, user_id, email,
                               domain::new_secret_id(), keep_hash, now_s())
                     .then([rp](caf::ok_atom) mutable { rp.deliver(caf::ok_atom_v); }, fail);
                 });
  return rp;
}

/// The person's own erasure: the current password verified (a login cookie alone erases nothing), then storage.
caf::result<erasure_outcome> erase_self(pointer self, deadline due, const user_record& user, std::string current) {
  auto rp = self->make_response_promise<erasure_outcome>();
  verify_current(self, due, user, std::move(current),
                 [self, due, rp, user_id = user.id](std::optional<caf::error> refused) mutable {
                   if (refused) {
                     rp.deliver(*refused);
                     return;
                   }
                   privacy_subject subject{user_id, std::nullopt, domain::privacy_requester::customer, now_s()};
                   self->request(self->state.storage, due.patience(), due, atoms::erase_atom_v, subject)
                     .then([rp](erasure_outcome& o) mutable { rp.deliver(std::move(o)); },
                           [rp](caf::error& err) mutable { rp.deliver(err); });
                 });
  return rp;
}

identity_actor::behavior_type identity(pointer self, actors::storage_actor storage, actors::reader_pool readers,
                                       hasher_actor hashers, identity_settings settings, attempts_actor shared) {
  auto& st = self->state;
  st.shared = std::move(shared);
  st.storage = std::move(storage);
  st.readers = std::move(readers);
  st.hashers = std::move(hashers);
  st.settings = settings;
  st.by_login.max_attempts = settings.max_failed_logins;
  st.by_address.max_attempts = settings.max_failed_logins_per_address;
  for (auto* counter : {&st.by_login, &st.by_address}) {
    counter->window_s = settings.failed_login_window_s;
    if (!st.shared)
      counter->local = std::make_unique<domain::attempt_limiter>(counter->max_attempts, counter->window_s);
  }
  // await: no login is handled before the dummy hash exists, so unknown logins always cost a full verification.
  self->request(st.hashers, caf::infinite, deadline::none(), atoms::hash_atom_v, domain::new_secret_id())
    .await([self](std::string& hash) { self->state.dummy_hash = std::move(hash); },
          [self](caf::error& err) { self->state.log->error("event=dummy_hash_failed error=\"{}\"", error_detail(err)); });
  return {
    [self](deadline due, atoms::login_atom, std::string& login, std::string& password) -> caf::result<user_record> {
      auto rp = self->make_response_promise<user_record>();
      count_and_verify_login(self, due, std::move(login), std::move(password),
                             [rp](caf::expected<user_record> user) mutable {
                               if (user) rp.deliver(std::move(*user));
                               else rp.deliver(user.error());
                             });
      return rp;
    },
    [self](deadline due, atoms::password_atom, user_record& user, std::string& token, std::string& current,
           std::string& password) -> caf::result<caf::ok_atom> {
      return change_password(self, due, std::move(user), std::move(token), std::move(current), std::move(password));
    },
    [self](deadline due, atoms::email_atom, user_record& user, std::string& token, std::string& current,
           std::string& email) -> caf::result<caf::ok_atom> {
      return request_email_change(self, due, std::move(user), std::move(token), std::move(current), std::move(email));
    },
    [self](deadline due, atoms::logout_atom, std::int64_t user_id, const std::string& keep_token) {
      auto keep_hash = keep_token.empty() ? std::string{} : domain::sha256_hex(keep_token);
      return self->delegate(self->state.storage, due, atoms::logout_atom_v, user_id, keep_hash, now_s());
    },
    [self](deadline due, atoms::erase_atom, user_record& user, std::string& current) {
      return erase_self(self, due, user, std::move(current));
    },
    [self](deadline due, atoms::attempt_atom, const std::string& address) -> caf::result<caf::ok_atom> {
      auto rp = self->make_response_promise<caf::ok_atom>();
      admit(self, due, self->state.by_address, address, [rp](caf::expected<attempt_admission> admitted) mutable {
        if (!admitted) rp.deliver(admitted.error());
        else if (!admitted->admitted())
          rp.deliver(make_throttled_error("too many failed attempts from this address; try again later",
                                          admitted->retry_after));
        else rp.deliver(caf::ok_atom_v);
      });
      return rp;
    },
    [self](atoms::attempt_atom, const std::string& address, bool failed) {
      settle(self, self->state.by_address, address, failed ? outcome::failed : outcome::withdrawn, {});
    },
    [self](deadline due, atoms::password_atom, std::string& token,
           std::string& password) -> caf::result<caf::ok_atom> {
      if (auto problem = domain::password_problem(password))
        return make_validation_error({"password_invalid"}, {{"password", *problem}});
      auto rp = self->make_response_promise<caf::ok_atom>();
      self->request(self->state.hashers, caf::infinite, due, atoms::hash_atom_v, password)
        .then(
          [self, rp, token, due](std::string& hash) mutable {
            self->request(self->state.storage, due.patience(), due, atoms::password_atom_v, domain::sha256_hex(token),
                          hash, now_s())
              .then([rp](caf::ok_atom) mutable { rp.deliver(caf::ok_atom_v); },
                    [rp](caf::error& err) mutable { rp.deliver(err); });
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [self](deadline due, atoms::auth_atom, std::int64_t user_id,
           std::optional<domain::language> lang) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      auto token = domain::new_secret_id();
      self
        ->request(self->state.storage, due.patience(), due, atoms::auth_atom_v, domain::sha256_hex(token), user_id,
                  now_s() + self->state.settings.login_ttl_s, lang)
        .then([rp, token](caf::ok_atom) mutable { rp.deliver(token); },
              [rp](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [self](caf::get_atom, atoms::auth_atom, const std::string& token) -> caf::result<user_record> {
      auto rp = self->make_response_promise<user_record>();
      self
        ->request(self->state.readers.next(), self->state.settings.timeout, caf::get_atom_v, atoms::auth_atom_v,
                  domain::sha256_hex(token), now_s())
        .then(
          [rp](std::optional<user_record>& user) mutable {
            if (user) rp.deliver(*user);
            else rp.deliver(make_domain_error(domain::error_code::unauthenticated, "not logged in"));
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [self](deadline due, atoms::logout_atom, const std::string& token) -> caf::result<caf::ok_atom> {
      return self->delegate(self->state.storage, due, atoms::logout_atom_v, domain::sha256_hex(token));
    },
  };
}

}  // namespace


identity_actor spawn_identity(caf::actor_system& sys, actors::storage_actor storage, actors::reader_pool readers,
                              hasher_actor hashers, identity_settings settings, attempts_actor shared) {
  return sys.spawn(identity, std::move(storage), std::move(readers), std::move(hashers), settings, std::move(shared));
}

}  // namespace boutique::actors
