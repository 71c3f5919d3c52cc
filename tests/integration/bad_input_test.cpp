// Bad input, table-driven: every malformed, invalid, unauthenticated or out-of-place request gets the status the
// contract (docs: /work/shared/API.md) gives it, as an RFC 9457 problem, and a refused request changes nothing in
// the database. A few hostile-looking but valid inputs (SQL, HTML) are accepted and kept verbatim.
#include "domain/signature.hpp"
#include "storage/database.hpp"
#include "support/shop.hpp"
#include "domain/clock.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

using namespace boutique::testing;
using nlohmann::json;

namespace {

/// One request of the table.
/// - `target`: {sid} is a fresh session, {sid_cart} a fresh session with a cart, {sid_ready} one with a cart and a
///   contact, {sid_placed} the suite's session whose order is placed (and not paid).
/// - `headers`: a Content-Type of {none} sends no Content-Type at all; a Transfer-Encoding sends the body as is
///   (no Content-Length unless the row gives one) on a connection the client does not ask to close; a "{http}"
///   header of "1.0" sends the request as HTTP/1.0 (these rows go over a raw socket); the values {signature},
///   {stale_signature}, {future_signature} and {forged_signature} become an X-Boutique-Signature over the body
///   as sent; {auth} becomes the cookie of the suite's logged-in user.
struct row {
  std::string name;
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;
  std::string body;
  std::vector<int> status;               ///< the expected status (any of these)
  std::vector<std::string> fields = {};  ///< keys the problem's "errors" must hold
  std::string may_change = {};           ///< a fingerprint part a refusal may change by design
  std::function<void(const reply&)> check = {};  ///< more checks on the reply
};

using headers = std::map<std::string, std::string>;
const headers text_plain = {{"Content-Type", "text/plain"}};
const headers no_content_type = {{"Content-Type", "{none}"}};
const headers json_type = {{"Content-Type", "application/json"}};
const headers signed_json = {{"X-Boutique-Signature", "{signature}"}};
const headers logged_in = {{"Cookie", "{auth}"}};
const headers forged_cookie = {{"Cookie", "boutique_auth=forged"}};
const std::string planted = "PlantedByAnAttacker000";  // 22 base62 characters, the shape of a real binding value
const headers planted_csrf = {{"Content-Type", "application/x-www-form-urlencoded"},
                              {"Cookie", "boutique_csrf=" + planted}};

const std::string unknown_sid = "/api/v1/sessions/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const std::string sql_city = "x'); DROP TABLE customers;--";
const std::string html_name = "<script>alert(1)</script>";
const std::string user_email = "bad-input-user@example.com";
const std::string user_password = "a long enough passphrase";

using boutique::domain::now_s;

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

/// A contact form body; a null in `changes` removes that field.
std::string form(const json& changes = json::object(), const std::string& email = "bad-input@example.com") {
  auto f = contact_form(email);
  for (const auto& [key, value] : changes.items()) {
    if (value.is_null()) f.erase(key);
    else f[key] = value;
  }
  return f.dump();
}

/// A contact form body whose `field` holds `raw` bytes exactly (which need not be valid UTF-8).
std::string form_with_raw(const std::string& field, const std::string& raw) {
  auto body = form({{field, "@RAW@"}});
  replace_all(body, "\"@RAW@\"", "\"" + raw + "\"");
  return body;
}

/// The same JSON text wrapped in an array.
std::string in_array(const std::string& body) { return std::string("[").append(body).append("]"); }

std::string cart(const json& items) { return json{{"items", items}}.dump(); }
json line(const json& code, const json& quantity) { return {{"code", code}, {"quantity", quantity}}; }

/// The storage's state, table by table, for "a refused request changes nothing". The outbox is counted only (the
/// mailer marks rows sent in the background).
using fingerprint = std::map<std::string, std::string>;

fingerprint take_fingerprint(const test_service& svc) {
  static const std::pair<const char*, const char*> parts[] = {
    {"sessions", "SELECT id, updated_at, expires_at, snapshot FROM sessions ORDER BY id"},
    {"customers",
     "SELECT id, email, firstname, lastname, organisation, address, zip, city, country, invoiceinfo, user_id, "
     "updated_at, version FROM customers ORDER BY id"},
    {"bills", "SELECT transid, status, updated_at FROM bills ORDER BY id"},
    {"bill_items", "SELECT count(*) FROM bill_items"},
    {"products", "SELECT count(*) FROM products"},
    {"payment_notifications", "SELECT count(*) FROM payment_notifications"},
    {"users", "SELECT id, password_hash FROM users ORDER BY id"},
    {"password_tokens", "SELECT count(*), count(used_at) FROM password_tokens"},
    {"auth_sessions", "SELECT count(*) FROM auth_sessions"},
    {"outbox", "SELECT count(*) FROM outbox"},
    {"customer_events", "SELECT count(*) FROM customer_events"},
    {"catalog_items", "SELECT count(*) FROM catalog_items"},
  };
  fingerprint f;
  auto db = svc.open_database({boutique::storage::database::access::read_only, true});
  for (const auto& [name, sql] : parts) {
    std::string text;
    for (const auto& row : query_rows(*db, sql)) {
      for (const auto& column : row) text += column + "|";
      text += "\n";
    }
    f[name] = text;
  }
  return f;
}

/// The lines that differ between two fingerprint parts, so that a failure names the changed rows only.
std::string changed_lines(const std::string& before, const std::string& after) {
  auto lines = [](const std::string& text) {
    std::multiset<std::string> out;
    std::size_t start = 0;
    for (auto end = text.find('\n'); ; end = text.find('\n', start)) {
      out.insert(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return out;
  };
  auto b = lines(before), a = lines(after);
  std::string report;
  for (const auto& l : b)
    if (!a.count(l)) report += "  - " + l + "\n";
  for (const auto& l : a)
    if (!b.count(l)) report += "  + " + l + "\n";
  return report;
}

/// Sends a request over a raw socket, framed as the row says (http_client adds a Content-Type to any body, and
/// frames every body with Content-Length), and reads the answer until the server closes the connection.
reply send_raw(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body,
               const headers& extra) {
  auto version = extra.count("{http}") ? extra.at("{http}") : "1.1";
  std::string request = method + " " + target + " HTTP/" + version + "\r\nHost: 127.0.0.1\r\n";
  bool framed = extra.count("Transfer-Encoding") > 0;
  if (!framed) request += "Connection: close\r\n";
  for (const auto& [name, value] : extra)
    if (name != "{http}" && value != "{none}") request += name + ": " + value + "\r\n";
  if (!framed) request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  auto answer = http_client::raw_exchange(port, request);
  reply r;
  auto head_end = answer.find("\r\n\r\n");
  if (answer.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return r;
  r.status = std::stoi(answer.substr(9, 3));
  std::size_t at = answer.find("\r\n") + 2;
  while (at < head_end) {
    auto end = answer.find("\r\n", at);
    auto header = answer.substr(at, end - at);
    auto colon = header.find(':');
    if (colon != std::string::npos) {
      auto name = header.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      r.headers[name] = header.substr(header.find_first_not_of(' ', colon + 1));
    }
    at = end + 2;
  }
  r.body = answer.substr(head_end + 4);
  return r;
}

}  // namespace

class bad_input : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    svc = std::make_unique<test_service>();
    prepare_shop();
  }
  static void TearDownTestSuite() { svc.reset(); }

  /// A placed (unpaid) order, and a user with a password, a customer account and a support-space login.
  static void prepare_shop() {
    checkout placed(svc->port());
    ASSERT_EQ(placed.cart(json::array({line("A51-11236-F", 2)})).status, 200);
    ASSERT_EQ(placed.contact(contact_form("bad-input-placed@example.com")).status, 200);
    auto order = placed.order();
    ASSERT_EQ(order.status, 201) << order.body;
    placed_sid = placed.id();
    placed_transid = order.json()["transid"];
    placed_total = order.json()["total"];

    checkout bought(svc->port());
    auto paid = bought.buy(user_email);
    ASSERT_EQ(paid.status, 200) << paid.body;
    auto token = token_in(wait_for_mail(*svc, user_email, "token="));
    ASSERT_FALSE(token.empty()) << "no password-set link was mailed";
    http_client client(svc->port());
    auto set = client.post("/api/v1/auth/password", {{"token", token}, {"password", user_password}});
    ASSERT_EQ(set.status, 200) << set.body;
    auto login = client.post("/api/v1/auth/login", {{"login", user_email}, {"password", user_password}});
    ASSERT_EQ(login.status, 200) << login.body;
    auto cookie = login.header("set-cookie");
    auth_cookie = cookie.substr(0, cookie.find(';'));
    ASSERT_EQ(auth_cookie.rfind("boutique_auth=", 0), 0u) << cookie;
  }

  /// The session a target placeholder names, created for this row.
  static std::string session_for(const std::string& kind) {
    if (kind == "sid_placed") return placed_sid;
    checkout c(svc->port());
    if (kind == "sid_cart" || kind == "sid_ready") {
      EXPECT_EQ(c.cart(json::array({line("A51-11236-F", 1)})).status, 200);
    }
    if (kind == "sid_ready") {
      EXPECT_EQ(c.contact(contact_form("bad-input-ready@example.com")).status, 200);
    }
    return c.id();
  }

  static std::string expand_target(std::string target) {
    for (const auto* kind : {"sid_placed", "sid_ready", "sid_cart", "sid"}) {
      auto placeholder = std::string("{").append(kind).append("}");
      if (target.find(placeholder) != std::string::npos) replace_all(target, placeholder, session_for(kind));
    }
    return target;
  }

  static headers expand_headers(headers h, const std::string& body) {
    const auto& secret = svc->settings().payments.secret;
    for (auto& [name, value] : h) {
      if (value == "{signature}") value = boutique::domain::sign_notification(body, secret, now_s());
      else if (value == "{stale_signature}") value = boutique::domain::sign_notification(body, secret, now_s() - 1000);
      else if (value == "{future_signature}") value = boutique::domain::sign_notification(body, secret, now_s() + 1000);
      else if (value == "{forged_signature}") value = boutique::domain::sign_notification(body, "not-the-secret", now_s());
      else if (value == "{placeholder_signature}")
        value = boutique::domain::sign_notification(body, boutique::config::placeholder_payment_secret, now_s());
      else if (value == "{auth}") value = auth_cookie;
      else if (value.find("{auth}") != std::string::npos) replace_all(value, "{auth}", auth_cookie);
    }
    return h;
  }

  static reply send(http_client& client, const row& r, const std::string& target) {
    auto h = expand_headers(r.headers, r.body);
    if (auto type = h.find("Content-Type"); (type != h.end() && type->second == "{none}") ||
                                            h.count("Transfer-Encoding") || h.count("{http}"))
      return send_raw(svc->port(), r.method, target, r.body, h);
    return client.send(r.method, target, r.body, h);
  }

  /// A payment notification body for the placed order; `changes` override its fields (null removes one).
  static std::string notice(const json& changes = json::object()) {
    static int serial = 0;
    json n = {{"provider", "test"},      {"txn_id", "bad-input-" + std::to_string(++serial)},
              {"transid", placed_transid}, {"status", "completed"},
              {"amount", placed_total},  {"currency", "EUR"}};
    for (const auto& [key, value] : changes.items()) {
      if (value.is_null()) n.erase(key);
      else n[key] = value;
    }
    return n.dump();
  }

  static std::vector<row> table();

  static inline std::unique_ptr<test_service> svc;
  static inline std::string placed_sid, placed_transid, auth_cookie;
  static inline std::int64_t placed_total = 0;
};

std::vector<row> bad_input::table() {
  const auto one = cart(json::array({line("A51-11236-F", 1)}));
  json fifty_one = json::array();
  for (int i = 0; i < 51; ++i) fifty_one.push_back(line("A51-11236-F", 1));
  const std::string credentials = R"({"login":"nobody@example.com","password":"whatever-it-is"})";
  const std::string wrong_password = json{{"login", user_email}, {"password", "not the password"}}.dump();

  const auto refused_notification_recorded = [](const std::string& txn_id) {
    return [txn_id](const reply&) {
      EXPECT_EQ(query_int(*svc, "SELECT count(*) FROM payment_notifications WHERE txn_id = '" + txn_id +
                                  "' AND result <> 'applied'"),
                1)
        << "an amount or currency mismatch is recorded as refused";
      EXPECT_EQ(query_int(*svc, "SELECT count(*) FROM bills WHERE transid = '" + placed_transid +
                                  "' AND status = 'PLACED'"),
                1)
        << "the bill stays PLACED";
    };
  };
  // A refused framing ends the connection, so that the bytes after the headers are never read as a request.
  const auto closes = [](const reply& r) { EXPECT_EQ(r.header("connection"), "close"); };
  const auto chunked_end = std::string("0\r\n\r\n");
  const auto mismatch_amount = notice({{"txn_id", "bad-input-amount"}, {"amount", placed_total + 1}});
  const auto mismatch_currency = notice({{"txn_id", "bad-input-currency"}, {"currency", "USD"}});

  return {
    // -- PUT /cart ----------------------------------------------------------------------------------------------
    {"cart: invalid JSON", "PUT", "/api/v1/sessions/{sid}/cart", {}, R"({"items":[)", {400}},
    {"cart: trailing garbage after the JSON", "PUT", "/api/v1/sessions/{sid}/cart", {}, R"({"items":[]} x)", {400}},
    {"cart: JSON array instead of an object", "PUT", "/api/v1/sessions/{sid}/cart", {},
     R"([{"code":"A51-11236-F","quantity":1}])", {400}},
    {"cart: deeply nested arrays", "PUT", "/api/v1/sessions/{sid}/cart", {},
     std::string(20000, '[') + std::string(20000, ']'), {400}},
    {"cart: unknown field", "PUT", "/api/v1/sessions/{sid}/cart", {}, R"({"items":[],"coupon":"FREE"})", {400},
     {"coupon"}},
    {"cart: items is a string", "PUT", "/api/v1/sessions/{sid}/cart", {}, R"({"items":"A51-11236-F"})", {400},
     {"items"}},
    {"cart: string quantity", "PUT", "/api/v1/sessions/{sid}/cart", {}, cart(json::array({line("A51-11236-F", "1")})),
     {400}, {"items[0]"}},
    {"cart: fractional quantity", "PUT", "/api/v1/sessions/{sid}/cart", {}, cart(json::array({line("A51-11236-F", 1.5)})),
     {400}, {"items[0]"}},
    {"cart: number as code", "PUT", "/api/v1/sessions/{sid}/cart", {}, cart(json::array({line(5111236, 1)})), {400},
     {"items[0]"}},
    {"cart: a key twice (the last would win)", "PUT", "/api/v1/sessions/{sid}/cart", {},
     R"({"items":[],"items":[{"code":"A51-11236-F","quantity":1}]})", {400}},
    {"cart: a key twice inside a line", "PUT", "/api/v1/sessions/{sid}/cart", {},
     R"({"items":[{"code":"A51-11236-F","quantity":1,"quantity":100}]})", {400}},
    {"cart: unknown field in a line", "PUT", "/api/v1/sessions/{sid}/cart", {},
     R"({"items":[{"code":"A51-11236-F","quantity":1,"price":1}]})", {400}, {"items[0]"}},
    {"cart: text/plain", "PUT", "/api/v1/sessions/{sid}/cart", text_plain, one, {415}},
    {"cart: no Content-Type", "PUT", "/api/v1/sessions/{sid}/cart", no_content_type, one, {415}},
    {"cart: unknown product code", "PUT", "/api/v1/sessions/{sid}/cart", {},
     cart(json::array({line("ZZZ-00000-Z", 1)})), {422}, {"items[0].code"}},
    {"cart: unknown code on the second line", "PUT", "/api/v1/sessions/{sid}/cart", {},
     cart(json::array({line("A51-11236-F", 1), line("a51-11236-f", 1)})), {422}, {"items[1].code"}},
    {"cart: the same code twice", "PUT", "/api/v1/sessions/{sid}/cart", {},
     cart(json::array({line("A51-11236-F", 1), line("A51-11236-F", 2)})), {422}, {"items[1].code"}},
    {"cart: quantity 0", "PUT", "/api/v1/sessions/{sid}/cart", {}, cart(json::array({line("A51-11236-F", 0)})),
     {422}, {"items[0].quantity"}},
    {"cart: quantity 101", "PUT", "/api/v1/sessions/{sid}/cart", {}, cart(json::array({line("A51-11236-F", 101)})),
     {422}, {"items[0].quantity"}},
    {"cart: negative quantity", "PUT", "/api/v1/sessions/{sid}/cart", {}, cart(json::array({line("A51-11236-F", -1)})),
     {422}, {"items[0].quantity"}},
    {"cart: quantity 2^40 (no wrap-around)", "PUT", "/api/v1/sessions/{sid}/cart", {},
     cart(json::array({line("A51-11236-F", std::int64_t{1} << 40)})), {422}, {"items[0].quantity"}},
    {"cart: 51 lines", "PUT", "/api/v1/sessions/{sid}/cart", {}, cart(fifty_one), {422}, {"items"}},
    {"cart: after the order is placed", "PUT", "/api/v1/sessions/{sid_placed}/cart", {}, one, {409}},
    {"cart: unknown session", "PUT", unknown_sid + "/cart", {}, one, {404}},
    {"cart: body larger than 64 KiB", "PUT", "/api/v1/sessions/{sid}/cart", {},
     R"({"items":[],"padding":")" + std::string(70 * 1024, 'a') + "\"}", {413}},

    // -- PUT /contact -------------------------------------------------------------------------------------------
    {"contact: invalid JSON", "PUT", "/api/v1/sessions/{sid}/contact", {}, R"({"firstname":"Ana",})", {400}},
    {"contact: JSON array instead of an object", "PUT", "/api/v1/sessions/{sid}/contact", {}, in_array(form()),
     {400}},
    {"contact: unknown field", "PUT", "/api/v1/sessions/{sid}/contact", {}, form({{"phone", "+33 1 23 45 67 89"}}),
     {400}, {"phone"}},
    {"contact: email twice", "PUT", "/api/v1/sessions/{sid}/contact", {},
     R"({"email":"first@example.com",)" + form().substr(1), {400}},
    {"contact: number as firstname", "PUT", "/api/v1/sessions/{sid}/contact", {}, form({{"firstname", 42}}), {400},
     {"firstname"}},
    {"contact: object as email", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form({{"email", {{"address", "ana@example.com"}}}}), {400}, {"email"}},
    {"contact: text/plain", "PUT", "/api/v1/sessions/{sid}/contact", text_plain, form(), {415}},
    {"contact: no Content-Type", "PUT", "/api/v1/sessions/{sid}/contact", no_content_type, form(), {415}},
    {"contact: required fields missing", "PUT", "/api/v1/sessions/{sid}/contact", {}, "{}", {422},
     {"firstname", "lastname", "email", "country"}},
    {"contact: whitespace-only lastname", "PUT", "/api/v1/sessions/{sid}/contact", {}, form({{"lastname", "   "}}),
     {422}, {"lastname"}},
    {"contact: email without @", "PUT", "/api/v1/sessions/{sid}/contact", {}, form({{"email", "ana.example.com"}}),
     {422}, {"email"}},
    {"contact: email with two @", "PUT", "/api/v1/sessions/{sid}/contact", {}, form({{"email", "ana@@example.com"}}),
     {422}, {"email"}},
    {"contact: unknown country XX", "PUT", "/api/v1/sessions/{sid}/contact", {}, form({{"country", "XX"}}), {422},
     {"country"}},
    {"contact: alpha-3 country FRA", "PUT", "/api/v1/sessions/{sid}/contact", {}, form({{"country", "FRA"}}), {422},
     {"country"}},
    {"contact: firstname of 5000 characters", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form({{"firstname", std::string(5000, 'a')}}), {422}, {"firstname"}},
    {"contact: zip of 21 characters", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form({{"zip", std::string(21, '1')}}), {422}, {"zip"}},
    // nlohmann refuses invalid UTF-8 in the JSON text itself, so the request may stop at 400.
    {"contact: invalid UTF-8 in firstname", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form_with_raw("firstname", "Ana\xC3\x28"), {400, 422}},
    {"contact: escaped lone surrogate in firstname", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form_with_raw("firstname", "Ana\\ud800"), {400, 422}},
    {"contact: NUL character in firstname", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form({{"firstname", std::string("An\0a", 4)}}), {422}, {"firstname"}},
    {"contact: email of 300 characters", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form({{"email", std::string(288, 'a') + "@example.com"}}), {422}, {"email"}},
    {"contact: control character U+0001 in lastname", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form({{"lastname", "Lo\u0001pez"}}), {422}, {"lastname"}},
    {"contact: C1 control U+0085 in city", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form({{"city", "Ly\u0085on"}}), {422}, {"city"}},
    {"contact: right-to-left override U+202E in firstname", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form({{"firstname", "Ana\u202Efdp.exe"}}), {422}, {"firstname"}},
    {"contact: newline in city", "PUT", "/api/v1/sessions/{sid}/contact", {}, form({{"city", "Lyon\nParis"}}), {422},
     {"city"}},
    {"contact: after the order is placed", "PUT", "/api/v1/sessions/{sid_placed}/contact", {}, form(), {409}},
    {"contact: unknown session", "PUT", unknown_sid + "/contact", {}, form(), {404}},
    {"contact: SQL in the city is plain text", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form({{"city", sql_city}}, "bad-input-sql@example.com"), {200}, {}, {},
     [](const reply& r) {
       EXPECT_EQ(r.json()["contact"]["city"], sql_city);
       EXPECT_GE(query_int(*svc, "SELECT count(*) FROM customers"), 1) << "the customers table must still exist";
       EXPECT_EQ(query_int(*svc, "SELECT count(*) FROM customers WHERE email = 'bad-input-sql@example.com' AND city = "
                                 "'x''); DROP TABLE customers;--'"),
                 1);
     }},
    {"contact: HTML in the firstname is kept verbatim", "PUT", "/api/v1/sessions/{sid}/contact", {},
     form({{"firstname", html_name}}, "bad-input-html@example.com"), {200}, {}, {},
     [](const reply& r) {
       EXPECT_EQ(r.header("content-type"), "application/json");
       EXPECT_EQ(r.json()["contact"]["firstname"], html_name);
       EXPECT_NE(r.body.find("\"" + html_name + "\""), std::string::npos) << r.body;
     }},
    {"contact: a charset parameter is accepted", "PUT", "/api/v1/sessions/{sid}/contact",
     {{"Content-Type", "Application/JSON; charset=utf-8"}}, form(json::object(), "bad-input-charset@example.com"), {200}},

    // -- POST /sessions/{sid}/login -----------------------------------------------------------------------------
    {"session login: invalid JSON", "POST", "/api/v1/sessions/{sid}/login", {}, R"({"login":)", {400}},
    {"session login: number as password", "POST", "/api/v1/sessions/{sid}/login", {},
     R"({"login":"nobody@example.com","password":123456})", {400}, {"password"}},
    {"session login: unknown field", "POST", "/api/v1/sessions/{sid}/login", {},
     R"({"login":"nobody@example.com","password":"whatever-it-is","remember":true})", {400}, {"remember"}},
    {"session login: text/plain", "POST", "/api/v1/sessions/{sid}/login", text_plain, credentials, {415}},
    {"session login: unknown login", "POST", "/api/v1/sessions/{sid}/login", {}, credentials, {401}},
    {"session login: wrong password", "POST", "/api/v1/sessions/{sid}/login", {}, wrong_password, {401}},
    {"session login: unknown session", "POST", unknown_sid + "/login", {}, credentials, {404}},

    // -- POST /order and /pay -----------------------------------------------------------------------------------
    {"order: empty cart", "POST", "/api/v1/sessions/{sid}/order", {}, R"({"paymode":"test"})", {409}},
    {"order: no contact", "POST", "/api/v1/sessions/{sid_cart}/order", {}, R"({"paymode":"test"})", {409}},
    {"order: paymode card", "POST", "/api/v1/sessions/{sid_ready}/order", {}, R"({"paymode":"card"})", {422},
     {"paymode"}},
    {"order: number as paymode", "POST", "/api/v1/sessions/{sid_ready}/order", {}, R"({"paymode":1})", {400},
     {"paymode"}},
    {"order: unknown field", "POST", "/api/v1/sessions/{sid_ready}/order", {},
     R"({"paymode":"test","total":0})", {400}, {"total"}},
    {"order: a language the shop does not speak", "POST", "/api/v1/sessions/{sid_ready}/order", {},
     R"({"paymode":"test","lang":"de"})", {422}, {"lang"}},
    {"order: number as language", "POST", "/api/v1/sessions/{sid_ready}/order", {},
     R"({"paymode":"test","lang":2})", {400}, {"lang"}},
    {"order: empty JSON body", "POST", "/api/v1/sessions/{sid_ready}/order", json_type, "", {400}},
    {"order: no body nor Content-Type", "POST", "/api/v1/sessions/{sid_ready}/order", {}, "", {415}},
    {"order: unknown session", "POST", unknown_sid + "/order", {}, R"({"paymode":"test"})", {404}},
    {"pay: nothing ordered", "POST", "/api/v1/sessions/{sid_ready}/pay", {}, "", {409}},
    {"pay: unknown session", "POST", unknown_sid + "/pay", {}, "", {404}},
    {"cancel: nothing ordered", "POST", "/api/v1/sessions/{sid_ready}/cancel", {}, "", {409}},
    {"cancel: unknown session", "POST", unknown_sid + "/cancel", {}, "", {404}},
    {"routing: GET on a cancel", "GET", "/api/v1/sessions/{sid_placed}/cancel", {}, "", {405}},
    {"order: empty Idempotency-Key", "POST", "/api/v1/sessions/{sid_ready}/order", {{"Idempotency-Key", ""}},
     R"({"paymode":"test"})", {400}, {"Idempotency-Key"}},
    {"order: Idempotency-Key of 65 characters", "POST", "/api/v1/sessions/{sid_ready}/order",
     {{"Idempotency-Key", std::string(65, 'k')}}, R"({"paymode":"test"})", {400}, {"Idempotency-Key"}},
    {"order: Idempotency-Key with a space", "POST", "/api/v1/sessions/{sid_ready}/order",
     {{"Idempotency-Key", "two words"}}, R"({"paymode":"test"})", {400}, {"Idempotency-Key"}},
    {"pay: Idempotency-Key with non-ASCII bytes", "POST", "/api/v1/sessions/{sid_placed}/pay",
     {{"Idempotency-Key", "cl\xc3\xa9"}}, "", {400}, {"Idempotency-Key"}},
    {"notify: Idempotency-Key with a tab", "POST", "/api/v1/payments/notify",
     {{"X-Boutique-Signature", "{signature}"}, {"Idempotency-Key", "a\tb"}}, notice(), {400}, {"Idempotency-Key"}},
    {"session: unknown id", "GET", unknown_sid, {}, "", {404}},
    {"session: SQL as the id", "GET", "/api/v1/sessions/'%20OR%20'1'='1", {}, "", {404}},

    // -- POST /payments/notify ----------------------------------------------------------------------------------
    {"notify: no signature", "POST", "/api/v1/payments/notify", {}, notice(), {401}},
    {"notify: forged signature", "POST", "/api/v1/payments/notify", {{"X-Boutique-Signature", "{forged_signature}"}},
     notice(), {401}},
    {"notify: stale timestamp", "POST", "/api/v1/payments/notify", {{"X-Boutique-Signature", "{stale_signature}"}},
     notice(), {401}},
    {"notify: timestamp from the future", "POST", "/api/v1/payments/notify",
     {{"X-Boutique-Signature", "{future_signature}"}}, notice(), {401}},
    {"notify: malformed signature header", "POST", "/api/v1/payments/notify",
     {{"X-Boutique-Signature", "t=soon,v1=00"}}, notice(), {401}},
    {"notify: signed invalid JSON", "POST", "/api/v1/payments/notify", signed_json, R"({"provider":"test",)", {400}},
    {"notify: signed JSON array", "POST", "/api/v1/payments/notify", signed_json, in_array(notice()), {400}},
    {"notify: signed text/plain", "POST", "/api/v1/payments/notify",
     {{"X-Boutique-Signature", "{signature}"}, {"Content-Type", "text/plain"}}, notice(), {415}},
    {"notify: unknown field", "POST", "/api/v1/payments/notify", signed_json, notice({{"fee", 10}}), {400}, {"fee"}},
    {"notify: string amount", "POST", "/api/v1/payments/notify", signed_json,
     notice({{"amount", std::to_string(placed_total)}}), {400}, {"amount"}},
    {"notify: signed, amount twice (the last would match the bill)", "POST", "/api/v1/payments/notify", signed_json,
     R"({"amount":1,)" + notice({{"txn_id", "bad-input-twice"}}).substr(1), {400}},
    {"notify: unknown status", "POST", "/api/v1/payments/notify", signed_json, notice({{"status", "chargeback"}}),
     {422}, {"status"}},
    {"notify: refunded before the order is paid", "POST", "/api/v1/payments/notify", signed_json,
     notice({{"status", "refunded"}, {"txn_id", "bad-input-refund"}}), {409}},
    {"notify: no txn_id", "POST", "/api/v1/payments/notify", signed_json, notice({{"txn_id", nullptr}}), {422},
     {"txn_id"}},
    {"notify: unknown transid", "POST", "/api/v1/payments/notify", signed_json,
     notice({{"transid", "no-such-transid"}}), {404}},
    {"notify: amount mismatch", "POST", "/api/v1/payments/notify", signed_json, mismatch_amount, {422}, {},
     "payment_notifications", refused_notification_recorded("bad-input-amount")},
    {"notify: currency mismatch", "POST", "/api/v1/payments/notify", signed_json, mismatch_currency, {422}, {},
     "payment_notifications", refused_notification_recorded("bad-input-currency")},

    // -- POST /auth/login and /auth/password --------------------------------------------------------------------
    {"auth login: unknown user", "POST", "/api/v1/auth/login", {}, credentials, {401}},
    {"auth login: wrong password", "POST", "/api/v1/auth/login", {}, wrong_password, {401}},
    {"auth login: invalid JSON", "POST", "/api/v1/auth/login", {}, "login=ana&password=x", {400}},
    {"auth login: JSON array", "POST", "/api/v1/auth/login", {}, in_array(credentials), {400}},
    {"auth login: unknown field", "POST", "/api/v1/auth/login", {},
     R"({"login":"nobody@example.com","password":"whatever-it-is","admin":true})", {400}, {"admin"}},
    {"auth login: login twice", "POST", "/api/v1/auth/login", {},
     R"({"login":"nobody@example.com","login":")" + user_email + R"(","password":"whatever-it-is"})", {400}},
    {"auth login: form-encoded", "POST", "/api/v1/auth/login",
     {{"Content-Type", "application/x-www-form-urlencoded"}}, "login=ana&password=x", {415}},
    {"auth login: no Content-Type", "POST", "/api/v1/auth/login", no_content_type, credentials, {415}},
    {"auth forgot: empty login", "POST", "/api/v1/auth/forgot", {}, R"({"login":""})", {422}, {"login"}},
    {"auth forgot: login longer than 254", "POST", "/api/v1/auth/forgot", {},
     json{{"login", std::string(255, 'a')}}.dump(), {422}, {"login"}},
    {"auth forgot: number as login", "POST", "/api/v1/auth/forgot", {}, R"({"login":42})", {400}, {"login"}},
    {"auth forgot: unknown field", "POST", "/api/v1/auth/forgot", {}, R"({"login":"a@example.com","admin":1})", {400},
     {"admin"}},
    {"auth forgot: unknown name, the same answer as a known one", "POST", "/api/v1/auth/forgot", {},
     R"({"login":"nobody-at-all@example.com"})", {202}},
    {"auth password: unknown token", "POST", "/api/v1/auth/password", {},
     R"({"token":"no-such-token","password":"a long enough passphrase"})", {404}},
    {"auth password: too short", "POST", "/api/v1/auth/password", {}, R"({"token":"no-such-token","password":"short"})",
     {422}},
    {"auth password: longer than 1024", "POST", "/api/v1/auth/password", {},
     json{{"token", "no-such-token"}, {"password", std::string(1025, 'p')}}.dump(), {422}},
    {"auth password: number as token", "POST", "/api/v1/auth/password", {},
     R"({"token":12345,"password":"a long enough passphrase"})", {400}, {"token"}},
    {"auth password: text/plain", "POST", "/api/v1/auth/password", text_plain,
     R"({"token":"no-such-token","password":"a long enough passphrase"})", {415}},

    // -- the support space --------------------------------------------------------------------------------------
    {"me: no cookie", "GET", "/api/v1/me", {}, "", {401}},
    {"me: forged cookie", "GET", "/api/v1/me", forged_cookie, "", {401}},
    {"me bills: forged cookie", "GET", "/api/v1/me/bills", forged_cookie, "", {401}},
    {"me products: no cookie", "GET", "/api/v1/me/products", {}, "", {401}},
    {"me invoice pdf: no cookie", "GET", "/api/v1/me/bills/T-1/invoice.pdf", {}, "", {401}},
    {"me invoice pdf: forged cookie", "GET", "/api/v1/me/bills/T-1/invoice.pdf", forged_cookie, "", {401}},
    {"me invoice pdf: unknown bill", "GET", "/api/v1/me/bills/T-unknown/invoice.pdf", logged_in, "", {404}},
    {"me invoice pdf: encoded slash in the transid", "GET", "/api/v1/me/bills/..%2F..%2Fetc/invoice.pdf", logged_in, "",
     {404}},
    {"me invoice pdf: unknown language", "GET", "/api/v1/me/bills/T-unknown/invoice.pdf?lang=xx", logged_in, "", {404}},
    {"me credit note pdf: no cookie", "GET", "/api/v1/me/bills/T-1/credit-note.pdf", {}, "", {401}},
    {"me credit note pdf: unknown bill", "GET", "/api/v1/me/bills/T-unknown/credit-note.pdf", logged_in, "", {404}},
    {"me customer: no cookie", "PUT", "/api/v1/me/customer", {}, form(), {401}},
    {"me customer: forged cookie", "PUT", "/api/v1/me/customer", forged_cookie, form(), {401}},
    {"me customer: unknown country", "PUT", "/api/v1/me/customer", logged_in, form({{"country", "XX"}}), {422},
     {"country"}},
    {"me customer: empty firstname", "PUT", "/api/v1/me/customer", logged_in, form({{"firstname", ""}}), {422},
     {"firstname"}},
    {"me customer: control character", "PUT", "/api/v1/me/customer", logged_in, form({{"lastname", "Lo\u0001pez"}}),
     {422}, {"lastname"}},
    {"me customer: unknown field", "PUT", "/api/v1/me/customer", logged_in, form({{"user_id", 1}}), {400},
     {"user_id"}},
    {"me customer: text/plain", "PUT", "/api/v1/me/customer", {{"Cookie", "{auth}"}, {"Content-Type", "text/plain"}},
     form(), {415}},
    {"me password: no cookie", "PUT", "/api/v1/me/password", {},
     R"({"current":"whatever it is","password":"a long enough new one"})", {401}},
    {"me password: forged cookie", "PUT", "/api/v1/me/password", forged_cookie,
     R"({"current":"whatever it is","password":"a long enough new one"})", {401}},
    {"me password: new one too short", "PUT", "/api/v1/me/password", logged_in,
     json{{"current", user_password}, {"password", "short"}}.dump(), {422}, {"password"}},
    {"me password: wrong current password", "PUT", "/api/v1/me/password", logged_in,
     R"({"current":"not the password at all","password":"a long enough new one"})", {422}, {"current"}},
    {"me password: number as current", "PUT", "/api/v1/me/password", logged_in,
     R"({"current":42,"password":"a long enough new one"})", {400}, {"current"}},
    {"me password: unknown field", "PUT", "/api/v1/me/password", logged_in,
     json{{"current", user_password}, {"password", "a long enough new one"}, {"user_id", 1}}.dump(), {400},
     {"user_id"}},
    {"me password: text/plain", "PUT", "/api/v1/me/password", {{"Cookie", "{auth}"}, {"Content-Type", "text/plain"}},
     json{{"current", user_password}, {"password", "a long enough new one"}}.dump(), {415}},
    {"me email: no cookie", "POST", "/api/v1/me/email", {}, R"({"email":"new@example.com","current":"x"})", {401}},
    {"me email: not an address", "POST", "/api/v1/me/email", logged_in,
     json{{"email", "not-an-address"}, {"current", user_password}}.dump(), {422}, {"email"}},
    {"me email: empty", "POST", "/api/v1/me/email", logged_in, json{{"email", ""}, {"current", user_password}}.dump(),
     {422}, {"email"}},
    {"me email: the account's own address", "POST", "/api/v1/me/email", logged_in,
     json{{"email", user_email}, {"current", user_password}}.dump(), {422}, {"email"}},
    {"me email: number", "POST", "/api/v1/me/email", logged_in, R"({"email":42,"current":"x"})", {400}, {"email"}},
    {"me email: without the password", "POST", "/api/v1/me/email", logged_in, R"({"email":"new@example.com"})",
     {422}, {"current"}},
    {"me password: without the current one", "PUT", "/api/v1/me/password", logged_in,
     R"({"password":"a long enough new one"})", {422}, {"current"}},
    {"me email: unknown field", "POST", "/api/v1/me/email", logged_in,
     R"({"email":"new@example.com","current":"x","user_id":1})", {400}, {"user_id"}},
    {"auth email: unknown token", "POST", "/api/v1/auth/email", {}, R"({"token":"no-such-token"})", {404}},
    {"auth email: empty token", "POST", "/api/v1/auth/email", {}, R"({"token":""})", {404}},
    {"auth email: number as token", "POST", "/api/v1/auth/email", {}, R"({"token":42})", {400}, {"token"}},
    {"me export: no cookie", "GET", "/api/v1/me/export", {}, "", {401}},
    {"me export: forged cookie", "GET", "/api/v1/me/export", forged_cookie, "", {401}},
    {"me erase: no cookie", "DELETE", "/api/v1/me", {}, json{{"current", user_password}}.dump(), {401}},
    {"me erase: forged cookie", "DELETE", "/api/v1/me", forged_cookie, json{{"current", user_password}}.dump(), {401}},
    {"me erase: without the password", "DELETE", "/api/v1/me", logged_in, "{}", {422}, {"current"}},
    {"me erase: wrong password", "DELETE", "/api/v1/me", logged_in, R"({"current":"not the password at all"})", {422},
     {"current"}},
    {"me erase: number as password", "DELETE", "/api/v1/me", logged_in, R"({"current":42})", {400}, {"current"}},
    {"me erase: unknown field", "DELETE", "/api/v1/me", logged_in,
     json{{"current", user_password}, {"user_id", 1}}.dump(), {400}, {"user_id"}},
    {"me erase: text/plain", "DELETE", "/api/v1/me", {{"Cookie", "{auth}"}, {"Content-Type", "text/plain"}},
     json{{"current", user_password}}.dump(), {415}},
    {"routing: POST on the export", "POST", "/api/v1/me/export", logged_in, "", {405}},
    {"logout everywhere: no cookie", "POST", "/api/v1/auth/logout-everywhere", {}, "", {401}},
    {"logout everywhere: forged cookie", "POST", "/api/v1/auth/logout-everywhere", forged_cookie, "", {401}},

    // -- browser forms --------------------------------------------------------------------------------------------
    {"page form: CSRF cookie and field planted together", "POST", "/cart/add", planted_csrf,
     "code=A51-11236-F&quantity=1&csrf=" + planted, {403}},
    {"page form: planted CSRF pair on the login form", "POST", "/login", planted_csrf,
     "login=" + user_email + "&password=x&csrf=" + planted, {403}},
    {"page form: planted CSRF pair on the account details", "POST", "/account/details",
     {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "{auth}; boutique_csrf=" + planted}},
     "firstname=Mallory&lastname=X&country=FR&csrf=" + planted, {403}},
    {"page form: planted CSRF pair on the password change", "POST", "/account/change-password",
     {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "{auth}; boutique_csrf=" + planted}},
     "current=a+long+enough+passphrase&password=mallorys+password&password_confirm=mallorys+password&csrf=" +
       planted,
     {403}},
    {"page form: planted CSRF pair on the account erasure", "POST", "/account/erase",
     {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "{auth}; boutique_csrf=" + planted}},
     "password_for_erase=a+long+enough+passphrase&csrf=" + planted, {403}},
    {"page form: planted CSRF pair on the email change", "POST", "/account/email",
     {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "{auth}; boutique_csrf=" + planted}},
     "new_email=mallory%40example.com&password_for_email=x&csrf=" + planted, {403}},
    {"page form: planted CSRF pair on log out everywhere", "POST", "/account/logout-everywhere",
     {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "{auth}; boutique_csrf=" + planted}},
     "csrf=" + planted, {403}},
    {"page form: planted CSRF pair on Renew (the account page's form to the cart)", "POST", "/cart/add",
     {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "{auth}; boutique_csrf=" + planted}},
     "code=A51-11237-R&quantity=1&csrf=" + planted, {403}},
    {"notify: signed with the public placeholder secret", "POST", "/api/v1/payments/notify",
     {{"X-Boutique-Signature", "{placeholder_signature}"}}, notice(), {401}},

    // -- routing ------------------------------------------------------------------------------------------------
    {"routing: DELETE on the catalog", "DELETE", "/api/v1/catalog", {}, "", {405}},
    {"routing: PATCH on a cart", "PATCH", "/api/v1/sessions/{sid}/cart", {}, one, {405}},
    {"routing: GET on an order", "GET", "/api/v1/sessions/{sid}/order", {}, "", {405}},
    {"routing: unknown path", "GET", "/api/v1/nothing-here", {}, "", {404}},
    {"routing: HEAD on the catalog answers as GET without a body", "HEAD", "/api/v1/catalog", {}, "", {200}, {}, {},
     [](const reply& r) {
       EXPECT_EQ(r.body, "");
       EXPECT_GT(std::stoul(r.header("content-length").empty() ? "0" : r.header("content-length")), 100u);
     }},

    // -- framing (RFC 9112 §6.1, §6.3): anything but a lone "chunked" on HTTP/1.1 is a 400 and a close -----------
    {"framing: Transfer-Encoding gzip", "POST", "/api/v1/sessions", {{"Transfer-Encoding", "gzip"}}, "", {400}, {},
     {}, closes},
    {"framing: Transfer-Encoding xchunked", "POST", "/api/v1/sessions", {{"Transfer-Encoding", "xchunked"}},
     chunked_end, {400}, {}, {}, closes},
    {"framing: Transfer-Encoding chunked, identity", "POST", "/api/v1/sessions",
     {{"Transfer-Encoding", "chunked, identity"}}, chunked_end, {400}, {}, {}, closes},
    {"framing: Transfer-Encoding gzip, chunked", "POST", "/api/v1/sessions", {{"Transfer-Encoding", "gzip, chunked"}},
     chunked_end, {400}, {}, {}, closes},
    {"framing: chunked on HTTP/1.0", "POST", "/api/v1/sessions", {{"Transfer-Encoding", "chunked"}, {"{http}", "1.0"}},
     chunked_end, {400}, {}, {}, closes},
    // Lower case sorts "content-length" after "Transfer-Encoding": Beast refuses the other order by itself.
    {"framing: Transfer-Encoding then Content-Length", "POST", "/api/v1/sessions",
     {{"Transfer-Encoding", "gzip"}, {"content-length", "0"}}, "", {400}, {}, {}, closes},

    // -- pages --------------------------------------------------------------------------------------------------
    {"page: //cart?lang=fr redirects to /cart, not to a host named cart", "GET", "//cart?lang=fr", {}, "", {303}, {},
     {}, [](const reply& r) { EXPECT_EQ(r.header("location"), "/cart"); }},
  };
}

