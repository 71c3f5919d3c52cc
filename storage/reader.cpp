#include "storage/reader.hpp"

#include "storage/catalog_queries.hpp"
#include "storage/database.hpp"

#include <caf/actor_pool.hpp>
#include <caf/all.hpp>

namespace boutique::storage {

namespace {

struct reader_state {
  std::unique_ptr<database> db;
  static inline const char* name = "reader";
};

using pointer = reader_actor::stateful_pointer<reader_state>;

template <class Query>
auto guarded(Query query) -> caf::result<decltype(query())> {
  try {
    return query();
  } catch (const std::exception& e) {
    return make_domain_error(domain::error_code::storage_failure, e.what());
  }
}

reader_actor::behavior_type reader_behavior(pointer self, std::string path) {
  self->state.db = std::make_unique<database>(path, database::options{database::access::read_only, true});
  return {
    [self](caf::ping_atom) -> caf::result<bool> {
      return guarded([&] { return self->state.db->prepare("SELECT 1").step(); });
    },
    [self](caf::get_atom, atoms::catalog_atom) -> caf::result<domain::catalog> {
      return guarded([&] { return read_catalog(*self->state.db); });
    },
  };
}

}  // namespace

reader_actor spawn_reader_pool(caf::actor_system& sys, const std::string& path, int count) {
  auto factory = [&sys, path] { return caf::actor_cast<caf::actor>(sys.spawn<caf::detached>(reader_behavior, path)); };
  auto pool = caf::actor_pool::make(sys.dummy_execution_unit(), static_cast<std::size_t>(count), factory,
                                    caf::actor_pool::round_robin());
  return caf::actor_cast<reader_actor>(pool);
}

}  // namespace boutique::storage
