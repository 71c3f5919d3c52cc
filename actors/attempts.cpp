#include "actors/attempts.hpp"

#include "config/logging.hpp"
#include "domain/clock.hpp"
#include "domain/signature.hpp"

#include <caf/all.hpp>

#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace boutique::actors {

namespace {

using storage::attempt_step;

struct attempts_state {
  std::shared_ptr<storage::database> db;
  attempts_settings settings;
  /// Keys refused for their failures, and until when (unix seconds): refused again without a transaction (bounded).
  std::unordered_map<std::string, std::int64_t> refused_until;
  /// Whether the sweep's timer runs: started by the first step, so that an actor never asked (a start that failed
  /// later) holds no timer that would keep the actor system alive.
  bool sweeping = false;
  std::shared_ptr<spdlog::logger> log = config::logger("attempts");
  static inline const char* name = "attempts";
};

using pointer = attempts_actor::stateful_pointer<attempts_state>;

constexpr std::size_t refused_max = 100000;
constexpr auto sweep_every = std::chrono::seconds(30);

/// Thrown when an admission's deadline passed before its commit: rolled back, its requester no longer waits.
struct too_late : std::runtime_error {
  too_late() : std::runtime_error("the request's deadline passed") {}
};

/// Runs `step` in a transaction of its own (rolled back when `due` passed before its commit: an admission nobody
/// waits for must not count); the key is replaced by its keyed hash first.
domain::attempt_admission run(pointer self, attempt_step step, deadline due = deadline::none()) {
  auto& db = *self->state.db;
  step.key = domain::hmac_sha256_hex("boutique-login-attempts-v1." + step.scope + "." + step.key,
                                     self->state.settings.secret);
  db.begin_batch();
  try {
    auto answer = storage::apply_attempt_step(db, step);
    if (due.passed()) throw too_late();
    db.commit_batch();
    db.reset_all();
    return answer;
  } catch (...) {
    db.reset_all();
    db.rollback_batch();
    throw;
  }
}

caf::result<domain::attempt_admission> admit(pointer self, deadline due, attempt_step step) {
  auto& st = self->state;
  auto now = domain::now_s();
  auto refused_key = step.scope + "." + step.key;
  if (auto it = st.refused_until.find(refused_key); it != st.refused_until.end()) {
    if (it->second > now) return domain::attempt_admission{it->second - now, 0};
    st.refused_until.erase(it);
  }
  if (due.passed()) return make_overloaded_error("the request's deadline passed", 1);
  if (st.settings.queue_max > 0 && self->mailbox().size() > st.settings.queue_max)
    return make_overloaded_error("the service is busy; retry shortly", 1);
  try {
    auto answer = run(self, step, due);
    if (answer.retry_after > 1) {  // refused for its failures: the window has to pass
      if (st.refused_until.size() >= refused_max)
        std::erase_if(st.refused_until, [now](const auto& e) { return e.second <= now; });
      if (st.refused_until.size() < refused_max) st.refused_until[refused_key] = now + answer.retry_after;
    }
    return answer;
  } catch (const too_late&) {
    return make_overloaded_error("the request's deadline passed", 1);
  } catch (const std::exception& e) {
    st.log->error("event=attempt_not_counted scope={} error=\"{}\"", step.scope, config::log_text(e.what()));
    return make_overloaded_error("the service is busy; retry shortly", 1);
  }
}

/// The end of an admitted attempt: a failure that went unrecorded would be a guess given back.
domain::attempt_admission settle(pointer self, const attempt_step& step) {
  for (int attempt = 1;; ++attempt) {
    try {
      return run(self, step);
    } catch (const std::exception& e) {
      if (attempt < 3) continue;
      self->state.log->error("event=attempt_not_settled scope={} error=\"{}\"", step.scope,
                             config::log_text(e.what()));
      return {};  // still in flight there: it counts as a failure once attempt_in_flight_s have passed
    }
  }
}

void sweep(pointer self) {
  try {
    for (int round = 0; round < 5 && storage::forget_attempts(*self->state.db, 1000) == 1000; ++round) {
    }
  } catch (const std::exception& e) {
    self->state.log->warn("event=attempts_sweep_failed error=\"{}\"", config::log_text(e.what()));
  }
  self->state.db->reset_all();
}

attempts_actor::behavior_type attempts_behavior(pointer self, std::shared_ptr<storage::database> db,
                                                attempts_settings settings) {
  self->state.db = std::move(db);
  self->state.settings = std::move(settings);
  // A step never waits long on a row another node's step holds (each holds it for one short transaction).
  self->state.db->exec("SET lock_timeout = 1000");
  self->state.db->exec("SET statement_timeout = 2000");
  return {
    [self](deadline due, atoms::attempt_atom, attempt_step& step) -> caf::result<domain::attempt_admission> {
      if (!std::exchange(self->state.sweeping, true)) self->delayed_send(self, sweep_every, caf::tick_atom_v);
      if (step.what == attempt_step::outcome::admit) return admit(self, due, std::move(step));
      return settle(self, step);
    },
    [self](caf::tick_atom) {
      sweep(self);
      self->delayed_send(self, sweep_every, caf::tick_atom_v);
    },
  };
}

}  // namespace

attempts_actor spawn_attempts(caf::actor_system& sys, std::unique_ptr<storage::database> db,
                              attempts_settings settings) {
  return sys.spawn<caf::detached>(attempts_behavior, std::shared_ptr<storage::database>(std::move(db)),
                                  std::move(settings));
}

}  // namespace boutique::actors
