#pragma once

#include "actors/messages.hpp"

#include <ctime>
#include <map>

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

}  // namespace boutique::actors
