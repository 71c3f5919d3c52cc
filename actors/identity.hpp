#pragma once

#include "actors/attempts.hpp"
#include "actors/hasher.hpp"
#include "actors/messages.hpp"
#include "actors/reader.hpp"
#include "actors/storage_actor.hpp"

namespace boutique::actors {

/// User accounts: login verification, password-set links, support-space login sessions, and the accounting
/// of every attempt at a secret (per login name here, per client address for the HTTP routes that verify one).
/// Every message a client's request causes starts with that request's deadline (domain/deadline.hpp).
using identity_actor = caf::typed_actor<
  // login (username or email), password -> the user; one generic unauthenticated error otherwise. The attempt
  // counts against the login name from before its verification starts (429 with a retry delay past the limit).
  caf::replies_to<deadline, atoms::login_atom, std::string, std::string>::with<user_record>,
  // client address -> admitted: one attempt at a secret from that address, counted from now on (429 past the
  // limit); every admitted attempt is settled by the message below
  caf::replies_to<deadline, atoms::attempt_atom, std::string>::with<caf::ok_atom>,
  // client address, failed: a failed attempt stays counted for the window; any other outcome releases it
  caf::reacts_to<atoms::attempt_atom, std::string, bool>,
  // password-set token, new password
  caf::replies_to<deadline, atoms::password_atom, std::string, std::string>::with<caf::ok_atom>,
  // user id, the language of the pages logged in on (none: as it was) -> a new login-session token (for the
  // support-space cookie); the user's mails speak that language from now on
  caf::replies_to<deadline, atoms::auth_atom, std::int64_t, std::optional<domain::language>>::with<std::string>,
  // login-session token -> its user
  caf::replies_to<caf::get_atom, atoms::auth_atom, std::string>::with<user_record>,
  caf::replies_to<deadline, atoms::logout_atom, std::string>::with<caf::ok_atom>,
  // the logged-in user, the token of this login, current password, new password: a password change (422 with
  // "current" for a wrong current password, counted as a failed login of the user); the other logins end
  caf::replies_to<deadline, atoms::password_atom, user_record, std::string, std::string,
                  std::string>::with<caf::ok_atom>,
  // the logged-in user, the token of this login, current password, new address: an email change asked for (422
  // with "current" for a wrong password, counted as a failed login); the link goes to the new address
  caf::replies_to<deadline, atoms::email_atom, user_record, std::string, std::string,
                  std::string>::with<caf::ok_atom>,
  // user id, the token of a login to keep ("" for none): every other login of the user ends
  caf::replies_to<deadline, atoms::logout_atom, std::int64_t, std::string>::with<caf::ok_atom>,
  // the logged-in user, current password: the person's data erased (storage::erase_personal_data) once the
  // password is verified (422 with "current" for a wrong one, counted as a failed login); every login ends
  caf::replies_to<deadline, atoms::erase_atom, user_record, std::string>::with<erasure_outcome>>;

struct identity_settings {
  std::int64_t login_ttl_s = 7 * 86400;
  std::chrono::milliseconds timeout{10000};
  int max_failed_logins = 5;         ///< per login name, within the window (unknown names count alike)
  std::int64_t failed_login_window_s = 900;
  int max_failed_logins_per_address = 20;  ///< per client address, on every route verifying a secret
};

/// `shared`, in a cluster: the attempts are counted there (actors/attempts.hpp), for every node at once, not by this
/// node for itself (which would give an attacker one budget per node); none: in this process.
identity_actor spawn_identity(caf::actor_system& sys, actors::storage_actor storage, actors::reader_pool readers,
                              hasher_actor hashers, identity_settings settings, attempts_actor shared = {});

}  // namespace boutique::actors
