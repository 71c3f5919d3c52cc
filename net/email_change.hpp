#pragma once

// The confirmation of an email change, shared by POST /api/v1/auth/email and the page of the mailed link. Include
// only from CAF translation units.

#include "domain/clock.hpp"
#include "domain/tokens.hpp"
#include "net/ask.hpp"
#include "net/backend.hpp"

#include <caf/send.hpp>

#include <memory>

namespace boutique::net {

/// Confirms the email change of the link's `token` (one storage transaction), then drops the live copy of the
/// user's customer account so that its next change starts from the new address; `done(user)` with the user as
/// now, or `failed(error)`: not_found for an unknown, used or expired link, conflict when the address went to
/// another account meanwhile.
template <class Done, class Failed>
void confirm_email_change(flow_self self, const std::shared_ptr<backend>& b, const std::string& token, Done done,
                          Failed failed) {
  self
    ->request(b->storage, patience(self), due(self), atoms::email_atom_v, domain::sha256_hex(token), domain::now_s())
    .then(
      [self, b, done](user_record& user) mutable {
        self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::customer_atom_v, user.id)
          .then(
            [b, user, done](std::optional<customer_record>& customer) mutable {
              if (customer) caf::anon_send(b->accounts, atoms::refresh_atom_v, customer->id);
              done(user);
            },
            // The change is committed: a failed read only leaves the live copy to expire by itself.
            [user, done](caf::error&) mutable { done(user); });
      },
      failed);
}

}  // namespace boutique::net
