#pragma once

// The per-address accounting of every route that verifies a secret (password, password-set token, session id
// at login), JSON and page alike: one count per client address, kept by the identity actor. Include only from
// CAF translation units.

#include "net/ask.hpp"
#include "net/backend.hpp"

#include <caf/send.hpp>

namespace boutique::net {

/// Runs `handler(settle)` as one attempt at a secret from `address`. The identity actor counts the attempt
/// before the handler starts, so that concurrent attempts cannot all pass before the first failure is
/// recorded; past the limit, `refused(err)` answers (429 with Retry-After). The answer given through `settle`
/// settles the attempt: 401 and 404 (a wrong secret) stay counted for the window, any other answer releases it.
template <class Refused, class Handler>
void as_attempt(const std::shared_ptr<backend>& b, deadline due, std::string address, const responder& respond,
                Refused refused, Handler handler) {
  run_flow(b->sys, due, respond,
           [b, due, address = std::move(address), respond, refused = std::move(refused),
            handler = std::move(handler)](flow_self self) mutable {
             self->request(b->identity, patience(self), due, atoms::attempt_atom_v, address)
               .then(
                 [b, address, respond, handler](caf::ok_atom) mutable {
                   handler([b, address, respond](http_response response) {
                     bool failed = response.status == 401 || response.status == 404;
                     caf::anon_send(b->identity, atoms::attempt_atom_v, address, failed);
                     respond(std::move(response));
                   });
                 },
                 [respond, refused](caf::error& err) mutable { respond(refused(err)); });
           });
}

}  // namespace boutique::net
