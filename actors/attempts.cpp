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
  /// Keys (their keyed hashes) refused, and until when (unix seconds): refused again without a transaction.
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

/// Thrown when the COMMIT itself failed: whether it took effect is unknown (a connection lost after the server
/// committed), so the step is not run again (twice, a withdrawal would free two places).
struct outcome_unknown : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The key as rows and the refusal cache hold it: keyed by the database's own random key, the same for every node.
std::string keyed(pointer self, const attempt_step& step) {
  return domain::hmac_sha256_hex("boutique-login-attempts-v1." + step.scope + "." + step.key, self->state.settings.key);
}

/// Runs `step` (its key already keyed) in a transaction of its own, rolled back when `due` passed before its
/// commit: an admission nobody waits for must not count. Its time limits are set in the transaction itself, so that
/// they hold on a connection the driver has opened again.
domain::attempt_admission run(pointer self, const attempt_step& step, deadline due = deadline::none()) {
  auto& db = *self->state.db;
  domain::attempt_admission answer;
  db.begin_batch();
  try {
    db.exec("SET LOCAL lock_timeout = 1000");  // another node's step holds a row for one short transaction
    db.exec("SET LOCAL statement_timeout = 2000");
    answer = storage::apply_attempt_step(db, step);
    if (due.passed()) throw too_late();
    db.reset_all();
  } catch (...) {
    db.reset_all();
    db.rollback_batch();
    throw;
  }
  try {
    db.commit_batch();
  } catch (const std::exception& e) {
    throw outcome_unknown(e.what());
  }
  return answer;
}

caf::result<domain::attempt_admission> admit(pointer self, deadline due, attempt_step step) {
  auto& st = self->state;
  auto now = domain::now_s();
  step.key = keyed(self, step);
  if (auto it = st.refused_until.find(step.key); it != st.refused_until.end()) {
    if (it->second > now) return domain::attempt_admission{it->second - now, 0};
    st.refused_until.erase(it);
  }
  if (due.passed()) return make_overloaded_error("the request's deadline passed", 1);
  if (self->mailbox().size() > st.settings.queue_max) return make_overloaded_error("the service is busy", 1);
  try {
    auto answer = run(self, step, due);
    // Refused: for its failures until the window passes (no answer could change before, as nothing is in flight),
    // or for attempts in flight for the second Retry-After says (a place may come free sooner: a second at most).
    if (!answer.admitted() && st.refused_until.size() < refused_max)
      st.refused_until[step.key] = now + answer.retry_after;
    return answer;
  } catch (const too_late&) {
    return make_overloaded_error("the request's deadline passed", 1);
  } catch (const std::exception& e) {
    st.log->error("event=attempt_not_counted scope={} error=\"{}\"", step.scope, config::log_text(e.what()));
    return make_overloaded_error("the service is busy; retry shortly", 1);
  }
}

/// The end of an admitted attempt: a failure that went unrecorded would be a guess given back (it counts as one
/// once its time in flight has passed). Tried three times, unless a COMMIT's outcome is unknown.
domain::attempt_admission settle(pointer self, attempt_step step) {
  step.key = keyed(self, step);
  for (int attempt = 1;; ++attempt) {
    try {
      return run(self, step);
    } catch (const outcome_unknown& e) {
      self->state.log->error("event=attempt_settle_unknown scope={} error=\"{}\"", step.scope,
                             config::log_text(e.what()));
      return {};
    } catch (const std::exception& e) {
      if (attempt < 3) continue;
      self->state.log->error("event=attempt_not_settled scope={} error=\"{}\"", step.scope,
                             config::log_text(e.what()));
      return {};
    }
  }
}

void sweep(pointer self) {
  auto now = domain::now_s();
  std::erase_if(self->state.refused_until, [now](const auto& e) { return e.second <= now; });
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
  return {
    [self](deadline due, atoms::attempt_atom, attempt_step& step) -> caf::result<domain::attempt_admission> {
      if (!std::exchange(self->state.sweeping, true)) self->delayed_send(self, sweep_every, caf::tick_atom_v);
      if (step.what == attempt_step::outcome::admit) return admit(self, due, std::move(step));
      return settle(self, std::move(step));
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
