#pragma once

// The bridge from the HTTP threads to the actors: a handler sends one typed request and gets its reply (or
// error) in a callback, without ever blocking an Asio thread. Include only from CAF translation units.

#include "actors/messages.hpp"
#include "net/problem.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include <chrono>

namespace boutique::net {

/// Sends `xs...` to `dest` as a request from a short-lived actor; `on_reply` gets the typed reply,
/// `on_error` a caf::error (including a timeout after `timeout`). Both run on an actor thread.
template <class Handle, class OnReply, class OnError, class... Ts>
void ask(caf::actor_system& sys, std::chrono::milliseconds timeout, const Handle& dest, OnReply on_reply,
         OnError on_error, Ts... xs) {
  sys.spawn(
    [dest, timeout, on_reply = std::move(on_reply), on_error = std::move(on_error),
     ... xs = std::move(xs)](caf::event_based_actor* self) mutable {
      self->request(dest, timeout, std::move(xs)...).then(std::move(on_reply), std::move(on_error));
    });
}

/// The problem response for an error coming back from an actor.
inline http_response problem_from(const caf::error& err) {
  return problem_for(domain_code(err), error_detail(err));
}

}  // namespace boutique::net
