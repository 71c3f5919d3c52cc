#pragma once

// Single activation, done one way for every keyed actor (sessions, customer accounts): the bookkeeping a
// directory keeps of its live actors. At most one live actor per key, each with the generation of its activation
// (messages carry the key and generation they were routed under, and the actor refuses any other); a cap on live
// actors, beyond which the least recently used one is passivated; and a key whose actor is being passivated waits
// until that actor is down before it is loaded again, so that two activations of one key never overlap.

#include "actors/messages.hpp"
#include "domain/clock.hpp"

#include "config/logging.hpp"

#include <caf/actor_addr.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include <chrono>
#include <ctime>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

namespace boutique::actors {

template <class Key, class Handle>
class live_actors {
 public:
  struct entry {
    Handle handle;
    std::uint64_t generation = 0;
    std::uint64_t routed = 0;  ///< messages routed to it
    std::int64_t last_active_unix = 0;
    std::chrono::steady_clock::time_point last_active;
    typename std::list<const Key*>::iterator recency;  ///< its place in the least-recently-used order
  };

  /// `cap` 0: no cap.
  explicit live_actors(std::size_t cap = 0) : cap_(cap) {}
  void set_cap(std::size_t cap) { cap_ = cap; }

  /// The generation the next activation gets (the actor is spawned knowing it).
  std::uint64_t next_generation() { return ++generations_; }

  /// The live actor of `key`, counted as routed and made the most recently used; null when there is none.
  entry* route(const Key& key) {
    auto it = live_.find(key);
    if (it == live_.end()) return nullptr;
    touch(it->second);
    return &it->second;
  }

  /// The live actor of `key` without counting a use.
  const entry* peek(const Key& key) const {
    auto it = live_.find(key);
    return it == live_.end() ? nullptr : &it->second;
  }

  /// Lists the new activation of `key`.
  entry& add(const Key& key, Handle handle, std::uint64_t generation) {
    forget(key);  // never two entries of one key in the recency order
    auto& [held_key, e] = *live_.try_emplace(key).first;
    e.handle = std::move(handle);
    e.generation = generation;
    recent_.push_front(&held_key);
    e.recency = recent_.begin();
    touch(e);
    ++activations_;
    return e;
  }

  /// The live actor of `from` answers to `to` from now on, under a new generation; null when `from` is not live.
  entry* rename(const Key& from, const Key& to) {
    auto it = live_.find(from);
    if (it == live_.end()) return nullptr;
    auto moved = std::move(it->second);
    recent_.erase(moved.recency);
    live_.erase(it);
    forget(to);
    auto& [held_key, e] = *live_.insert_or_assign(to, std::move(moved)).first;
    recent_.push_front(&held_key);
    e.recency = recent_.begin();
    e.generation = next_generation();
    touch(e);
    return &e;
  }

  /// Takes `key` out of the live set; the caller tells the returned actor to passivate. Until that actor is
  /// down, `stopping(key)` holds.
  std::optional<Handle> stop(const Key& key) {
    auto it = live_.find(key);
    if (it == live_.end()) return std::nullopt;
    auto handle = std::move(it->second.handle);
    recent_.erase(it->second.recency);
    live_.erase(it);
    stopping_by_addr_.emplace(handle.address(), key);
    stopping_.insert(key);
    ++passivations_;
    return handle;
  }

  bool stopping(const Key& key) const { return stopping_.count(key) > 0; }

  /// The keys to passivate now to keep within the cap: the least recently used first.
  std::vector<Key> over_cap() {
    std::vector<Key> out;
    if (cap_ == 0) return out;
    auto it = recent_.rbegin();
    for (std::size_t n = live_.size(); n > cap_ && it != recent_.rend(); --n, ++it) out.push_back(**it);
    evictions_ += out.size();
    return out;
  }

  /// The keys of live actors idle since before `cutoff`, oldest first.
  std::vector<Key> idle_since(std::chrono::steady_clock::time_point cutoff) const {
    std::vector<Key> out;
    for (auto it = recent_.rbegin(); it != recent_.rend() && live_.find(**it)->second.last_active < cutoff; ++it)
      out.push_back(**it);
    return out;
  }

  /// What went down: the key of a passivated actor (now free to load again), or of a live one that crashed
  /// (forgotten; the next message reloads it from storage).
  struct gone {
    Key key;
    bool passivated = false;
  };

