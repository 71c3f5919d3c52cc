// One checkout, step by step, by a customer who keeps going when the service dies under it. Each step the service
// acknowledges moves the checkout on. After a lost connection the customer reconnects, reads its session back
// (GET /api/v1/sessions/{sid}), checks that the service still holds everything it acknowledged, and carries on
// from the stage the service reports, on the same session. See bench/README.md.

#include "scenarios.hpp"

#include "domain/signature.hpp"

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <map>

namespace bench {

namespace asio = boost::asio;
using verb = boost::beast::http::verb;
using nlohmann::json;

namespace {

/// How far a checkout got, in order. A level is reached when the service acknowledged its step (or, after a
/// resume, reported it done).
enum class reached { nothing, session, cart, login, prefilled, contact, order, paid, done };

struct cart_line {
  std::string code;
  int quantity = 0;
};

/// One checkout as its customer knows it: what it chose, and what the service acknowledged so far.
struct checkout {
  std::vector<cart_line> cart;
  std::int64_t units = 0;
  std::string email;
  bool new_guest = false;            // a new email: returning guests may buy with it later
  const login_user* user = nullptr;  // logs in at the contact step
  bool by_notification = false;      // paid by a signed notification instead of /pay
  bool replay = false;               // the notification is delivered twice
  std::string sid, transid, currency;
  long long total = 0;
  reached at = reached::nothing;
  std::vector<std::string> steps;  // acknowledged steps, in order, and "resume:<stage>" marks
  int resumes = 0;

