#pragma once

// One customer's own bill, shared by the support space's invoice page, its PDF and GET /api/v1/me/bills/{transid}/
// invoice.pdf. Include only from CAF translation units.

#include "net/ask.hpp"
#include "net/backend.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace boutique::net {

/// Reads bill `transid` (one row, by its UNIQUE transid) and calls `found(bill)` when it is customer `customer_id`'s,
/// `missing()` otherwise: another customer's bill is not found either. `failed(error)` when the read fails.
template <class Found, class Missing, class Failed>
void read_own_bill(flow_self self, const std::shared_ptr<backend>& b, std::int64_t customer_id,
                   const std::string& transid, Found found, Missing missing, Failed failed) {
  self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::bills_atom_v, transid)
    .then(
      [customer_id, found = std::move(found), missing = std::move(missing)](std::optional<bill_record>& bill) mutable {
        if (!bill || bill->customer_id != customer_id) return missing();
        found(*bill);
      },
      std::move(failed));
}

}  // namespace boutique::net