TEST_F(bad_input, every_bad_request_gets_its_problem_and_a_refusal_changes_nothing) {
  ASSERT_FALSE(placed_transid.empty() || auth_cookie.empty()) << "the suite's setup failed";
  auto rows = table();
  ASSERT_GE(rows.size(), 35u);
  http_client client(svc->port());
  for (const auto& r : rows) {
    SCOPED_TRACE("[" + r.name + "] " + r.method + " " + r.target);
    const bool refused = std::all_of(r.status.begin(), r.status.end(), [](int s) { return s >= 400; });
    auto target = expand_target(r.target);  // creates the sessions the row needs, before the fingerprint
    auto before = take_fingerprint(*svc);
    auto reply = send(client, r, target);
    auto after = take_fingerprint(*svc);

    const bool status_ok = std::find(r.status.begin(), r.status.end(), reply.status) != r.status.end();
    EXPECT_TRUE(status_ok) << "expected status " << ::testing::PrintToString(r.status) << ", got " << reply.status
                           << ": " << reply.body.substr(0, 500);
    EXPECT_FALSE(reply.header("x-request-id").empty());
    const bool page = target.rfind("/api/", 0) != 0;  // the browser front answers refusals with a page
    if (reply.status >= 400 && page) {
      EXPECT_EQ(reply.header("content-type"), "text/html; charset=utf-8");
    } else if (reply.status >= 400) {
      EXPECT_EQ(reply.header("content-type"), "application/problem+json");
      auto problem = json::parse(reply.body, nullptr, false);
      if (!problem.is_object()) {
        ADD_FAILURE() << "the problem body is not a JSON object: " << reply.body.substr(0, 500);
      } else {
        EXPECT_EQ(problem.value("status", 0), reply.status) << reply.body;
        EXPECT_TRUE(problem.contains("title") && problem["title"].is_string()) << reply.body;
        for (const auto& field : r.fields)
          EXPECT_TRUE(problem.contains("errors") && problem["errors"].contains(field))
            << "errors lacks '" << field << "': " << reply.body;
      }
    } else if (target.rfind("/api/", 0) == 0) {
      EXPECT_EQ(reply.header("content-type"), "application/json");
    }
    if (refused) {
      for (const auto& [part, value] : before) {
        if (part == r.may_change) continue;
        EXPECT_TRUE(value == after[part]) << "a refused request changed " << part << ":\n"
                                          << changed_lines(value, after[part]);
      }
    }
    if (r.check) r.check(reply);
  }
}

