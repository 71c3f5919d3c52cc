#pragma once

// The vocabulary every actor speaks: atoms, payload types and the domain error category.
// Payload types are local-only (this service does not serialise messages), hence allowed as unsafe.

#include "domain/catalog.hpp"
#include "domain/errors.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <caf/type_id.hpp>

#include <cstdint>
#include <string>

namespace boutique {

/// Counters the storage actor keeps about its group commits.
struct storage_stats {
  std::uint64_t batches = 0;       ///< transactions committed
  std::uint64_t writes = 0;        ///< writes acknowledged
  std::uint64_t failed_writes = 0; ///< writes rolled back
  std::uint64_t largest_batch = 0;
};

}  // namespace boutique

CAF_BEGIN_TYPE_ID_BLOCK(boutique, caf::first_custom_type_id)
CAF_ADD_ATOM(boutique, boutique::atoms, catalog_atom, "catalog")
CAF_ADD_ATOM(boutique, boutique::atoms, session_atom, "session")
CAF_ADD_ATOM(boutique, boutique::atoms, stats_atom, "stats")
CAF_END_TYPE_ID_BLOCK(boutique)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::domain::catalog)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boutique::storage_stats)

CAF_ERROR_CODE_ENUM(boutique::domain::error_code, "boutique")

namespace boutique {

/// Makes a CAF error of the domain category carrying a human-readable detail.
caf::error make_domain_error(domain::error_code code, std::string detail);

/// The domain code of `err`, or error_code::internal when `err` belongs to another category.
domain::error_code domain_code(const caf::error& err);

/// The human-readable detail of `err`.
std::string error_detail(const caf::error& err);

}  // namespace boutique
