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

enum class run_mode { checkout, ceiling, sessions, accounts, verify };

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
  double login_share = 0;           // share of checkouts logging in with a password at the contact step
  int login_users = 16;             // users with a password prepared for the login share
  std::string mail_dir;             // the service's mail folder (.eml files): password-set links for those users
  std::string login_pool;           // file of prepared users: read when it exists, written otherwise
  std::string secret = "change-me-in-production";  // payment notification secret (BOUTIQUE_PAYMENT_SECRET)
  double passivation_wait_s = 120;  // accounts mode: longest wait for the account actors to passivate
  std::string json_out, svg_out, verify_db, ack_log, label;
  std::uint64_t seed = 0;
};

enum class step : std::size_t {
  session, cart, login, prefill, contact, order, pay, notify, replay, resume, catalog, deposit, password, request,
  checkout
};
constexpr std::size_t step_count = 15;
constexpr std::array<const char*, step_count> step_names = {
  "session", "cart",   "login",  "prefill", "contact", "order",    "pay",     "notify",
  "replay",  "resume", "catalog", "deposit", "password", "request", "checkout"};

/// A checkout the generator saw acknowledged: 200 COMPLETE on pay or notify (and on its replay).
struct acknowledged {
  std::string transid;
  std::string email_norm;
  std::int64_t units = 0;
  std::string sid;                 // the session that placed it (its last id, after a login)
  std::string paid_by;             // "pay" or "notify"
  std::vector<std::string> steps;  // the steps acknowledged, in order; "resume:<stage>" where it resumed
  int resumes = 0;
};

/// Checkouts interrupted by a lost connection (the service died), and what became of them after reconnecting.
struct resume_counts {
  std::uint64_t interrupted = 0;             // lost connection while the session id was known
  std::uint64_t resumed = 0;                 // read back consistent with the last acknowledged step, carried on
  std::uint64_t completed_after_resume = 0;  // checkouts acknowledged COMPLETE after at least one resume
  std::uint64_t lost = 0;                    // the session is gone (404) although it was acknowledged
  std::uint64_t inconsistent = 0;            // the session holds less than was acknowledged (or is unreadable)
  std::uint64_t login_lost = 0;              // the login answer was lost: the session may have a new id
  std::uint64_t abandoned = 0;               // the service did not come back before the run's end
  std::uint64_t reconnects = 0;              // connections reopened after a loss
  std::vector<std::string> examples;         // first few lost or inconsistent sessions

  std::uint64_t failures() const { return lost + inconsistent; }
  void merge(const resume_counts& other);
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
  resume_counts resume;

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
                wrong_customer = 0, not_attached = 0, emails = 0, emails_not_once = 0;
  std::uint64_t duplicate_customers = 0, duplicate_bills = 0, duplicate_products = 0, duplicate_notifications = 0,
                complete_bills_with_wrong_products = 0, complete_bills_unattached = 0,
                incomplete_bills_with_products = 0, bills_completed_twice = 0, sessions_with_two_bills = 0;
  bool sessions_read = false;  // the acknowledged sessions were read back through the API
  std::uint64_t sessions_completed = 0, sessions_not_completed = 0;
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
/// Reads every acknowledged session back through the API (127.0.0.1:port): completed, same transid, COMPLETE.
void verify_sessions(int port, const std::vector<acknowledged>& acks, verification& v);

/// The acknowledged checkouts as JSON lines, one a line (false, and a message, when the file cannot be written);
/// and back (throws when the file cannot be read or parsed).
bool write_ack_log(const std::vector<acknowledged>& acks, const std::string& path);
std::vector<acknowledged> read_ack_log(const std::string& path);

void print_table(const run_result& r);
void write_json(const run_result& r, const std::string& path);
void write_svg(const run_result& r, const std::string& path);

}  // namespace bench
