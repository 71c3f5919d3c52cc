#pragma once

#include "storage/reader.hpp"
#include "storage/storage_actor.hpp"

#include <caf/fwd.hpp>

#include <chrono>

namespace boutique::net {

/// The actors the HTTP routes talk to, and how long they wait for an answer.
struct backend {
  caf::actor_system& sys;
  storage::storage_actor storage;
  storage::reader_actor readers;
  std::chrono::milliseconds timeout{10000};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace boutique::net