  std::string path(const char* suffix = "") const { return "/api/v1/sessions/" + sid + suffix; }
};

/// 1 to 3 distinct catalog lines, 1 to 3 units each.
std::vector<cart_line> random_cart(worker& w) {
  const auto& codes = w.shared->catalog_codes;
  std::uniform_int_distribution<std::size_t> lines_of(1, std::min<std::size_t>(3, codes.size()));
  std::uniform_int_distribution<int> quantity_of(1, 3);
  auto lines = lines_of(w.rng);
  auto first = std::uniform_int_distribution<std::size_t>(0, codes.size() - 1)(w.rng);
  std::vector<cart_line> cart;
  for (std::size_t i = 0; i < lines; ++i) cart.push_back({codes[(first + i) % codes.size()], quantity_of(w.rng)});
  return cart;
}

std::string cart_body(const std::vector<cart_line>& cart) {
  std::string body = "{\"items\":[";
  for (const auto& line : cart) {
    if (&line != &cart.front()) body += ',';
    body += "{\"code\":\"" + line.code + "\",\"quantity\":" + std::to_string(line.quantity) + "}";
  }
  return body + "]}";
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

/// What this checkout will do. A forced `email` (setup) makes a plain checkout paid by /pay.
checkout plan_checkout(worker& w, const std::string& email) {
  checkout k;
  k.cart = random_cart(w);
  for (const auto& line : k.cart) k.units += line.quantity;
  if (!email.empty()) {
    k.email = email;
    return k;
  }
  const auto& users = w.shared->login_users;
  if (!users.empty() && w.chance(w.opts().login_share)) {
    k.user = &users[std::uniform_int_distribution<std::size_t>(0, users.size() - 1)(w.rng)];
    k.email = k.user->email;
  } else {
    auto [chosen, returning] = choose_email(w);
    k.email = chosen;
    k.new_guest = !returning;
  }
  k.by_notification = w.chance(w.opts().notify_share);
  k.replay = k.by_notification && w.chance(w.opts().replay_share);
  return k;
}

/// The step after the last acknowledged one: its request, the level it reaches, and what its answer teaches.
struct next_step {
  step name;
  reached next;
  verb method;
  std::string target;
  std::string body;
  int expected;                                     // the status that acknowledges it
  std::function<bool(const std::string&)> learn{};  // reads the answer; false refuses it
  header_list headers{};
};

/// True when `answer` says the bill `transid` is COMPLETE; otherwise notes why the step fails.
bool completed(worker& w, step s, const std::string& answer, const std::string& transid) {
  if (json_string(answer, "status") == "COMPLETE" && json_string(answer, "transid") == transid) return true;
  w.note_error(std::string(step_names[static_cast<std::size_t>(s)]) + ": not COMPLETE");
  return false;
}

next_step create_session(checkout& k) {
  return {step::session, reached::session, verb::post, "/api/v1/sessions", "", 201, [&k](const std::string& answer) {
            k.sid = json_string(answer, "session_id");
            return !k.sid.empty();
          }};
}

next_step log_in(checkout& k) {
  auto body = R"({"login":")" + k.user->email + R"(","password":")" + k.user->password + "\"}";
  return {step::login, reached::login, verb::post, k.path("/login"), body, 200, [&k](const std::string& answer) {
            // The service may give the session a new id at login: the later steps use it.
            if (auto renamed = json_string(answer, "session_id"); !renamed.empty()) k.sid = renamed;
            return true;
          }};
}

/// After a login, the contact form comes pre-filled with the user's customer account.
next_step read_prefilled_contact(worker& w, checkout& k) {
  return {step::prefill, reached::prefilled, verb::get, k.path("/contact"), "", 200,
          [&w, &k](const std::string& answer) {
            if (lowercase(json_string(answer, "email")) == lowercase(k.email)) return true;
            w.note_error("prefill: not the user's details");
            return false;
          }};
}

next_step give_contact(checkout& k) {
  return {step::contact, reached::contact, verb::put, k.path("/contact"), contact_body(k.email), 200};
}

next_step place_order(checkout& k) {
  return {step::order, reached::order, verb::post, k.path("/order"), R"({"paymode":"test"})", 201,
          [&k](const std::string& answer) {
            k.transid = json_string(answer, "transid");
            k.total = json_integer(answer, "total");
            k.currency = json_string(answer, "currency");
            return !k.transid.empty();
          }};
}

next_step pay_by_test(worker& w, checkout& k) {
  return {step::pay, reached::done, verb::post, k.path("/pay"), "", 200,
          [&w, &k](const std::string& answer) { return completed(w, step::pay, answer, k.transid); }};
}

/// A signed payment notification for the bill (the same txn_id every time: a second delivery is a replay).
next_step notify(worker& w, checkout& k, step s, reached next) {
  auto body = R"({"provider":"bench","txn_id":"n-)" + k.transid + R"(","transid":")" + k.transid +
              R"(","status":"completed","amount":)" + std::to_string(k.total) + R"(,"currency":")" + k.currency + "\"}";
  auto signature = boutique::domain::sign_notification(body, w.opts().secret, std::time(nullptr));
  return {s,   next, verb::post, "/api/v1/payments/notify", body, 200,
          [&w, &k, s](const std::string& answer) { return completed(w, s, answer, k.transid); },
          {{"X-Boutique-Signature", signature}}};
}

next_step plan_next(worker& w, checkout& k) {
  switch (k.at) {
    case reached::nothing: return create_session(k);
    case reached::session: return {step::cart, reached::cart, verb::put, k.path("/cart"), cart_body(k.cart), 200};
    case reached::cart: return k.user ? log_in(k) : give_contact(k);
    case reached::login: return read_prefilled_contact(w, k);
    case reached::prefilled: return give_contact(k);
    case reached::contact: return place_order(k);
    case reached::order:
      if (!k.by_notification) return pay_by_test(w, k);
      return notify(w, k, step::notify, k.replay ? reached::paid : reached::done);
    case reached::paid:
    case reached::done: break;
  }
  return notify(w, k, step::replay, reached::done);
}

enum class outcome { advanced, refused, lost };

/// Takes the step after the last acknowledged one.
asio::awaitable<outcome> advance(worker& w, connection& c, checkout& k) {
  auto next = plan_next(w, k);
  auto r = co_await call(w, c, next.name, next.method, next.target, std::move(next.body), next.expected, next.headers);
  if (r.connection_lost()) co_return outcome::lost;
  if (!r || (next.learn && !next.learn(*r))) co_return outcome::refused;
  k.at = next.next;
  k.steps.emplace_back(step_names[static_cast<std::size_t>(next.name)]);
  co_return outcome::advanced;
}

bool same_cart(const std::vector<cart_line>& mine, const json& items) {
  if (!items.is_array() || items.size() != mine.size()) return false;
  std::map<std::string, int> held;
  for (const auto& item : items)
    if (item.is_object()) held[item.value("code", std::string{})] = item.value("quantity", 0);
  return std::all_of(mine.begin(), mine.end(), [&held](const cart_line& line) {
    auto it = held.find(line.code);
    return it != held.end() && it->second == line.quantity;
  });
}

/// Checks the session the service reports against everything it acknowledged to `k`, then moves `k` to where
/// the service is: it may be ahead, when the step whose answer was lost had been applied. Returns what is
/// missing, or nothing.
std::string adopt(checkout& k, const std::string& answer) try {
  auto j = json::parse(answer);
  auto text = [&j](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  auto flag = [&j](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
  };
  auto cart = j.at("cart");
  bool cart_same = same_cart(k.cart, cart.value("items", json::array()));
  auto stage = text("stage");
  bool placed = stage == "placed" || stage == "completed";
  if (k.at >= reached::cart && !cart_same) return "the acknowledged cart is not there (stage " + stage + ")";
  if (k.user && k.at >= reached::login && !flag("authenticated")) return "the acknowledged login is not there";
  if (k.at >= reached::contact && !flag("contact_given")) return "the acknowledged contact is not there";
  if (k.at >= reached::order && (!placed || text("transid") != k.transid))
    return "the acknowledged order " + k.transid + " is not there (stage " + stage + ")";
  if (k.at >= reached::paid && (stage != "completed" || text("bill_status") != "COMPLETE"))
    return "the acknowledged payment of " + k.transid + " is not there";
  if (placed) {
    if (!cart_same) return "the order was placed with another cart";
    k.transid = text("transid");
    k.total = cart.value("total", 0LL);
    k.currency = cart.value("currency", std::string{});
    k.at = std::max(k.at, reached::order);  // completed too: paying again on the same bill acknowledges it
  } else if (stage == "contact" && !k.user) {
    k.at = std::max(k.at, reached::contact);
  } else if (k.user && flag("authenticated")) {
    k.at = std::max(k.at, reached::login);
  } else {
    k.at = std::max(k.at, cart_same ? reached::cart : reached::session);
  }
  return {};
} catch (const json::exception& e) {
  return std::string("unreadable session: ") + e.what();
}

void note_example(resume_counts& counts, const checkout& k, const std::string& what) {
  if (counts.examples.size() < 10) counts.examples.push_back("session " + k.sid + ": " + what);
}

/// After a lost connection: reconnects and, when the session had been acknowledged, reads it back and carries
/// on from where the service is. False when the checkout cannot go on.
asio::awaitable<bool> resume(worker& w, connection& c, checkout& k) {
  if (k.sid.empty()) co_return co_await reconnect(w, c);  // nothing acknowledged yet: start again
  auto& counts = w.stats.resume;
  ++counts.interrupted;
  for (;;) {
    if (!co_await reconnect(w, c)) {
      ++counts.abandoned;
      co_return false;
    }
    auto r = co_await call(w, c, step::resume, verb::get, k.path(), "", 200);
    if (r.connection_lost()) continue;  // killed again meanwhile
    auto wrong = r ? adopt(k, *r) : "status " + std::to_string(r.status);
    if (wrong.empty()) {
      ++counts.resumed;
      ++k.resumes;
      k.steps.push_back("resume:" + json_string(*r, "stage"));
      co_return true;
    }
    if (r.status == 404 && k.user && k.at == reached::cart) {
      ++counts.login_lost;  // the lost login answer carried the session's new id
    } else if (r.status == 404) {
      ++counts.lost;
      note_example(counts, k, "gone although acknowledged up to " + k.steps.back());
    } else {
      ++counts.inconsistent;
      note_example(counts, k, wrong);
    }
    co_return false;
  }
}

void acknowledge(worker& w, checkout& k) {
  if (k.resumes) ++w.stats.resume.completed_after_resume;
  if (k.new_guest) w.returning_pool.push_back(k.email);
  w.stats.acks.push_back({k.transid, lowercase(k.email), k.units, k.sid, k.by_notification ? "notify" : "pay",
                          std::move(k.steps), k.resumes});
}

}  // namespace

asio::awaitable<bool> run_checkout(worker& w, connection& c, const std::string& email) {
  auto k = plan_checkout(w, email);
  while (k.at != reached::done) {
    auto step_outcome = co_await advance(w, c, k);
    if (step_outcome == outcome::refused) co_return false;
    if (step_outcome == outcome::lost && !co_await resume(w, c, k)) co_return false;
  }
  acknowledge(w, k);
  co_return true;
}

}  // namespace bench
