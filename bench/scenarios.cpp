#include "scenarios.hpp"

#include "client.hpp"
#include "domain/signature.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/verb.hpp>

#include <condition_variable>
#include <ctime>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

namespace bench {

namespace asio = boost::asio;
using verb = boost::beast::http::verb;

namespace {

std::uint64_t micros_since(clock_type::time_point t0) {
  return static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - t0).count());
}

std::string lowercase(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// One request of a step: records its latency; returns the body when the status is the expected one.
asio::awaitable<std::optional<std::string>> call(worker& w, connection& c, step s, verb method,
                                                 const std::string& target, std::string body, int expected,
                                                 const header_list& headers = {}) {
  auto t0 = clock_type::now();
  auto r = co_await c.send(method, target, std::move(body), headers);
  w.note_request(s, micros_since(t0));
  auto name = [s] { return std::string(step_names[static_cast<std::size_t>(s)]); };
  if (r.status == 0) {
    w.note_error(name() + ": io " + r.failure);
    co_return std::nullopt;
  }
  if (r.status != expected) {
    w.note_error(name() + ": status " + std::to_string(r.status));
    co_return std::nullopt;
  }
  co_return std::move(r.body);
}

/// 1 to 3 distinct catalog lines, 1 to 3 units each; returns the body and the number of units.
std::pair<std::string, std::int64_t> random_cart(worker& w) {
  const auto& codes = w.shared->catalog_codes;
  std::uniform_int_distribution<std::size_t> lines_of(1, std::min<std::size_t>(3, codes.size()));
  std::uniform_int_distribution<int> quantity_of(1, 3);
  auto lines = lines_of(w.rng);
  auto first = std::uniform_int_distribution<std::size_t>(0, codes.size() - 1)(w.rng);
  std::string body = "{\"items\":[";
  std::int64_t units = 0;
  for (std::size_t i = 0; i < lines; ++i) {
    int quantity = quantity_of(w.rng);
    units += quantity;
    if (i) body += ',';
    body += "{\"code\":\"" + codes[(first + i) % codes.size()] + "\",\"quantity\":" + std::to_string(quantity) + "}";
  }
  return {body + "]}", units};
}

/// `<kind><id>-<run tag>@bench.example`: unique per run (built by appending: GCC 12 warns wrongly on chains of +).
std::string bench_email(const char* kind, const std::string& id, const std::string& run_tag) {
  std::string email = kind;
  email.append(id).append("-").append(run_tag).append("@bench.example");
  return email;
}

/// A new guest email, or (returning_share of the time) one that already bought, written in upper case to
/// exercise normalisation.
std::pair<std::string, bool> choose_email(worker& w) {
  if (!w.returning_pool.empty() && w.chance(w.opts().returning_share)) {
    auto pick = std::uniform_int_distribution<std::size_t>(0, w.returning_pool.size() - 1)(w.rng);
    auto email = w.returning_pool[pick];
    for (auto& ch : email) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return {email, true};
  }
  return {bench_email("c", std::to_string(w.index) + "-" + std::to_string(w.emails_made++), w.shared->run_tag), false};
}

std::string contact_body(const std::string& email) {
  return R"({"firstname":"Ada","lastname":"Lovelace","email":")" + email +
         R"(","organisation":"Bench Ltd","city":"Lyon","zip":"69001","country":"fr"})";
}

bool completed(const std::optional<std::string>& body, const std::string& transid) {
  return body && json_string(*body, "status") == "COMPLETE" && json_string(*body, "transid") == transid;
}

asio::awaitable<bool> pay_by_test(worker& w, connection& c, const std::string& base, const std::string& transid) {
  auto paid = co_await call(w, c, step::pay, verb::post, base + "/pay", "", 200);
  if (paid && !completed(paid, transid)) w.note_error("pay: not COMPLETE");
  co_return completed(paid, transid);
}

