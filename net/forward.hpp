#pragma once

// The cluster's front (docs/CLUSTER.md): a request whose actor lives on another node (a response carrying
// owner_header, net/problem.hpp) is forwarded once to that node over internal HTTP, and the owner's answer is the
// client's. A request that was itself forwarded is never forwarded again (loop guard): it gets the 503 "retry".

#include "net/http_types.hpp"

#include <boost/describe/class.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace boutique::net {

/// The header a forwarded request carries: the id of the node that forwarded it.
inline constexpr std::string_view forwarded_header = "X-Boutique-Forwarded";

struct forward_options {
  std::string node_id;  ///< this node, named in forwarded_header
  std::chrono::milliseconds timeout{5000};  ///< connect, send and answer, in all
  std::size_t max_in_flight = 256;          ///< beyond, a request to forward gets 503
  std::size_t response_limit = 64 << 20;    ///< largest answer taken from the owner
};

struct forward_counters {
  std::uint64_t forwarded = 0;         ///< requests sent to their owner (each try)
  std::uint64_t forward_failures = 0;  ///< owners that did not answer, or could not be reached in time (503)
  std::uint64_t forward_refused = 0;   ///< not forwarded: too many in flight
  std::uint64_t forward_loops = 0;     ///< forwarded requests that found their actor elsewhere again (not forwarded twice)
};
BOOST_DESCRIBE_STRUCT(forward_counters, (), (forwarded, forward_failures, forward_refused, forward_loops))

/// `inner` for the management listener, which forwards nothing: an answer naming an owner node says, for staff, which
/// node's management listener to ask (a staff action on a bill whose checkout is live there), and the header goes.
request_handler naming_the_owner(request_handler inner);

/// Forwards requests on a thread of its own; safe to use from any thread.
class forwarder {
 public:
  explicit forwarder(forward_options options);
  ~forwarder();
  forwarder(const forwarder&) = delete;
  forwarder& operator=(const forwarder&) = delete;

  /// `inner`, whose answers naming an owner node are replaced by that node's answer to the same request.
  request_handler wrap(request_handler inner);
  forward_counters counters() const;
  /// Ends the thread (after the listener stopped: exchanges still in flight are dropped). Idempotent.
  void stop();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace boutique::net