namespace {

/// A browser's first visit: its CSRF cookie ("name=value") and the token the page's forms carry.
struct page_visit {
  std::string cookie;
  std::string token;
};

page_visit visit_catalog(std::uint16_t port) {
  http_client client(port);
  auto r = client.get("/");
  EXPECT_EQ(r.status, 200);
  page_visit v;
  auto set = r.header("set-cookie");
  v.cookie = set.substr(0, set.find(';'));
  const std::string field = "name=\"csrf\" value=\"";
  auto at = r.body.find(field);
  if (at != std::string::npos) v.token = r.body.substr(at + field.size(), r.body.find('"', at + field.size()) - at - field.size());
  return v;
}

reply add_to_cart(std::uint16_t port, const std::string& cookie, const std::string& token) {
  http_client client(port);
  return client.send("POST", "/cart/add", "code=A51-11236-F&quantity=1&csrf=" + token,
                     {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie}});
}

}  // namespace

TEST_F(bad_input, a_form_passes_only_with_the_token_the_server_derived_for_its_cookie) {
  auto v = visit_catalog(svc->port());
  ASSERT_EQ(v.cookie.rfind("boutique_csrf=", 0), 0u) << v.cookie;
  auto binding = v.cookie.substr(v.cookie.find('=') + 1);
  ASSERT_EQ(binding.size(), 22u);
  EXPECT_NE(v.token, binding) << "the form token must not be the cookie's value";
  EXPECT_EQ(add_to_cart(svc->port(), v.cookie, v.token).status, 303);
  EXPECT_EQ(add_to_cart(svc->port(), v.cookie, binding).status, 403) << "the cookie's own value is no token";
  auto other = visit_catalog(svc->port());
  EXPECT_EQ(add_to_cart(svc->port(), other.cookie, v.token).status, 403) << "a token belongs to one cookie";
}

