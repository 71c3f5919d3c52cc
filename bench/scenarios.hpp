#pragma once

// The virtual customers: what each one does on its own connection, and the engine running them on 1..n threads.

#include "client.hpp"
#include "loadgen.hpp"

#include <atomic>
#include <functional>
#include <random>

#include <boost/asio/awaitable.hpp>

namespace bench {

/// A user with a password, for the login share of the checkouts.
struct login_user {
  std::string email;
  std::string password;
  std::string token;  // setup: the password-set token mailed to them
  bool ready = false;  // setup: the password is set
};

/// What all threads share during one phase (read-only except the atomics and per-index slots).
struct shared_context {
  const options* opts = nullptr;
  live_counters live;
  clock_type::time_point start, deadline;
  std::vector<std::string> catalog_codes;
  std::string run_tag;                   // makes this run's emails unique
  std::vector<std::string> account_sessions;  // accounts mode: session id per account index
  std::vector<login_user> login_users;   // the login share logs in as these (setup: one slot per index)
  std::atomic<bool> service_gone{false};  // a customer gave up reconnecting: everybody stops
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

/// The answer to one request of a step.
struct step_result {
  int status = 0;                   // 0: the connection failed (connect, write or read): the service may be gone
  std::optional<std::string> body;  // the answer's body when its status was the expected one

  bool connection_lost() const { return status == 0; }
  explicit operator bool() const { return body.has_value(); }
  const std::string& operator*() const { return *body; }
};

/// One request of a step: records its latency, and an error ("<step>: connection ..." or "<step>: status N")
/// unless the answer has the expected status.
boost::asio::awaitable<step_result> call(worker& w, connection& c, step s, boost::beast::http::verb method,
                                         const std::string& target, std::string body, int expected,
                                         const header_list& headers = {});

/// After a lost connection: reconnects with a growing, jittered delay (10 ms doubling up to 500 ms), at most
/// about 30 s and never past the run's deadline. False when it gave up; then every customer stops.
boost::asio::awaitable<bool> reconnect(worker& w, connection& c);

/// True while a customer may start something new: before the deadline, no stop asked, the service not gone.
bool may_start(const worker& w);
/// Asks every customer to stop after what it is doing (SIGINT, SIGTERM): safe in a signal handler.
void request_stop();

/// `<kind><id>-<run tag>@bench.example`: unique per run.
std::string bench_email(const char* kind, const std::string& id, const std::string& run_tag);
std::string contact_body(const std::string& email);
std::string lowercase(std::string s);
/// Claims the next item index below `limit`, or nothing when all are claimed.
std::optional<std::uint64_t> claim(worker& w, std::uint64_t limit);

/// One checkout from a new session to its acknowledged payment, resuming the same session after a lost
/// connection (checkout.cpp). `email` forces the buyer (setup), else the mix decides. True when acknowledged.
boost::asio::awaitable<bool> run_checkout(worker& w, connection& c, const std::string& email = {});

using customer_body = std::function<boost::asio::awaitable<void>(worker&)>;

boost::asio::awaitable<void> checkout_customer(worker& w);
boost::asio::awaitable<void> ceiling_customer(worker& w);
boost::asio::awaitable<void> session_creator(worker& w);
boost::asio::awaitable<void> account_creator(worker& w);
boost::asio::awaitable<void> account_redepositor(worker& w);
/// Login setup: buys once for each login user (a user without password is created and mailed a link) ...
boost::asio::awaitable<void> login_user_buyer(worker& w);
/// ... then sets each password from the token read in the mail.
boost::asio::awaitable<void> password_setter(worker& w);

/// Runs opts.customers customers (split over opts.threads threads) until they all return, printing a progress line
/// on stderr every second. Returns the merged statistics.
worker_stats run_customers(shared_context& shared, const customer_body& body, const std::string& phase);

}  // namespace bench
