#pragma once

#include "actors/messages.hpp"

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/typed_actor.hpp>

#include <atomic>
#include <cassert>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace boutique::actors {

/// Read-only queries, served by a pool of connections that never queue behind the writer (WAL mode).
using reader_actor = caf::typed_actor<
  caf::replies_to<caf::ping_atom>::with<bool>,
  caf::replies_to<caf::get_atom, atoms::catalog_atom>::with<domain::catalog>,
  // session id, now -> the snapshot of an unexpired session
  caf::replies_to<caf::get_atom, atoms::session_atom, std::string, std::int64_t>::with<std::optional<std::string>>,
  // login (username or email) -> the user and its password hash
  caf::replies_to<caf::get_atom, atoms::user_atom, std::string>::with<std::optional<user_credentials>>,
  // user id -> the customer account attached to that user
  caf::replies_to<caf::get_atom, atoms::customer_atom, std::int64_t>::with<std::optional<customer_record>>,
  caf::replies_to<caf::get_atom, atoms::bills_atom, std::int64_t>::with<bill_list>,
  // transid -> the bill, with its lines and the contact it was placed with (admins)
  caf::replies_to<caf::get_atom, atoms::bills_atom, std::string>::with<std::optional<bill_record>>,
  caf::replies_to<caf::get_atom, atoms::products_atom, std::int64_t>::with<product_list>,
  // password-set token hash, now -> whether the link can still be used
  caf::replies_to<caf::get_atom, atoms::password_atom, std::string, std::int64_t>::with<bool>,
  // email-change token hash, now -> the address it would confirm ("" when unknown, used or expired)
  caf::replies_to<caf::get_atom, atoms::email_atom, std::string, std::int64_t>::with<std::string>,
  // login-session token hash, now -> its user
  caf::replies_to<caf::get_atom, atoms::auth_atom, std::string, std::int64_t>::with<std::optional<user_record>>,
  // at most this many, now -> the mails due, and the outbox's counts
  caf::replies_to<caf::get_atom, atoms::outbox_atom, std::int32_t, std::int64_t>::with<outbox_batch>,
  caf::replies_to<caf::get_atom, atoms::customer_atom, customer_query>::with<customer_list>,
  // customer id -> everything about it (admins)
  caf::replies_to<caf::get_atom, atoms::vitals_atom, std::int64_t>::with<std::optional<customer_detail>>,
  // transid -> the session that placed the bill
  caf::replies_to<caf::get_atom, atoms::payment_atom, std::string>::with<std::optional<std::string>>>;

/// The reader actors, each on its own thread with its own read-only connection, taken in turn: `next()` is the one
/// the next query goes to. A handle: its copies share the readers. Header-only, like an actor handle: the routes
/// use it without linking the actors' code (the fuzz targets link the routes alone).
class reader_pool {
 public:
  reader_pool() = default;
  explicit reader_pool(std::vector<reader_actor> readers) : shared_(std::make_shared<shared>()) {
    if (readers.empty()) throw std::invalid_argument("a reader pool needs at least one reader");
    shared_->readers = std::move(readers);
  }
  /// The reader the next query goes to (round robin).
  const reader_actor& next() const {
    assert(shared_ && "a reader pool made by spawn_reader_pool");
    auto n = shared_->next.fetch_add(1, std::memory_order_relaxed);
    return shared_->readers[n % shared_->readers.size()];
  }
  const std::vector<reader_actor>& members() const { return shared_->readers; }
  /// Tells every reader to exit.
  void exit() const {
    for (const auto& r : shared_->readers) caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
  }

 private:
  struct shared {
    std::vector<reader_actor> readers;
    std::atomic<std::size_t> next{0};
  };
  std::shared_ptr<shared> shared_;
};

/// Spawns `count` reader actors on the database at `path`. A reader with more than `queue_max` queries waiting
/// refuses new ones (overloaded, Retry-After); 0: no bound.
reader_pool spawn_reader_pool(caf::actor_system& sys, const std::string& path, int count, std::size_t queue_max = 0);

}  // namespace boutique::actors
