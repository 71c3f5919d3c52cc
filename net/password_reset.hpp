#pragma once

// "Forgot your password?", shared by POST /api/v1/auth/forgot and the page's form. Include only from CAF
// translation units.

#include "domain/clock.hpp"
#include "domain/tokens.hpp"
#include "net/ask.hpp"
#include "net/backend.hpp"

#include <memory>

namespace boutique::net {

/// Sends a link to choose a new password when `login` names a user; called after the answer is given, so that
/// the answer and its time are the same whether or not it does. A reader looks the name up first: a flood of
/// unknown names costs reads, never a write (the writer's queue serves orders and payments). Storage decides
/// again in its transaction (one link a minute per account).
inline void send_password_link(const std::shared_ptr<backend>& b, deadline until, std::string login) {
  run_flow(b->sys, until, [](http_response) {}, [b, login = std::move(login)](flow_self self) {
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::user_atom_v, login)
      .then(
        [self, b, login](std::optional<user_credentials>& found) {
          if (!found) return;
          self->request(b->storage, patience(self), due(self), atoms::forgot_atom_v, login, domain::new_secret_id(),
                        domain::now_s())
            .then([](caf::ok_atom) {}, [](caf::error&) {});  // the person asks again if it was lost
        },
        [](caf::error&) {});
  });
}

}  // namespace boutique::net
