#include "actors/hasher.hpp"

#include <caf/all.hpp>
#include <sodium.h>

#include <deque>
#include <functional>

namespace boutique::actors {

namespace {


/// One hashing thread; it takes a job only when the dispatcher hands it one, so its mailbox never grows.
using worker_actor = caf::typed_actor<caf::replies_to<atoms::hash_atom, std::string>::with<std::string>,
                                      caf::replies_to<atoms::verify_atom, std::string, std::string>::with<bool>>;

worker_actor::behavior_type worker(worker_actor::pointer, argon2_cost cost) {
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

struct job {
  deadline due;
  std::function<void(worker_actor)> start;  ///< hands the work to a worker; answers the requester when done
  std::function<void(caf::error)> refuse;
};

struct dispatcher_state {
  dispatcher_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  std::vector<worker_actor> idle;
  std::deque<job> queue;
  std::size_t queue_max = 64;
  static inline const char* name = "hasher";
};

using pointer = hasher_actor::stateful_pointer<dispatcher_state>;

caf::error past_deadline() {
  return make_domain_error(domain::error_code::overloaded, "the request waited past its deadline");
}

/// Hands queued jobs to idle workers, oldest first; a job whose requester stopped waiting is dropped unhashed.
void dispatch(pointer self) {
  auto& st = self->state;
  while (!st.idle.empty() && !st.queue.empty()) {
    auto next = std::move(st.queue.front());
    st.queue.pop_front();
    if (next.due.passed()) {
      next.refuse(past_deadline());
      continue;
    }
    auto w = std::move(st.idle.back());
    st.idle.pop_back();
    next.start(std::move(w));
  }
}

/// Queues one job (refused at once when the queue is full or its deadline has passed) and dispatches.
template <class Result, class... Args>
caf::result<Result> submit(pointer self, deadline due, Args... args) {
  auto& st = self->state;
  if (due.passed()) return past_deadline();
  if (st.queue.size() >= st.queue_max)
    return make_overloaded_error("too many password checks are waiting; try again shortly", 1);
  auto rp = self->make_response_promise<Result>();
  auto start = [self, rp, args...](worker_actor w) mutable {
    auto done = [self, w] {
      self->state.idle.push_back(w);
      dispatch(self);
    };
    self->request(w, caf::infinite, args...)
      .then(
        [rp, done](Result& result) mutable {
          rp.deliver(std::move(result));
          done();
        },
        [rp, done](caf::error& err) mutable {
          rp.deliver(err);
          done();
        });
  };
  st.queue.push_back({due, std::move(start), [rp](caf::error err) mutable { rp.deliver(std::move(err)); }});
  dispatch(self);
  return rp;
}

hasher_actor::behavior_type dispatcher(pointer self, std::vector<worker_actor> workers, std::size_t queue_max) {
  for (const auto& w : workers) self->link_to(w);  // the workers stop with the dispatcher
  self->state.idle = std::move(workers);
  self->state.queue_max = queue_max;
  return {
    [self](deadline due, atoms::hash_atom atom, std::string& password) {
      return submit<std::string>(self, due, atom, std::move(password));
    },
    [self](deadline due, atoms::verify_atom atom, std::string& hash, std::string& password) {
      return submit<bool>(self, due, atom, std::move(hash), std::move(password));
    },
  };
}

}  // namespace

hasher_actor spawn_hasher_pool(caf::actor_system& sys, hasher_settings settings) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::vector<worker_actor> workers;
  for (int i = 0; i < settings.workers; ++i) workers.push_back(sys.spawn<caf::detached>(worker, settings.cost));
  return sys.spawn(dispatcher, std::move(workers), static_cast<std::size_t>(settings.queue_max));
}

}  // namespace boutique::actors
