// boutique-load: many virtual customers, each on its own keep-alive connection to 127.0.0.1, running complete
// checkouts (or the ceiling request, or session/account creation); a progress line per second on stderr; a table,
// JSON and SVG at the end; a database check of every acknowledged checkout. See bench/README.md.

#include "client.hpp"
#include "loadgen.hpp"
#include "login_pool.hpp"
#include "scenarios.hpp"

#include <sodium.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <thread>

namespace bench {

namespace {

const char* usage =
  "usage: boutique-load --port=N [--mode=checkout|ceiling|sessions|accounts] [--customers=32] [--threads=1]\n"
  "  [--duration=10] [--checkouts=0] [--count=10000] [--returning=0.2] [--notify=0.3] [--replay=0.1]\n"
  "  [--login=0 --mail-dir=DIR [--login-users=16] [--login-pool=FILE]] [--secret=S] [--admin-port=N]\n"
  "  [--admin-token=T] [--passivation-wait=120] [--json-out=F] [--svg-out=F] [--verify-db=PATH]\n"
  "  [--ack-log=FILE] [--label=TEXT] [--seed=N]\n"
  "       boutique-load --mode=verify --ack-log=FILE --verify-db=PATH|URL [--port=N]\n";

/// How long the login setup waits for the password-set mails (the mailer drops them every 200 ms).
constexpr auto mail_wait = std::chrono::seconds(60);

[[noreturn]] void bad_option(const std::string& what) {
  std::cerr << "boutique-load: " << what << "\n" << usage;
  std::exit(2);
}

run_mode parse_mode(const std::string& v) {
  if (v == "checkout") return run_mode::checkout;
  if (v == "ceiling") return run_mode::ceiling;
  if (v == "sessions") return run_mode::sessions;
  if (v == "accounts") return run_mode::accounts;
  if (v == "verify") return run_mode::verify;
  bad_option("unknown mode '" + v + "'");
}

double share(const std::string& name, const std::string& v) {
  double x = std::stod(v);
  if (x < 0 || x > 1) bad_option(name + " must be between 0 and 1");
  return x;
}

void apply_option(options& o, const std::string& key, const std::string& v) {
  if (key == "mode") o.mode = parse_mode(v);
  else if (key == "port") o.port = std::stoi(v);
  else if (key == "admin-port") o.admin_port = std::stoi(v);
  else if (key == "admin-token") o.admin_token = v;
  else if (key == "customers") o.customers = std::stoi(v);
  else if (key == "threads") o.threads = std::stoi(v);
  else if (key == "duration") o.duration_s = std::stod(v);
  else if (key == "checkouts") o.checkouts = std::stoull(v);
  else if (key == "count") o.count = std::stoull(v);
  else if (key == "returning") o.returning_share = share(key, v);
  else if (key == "notify") o.notify_share = share(key, v);
  else if (key == "replay") o.replay_share = share(key, v);
  else if (key == "login") o.login_share = share(key, v);
  else if (key == "login-users") o.login_users = std::stoi(v);
  else if (key == "mail-dir") o.mail_dir = v;
  else if (key == "login-pool") o.login_pool = v;
  else if (key == "secret") o.secret = v;
  else if (key == "passivation-wait") o.passivation_wait_s = std::stod(v);
  else if (key == "json-out") o.json_out = v;
  else if (key == "svg-out") o.svg_out = v;
  else if (key == "verify-db") o.verify_db = v;
  else if (key == "ack-log") o.ack_log = v;
  else if (key == "label") o.label = v;
  else if (key == "seed") o.seed = std::stoull(v);
  else bad_option("unknown option --" + key);
}

options parse_options(int argc, char** argv) {
  options o;
  if (auto token = std::getenv("BOUTIQUE_ADMIN_TOKEN")) o.admin_token = token;
  if (auto secret = std::getenv("BOUTIQUE_PAYMENT_SECRET")) o.secret = secret;
  o.seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      std::exit(0);
    }
    auto eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos) bad_option("expected --key=value, got '" + arg + "'");
    try {
      apply_option(o, arg.substr(2, eq - 2), arg.substr(eq + 1));
    } catch (const std::invalid_argument&) {
      bad_option("bad value in '" + arg + "'");
    } catch (const std::out_of_range&) {
      bad_option("value out of range in '" + arg + "'");
    }
  }
  if (o.mode == run_mode::verify) {
    if (o.ack_log.empty() || o.verify_db.empty()) bad_option("--mode=verify needs --ack-log and --verify-db");
    return o;
  }
  if (o.port <= 0 || o.port > 65535) bad_option("--port is required");
  if (o.login_share > 0 && o.login_users < 1) bad_option("--login needs --login-users of at least 1");
  if (o.customers < 1 || o.threads < 1) bad_option("--customers and --threads must be at least 1");
  bool counted = o.mode == run_mode::sessions || o.mode == run_mode::accounts;  // bounded by --count
  if (o.duration_s < 0) o.duration_s = (o.checkouts || counted) ? 0 : 10;
  if (!counted && o.duration_s <= 0 && o.checkouts == 0) bad_option("give --duration or --checkouts");
  return o;
}

