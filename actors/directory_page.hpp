#pragma once

#include "actors/messages.hpp"

#include <caf/actor_addr.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include <ctime>
#include <map>
#include <optional>

namespace boutique::actors {

/// Bookkeeping a directory keeps of one live actor.
template <class Handle>
struct live_entry {
  Handle handle;
  std::uint64_t routed = 0;
  std::int64_t last_active_unix = 0;
  std::chrono::steady_clock::time_point last_active;

  void touch() {
    ++routed;
    last_active = std::chrono::steady_clock::now();
    last_active_unix = static_cast<std::int64_t>(std::time(nullptr));
  }
};

/// A page of at most `limit` live actors of `kind` whose key sorts after `after`.
template <class Key, class Handle, class KeyText>
actor_page page_of(const std::map<Key, live_entry<Handle>>& live, const std::string& kind, std::int32_t limit,
                   const std::optional<Key>& after, KeyText key_text) {
  actor_page page;
  auto it = after ? live.upper_bound(*after) : live.begin();
  for (; it != live.end() && static_cast<std::int32_t>(page.actors.size()) < limit; ++it)
    page.actors.push_back({kind, key_text(it->first), it->second.routed, it->second.last_active_unix});
  if (it != live.end() && !page.actors.empty()) page.next = page.actors.back().key;
  return page;
}

/// When a directory is told to exit, its live actors go with it (what a link did, in one direction only).
/// anon_send_exit, not send_exit: sent from the directory, a million exits would all be queued on its own worker,
/// and CAF 0.17's work stealing takes jobs from the tail of that queue in linear time (stopping 1M live sessions
/// took 9.5 minutes); sent without a context they are spread over the workers (seconds).
template <class Self>
void stop_live_actors_on_exit(Self* self) {
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [key, entry] : self->state.live) caf::anon_send_exit(entry.handle, caf::exit_reason::user_shutdown);
    self->state.live.clear();
    self->quit(msg.reason);
  });
}

/// The key of the live actor at address `who`, if it is still listed. A linear scan: directories monitor their
/// actors and call this only for one that died abnormally (a crash), which is rare.
template <class Key, class Handle>
std::optional<Key> key_of(const std::map<Key, live_entry<Handle>>& live, const caf::actor_addr& who) {
  for (const auto& [key, entry] : live)
    if (entry.handle.address() == who) return key;
  return std::nullopt;
}

}  // namespace boutique::actors
