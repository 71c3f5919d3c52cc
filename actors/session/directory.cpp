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

using resolve_promise = caf::typed_response_promise<session_ref>;

struct session_directory_state : directory_state<std::string, session_actor, resolve_promise> {
  session_directory_state() { log = config::logger("sessions"); }
  std::shared_ptr<const session_context> ctx;

  void stopped(const std::string&) {}
  /// A passivated session's id is free to load again: the resolves that waited for it load it now. (A passivated
  /// actor released its lease itself; a crashed one's is released here.)
  std::optional<std::string> down(const gone& g) {
    if (!g.passivated) release(g.key);
    if (waiting.count(g.key)) return g.key;
    return std::nullopt;
  }
  static std::string key_text(const std::string& id) { return id; }
  static std::optional<std::string> key_of(const std::string& text) { return text; }
  static std::string logged(const std::string& id) { return config::log_id(id); }
  static std::string not_active(const std::string&) {
    return "session actor not active (passivated or unknown); its last state is in the sessions table";
  }
  /// Gives up this node's lease of `id` (in a cluster).
  void release(const std::string& id) const {
    if (ctx->settings.clustered)
      caf::anon_send(ctx->storage, atoms::lease_atom_v, caf::delete_atom_v, std::string{storage::session_lease}, id);
  }
  static inline const char* kind = "session";
  static inline const char* name = "session_directory";
};

using directory_pointer = session_directory_actor::stateful_pointer<session_directory_state>;

session_ref activate(directory_pointer self, session_snapshot snapshot) {
  auto& st = self->state;
  auto id = snapshot.id;
  auto generation = st.live.next_generation();
  // Monitored, not linked: a session that crashes is forgotten (and reloaded from storage by the next request)
  // instead of taking the directory, and every other session with it, down.
  auto handle = spawn_session(self, std::move(snapshot), st.ctx, generation);
  admit(self, id, handle, generation);
  return {handle, {id, generation, {}}};
}