/// The catalog codes, read once before the run (the checkout carts are drawn from them).
std::vector<std::string> catalog_codes(int port) {
  auto r = get_blocking(port, "/api/v1/catalog", "");
  if (r.status != 200) {
    std::cerr << "boutique-load: cannot read the catalog on 127.0.0.1:" << port << ": "
              << (r.failure.empty() ? "status " + std::to_string(r.status) : r.failure) << "\n";
    std::exit(1);
  }
  std::vector<std::string> codes;
  std::string needle = "\"code\":\"";
  for (auto at = r.body.find(needle); at != std::string::npos; at = r.body.find(needle, at + 1))
    codes.push_back(json_string(r.body.substr(at), "code"));
  if (codes.empty()) {
    std::cerr << "boutique-load: the catalog is empty\n";
    std::exit(1);
  }
  return codes;
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// Runs one phase from now: customers until done (or the deadline), returning the merged statistics.
worker_stats phase(shared_context& shared, const customer_body& body, const std::string& name, double* elapsed) {
  shared.live.checkouts = shared.live.requests = shared.live.errors = shared.live.started = 0;
  shared.start = clock_type::now();
  double limit = shared.opts->duration_s > 0 ? shared.opts->duration_s : 1e9;
  shared.deadline = shared.start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(limit));
  auto stats = run_customers(shared, body, name);
  *elapsed = seconds_since(shared.start);
  return stats;
}

/// The number of live account actors, from the management endpoint, or -1.
long long live_accounts(const options& o) {
  auto r = get_blocking(o.admin_port, "/admin/actors?kind=account&limit=1", o.admin_token);
  if (r.status != 200) return -1;
  auto counts = r.body.find("\"counts\"");
  return counts == std::string::npos ? -1 : json_integer(r.body.substr(counts), "account");
}

/// Polls until no account actor is live (passivated), up to the configured wait; returns the seconds waited.
double wait_for_passivation(const options& o) {
  auto t0 = clock_type::now();
  long long live = live_accounts(o);
  while (live != 0 && seconds_since(t0) < o.passivation_wait_s) {
    std::cerr << "[passivation] " << static_cast<int>(seconds_since(t0)) << " s  live account actors " << live << "\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // polling a condition with a deadline
    live = live_accounts(o);
  }
  if (live != 0) {
    std::cerr << "boutique-load: account actors still live after " << o.passivation_wait_s << " s: " << live << "\n";
    std::exit(1);
  }
  return seconds_since(t0);
}

/// The login share logs in as users with a password. They are read from --login-pool when that file exists
/// (an earlier run against the same service prepared them); otherwise a setup phase buys once for each new
/// email (the service creates a user without password and mails a password-set link), reads the links from
/// --mail-dir, sets the passwords, and writes --login-pool. Returns the setup's errors, acks and latencies.
worker_stats prepare_login_users(shared_context& shared) {
  const auto& o = *shared.opts;
  auto& users = shared.login_users;
  if (!o.login_pool.empty() && std::filesystem::exists(o.login_pool)) {
    users = read_login_pool(o.login_pool);
    std::cerr << "[setup] " << users.size() << " login users read from " << o.login_pool << "\n";
    return {};
  }
  if (o.mail_dir.empty())
    bad_option("--login needs --mail-dir (the service's mail folder) or an existing --login-pool");
  for (int i = 0; i < o.login_users; ++i) {
    auto& user = users.emplace_back();
    user.email = bench_email("l", std::to_string(i), shared.run_tag);
    user.password = "bench-pw-" + shared.run_tag + "-" + std::to_string(i);
  }
  auto since = static_cast<std::int64_t>(std::time(nullptr));
  double seconds = 0;
  auto setup = phase(shared, login_user_buyer, "setup: buy", &seconds);
  auto mailed = read_password_tokens(o.mail_dir, users, since, mail_wait);
  auto passwords = phase(shared, password_setter, "setup: passwords", &seconds);
  setup.merge(passwords);
  std::erase_if(users, [](const login_user& u) { return !u.ready; });
  std::cerr << "[setup] " << users.size() << " of " << o.login_users << " login users ready (" << mailed
            << " password links found in " << o.mail_dir << ")\n";
  if (users.empty()) {
    std::cerr << "boutique-load: no login user could be prepared\n";
    std::exit(1);
  }
  if (!o.login_pool.empty()) write_login_pool(o.login_pool, users);
  return setup;
}

