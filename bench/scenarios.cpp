#include "scenarios.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

namespace bench {

namespace asio = boost::asio;
using verb = boost::beast::http::verb;

namespace {

std::atomic<bool> stop_asked{false};
static_assert(std::atomic<bool>::is_always_lock_free, "request_stop is called from a signal handler");

constexpr auto first_reconnect_delay = std::chrono::milliseconds(10);
constexpr auto longest_reconnect_delay = std::chrono::milliseconds(500);
constexpr auto reconnect_budget = std::chrono::seconds(30);

std::uint64_t micros_since(clock_type::time_point t0) {
  return static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - t0).count());
}

bool before_deadline(const worker& w) { return clock_type::now() < w.shared->deadline && !w.shared->service_gone; }

}  // namespace

std::string lowercase(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

asio::awaitable<step_result> call(worker& w, connection& c, step s, verb method, const std::string& target,
                                  std::string body, int expected, const header_list& headers) {
  auto t0 = clock_type::now();
  auto r = co_await c.send(method, target, std::move(body), headers);
  w.note_request(s, micros_since(t0));
  std::string name = step_names[static_cast<std::size_t>(s)];
  step_result out;
  out.status = r.status;
  if (r.status == 0) w.note_error(name + ": connection " + r.failure);
  else if (r.status != expected) w.note_error(name + ": status " + std::to_string(r.status));
  else out.body = std::move(r.body);
  co_return out;
}

asio::awaitable<bool> reconnect(worker& w, connection& c) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto give_up_at = clock_type::now() + reconnect_budget;
  auto delay = std::chrono::duration<double, std::milli>(first_reconnect_delay);
  while (before_deadline(w) && clock_type::now() < give_up_at) {
    timer.expires_after(std::chrono::duration_cast<clock_type::duration>(
      delay * std::uniform_real_distribution<double>(0.5, 1.5)(w.rng)));
    co_await timer.async_wait(asio::use_awaitable);
    if ((co_await c.open()).empty()) {
      ++w.stats.resume.reconnects;
      co_return true;
    }
    delay = std::min(delay * 2, std::chrono::duration<double, std::milli>(longest_reconnect_delay));
  }
  if (clock_type::now() >= give_up_at && !w.shared->service_gone.exchange(true))
    std::cerr << "boutique-load: the service did not come back within " << reconnect_budget.count()
              << " s; stopping\n";
  co_return false;
}

bool may_start(const worker& w) { return before_deadline(w) && !stop_asked; }

void request_stop() { stop_asked = true; }

std::string bench_email(const char* kind, const std::string& id, const std::string& run_tag) {
  // Built by appending: GCC 12 warns wrongly on chains of +.
  std::string email = kind;
  email.append(id).append("-").append(run_tag).append("@bench.example");
  return email;
}

std::string contact_body(const std::string& email) {
  return R"({"firstname":"Ada","lastname":"Lovelace","email":")" + email +
         R"(","organisation":"Bench Ltd","city":"Lyon","zip":"69001","country":"fr"})";
}

std::optional<std::uint64_t> claim(worker& w, std::uint64_t limit) {
  auto i = w.shared->live.started.fetch_add(1);
  if (i >= limit) return std::nullopt;
  return i;
}

std::size_t worker::second_now() const {
  return static_cast<std::size_t>(micros_since(shared->start) / 1000000);
}

void worker::note_request(step s, std::uint64_t micros) {
  stats.latency[static_cast<std::size_t>(s)].record(micros);
  stats.latency[static_cast<std::size_t>(step::request)].record(micros);
  ++stats.requests;
  auto& second = stats.at_second(second_now());
  ++second.requests;
  second.request_latency.record(micros);
  shared->live.requests.fetch_add(1, std::memory_order_relaxed);
}

void worker::note_error(const std::string& kind) {
  ++stats.errors[kind];
  shared->live.errors.fetch_add(1, std::memory_order_relaxed);
}

void worker::note_checkout(std::uint64_t micros) {
  stats.latency[static_cast<std::size_t>(step::checkout)].record(micros);
  note_done();
}

void worker::note_done() {
  ++stats.checkouts;
  ++stats.at_second(second_now()).checkouts;
  shared->live.checkouts.fetch_add(1, std::memory_order_relaxed);
}

asio::awaitable<void> checkout_customer(worker& w) {
  connection c(co_await asio::this_coro::executor, w.opts().port);
  while (may_start(w)) {
    if (w.opts().checkouts && !claim(w, w.opts().checkouts)) break;
    auto t0 = clock_type::now();
    if (co_await run_checkout(w, c)) w.note_checkout(micros_since(t0));
  }
}

asio::awaitable<void> ceiling_customer(worker& w) {
  connection c(co_await asio::this_coro::executor, w.opts().port);
  while (may_start(w)) {
    auto r = co_await call(w, c, step::catalog, verb::get, "/api/v1/catalog", "", 200);
    if (r.connection_lost() && !co_await reconnect(w, c)) break;
  }
}

asio::awaitable<void> session_creator(worker& w) {
  connection c(co_await asio::this_coro::executor, w.opts().port);
  while (may_start(w) && claim(w, w.opts().count)) {
    auto r = co_await call(w, c, step::session, verb::post, "/api/v1/sessions", "", 201);
    if (r) w.note_done();
    else if (r.connection_lost() && !co_await reconnect(w, c)) break;
  }
}