/// Answers every waiting resolve of `id` with `result`.
template <class Result>
void settle(directory_pointer self, const std::string& id, const Result& result) {
  for (auto& p : self->state.take(id)) p.deliver(result);
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

/// Reads session `id` from storage (or from its signed id) and answers the resolves waiting for it.
void read(directory_pointer self, const std::string& id) {
  auto& st = self->state;
  auto now = now_s();
  self->request(st.ctx->readers.next(), st.ctx->settings.timeout, caf::get_atom_v, atoms::session_atom_v, id, now)
    .then(
      [self, id, now](std::optional<std::string>& stored) {
        const auto& ctx = *self->state.ctx;
        auto unknown = [self, id] {
          self->state.release(id);
          settle(self, id, failure(domain::error_code::not_found, "no such checkout session"));
        };
        if (!stored) {
          if (auto blank = blank_session(ctx, id, now)) return settle(self, id, activate(self, std::move(*blank)));
          return unknown();
        }
        // An empty snapshot marks an id retired at login: it never answers again.
        if (stored->empty()) return unknown();
        try {
          auto snapshot = session_from_json(*stored);
          if (!snapshot.transid) snapshot.priced = domain::price_cart(snapshot.cart, *ctx.catalog->get()).cart;
          settle(self, id, activate(self, std::move(snapshot)));
        } catch (const std::exception& e) {
          self->state.log->error("event=corrupt_snapshot session={} error=\"{}\"", config::log_id(id), e.what());
          self->state.release(id);
          settle(self, id, failure(domain::error_code::internal, "the session cannot be restored"));
        }
      },
      [self, id](caf::error& err) {
        self->state.release(id);
        settle(self, id, err);
      });
}

/// Loads session `id` and answers the resolves waiting for it. In a cluster the session's lease comes first: taken,
/// the session is read (under the lease, so that no other node writes it meanwhile); held by another live node, the
/// resolves are answered `moved` with that node's address, and the request is forwarded there (net/forward.hpp).
void load(directory_pointer self, const std::string& id) {
  const auto& ctx = *self->state.ctx;
  if (!ctx.settings.clustered) return read(self, id);
  // Every session id is signed (domain::new_signed_id): an id made up by a client takes no lease (a write) at all.
  if (!domain::signed_id_time(ctx.id_key, id)) {
    settle(self, id, failure(domain::error_code::not_found, "no such checkout session"));
    return;
  }
  self->request(ctx.storage, ctx.settings.timeout, deadline::in(ctx.settings.timeout), atoms::lease_atom_v,
                std::string{storage::session_lease}, id)
    .then(
      [self, id](lease_grant& grant) {
        if (grant.taken) return read(self, id);
        settle(self, id, failure(domain::error_code::moved, grant.owner_address));
      },
      [self, id](caf::error& err) { settle(self, id, err); });
}

caf::result<session_ref> resolve(directory_pointer self, const std::string& id) {
  auto& st = self->state;
  if (auto* live = st.live.route(id)) return session_ref{live->handle, {id, live->generation, {}}};
  auto rp = self->make_response_promise<session_ref>();
  // A session being passivated is loaded again once its actor is down (see `down`).
  if (st.wait(id, rp) && !st.live.stopping(id)) load(self, id);
  return rp;
}

caf::result<std::string> create(directory_pointer self) {
  auto& st = self->state;
  session_snapshot s;
  s.created_at = s.updated_at = now_s();
  s.id = domain::new_signed_id(st.ctx->id_key, s.created_at);
  s.expires_at = s.created_at + st.ctx->settings.ttl.count();
  // Not stored: a session that holds nothing gets its row with its first change. In a cluster it is not even
  // loaded here: its first request goes to the node the balancer picks by its id, which takes its lease.
  if (st.ctx->settings.clustered) return s.id;
  return activate(self, std::move(s)).route.key;
}

/// Sends work on bill `transid` to the session that placed it (`through_session(target, rp)`), where it is handled
/// in turn with that session's other messages; to storage alone (`alone(rp)`) when the bill has left its session
/// (cancelled: bill_session gives '<id>#<transid>') or the session is gone (expired). Storage decides in either
/// case, in one transaction, from the bill's status. A session renamed at login between the lookup and the
/// resolve (its old id is then unknown) is looked up again: only a session that is really gone means storage alone.
template <class Result, class ThroughSession, class Alone>
void route_bill(directory_pointer self, deadline due, const std::string& transid, ThroughSession through_session,
                Alone alone, caf::typed_response_promise<Result> rp, int lookups_left) {
  self->request(self->state.ctx->readers.next(), due.patience(), caf::get_atom_v, atoms::payment_atom_v, transid)
    .then(
      [self, rp, due, transid, through_session, alone, lookups_left](std::optional<std::string>& session_id) mutable {
        if (!session_id) {
          rp.deliver(failure(domain::error_code::not_found, "unknown transid"));
          return;
        }
        if (session_id->find('#') != std::string::npos) return alone(rp);
        auto directory = caf::actor_cast<session_directory_actor>(self);
        auto looked_up = *session_id;
        self->request(directory, due.patience(), atoms::resolve_atom_v, looked_up)
          .then([rp, through_session](session_ref& target) mutable { through_session(target, rp); },
                [self, rp, due, transid, through_session, alone, lookups_left](caf::error& err) mutable {
                  if (domain_code(err) != domain::error_code::not_found) rp.deliver(err);
                  else if (lookups_left > 0)
                    route_bill<Result>(self, due, transid, through_session, alone, rp, lookups_left - 1);
                  else alone(rp);
                });
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
}

template <class Result, class ThroughSession, class Alone>
caf::result<Result> route_bill(directory_pointer self, deadline due, const std::string& transid,
                               ThroughSession through_session, Alone alone) {
  auto rp = self->make_response_promise<Result>();
  route_bill<Result>(self, due, transid, through_session, alone, rp, 1);
  return rp;
}

caf::result<payment_outcome> route_payment(directory_pointer self, deadline due, payment_event& event) {
  using promise = caf::typed_response_promise<payment_outcome>;
  auto deliver = [](promise rp) { return [rp](payment_outcome& o) mutable { rp.deliver(std::move(o)); }; };
  auto fail = [](promise rp) { return [rp](caf::error& err) mutable { rp.deliver(err); }; };
  return route_bill<payment_outcome>(
    self, due, event.transid,
    [self, due, event, deliver, fail](session_ref& target, promise rp) {
      self->request(target.actor, due.patience(), target.route.under(due), atoms::payment_atom_v, event)
        .then(deliver(rp), fail(rp));
    },
    [self, due, event, fail](promise rp) {
      auto alone = event;
      alone.now = now_s();
      self->request(self->state.ctx->storage, due.patience(), due, atoms::payment_atom_v, alone)
        .then(
          [self, rp](payment_outcome& o) mutable {
            if (!o.refusal.empty()) {
              rp.deliver(failure(domain::error_code::validation, o.refusal));
              return;
            }
            // The customer account may now be attached to a user: its live actor reads it again.
            self->send(self->state.ctx->accounts, atoms::refresh_atom_v, o.customer_id);
            rp.deliver(std::move(o));
          },
          fail(rp));
    });
}

caf::result<bill_change> route_cancel(directory_pointer self, deadline due, const std::string& transid) {
  using promise = caf::typed_response_promise<bill_change>;
  auto fail = [](promise rp) { return [rp](caf::error& err) mutable { rp.deliver(err); }; };
  return route_bill<bill_change>(
    self, due, transid,
    [self, due, transid, fail](session_ref& target, promise rp) {
      self->request(target.actor, due.patience(), target.route.under(due), atoms::cancel_atom_v, transid,
                    domain::canceller::staff)
        .then([rp](bill_change& c) mutable { rp.deliver(std::move(c)); }, fail(rp));
    },
    [self, due, transid, fail](promise rp) {
      bill_cancel alone{transid, domain::canceller::staff, std::nullopt, {}, 0, now_s()};
      self->request(self->state.ctx->storage, due.patience(), due, atoms::cancel_atom_v, alone)
        .then([rp](bill_change& c) mutable { rp.deliver(std::move(c)); }, fail(rp));
    });
}

session_directory_actor::behavior_type session_directory(directory_pointer self,
                                                         std::shared_ptr<const session_context> ctx) {
  self->state.ctx = std::move(ctx);
  const auto& settings = self->state.ctx->settings;
  start_directory(self, settings.max_live, settings.idle, [self](const std::string& id) { load(self, id); });
  if (settings.clustered)
    self->send(self->state.ctx->storage, atoms::cluster_atom_v, caf::subscribe_atom_v,
               caf::actor_cast<caf::actor>(self));
  return directory_behavior<session_vitals>(
    self,  //
    [self](caf::put_atom) { return create(self); },
    [self](atoms::resolve_atom, const std::string& id) { return resolve(self, id); },
    [self](atoms::rekey_atom, const std::string& old_id, const std::string& new_id) {
      auto* renamed = self->state.live.rename(old_id, new_id);
      // Not live: it is being passivated, and answers nothing more.
      return renamed ? renamed->generation : std::uint64_t{0};
    },
    [self](deadline due, atoms::payment_atom, payment_event& event) { return route_payment(self, due, event); },
    [self](deadline due, atoms::cancel_atom, const std::string& transid) { return route_cancel(self, due, transid); },
    [self](atoms::lease_atom, const std::string& kind, const std::string& id) {
      if (kind == storage::session_lease) passivate(self, id);
    },
    [self](atoms::cluster_atom, std::int64_t generation) { passivate_on_rejoin(self, generation); });
}

}  // namespace

session_directory_actor spawn_session_directory(caf::actor_system& sys, std::shared_ptr<const session_context> ctx) {
  return sys.spawn(session_directory, std::move(ctx));
}

}  // namespace boutique::actors
