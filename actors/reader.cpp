#include "actors/reader.hpp"

#include "storage/catalog_queries.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"

#include <caf/all.hpp>

namespace boutique::actors {

namespace {

using namespace storage;  // the SQL this actor runs

struct reader_state {
  std::unique_ptr<database> db;
  std::size_t queue_max = 0;
  static inline const char* name = "reader";
};

using pointer = reader_actor::stateful_pointer<reader_state>;

/// Runs one query, then ends its read transaction so that the next query sees the latest commits. Refuses it
/// (overloaded, Retry-After) when more queries wait behind it than the bound: they would only wait longer.
template <class Query>
auto guarded(pointer self, Query query) -> caf::result<decltype(query())> {
  auto bound = self->state.queue_max;
  if (bound > 0 && self->mailbox().size() > bound) return make_overloaded_error("the service is busy; retry shortly", 1);
  auto& db = *self->state.db;
  try {
    auto result = query();
    db.reset_all();
    return result;
  } catch (const std::exception& e) {
    db.reset_all();
    return make_domain_error(domain::error_code::storage_failure, e.what());
  }
}

reader_actor::behavior_type reader_behavior(pointer self, std::string path, std::size_t queue_max) {
  self->state.db = open_database(path, database::options{database::access::read_only, true});
  self->state.queue_max = queue_max;
  return {
    [self](caf::ping_atom) -> caf::result<bool> {
      return guarded(self, [&] { return self->state.db->prepare("SELECT 1").step(); });
    },
    [self](caf::get_atom, atoms::catalog_atom) -> caf::result<domain::catalog> {
      return guarded(self, [&] { return read_catalog(*self->state.db); });
    },
    [self](caf::get_atom, atoms::session_atom, const std::string& id,
           std::int64_t now) -> caf::result<std::optional<std::string>> {
      return guarded(self, [&] { return load_session(*self->state.db, id, now); });
    },
    [self](caf::get_atom, atoms::user_atom, const std::string& login) -> caf::result<std::optional<user_credentials>> {
      return guarded(self, [&] { return find_user_by_login(*self->state.db, login); });
    },
    [self](caf::get_atom, atoms::customer_atom, std::int64_t user_id) -> caf::result<std::optional<customer_record>> {
      return guarded(self, [&] { return find_customer_by_user(*self->state.db, user_id); });
    },
    [self](caf::get_atom, atoms::bills_atom, std::int64_t customer_id) -> caf::result<bill_list> {
      return guarded(self, [&] { return bills_of_customer(*self->state.db, customer_id); });
    },
    [self](caf::get_atom, atoms::bills_atom, const std::string& transid) -> caf::result<std::optional<bill_record>> {
      return guarded(self, [&] { return find_bill(*self->state.db, transid); });
    },
    [self](caf::get_atom, atoms::products_atom, std::int64_t customer_id) -> caf::result<product_list> {
      return guarded(self, [&] { return products_of_customer(*self->state.db, customer_id); });
    },
    [self](caf::get_atom, atoms::auth_atom, const std::string& token_hash,
           std::int64_t now) -> caf::result<std::optional<user_record>> {
      return guarded(self, [&] { return auth_session_user(*self->state.db, token_hash, now); });
    },
    [self](caf::get_atom, atoms::password_atom, const std::string& token_hash, std::int64_t now) -> caf::result<bool> {
      return guarded(self, [&] { return password_token_usable(*self->state.db, token_hash, now); });
    },
    [self](caf::get_atom, atoms::email_atom, const std::string& token_hash, std::int64_t now) -> caf::result<std::string> {
      return guarded(self, [&] { return email_change_target(*self->state.db, token_hash, now); });
    },
    [self](caf::get_atom, atoms::outbox_atom, std::int32_t limit, std::int64_t now) -> caf::result<outbox_batch> {
      return guarded(self, [&] { return due_mail(*self->state.db, now, limit); });
    },
    [self](caf::get_atom, atoms::customer_atom, const customer_query& query) -> caf::result<customer_list> {
      return guarded(self, [&] { return search_customers(*self->state.db, query); });
    },
    [self](caf::get_atom, atoms::vitals_atom, std::int64_t id) -> caf::result<std::optional<customer_detail>> {
      return guarded(self, [&] { return customer_details(*self->state.db, id); });
    },
    [self](caf::get_atom, atoms::payment_atom, const std::string& transid) -> caf::result<std::optional<std::string>> {
      return guarded(self, [&] { return bill_session(*self->state.db, transid); });
    },
  };
}

}  // namespace

reader_pool spawn_reader_pool(caf::actor_system& sys, const std::string& path, int count, std::size_t queue_max) {
  std::vector<reader_actor> readers;
  for (int i = 0; i < count; ++i) readers.push_back(sys.spawn<caf::detached>(reader_behavior, path, queue_max));
  return reader_pool{std::move(readers)};
}

}  // namespace boutique::actors
