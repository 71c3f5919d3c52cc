#include "actors/hasher.hpp"

#include <caf/actor_pool.hpp>
#include <caf/all.hpp>
#include <sodium.h>

namespace boutique::actors {

namespace {

hasher_actor::behavior_type hasher(hasher_actor::pointer self, argon2_cost cost) {
  return {
    [cost](atoms::hash_atom, const std::string& password) -> caf::result<std::string> {
      char out[crypto_pwhash_STRBYTES];
      if (crypto_pwhash_str(out, password.data(), password.size(), cost.opslimit, cost.memlimit_bytes) != 0)
        return make_domain_error(domain::error_code::overloaded, "not enough memory to hash a password");
      return std::string(out);
    },
    [](atoms::verify_atom, const std::string& hash, const std::string& password) {
      return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
    },
  };
}

}  // namespace

hasher_actor spawn_hasher_pool(caf::actor_system& sys, int workers, argon2_cost cost) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  auto factory = [&sys, cost] { return caf::actor_cast<caf::actor>(sys.spawn<caf::detached>(hasher, cost)); };
  return caf::actor_cast<hasher_actor>(caf::actor_pool::make(sys.dummy_execution_unit(),
                                                             static_cast<std::size_t>(workers), factory,
                                                             caf::actor_pool::round_robin()));
}

}  // namespace boutique::actors