asio::awaitable<void> account_creator(worker& w) {
  connection c(co_await asio::this_coro::executor, w.opts().port);
  while (auto i = claim(w, w.opts().count)) {
    auto created = co_await call(w, c, step::session, verb::post, "/api/v1/sessions", "", 201);
    if (created.connection_lost() && !co_await reconnect(w, c)) break;
    if (!created) continue;
    auto sid = json_string(*created, "session_id");
    auto email = bench_email("a", std::to_string(*i), w.shared->run_tag);
    auto deposited =
      co_await call(w, c, step::contact, verb::put, "/api/v1/sessions/" + sid + "/contact", contact_body(email), 200);
    if (deposited) {
      w.shared->account_sessions[*i] = sid;
      w.note_done();
    } else if (deposited.connection_lost() && !co_await reconnect(w, c)) {
      break;
    }
  }
}

asio::awaitable<void> account_redepositor(worker& w) {
  connection c(co_await asio::this_coro::executor, w.opts().port);
  while (auto i = claim(w, w.opts().count)) {
    const auto& sid = w.shared->account_sessions[*i];
    if (sid.empty()) continue;
    auto email = bench_email("a", std::to_string(*i), w.shared->run_tag);
    auto r =
      co_await call(w, c, step::deposit, verb::put, "/api/v1/sessions/" + sid + "/contact", contact_body(email), 200);
    if (r) w.note_done();
    else if (r.connection_lost() && !co_await reconnect(w, c)) break;
  }
}

asio::awaitable<void> login_user_buyer(worker& w) {
  connection c(co_await asio::this_coro::executor, w.opts().port);
  auto& users = w.shared->login_users;
  while (auto i = claim(w, users.size())) {
    if (co_await run_checkout(w, c, users[*i].email)) w.note_done();
  }
}

asio::awaitable<void> password_setter(worker& w) {
  connection c(co_await asio::this_coro::executor, w.opts().port);
  auto& users = w.shared->login_users;
  while (auto i = claim(w, users.size())) {
    auto& user = users[*i];
    if (user.token.empty()) continue;
    auto body = R"({"token":")" + user.token + R"(","password":")" + user.password + "\"}";
    auto r = co_await call(w, c, step::password, verb::post, "/api/v1/auth/password", body, 200);
    // Once more after a lost connection (a used token then answers 404: that user is left out).
    if (r.connection_lost() && co_await reconnect(w, c))
      r = co_await call(w, c, step::password, verb::post, "/api/v1/auth/password", body, 200);
    if (r) {
      user.ready = true;
      w.note_done();
    }
  }
}

namespace {

/// Prints `[phase] elapsed, done, done/s, requests/s, errors` every second until `finished`.
void progress_loop(shared_context& shared, const std::string& phase, std::mutex& m, std::condition_variable& cv,
                   const bool& finished) {
  std::unique_lock lock(m);
  std::uint64_t last_done = 0, last_requests = 0;
  for (int tick = 1;; ++tick) {
    if (cv.wait_until(lock, shared.start + std::chrono::seconds(tick), [&] { return finished; })) return;
    auto done = shared.live.checkouts.load(), requests = shared.live.requests.load();
    std::cerr << "[" << phase << "] " << tick << " s  done " << done << " (" << (done - last_done) << "/s)  requests "
              << requests << " (" << (requests - last_requests) << "/s)  errors " << shared.live.errors.load() << "\n";
    last_done = done;
    last_requests = requests;
  }
}

}  // namespace

worker_stats run_customers(shared_context& shared, const customer_body& body, const std::string& phase) {
  const auto& opts = *shared.opts;
  int threads = std::max(1, opts.threads);
  std::vector<worker> workers(static_cast<std::size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    auto& w = workers[static_cast<std::size_t>(t)];
    w.index = t;
    w.shared = &shared;
    w.rng.seed(opts.seed + static_cast<std::uint64_t>(t) * 7919 + 1);
    int mine = opts.customers / threads + (t < opts.customers % threads ? 1 : 0);
    pool.emplace_back([&w, mine, &body] {
      asio::io_context io(1);
      for (int i = 0; i < mine; ++i) asio::co_spawn(io, body(w), asio::detached);
      io.run();
    });
  }
  std::mutex m;
  std::condition_variable cv;
  bool finished = false;
  std::thread progress([&] { progress_loop(shared, phase, m, cv, finished); });
  for (auto& t : pool) t.join();
  {
    std::lock_guard lock(m);
    finished = true;
  }
  cv.notify_one();
  progress.join();
  for (std::size_t t = 1; t < workers.size(); ++t) workers[0].stats.merge(workers[t].stats);
  return std::move(workers[0].stats);
}

void worker_stats::merge(worker_stats& other) {
  for (std::size_t i = 0; i < step_count; ++i) latency[i].merge(other.latency[i]);
  for (const auto& [kind, n] : other.errors) errors[kind] += n;
  requests += other.requests;
  checkouts += other.checkouts;
  if (seconds.size() < other.seconds.size()) seconds.resize(other.seconds.size());
  for (std::size_t s = 0; s < other.seconds.size(); ++s) {
    seconds[s].checkouts += other.seconds[s].checkouts;
    seconds[s].requests += other.seconds[s].requests;
    seconds[s].request_latency.merge(other.seconds[s].request_latency);
  }
  acks.insert(acks.end(), std::make_move_iterator(other.acks.begin()), std::make_move_iterator(other.acks.end()));
  resume.merge(other.resume);
}

void resume_counts::merge(const resume_counts& other) {
  interrupted += other.interrupted;
  resumed += other.resumed;
  completed_after_resume += other.completed_after_resume;
  lost += other.lost;
  inconsistent += other.inconsistent;
  login_lost += other.login_lost;
  abandoned += other.abandoned;
  reconnects += other.reconnects;
  for (const auto& e : other.examples)
    if (examples.size() < 10) examples.push_back(e);
}

}  // namespace bench