  std::optional<gone> down(const caf::actor_addr& who) {
    if (auto it = stopping_by_addr_.find(who); it != stopping_by_addr_.end()) {
      gone g{it->second, true};
      stopping_.erase(it->second);
      stopping_by_addr_.erase(it);
      return g;
    }
    // A crash: rare, hence a linear scan rather than an index kept for every activation.
    for (auto it = live_.begin(); it != live_.end(); ++it) {
      if (it->second.handle.address() != who) continue;
      gone g{it->first, false};
      recent_.erase(it->second.recency);
      live_.erase(it);
      return g;
    }
    return std::nullopt;
  }

  directory_stats stats(std::uint64_t mailbox) const {
    return {live_.size(), activations_, passivations_, mailbox, evictions_, cap_};
  }

  /// A page of at most `limit` live actors whose key sorts after `after`.
  template <class KeyText>
  actor_page page(const std::string& kind, std::int32_t limit, const std::optional<Key>& after,
                  KeyText key_text) const {
    actor_page out;
    auto it = after ? live_.upper_bound(*after) : live_.begin();
    for (; it != live_.end() && static_cast<std::int32_t>(out.actors.size()) < limit; ++it)
      out.actors.push_back({kind, key_text(it->first), it->second.routed, it->second.last_active_unix});
    if (it != live_.end() && !out.actors.empty()) out.next = out.actors.back().key;
    return out;
  }

  /// Tells every live and stopping actor to exit, without a context: sent from the directory, a million exits
  /// would all queue on its own worker, and CAF 0.17's work stealing takes jobs from the tail of that queue in
  /// linear time (stopping 1M live sessions took 9.5 minutes); sent anonymously they spread over the workers.
  void exit_all() {
    for (auto& [key, e] : live_) caf::anon_send_exit(e.handle, caf::exit_reason::user_shutdown);
    live_.clear();
    recent_.clear();
  }

 private:
  /// Drops `key`'s entry, if any, from the live set and the recency order (its actor is not told).
  void forget(const Key& key) {
    auto it = live_.find(key);
    if (it == live_.end()) return;
    recent_.erase(it->second.recency);
    live_.erase(it);
  }

  void touch(entry& e) {
    ++e.routed;
    e.last_active = std::chrono::steady_clock::now();
    e.last_active_unix = domain::now_s();
    recent_.splice(recent_.begin(), recent_, e.recency);
  }

  std::map<Key, entry> live_;
  /// Most recently used first: the keys held by live_ (its nodes stay put until erased, and an entry leaves this
  /// order before it leaves live_), not copies of them: a session id is stored once per live actor.
  std::list<const Key*> recent_;
  std::set<Key> stopping_;
  std::map<caf::actor_addr, Key> stopping_by_addr_;
  std::size_t cap_ = 0;
  std::uint64_t generations_ = 0;
  std::uint64_t activations_ = 0;
  std::uint64_t passivations_ = 0;
  std::uint64_t evictions_ = 0;
};

/// The refusal (404) of a message routed under another key or generation than the actor's own.
inline caf::error misrouted(std::string what) { return make_domain_error(domain::error_code::not_found, std::move(what)); }

/// What every directory answers besides its own messages: its statistics, a page of its live actors, the live
/// actor of a key's own view of itself (404 when it is not active), and the tick of its idle sweep.
template <class Key, class Vitals>
using directory_interface = caf::typed_actor<
  caf::replies_to<caf::get_atom, atoms::stats_atom>::with<directory_stats>,
  // limit, after (cursor) -> a page of live actors
  caf::replies_to<caf::get_atom, atoms::actors_atom, std::int32_t, std::string>::with<actor_page>,
  typename caf::replies_to<caf::get_atom, atoms::vitals_atom, Key>::template with<Vitals>,
  caf::reacts_to<caf::tick_atom>>;

/// The state of a directory of actors of type `Handle` by `Key`: its live actors, and the requests (`Waiter`)
/// waiting, by `WaitKey`, for an actor to be loaded, or for the passivated actor of that key to be down first (so
/// that two activations of one key never overlap). A directory's own state derives from it and defines
/// - `void stopped(const Key&)`: bookkeeping once the actor of a key is passivated;
/// - `std::optional<WaitKey> down(const typename live_actors<Key, Handle>::gone&)`: bookkeeping once an actor is
///   down, and the key whose waiting requests must now be loaded, if any;
/// - `static std::string key_text(const Key&)`, `static std::optional<Key> key_of(const std::string&)`: keys as
///   the admin listing shows and pages them, and `static std::string logged(const Key&)` as logs show them;
/// - `static std::string not_active(const Key&)`: the detail of the 404 for the view of an actor not active;
/// - `static inline const char* kind`, and the `log` it writes to.
template <class Key, class Handle, class Waiter, class WaitKey = Key>
struct directory_state {
  using key_type = Key;
  using gone = typename live_actors<Key, Handle>::gone;

