#pragma once

// The bridge from the HTTP threads to the actors: a handler runs a short "flow" inside a short-lived actor,
// which sends typed requests and answers through the responder, without ever blocking an Asio thread.
// Include only from CAF translation units.

#include "actors/messages.hpp"
#include "net/problem.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

namespace boutique::net {

/// A flow knows the deadline of the request it serves.
struct flow_state {
  deadline due;
};

using flow_self = caf::stateful_actor<flow_state>*;

/// The deadline every message of the flow carries.
inline deadline due(flow_self self) { return self->state.due; }
/// How long the flow waits for an answer (domain/deadline.hpp: what is left of the deadline, plus the grace for
/// work begun in time).
inline std::chrono::milliseconds patience(flow_self self) { return self->state.due.patience(); }

/// Runs `flow(self)` in a new short-lived actor serving a request whose deadline is `due`; it lives until its last
/// pending request is answered. An exception escaping the flow answers a 500 (the responder ignores any later
/// answer).
template <class Flow>
void run_flow(caf::actor_system& sys, deadline due, const responder& respond, Flow flow) {
  sys.spawn([due, respond, flow = std::move(flow)](flow_self self) mutable {
    self->state.due = due;
    self->set_exception_handler([respond](caf::scheduled_actor*, std::exception_ptr& error) -> caf::error {
      std::string what = "unexpected failure";
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      respond(problem_for(domain::error_code::internal, "internal error: " + what));
      return caf::exit_reason::unhandled_exception;
    });
    flow(self);
  });
}

/// The problem response for an error coming back from an actor (field errors included).
inline http_response problem_from(const caf::error& err) {
  auto response = problem_for(domain_code(err), error_detail(err), in_english(error_fields(err)));
  if (auto wait = error_retry_after(err); wait > 0) response.headers.emplace_back("Retry-After", std::to_string(wait));
  return response;
}

/// An error handler answering the problem response for an actor's error.
inline auto fail_with(const responder& respond) {
  return [respond](caf::error& err) { respond(problem_from(err)); };
}

}  // namespace boutique::net
