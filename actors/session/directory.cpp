// The session directory: single activation of sessions, their loading, passivation and live cap.
#include "actors/directory.hpp"
#include "actors/session.hpp"
#include "actors/session/actor.hpp"
#include "config/logging.hpp"
#include "domain/tokens.hpp"
#include "domain/clock.hpp"

#include <caf/all.hpp>

#include <ctime>
#include <unordered_map>

namespace boutique::actors {

namespace {

using domain::now_s;

caf::error failure(domain::error_code code, std::string detail) { return make_domain_error(code, std::move(detail)); }

struct directory_state {
  directory_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  std::shared_ptr<const session_context> ctx;
  live_actors<std::string, session_actor> live;
  /// Resolves waiting for a session to be loaded, or for its passivated actor to be down first.
  std::unordered_map<std::string, std::vector<caf::typed_response_promise<session_ref>>> waiting;
  std::shared_ptr<spdlog::logger> log = config::logger("sessions");
  static inline const char* name = "session_directory";
};

using directory_pointer = session_directory_actor::stateful_pointer<directory_state>;

void passivate(directory_pointer self, const std::string& id) {
  if (auto handle = self->state.live.stop(id)) self->send(*handle, atoms::passivate_atom_v);
}

session_ref activate(directory_pointer self, session_snapshot snapshot) {
  auto& st = self->state;
  auto id = snapshot.id;
  auto generation = st.live.next_generation();
  // Monitored, not linked: a session that crashes is forgotten (and reloaded from storage by the next request)
  // instead of taking the directory, and every other session with it, down.
  auto handle = spawn_session(self, std::move(snapshot), st.ctx, generation);
  st.live.add(id, handle, generation);
  for (const auto& evicted : st.live.over_cap()) passivate(self, evicted);
  return {handle, {id, generation}};
}

/// Answers every waiting resolve of `id` with `result`.
template <class Result>
void settle(directory_pointer self, const std::string& id, const Result& result) {
  auto it = self->state.waiting.find(id);
  if (it == self->state.waiting.end()) return;
  auto waiting = std::move(it->second);
  self->state.waiting.erase(it);
  for (auto& p : waiting) p.deliver(result);
}

/// A session that holds nothing has no row: its signed id alone restores it, blank, until it expires.
std::optional<session_snapshot> blank_session(const session_context& ctx, const std::string& id, std::int64_t now) {
  auto created = domain::signed_id_time(ctx.id_key, id);
  if (!created || *created + ctx.settings.ttl.count() <= now) return std::nullopt;
  session_snapshot s;
  s.id = id;
  s.created_at = s.updated_at = *created;
  s.expires_at = *created + ctx.settings.ttl.count();
  return s;
}

/// Loads session `id` from storage (or from its signed id) and answers the resolves waiting for it.
void load(directory_pointer self, const std::string& id) {
  auto& st = self->state;
  auto now = now_s();
  self->request(st.ctx->readers, st.ctx->settings.timeout, caf::get_atom_v, atoms::session_atom_v, id, now)
    .then(
      [self, id, now](std::optional<std::string>& stored) {
        const auto& ctx = *self->state.ctx;
        if (!stored) {
          if (auto blank = blank_session(ctx, id, now)) return settle(self, id, activate(self, std::move(*blank)));
          return settle(self, id, failure(domain::error_code::not_found, "no such checkout session"));
        }
        // An empty snapshot marks an id retired at login: it never answers again.
        if (stored->empty()) return settle(self, id, failure(domain::error_code::not_found, "no such checkout session"));
        try {
          auto snapshot = session_from_json(*stored);
          if (!snapshot.transid) snapshot.priced = domain::price_cart(snapshot.cart, *ctx.catalog).cart;
          settle(self, id, activate(self, std::move(snapshot)));
        } catch (const std::exception& e) {
          self->state.log->error("event=corrupt_snapshot session={} error=\"{}\"", config::log_id(id), e.what());
          settle(self, id, failure(domain::error_code::internal, "the session cannot be restored"));
        }
      },
      [self, id](caf::error& err) { settle(self, id, err); });
}

caf::result<session_ref> resolve(directory_pointer self, const std::string& id) {
  auto& st = self->state;
  if (auto* live = st.live.route(id)) return session_ref{live->handle, {id, live->generation}};
  auto rp = self->make_response_promise<session_ref>();
  auto [queue, first] = st.waiting.try_emplace(id);
  queue->second.push_back(rp);
  // A session being passivated is loaded again once its actor is down (see the down handler).
  if (first && !st.live.stopping(id)) load(self, id);
  return rp;
}

caf::result<std::string> create(directory_pointer self) {
  auto& st = self->state;
  session_snapshot s;
  s.created_at = s.updated_at = now_s();
  s.id = domain::new_signed_id(st.ctx->id_key, s.created_at);
  s.expires_at = s.created_at + st.ctx->settings.ttl.count();
  // Not stored: a session that holds nothing gets its row with its first change.
  return activate(self, std::move(s)).route.key;
}

caf::result<payment_outcome> route_payment(directory_pointer self, deadline due, payment_event& event) {
  auto rp = self->make_response_promise<payment_outcome>();
  self->request(self->state.ctx->readers, due.patience(), caf::get_atom_v, atoms::payment_atom_v, event.transid)
    .then(
      [self, rp, event, due](std::optional<std::string>& session_id) mutable {
        if (!session_id) { rp.deliver(failure(domain::error_code::not_found, "unknown transid")); return; }
        auto directory = caf::actor_cast<session_directory_actor>(self);
        self->request(directory, due.patience(), atoms::resolve_atom_v, *session_id)
          .then(
            [self, rp, event, due](session_ref& target) mutable {
              self->request(target.actor, due.patience(), target.route.under(due), atoms::payment_atom_v, event)
                .then([rp](payment_outcome& o) mutable { rp.deliver(std::move(o)); },
                      [rp](caf::error& err) mutable { rp.deliver(err); });
            },
            [rp](caf::error& err) mutable { rp.deliver(err); });
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

session_directory_actor::behavior_type session_directory(directory_pointer self,
                                                         std::shared_ptr<const session_context> ctx) {
  self->state.ctx = std::move(ctx);
  self->state.live.set_cap(self->state.ctx->settings.max_live);
  auto sweep_every = self->state.ctx->settings.idle / 4 + std::chrono::seconds(1);
  self->delayed_send(self, sweep_every, caf::tick_atom_v);
  stop_live_actors_on_exit(self);
  self->set_down_handler([self](caf::down_msg& down) {
    auto gone = self->state.live.down(down.source);
    if (!gone) return;
    if (!gone->passivated)
      self->state.log->error("event=session_crashed session={} reason=\"{}\"", config::log_id(gone->key),
                             caf::to_string(down.reason));
    if (self->state.waiting.count(gone->key)) load(self, gone->key);
  });
  return {
    [self](caf::put_atom) { return create(self); },
    [self](atoms::resolve_atom, const std::string& id) { return resolve(self, id); },
    [self](atoms::rekey_atom, const std::string& old_id, const std::string& new_id) {
      auto* renamed = self->state.live.rename(old_id, new_id);
      // Not live: it is being passivated, and answers nothing more.
      return renamed ? renamed->generation : std::uint64_t{0};
    },
    [self](deadline due, atoms::payment_atom, payment_event& event) { return route_payment(self, due, event); },
    [self](caf::get_atom, atoms::stats_atom) { return self->state.live.stats(self->mailbox().size()); },
    [self](caf::get_atom, atoms::actors_atom, std::int32_t limit, const std::string& after) {
      std::optional<std::string> cursor;
      if (!after.empty()) cursor = after;
      return self->state.live.page("session", limit, cursor, [](const std::string& k) { return k; });
    },
    [self](caf::get_atom, atoms::vitals_atom, const std::string& id) -> caf::result<session_vitals> {
      const auto* live = self->state.live.peek(id);
      if (!live)
        return failure(domain::error_code::not_found,
                       "session actor not active (passivated or unknown); its last state is in the sessions table");
      return self->delegate(live->handle, caf::get_atom_v, atoms::vitals_atom_v);
    },
    [self, sweep_every](caf::tick_atom) {
      auto cutoff = std::chrono::steady_clock::now() - self->state.ctx->settings.idle;
      for (const auto& id : self->state.live.idle_since(cutoff)) passivate(self, id);
      self->delayed_send(self, sweep_every, caf::tick_atom_v);
    },
  };
}

}  // namespace

session_directory_actor spawn_session_directory(caf::actor_system& sys, std::shared_ptr<const session_context> ctx) {
  return sys.spawn(session_directory, std::move(ctx));
}

}  // namespace boutique::actors