  live_actors<Key, Handle> live;
  std::unordered_map<WaitKey, std::vector<Waiter>> waiting;
  std::chrono::seconds idle{600};
  std::shared_ptr<spdlog::logger> log;

  /// Queues `w` for `key`: true when it is the first, and the caller starts loading (unless the key's actor is
  /// still stopping: the down handler loads it then).
  bool wait(const WaitKey& key, Waiter w) {
    auto [queue, first] = waiting.try_emplace(key);
    queue->second.push_back(std::move(w));
    return first;
  }

  /// The requests waiting for `key`, taken out of the queue.
  std::vector<Waiter> take(const WaitKey& key) {
    auto it = waiting.find(key);
    if (it == waiting.end()) return {};
    auto out = std::move(it->second);
    waiting.erase(it);
    return out;
  }
};

/// Passivates the live actor of `key`, if any: out of the live set now, told to exit; the state's `stopped` runs.
template <class Self, class Key>
void passivate(Self* self, const Key& key) {
  auto handle = self->state.live.stop(key);
  if (!handle) return;
  self->send(*handle, atoms::passivate_atom_v);
  self->state.stopped(key);
}

/// This node rejoined its cluster under `generation` (docs/CLUSTER.md): every lease it held is void, and every live
/// actor passivates.
template <class Self>
void passivate_on_rejoin(Self* self, std::int64_t generation) {
  auto& st = self->state;
  auto live = st.live.idle_since(std::chrono::steady_clock::time_point::max());
  st.log->warn("event={}s_passivated_on_rejoin generation={} actors={}", st.kind, generation, live.size());
  for (const auto& key : live) passivate(self, key);
}

/// Lists the new activation `handle` of `key`, and passivates the least recently used actors beyond the cap.
template <class Self, class Key, class Handle>
void admit(Self* self, const Key& key, Handle handle, std::uint64_t generation) {
  self->state.live.add(key, std::move(handle), generation);
  for (const auto& evicted : self->state.live.over_cap()) passivate(self, evicted);
}

/// The period of the idle sweep: a quarter of the idle time, so an idle actor lives at most 1.25 times it.
inline std::chrono::seconds sweep_period(std::chrono::seconds idle) { return idle / 4 + std::chrono::seconds(1); }

/// Starts a directory: its cap and idle time, the first sweep, and what happens when an actor goes down (a
/// passivated one frees its key; a crashed one is forgotten, and the next request reloads it from storage) or when
/// the directory is told to exit (its live actors go with it). `load(wait_key)` starts loading a key that requests
/// wait for.
template <class Self, class Load>
void start_directory(Self* self, std::size_t cap, std::chrono::seconds idle, Load load) {
  auto& st = self->state;
  st.live.set_cap(cap);
  st.idle = idle;
  self->delayed_send(self, sweep_period(idle), caf::tick_atom_v);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.live.exit_all();
    self->quit(msg.reason);
  });
  self->set_down_handler([self, load](caf::down_msg& down) {
    auto& st = self->state;
    auto gone = st.live.down(down.source);
    if (!gone) return;
    if (!gone->passivated)
      st.log->error("event={}_crashed {}={} reason=\"{}\"", st.kind, st.kind, st.logged(gone->key),
                    caf::to_string(down.reason));
    if (auto next = st.down(*gone)) load(*next);
  });
}

/// The behaviour of a directory: its own handlers `own...`, then those of `directory_interface`.
template <class Vitals, class Self, class... Own>
typename Self::behavior_type directory_behavior(Self* self, Own... own) {
  using state_type = std::decay_t<decltype(self->state)>;
  return {
    std::move(own)...,
    [self](caf::get_atom, atoms::stats_atom) { return self->state.live.stats(self->mailbox().size()); },
    [self](caf::get_atom, atoms::actors_atom, std::int32_t limit, const std::string& after) {
      auto cursor = after.empty() ? std::nullopt : state_type::key_of(after);
      return self->state.live.page(state_type::kind, limit, cursor, &state_type::key_text);
    },
    [self](caf::get_atom, atoms::vitals_atom, const typename state_type::key_type& key) -> caf::result<Vitals> {
      const auto* live = self->state.live.peek(key);
      if (!live) return make_domain_error(domain::error_code::not_found, state_type::not_active(key));
      return self->delegate(live->handle, caf::get_atom_v, atoms::vitals_atom_v);
    },
    [self](caf::tick_atom) {
      auto& st = self->state;
      for (const auto& key : st.live.idle_since(std::chrono::steady_clock::now() - st.idle)) passivate(self, key);
      self->delayed_send(self, sweep_period(st.idle), caf::tick_atom_v);
    },
  };
}

}  // namespace boutique::actors
