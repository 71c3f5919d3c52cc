#pragma once

// The virtual customers: what each one does on its own connection, and the engine running them on 1..n threads.

#include "loadgen.hpp"

#include <functional>
#include <random>

#include <boost/asio/awaitable.hpp>

namespace bench {

/// What all threads share during one phase (read-only except the atomics and per-index slots).
struct shared_context {
  const options* opts = nullptr;
  live_counters live;
  clock_type::time_point start, deadline;
  std::vector<std::string> catalog_codes;
  std::string run_tag;                   // makes this run's emails unique
  std::vector<std::string> account_sessions;  // accounts mode: session id per account index
};

/// One client thread: its statistics, random source and pool of returning emails.
struct worker {
  int index = 0;
  shared_context* shared = nullptr;
  worker_stats stats;
  std::mt19937_64 rng;
  std::vector<std::string> returning_pool;
  std::uint64_t emails_made = 0;

  const options& opts() const { return *shared->opts; }
  bool chance(double share) { return std::uniform_real_distribution<double>(0, 1)(rng) < share; }
  std::size_t second_now() const;
  void note_request(step s, std::uint64_t micros);
  void note_error(const std::string& kind);
  void note_checkout(std::uint64_t micros);
  /// Counts one finished item (a checkout, or a session/account in the other modes).
  void note_done();
};

using customer_body = std::function<boost::asio::awaitable<void>(worker&)>;

boost::asio::awaitable<void> checkout_customer(worker& w);
boost::asio::awaitable<void> ceiling_customer(worker& w);
boost::asio::awaitable<void> session_creator(worker& w);
boost::asio::awaitable<void> account_creator(worker& w);
boost::asio::awaitable<void> account_redepositor(worker& w);

/// Runs opts.customers customers (split over opts.threads threads) until they all return, printing a progress line
/// on stderr every second. Returns the merged statistics.
worker_stats run_customers(shared_context& shared, const customer_body& body, const std::string& phase);

}  // namespace bench