TEST(secure_cookies, over_https_cookies_are_host_prefixed_and_secure_and_plain_names_are_ignored) {
  auto settings = test_settings();
  settings.shop.base_url = "https://shop.example.com";
  test_service https(settings);
  auto v = visit_catalog(https.port());
  ASSERT_EQ(v.cookie.rfind("__Host-boutique_csrf=", 0), 0u) << v.cookie;
  http_client client(https.port());
  auto set = client.get("/").header("set-cookie");
  EXPECT_NE(set.find("; Secure"), std::string::npos) << set;
  EXPECT_NE(set.find("Path=/"), std::string::npos) << set;
  EXPECT_EQ(set.find("Domain"), std::string::npos) << set;

  auto binding = v.cookie.substr(v.cookie.find('=') + 1);
  EXPECT_EQ(add_to_cart(https.port(), "boutique_csrf=" + binding, v.token).status, 403)
    << "a cookie without the prefix can be planted by a sibling subdomain: it does not count";
  auto added = add_to_cart(https.port(), v.cookie, v.token);
  EXPECT_EQ(added.status, 303);
  EXPECT_EQ(added.header("set-cookie").rfind("__Host-boutique_checkout=", 0), 0u) << added.header("set-cookie");
}

TEST(placeholder_secret, notifications_signed_with_the_public_placeholder_are_refused) {
  auto settings = test_settings();
  settings.payments.secret = boutique::config::placeholder_payment_secret;
  test_service svc(settings);
  checkout c(svc.port());
  ASSERT_EQ(c.cart(json::array({line("A51-11236-F", 1)})).status, 200);
  ASSERT_EQ(c.contact(contact_form("placeholder@example.com")).status, 200);
  auto order = c.order();
  ASSERT_EQ(order.status, 201) << order.body;
  std::string transid = order.json()["transid"];
  auto body = json{{"provider", "test"}, {"txn_id", "forged-1"}, {"transid", transid}, {"status", "completed"},
                   {"amount", order.json()["total"]}, {"currency", "EUR"}}.dump();
  http_client client(svc.port());
  auto r = client.send("POST", "/api/v1/payments/notify", body,
                       {{"X-Boutique-Signature", boutique::domain::sign_notification(
                                                   body, boutique::config::placeholder_payment_secret, now_s())}});
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(query_text(svc, "SELECT status FROM bills WHERE transid = ?", transid), "PLACED");
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM payment_notifications"), 0);
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM products"), 0);
}