/// Adds what a setup phase saw to the run's report: its errors (prefixed), acknowledged checkouts and the
/// latencies of `steps`.
void add_setup(worker_stats& run, worker_stats& setup, const std::string& prefix,
               std::initializer_list<step> steps) {
  for (const auto& [kind, n] : setup.errors) run.errors[prefix + kind] += n;
  for (auto s : steps) run.latency[static_cast<std::size_t>(s)].merge(setup.latency[static_cast<std::size_t>(s)]);
  run.acks.insert(run.acks.end(), std::make_move_iterator(setup.acks.begin()),
                  std::make_move_iterator(setup.acks.end()));
  run.resume.merge(setup.resume);
}

/// Accounts mode: create `count` accounts (session + contact), wait until they are all passivated, then time
/// re-deposits of the same contacts (each reactivates its account actor).
run_result run_accounts(shared_context& shared) {
  const auto& o = *shared.opts;
  if (o.admin_port <= 0) bad_option("--mode=accounts needs --admin-port (and the admin token)");
  run_result r;
  shared.account_sessions.assign(o.count, {});
  double created_s = 0;
  auto created = phase(shared, account_creator, "create accounts", &created_s);
  r.extra["accounts_created"] = static_cast<double>(created.checkouts);
  r.extra["create_s"] = created_s;
  r.extra["passivation_wait_s"] = wait_for_passivation(o);
  r.stats = phase(shared, account_redepositor, "reactivate", &r.elapsed_s);
  r.extra["reactivated"] = static_cast<double>(r.stats.checkouts);
  r.extra["reactivate_s"] = r.elapsed_s;
  r.extra["reactivations_per_s"] = static_cast<double>(r.stats.checkouts) / r.elapsed_s;
  // The report is about the reactivations; the creation phase adds its errors and its step latencies.
  add_setup(r.stats, created, "creating: ", {step::session, step::contact});
  return r;
}

run_result run(const options& o) {
  shared_context shared;
  shared.opts = &o;
  shared.run_tag = std::to_string(o.seed % 100000000);
  if (o.mode == run_mode::accounts) return run_accounts(shared);
  if (o.mode == run_mode::checkout) shared.catalog_codes = catalog_codes(o.port);
  worker_stats setup;
  if (o.mode == run_mode::checkout && o.login_share > 0) setup = prepare_login_users(shared);
  run_result r;
  customer_body body = o.mode == run_mode::checkout  ? customer_body(checkout_customer)
                       : o.mode == run_mode::ceiling ? customer_body(ceiling_customer)
                                                     : customer_body(session_creator);
  r.stats = phase(shared, body, o.label.empty() ? "load" : o.label, &r.elapsed_s);
  if (o.login_share > 0) r.extra["login_users"] = static_cast<double>(shared.login_users.size());
  add_setup(r.stats, setup, "setup: ", {step::password});
  return r;
}

/// Verify mode: the checkouts of an ack log, against the database (and the API when --port is given).
run_result verify_ack_log(const options& o) {
  run_result r;
  try {
    r.stats.acks = read_ack_log(o.ack_log);
  } catch (const std::exception& e) {
    std::cerr << "boutique-load: " << e.what() << "\n";
    std::exit(1);
  }
  r.check = verify_database(o.verify_db, r.stats.acks);
  if (o.port > 0) verify_sessions(o.port, r.stats.acks, r.check);
  return r;
}

void on_stop_signal(int) { request_stop(); }

}  // namespace

}  // namespace bench

int main(int argc, char** argv) {
  using namespace bench;
  if (sodium_init() < 0) return 1;
  auto opts = parse_options(argc, argv);
  // SIGINT, SIGTERM: no new checkout; those under way finish (resuming if need be), then the report is written.
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  auto result = opts.mode == run_mode::verify ? verify_ack_log(opts) : run(opts);
  result.opts = opts;
  bool checkout = opts.mode == run_mode::checkout;
  bool logged = opts.ack_log.empty() || !checkout || write_ack_log(result.stats.acks, opts.ack_log);
  if (!opts.verify_db.empty() && checkout) result.check = verify_database(opts.verify_db, result.stats.acks);
  print_table(result);
  if (!opts.json_out.empty()) write_json(result, opts.json_out);
  if (!opts.svg_out.empty()) write_svg(result, opts.svg_out);
  bool failed = !logged || (result.check.ran && !result.check.pass) || result.stats.resume.failures() > 0;
  return failed ? 3 : 0;
}