/// Pays through a signed notification, delivered twice for replay_share of them (both must answer COMPLETE).
asio::awaitable<bool> pay_by_notification(worker& w, connection& c, const std::string& transid, long long total,
                                          const std::string& currency) {
  auto body = R"({"provider":"bench","txn_id":"n-)" + transid + R"(","transid":")" + transid +
              R"(","status":"completed","amount":)" + std::to_string(total) + R"(,"currency":")" + currency + "\"}";
  header_list headers{{"X-Boutique-Signature",
                       boutique::domain::sign_notification(body, w.opts().secret, std::time(nullptr))}};
  auto first = co_await call(w, c, step::notify, verb::post, "/api/v1/payments/notify", body, 200, headers);
  if (first && !completed(first, transid)) w.note_error("notify: not COMPLETE");
  if (!completed(first, transid)) co_return false;
  if (w.chance(w.opts().replay_share)) {
    auto again = co_await call(w, c, step::replay, verb::post, "/api/v1/payments/notify", body, 200, headers);
    if (again && !completed(again, transid)) w.note_error("replay: not COMPLETE");
    if (!completed(again, transid)) co_return false;
  }
  co_return true;
}

/// session -> cart -> contact -> order -> pay (or notify); true when acknowledged COMPLETE.
asio::awaitable<bool> one_checkout(worker& w, connection& c) {
  auto created = co_await call(w, c, step::session, verb::post, "/api/v1/sessions", "", 201);
  if (!created) co_return false;
  auto base = "/api/v1/sessions/" + json_string(*created, "session_id");
  auto [cart, units] = random_cart(w);
  if (!co_await call(w, c, step::cart, verb::put, base + "/cart", cart, 200)) co_return false;
  auto [email, returning] = choose_email(w);
  if (!co_await call(w, c, step::contact, verb::put, base + "/contact", contact_body(email), 200)) co_return false;
  auto placed = co_await call(w, c, step::order, verb::post, base + "/order", R"({"paymode":"test"})", 201);
  if (!placed) co_return false;
  auto transid = json_string(*placed, "transid");
  bool paid = w.chance(w.opts().notify_share)
                ? co_await pay_by_notification(w, c, transid, json_integer(*placed, "total"),
                                               json_string(*placed, "currency"))
                : co_await pay_by_test(w, c, base, transid);
  if (!paid) co_return false;
  w.stats.acks.push_back({transid, lowercase(email), units});
  if (!returning) w.returning_pool.push_back(email);
  co_return true;
}

bool before_deadline(const worker& w) { return clock_type::now() < w.shared->deadline; }

/// Claims the next item index below `limit`, or nothing when all are claimed.
std::optional<std::uint64_t> claim(worker& w, std::uint64_t limit) {
  auto i = w.shared->live.started.fetch_add(1);
  if (i >= limit) return std::nullopt;
  return i;
}

}  // namespace

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
  while (before_deadline(w)) {
    if (w.opts().checkouts && !claim(w, w.opts().checkouts)) break;
    auto t0 = clock_type::now();
    if (co_await one_checkout(w, c)) w.note_checkout(micros_since(t0));
  }
}

asio::awaitable<void> ceiling_customer(worker& w) {
  connection c(co_await asio::this_coro::executor, w.opts().port);
  while (before_deadline(w)) co_await call(w, c, step::catalog, verb::get, "/api/v1/catalog", "", 200);
}

asio::awaitable<void> session_creator(worker& w) {
  connection c(co_await asio::this_coro::executor, w.opts().port);
  while (before_deadline(w) && claim(w, w.opts().count)) {
    if (co_await call(w, c, step::session, verb::post, "/api/v1/sessions", "", 201)) w.note_done();
  }
}

asio::awaitable<void> account_creator(worker& w) {
  connection c(co_await asio::this_coro::executor, w.opts().port);
  while (auto i = claim(w, w.opts().count)) {
    auto created = co_await call(w, c, step::session, verb::post, "/api/v1/sessions", "", 201);
    if (!created) continue;
    auto sid = json_string(*created, "session_id");
    auto email = bench_email("a", std::to_string(*i), w.shared->run_tag);
    if (co_await call(w, c, step::contact, verb::put, "/api/v1/sessions/" + sid + "/contact", contact_body(email), 200)) {
      w.shared->account_sessions[*i] = sid;
      w.note_done();
    }
  }
}

asio::awaitable<void> account_redepositor(worker& w) {
  connection c(co_await asio::this_coro::executor, w.opts().port);
  while (auto i = claim(w, w.opts().count)) {
    const auto& sid = w.shared->account_sessions[*i];
    if (sid.empty()) continue;
    auto email = bench_email("a", std::to_string(*i), w.shared->run_tag);
    if (co_await call(w, c, step::deposit, verb::put, "/api/v1/sessions/" + sid + "/contact", contact_body(email), 200))
      w.note_done();
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
}

}  // namespace bench
