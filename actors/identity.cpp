#include "actors/identity.hpp"

#include "config/logging.hpp"
#include "domain/contact.hpp"
#include "domain/throttle.hpp"
#include "domain/tokens.hpp"

#include <caf/all.hpp>

#include <ctime>

namespace boutique::actors {

namespace {

constexpr const char* bad_credentials = "unknown login or wrong password";

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

struct identity_state {
  identity_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  storage::storage_actor storage;
  storage::reader_actor readers;
  hasher_actor hashers;
  identity_settings settings;
  std::string dummy_hash;  ///< verified against for unknown logins, so that they cost the same work
  std::unique_ptr<domain::attempt_limiter> failed_logins;
  std::shared_ptr<spdlog::logger> log = config::logger("identity");
  static inline const char* name = "identity";
};

using pointer = identity_actor::stateful_pointer<identity_state>;

caf::error unauthenticated() { return make_domain_error(domain::error_code::unauthenticated, bad_credentials); }

identity_actor::behavior_type identity(pointer self, storage::storage_actor storage, storage::reader_actor readers,
                                       hasher_actor hashers, identity_settings settings) {
  auto& st = self->state;
  st.storage = std::move(storage);
  st.readers = std::move(readers);
  st.hashers = std::move(hashers);
  st.settings = settings;
  st.failed_logins = std::make_unique<domain::attempt_limiter>(settings.max_failed_logins, settings.failed_login_window_s);
  // await: no login is handled before the dummy hash exists, so unknown logins always cost a full verification.
  self->request(st.hashers, caf::infinite, atoms::hash_atom_v, domain::new_secret_id())
    .await([self](std::string& hash) { self->state.dummy_hash = std::move(hash); },
          [self](caf::error& err) { self->state.log->error("event=dummy_hash_failed error=\"{}\"", error_detail(err)); });
  return {
    [self](atoms::login_atom, std::string& login, std::string& password) -> caf::result<user_record> {
      auto key = domain::normalize_email(login);
      if (auto wait = self->state.failed_logins->retry_after(key, now_s()); wait > 0)
        return make_throttled_error("too many failed logins; try again later", wait);
      auto rp = self->make_response_promise<user_record>();
      auto timeout = self->state.settings.timeout;
      self->request(self->state.readers, timeout, caf::get_atom_v, atoms::user_atom_v, login)
        .then(
          [self, rp, password, timeout, key](std::optional<user_credentials>& found) mutable {
            bool known = found && found->password_hash;
            auto hash = known ? *found->password_hash : self->state.dummy_hash;
            self->request(self->state.hashers, timeout, atoms::verify_atom_v, hash, password)
              .then(
                [self, rp, known, found, key](bool matches) mutable {
                  if (known && matches) {
                    self->state.failed_logins->record_success(key);
                    rp.deliver(found->user);
                  } else {
                    self->state.failed_logins->record_failure(key, now_s());
                    rp.deliver(unauthenticated());
                  }
                },
                [rp](caf::error& err) mutable { rp.deliver(err); });
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [self](atoms::password_atom, std::string& token, std::string& password) -> caf::result<caf::ok_atom> {
      if (auto problem = domain::password_problem(password); !problem.empty())
        return make_domain_error(domain::error_code::validation, "password " + problem);
      auto rp = self->make_response_promise<caf::ok_atom>();
      auto timeout = self->state.settings.timeout;
      self->request(self->state.hashers, timeout, atoms::hash_atom_v, password)
        .then(
          [self, rp, token, timeout](std::string& hash) mutable {
            self->request(self->state.storage, timeout, atoms::password_atom_v, domain::sha256_hex(token), hash, now_s())
              .then([rp](caf::ok_atom) mutable { rp.deliver(caf::ok_atom_v); },
                    [rp](caf::error& err) mutable { rp.deliver(err); });
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [self](atoms::auth_atom, std::int64_t user_id) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      auto token = domain::new_secret_id();
      self
        ->request(self->state.storage, self->state.settings.timeout, atoms::auth_atom_v, domain::sha256_hex(token),
                  user_id, now_s() + self->state.settings.login_ttl_s)
        .then([rp, token](caf::ok_atom) mutable { rp.deliver(token); },
              [rp](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [self](caf::get_atom, atoms::auth_atom, const std::string& token) -> caf::result<user_record> {
      auto rp = self->make_response_promise<user_record>();
      self
        ->request(self->state.readers, self->state.settings.timeout, caf::get_atom_v, atoms::auth_atom_v,
                  domain::sha256_hex(token), now_s())
        .then(
          [rp](std::optional<user_record>& user) mutable {
            if (user) rp.deliver(*user);
            else rp.deliver(make_domain_error(domain::error_code::unauthenticated, "not logged in"));
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [self](atoms::logout_atom, const std::string& token) -> caf::result<caf::ok_atom> {
      return self->delegate(self->state.storage, atoms::logout_atom_v, domain::sha256_hex(token));
    },
  };
}

}  // namespace


identity_actor spawn_identity(caf::actor_system& sys, storage::storage_actor storage, storage::reader_actor readers,
                              hasher_actor hashers, identity_settings settings) {
  return sys.spawn(identity, std::move(storage), std::move(readers), std::move(hashers), settings);
}

}  // namespace boutique::actors
