#pragma once

// Shared vocabulary of the load generator: options, steps, per-thread statistics and acknowledged checkouts.

#include "histogram.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bench {

using clock_type = std::chrono::steady_clock;

enum class run_mode { checkout, ceiling, sessions, accounts };

struct options {
  run_mode mode = run_mode::checkout;
  int port = 8080;                  // public HTTP port on 127.0.0.1
  int admin_port = 0;               // management port (accounts mode: waits for passivation)
  std::string admin_token;          // bearer token (BOUTIQUE_ADMIN_TOKEN by default)
  int customers = 32;               // concurrent virtual customers, one keep-alive connection each
  int threads = 1;                  // client threads (one io_context each)
  double duration_s = -1;           // checkout/ceiling: run this long (default 10 s unless --checkouts) ...
  std::uint64_t checkouts = 0;      // ... or stop after this many checkouts (0: no limit)
  std::uint64_t count = 10000;      // sessions/accounts modes: how many to create
  double returning_share = 0.2;     // share of checkouts reusing an email that already bought
  double notify_share = 0.3;        // share of checkouts paid by a signed notification instead of /pay
  double replay_share = 0.1;        // share of notifications delivered twice
  std::string secret = "change-me-in-production";  // payment notification secret (BOUTIQUE_PAYMENT_SECRET)
  double passivation_wait_s = 120;  // accounts mode: longest wait for the account actors to passivate
  std::string json_out, svg_out, verify_db, label;
  std::uint64_t seed = 0;
};

enum class step : std::size_t { session, cart, contact, order, pay, notify, replay, catalog, deposit, request, checkout };
constexpr std::size_t step_count = 11;
constexpr std::array<const char*, step_count> step_names = {"session", "cart",    "contact", "order",
                                                            "pay",     "notify",  "replay",  "catalog",
                                                            "deposit", "request", "checkout"};

/// A checkout the generator saw acknowledged: 200 COMPLETE on pay or notify.
struct acknowledged {
  std::string transid;
  std::string email_norm;
  std::int64_t units = 0;
};

/// One second of the run, for the plot.
struct second_stats {
  std::uint64_t checkouts = 0;
  std::uint64_t requests = 0;
  histogram request_latency;
};

/// Counters read by the progress line while the workers run.
struct live_counters {
  std::atomic<std::uint64_t> checkouts{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> started{0};  // checkouts started, or items claimed in sessions/accounts modes
};

/// What one client thread measured; merged at the end.
struct worker_stats {
  std::array<histogram, step_count> latency;
  std::map<std::string, std::uint64_t> errors;
  std::uint64_t requests = 0;
  std::uint64_t checkouts = 0;
  std::vector<second_stats> seconds;
  std::vector<acknowledged> acks;

  void merge(worker_stats& other);
  second_stats& at_second(std::size_t s) {
    if (seconds.size() <= s) seconds.resize(s + 1);
    return seconds[s];
  }
};

/// The outcome of the database check of acknowledged checkouts.
struct verification {
  bool ran = false;
  bool pass = false;
  std::uint64_t acknowledged = 0, found_complete = 0, missing = 0, not_complete = 0, wrong_units = 0,
                wrong_customer = 0, emails = 0, emails_not_once = 0;
  std::uint64_t duplicate_customers = 0, duplicate_bills = 0, duplicate_products = 0, duplicate_notifications = 0,
                complete_bills_with_wrong_products = 0;
  std::uint64_t customers_total = 0, bills_total = 0, products_total = 0;
  std::vector<std::string> examples;  // first few failures, for the report
};

/// Everything the report needs.
struct run_result {
  options opts;
  double elapsed_s = 0;
  worker_stats stats;
  verification check;
  std::map<std::string, double> extra;  // mode-specific figures (accounts mode phases)
};

verification verify_database(const std::string& path, const std::vector<acknowledged>& acks);

void print_table(const run_result& r);
void write_json(const run_result& r, const std::string& path);
void write_svg(const run_result& r, const std::string& path);

}  // namespace bench
