#pragma once

// A person's data, shared by the support space (GET /api/v1/me/export, DELETE /api/v1/me and the account page) and
// the management endpoint (GET /admin/customers/{id}/export, DELETE /admin/customers/{id}). Include only from CAF
// translation units.

#include "domain/clock.hpp"
#include "net/ask.hpp"
#include "net/backend.hpp"

#include <caf/send.hpp>

#include <memory>
#include <utility>

namespace boutique::net {

/// Everything held about `subject`'s person, read in the writer's transaction that records the export in their
/// timeline: `done(export)`, or `failed(error)` (not_found when the subject names no one).
template <class Done, class Failed>
void export_person(flow_self self, const std::shared_ptr<backend>& b, const privacy_subject& subject, Done done,
                   Failed failed) {
  self->request(b->storage, patience(self), due(self), atoms::export_atom_v, subject)
    .then(std::move(done), std::move(failed));
}

/// What follows an erasure (storage::erase_personal_data, one transaction): the live copy of the customer account is
/// dropped, so that nothing it held is written back and its old email starts a new account; then `done(outcome)`.
template <class Done>
auto after_erasure(const std::shared_ptr<backend>& b, Done done) {
  return [b, done = std::move(done)](erasure_outcome& outcome) mutable {
    if (outcome.customer_id) caf::anon_send(b->accounts, atoms::refresh_atom_v, *outcome.customer_id);
    done(outcome);
  };
}

/// The logged-in person's own erasure, their current password verified first (identity): `done(outcome)`, or
/// `failed(error)`: validation on "current" for a wrong password, conflict while an order can still be paid.
template <class Done, class Failed>
void erase_self(flow_self self, const std::shared_ptr<backend>& b, const user_record& user, const std::string& current,
                Done done, Failed failed) {
  self->request(b->identity, patience(self), due(self), atoms::erase_atom_v, user, current)
    .then(after_erasure(b, std::move(done)), std::move(failed));
}

/// A customer account's erasure by staff: `done(outcome)` (erased_now false when it was already erased), or
/// `failed(error)`: conflict while an order can still be paid, not_found for no such customer.
template <class Done, class Failed>
void erase_by_staff(flow_self self, const std::shared_ptr<backend>& b, std::int64_t customer_id, Done done,
                    Failed failed) {
  privacy_subject subject{std::nullopt, customer_id, domain::privacy_requester::staff, domain::now_s()};
  self->request(b->storage, patience(self), due(self), atoms::erase_atom_v, subject)
    .then(after_erasure(b, std::move(done)), std::move(failed));
}

}  // namespace boutique::net
