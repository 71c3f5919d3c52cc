// Over 500 lines for now: every page route is here until the split into net/pages/{checkout,account,...}.cpp
// planned in issue 13.
#include "net/page_routes.hpp"

// The browser front: server-rendered pages that send the same typed messages to the same actors as the JSON
// routes (net/api_routes.cpp). Forms post application/x-www-form-urlencoded with a CSRF token; every answer that
// changes something is a 303 to the next page (post/redirect/get), so reloading never repeats an action.

#include "domain/product.hpp"
#include "domain/signature.hpp"
#include "domain/tokens.hpp"
#include "net/ask.hpp"
#include "net/attempts.hpp"
#include "net/pages/i18n.hpp"
#include "net/pages/kit.hpp"
#include "net/pages/site.hpp"
#include "net/query.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>

namespace boutique::net {

namespace {

using kainjow::mustache::data;
using pages::language;
using pages::text;
using form_values = std::map<std::string, std::string>;

constexpr const char* checkout_cookie = "boutique_checkout";
constexpr const char* csrf_cookie = "boutique_csrf";
constexpr const char* lang_cookie = "boutique_lang";
constexpr const char* auth_cookie = "boutique_auth";
constexpr std::int64_t one_year_s = 365 * 86400;

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

/// Everything the page handlers share.
struct front {
  std::shared_ptr<backend> b;
  std::shared_ptr<const pages::site> site;
  pages::cookie_jar cookies;
};
using front_ptr = std::shared_ptr<const front>;

/// What one browser request brings along: its language, its CSRF token, and where the language switch leads.
/// The CSRF cookie holds a random binding value; the forms' token is HMAC(server secret, binding), so a
/// cookie and field chosen together by someone without the secret never match.
struct visitor {
  language lang = language::en;
  std::string binding;      ///< the CSRF cookie's value
  std::string csrf;         ///< the token the forms carry
  bool new_binding = false; ///< the browser had no binding value: the page sets one
  std::string page;       ///< the GET page this request shows (for the language switch)
  std::string query;      ///< its query, without lang
  deadline due;           ///< the request's: every message it causes carries it
};

/// The query `query` without its `lang` parameter, re-encoded.
std::string query_without_lang(const std::string& query) {
  std::string out;
  for (const auto& [key, value] : parse_query(query).value_or(form_values{})) {
    if (key == "lang") continue;
    out += (out.empty() ? "" : "&") + pages::percent_encode(key) + "=" + pages::percent_encode(value);
  }
  return out;
}

/// The page a POST falls back to when it answers with a page (its GET twin), for the language switch.
std::string page_of(const http_request& request) {
  if (request.method == "GET") return request.path;
  static const std::map<std::string, std::string> twins = {
    {"/cart/add", "/cart"},           {"/cart/update", "/cart"}, {"/checkout/login", "/checkout/contact"},
    {"/checkout/order", "/checkout/confirm"}, {"/account/details", "/account"}, {"/logout", "/"}};
  auto twin = twins.find(request.path);
  return twin == twins.end() ? request.path : twin->second;
}

visitor visitor_of(const front& f, const http_request& request, const route_params& p) {
  visitor v;
  v.due = p.due();
  v.lang = pages::choose_language(request, f.cookies.value(request, lang_cookie));
  v.binding = f.cookies.value(request, csrf_cookie);
  if (v.binding.size() != 22) {
    v.binding = domain::new_secret_id();
    v.new_binding = true;
  }
  v.csrf = domain::csrf_token(f.b->csrf_secret, v.binding);
  v.page = page_of(request);
  v.query = request.method == "GET" ? query_without_lang(request.query) : "";
  return v;
}

// -- responses -------------------------------------------------------------------------------------------------

/// Pages hold personal data: by default nothing is cached.
void add_security_headers(http_response& response, const char* cache_control = "no-store") {
  response.headers.emplace_back("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Cache-Control", cache_control);
}

/// Renders `tmpl` as a full page. Every response sets at most one cookie (the HTTP layer keeps one Set-Cookie).
http_response page(const front& f, const visitor& v, int status, const std::string& tmpl, const std::string& title,
                   data d) {
  auto other = v.lang == language::fr ? language::en : language::fr;
  d.set("t", pages::texts(v.lang));
  d.set("lang", std::string(pages::code_of(v.lang)));
  d.set("csrf", v.csrf);
  d.set("page_title", title);
  d.set("switch_href", v.page + "?" + (v.query.empty() ? "" : v.query + "&") + "lang=" +
                         std::string(pages::code_of(other)));
  d.set("switch_lang", std::string(pages::code_of(other)));
  d.set("switch_label", text(v.lang, "switch_label"));
  d.set("test_mode", f.b->test_mode);
  http_response response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = f.site->render(tmpl, std::move(d));
  add_security_headers(response);
  if (v.new_binding) response.headers.emplace_back("Set-Cookie", f.cookies.header(csrf_cookie, v.binding, one_year_s));
  return response;
}

/// A 303 to `location`, always a path of this site (local_redirect_target): "//cart" would name a host "cart".
http_response see_other(const std::string& location, std::optional<std::string> cookie = std::nullopt) {
  http_response response;
  response.status = 303;
  response.content_type = "text/plain; charset=utf-8";
  response.headers.emplace_back("Location", local_redirect_target(location));
  add_security_headers(response);
  if (cookie) response.headers.emplace_back("Set-Cookie", *cookie);
  return response;
}

http_response message_page(const front& f, const visitor& v, int status, const std::string& title,
                           const std::string& message, const std::string& back_href = "/",
                           const char* back_key = "back_home") {
  data d;
  d.set("alert", message);
  d.set("back_href", back_href);
  d.set("back_label", text(v.lang, back_key));
  return page(f, v, status, "error", title, std::move(d));
}

/// A refusal in words: its detail, then each field's message ("the cart is not valid: unknown product").
std::string problem_text(const caf::error& err, language l) {
  auto out = pages::field_message(error_detail(err), l);
  auto fields = error_fields(err);
  for (auto it = fields.begin(); it != fields.end(); ++it)
    out += (it == fields.begin() ? ": " : "; ") + pages::field_message(it->second, l);
  return out;
}

/// The page answering an actor's error.
http_response error_page(const front& f, const visitor& v, const caf::error& err, const std::string& back_href = "/") {
  auto status = status_of(domain_code(err));
  switch (status) {
    case 404: return message_page(f, v, 404, text(v.lang, "title_not_found"), text(v.lang, "not_found"), back_href);
    case 409: return message_page(f, v, 409, text(v.lang, "title_error"), text(v.lang, "conflict"), back_href, "back");
    case 422:
    case 400: return message_page(f, v, status, text(v.lang, "title_error"), problem_text(err, v.lang), back_href, "back");
    case 429:
    case 503: {
      auto why = text(v.lang, status == 429 ? "too_many_attempts" : "unavailable");
      auto response = message_page(f, v, status, text(v.lang, "title_error"), why, back_href, "back");
      if (auto wait = error_retry_after(err); wait > 0) response.headers.emplace_back("Retry-After", std::to_string(wait));
      return response;
    }
    default: {
      auto response = message_page(f, v, status, text(v.lang, "title_error"), text(v.lang, "failed"), back_href, "back");
      response.log_detail = error_detail(err);  // for the access log only
      return response;
    }
  }
}

auto fail_page(const front_ptr& f, const visitor& v, const responder& respond, std::string back_href = "/") {
  return [f, v, respond, back_href](caf::error& err) { respond(error_page(*f, v, err, back_href)); };
}

// -- view data -------------------------------------------------------------------------------------------------

data list_of() { return data{data::type::list}; }

/// Sets `key` only for a non-empty value: in Mustache an empty string still opens a {{#section}}.
void set_if(data& d, const std::string& key, const std::string& value) {
  if (!value.empty()) d.set(key, value);
}

data contact_data(const domain::contact& c) {
  data d;
  set_if(d, "firstname", c.firstname);
  set_if(d, "lastname", c.lastname);
  set_if(d, "email", c.email);
  set_if(d, "organisation", c.organisation);
  set_if(d, "address", c.address);
  set_if(d, "zip", c.zip);
  set_if(d, "city", c.city);
  set_if(d, "country", c.country);
  set_if(d, "invoiceinfo", c.invoiceinfo);
  return d;
}

struct field_spec {
  const char* name;
  std::string domain::contact::*member;
  const char* type;
  const char* autocomplete;
  bool required;
  bool multiline;
};

const field_spec contact_specs[] = {
  {"firstname", &domain::contact::firstname, "text", "given-name", true, false},
  {"lastname", &domain::contact::lastname, "text", "family-name", true, false},
  {"email", &domain::contact::email, "email", "email", true, false},
  {"organisation", &domain::contact::organisation, "text", "organization", false, false},
  {"address", &domain::contact::address, "text", "street-address", false, true},
  {"zip", &domain::contact::zip, "text", "postal-code", false, false},
  {"city", &domain::contact::city, "text", "address-level2", false, false},
  {"country", &domain::contact::country, "text", "country", true, false},
  {"invoiceinfo", &domain::contact::invoiceinfo, "text", "off", false, true},
};

data field(language l, const std::string& name, const std::string& value, const domain::field_errors& errors,
           const char* type, const char* autocomplete, bool required) {
  data d;
  d.set("name", name);
  d.set("label", text(l, "field_" + name));
  d.set("value", value);
  d.set("type", type);
  d.set("autocomplete", autocomplete);
  d.set("required", required);
  if (auto e = errors.find(name); e != errors.end()) d.set("error", pages::field_message(e->second, l));
  return d;
}

/// The contact form's fields with their values and errors. `account_email` makes the email read-only.
data contact_fields(language l, const domain::contact& c, const domain::field_errors& errors, bool account_email) {
  auto fields = list_of();
  for (const auto& spec : contact_specs) {
    auto d = field(l, spec.name, c.*spec.member, errors, spec.type, spec.autocomplete, spec.required);
    d.set("multiline", spec.multiline);
    if (account_email && std::string_view(spec.name) == "email") {
      d.set("readonly", true);
      d.set("hint", text(l, "email_is_login"));
    }
    fields.push_back(d);
  }
  return fields;
}

domain::contact contact_from(const form_values& form) {
  domain::contact c;
  for (const auto& spec : contact_specs)
    if (auto it = form.find(spec.name); it != form.end()) c.*spec.member = it->second;
  return c;
}

std::string value_of(const form_values& form, const std::string& key) {
  auto it = form.find(key);
  return it == form.end() ? std::string() : it->second;
}

data lines_data(language l, const std::vector<domain::bill_line>& lines, const std::string& currency) {
  auto list = list_of();
  for (const auto& line : lines) {
    data d;
    d.set("code", line.code);
    d.set("name", line.name);
    d.set("quantity", std::to_string(line.quantity));
    d.set("unit_price", pages::money(line.unit_price, currency, l));
    d.set("taxes", pages::money(line.taxes, currency, l));
    d.set("total", pages::money(line.total, currency, l));
    list.push_back(d);
  }
  return list;
}

data totals_data(language l, std::int64_t untaxed, std::int64_t taxes, std::int64_t total, const std::string& currency) {
  data d;
  d.set("untaxed", pages::money(untaxed, currency, l));
  d.set("taxes", pages::money(taxes, currency, l));
  d.set("total", pages::money(total, currency, l));
  return d;
}

void set_cart(data& d, language l, const domain::priced_cart& cart) {
  d.set("lines", lines_data(l, cart.lines, cart.currency));
  d.set("totals", totals_data(l, cart.untaxed, cart.taxes, cart.total, cart.currency));
}

/// The checkout steps, `current` being 0 (cart) to 4 (done).
void set_steps(data& d, language l, int current) {
  static const char* keys[] = {"step_cart", "step_details", "step_confirm", "step_pay", "step_done"};
  auto steps = list_of();
  for (int i = 0; i < 5; ++i) {
    data step;
    step.set("label", text(l, keys[i]));
    step.set("class", i < current ? "done" : i == current ? "current" : "todo");
    step.set("current", i == current);
    steps.push_back(step);
  }
  d.set("has_steps", true);
  d.set("steps", steps);
}

data invoice_data(language l, const std::string& transid, const std::string& status, std::int64_t at,
                  const domain::contact& contact, const std::vector<domain::bill_line>& lines, std::int64_t untaxed,
                  std::int64_t taxes, std::int64_t total, const std::string& currency) {
  data d;
  d.set("transid", transid);
  d.set("status_label", pages::bill_status_label(status, l));
  d.set("date", pages::date_of(at));
  d.set("contact", contact_data(contact));
  d.set("lines", lines_data(l, lines, currency));
  d.set("totals", totals_data(l, untaxed, taxes, total, currency));
  return d;
}

// -- flows -----------------------------------------------------------------------------------------------------

/// Runs `next(self, session)` with the browser's checkout session, or `missing(self)` when it has none (or it
/// expired).
template <class Next, class Missing>
void with_checkout(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond,
                   Next next, Missing missing) {
  auto sid = f->cookies.value(request, checkout_cookie);
  run_flow(f->b->sys, v.due, respond, [f, v, sid, respond, next, missing](flow_self self) mutable {
    if (sid.empty() || sid.size() > 64) return missing(self);
    self->request(f->b->sessions, patience(self), atoms::resolve_atom_v, sid)
      .then([self, next](actors::session_ref& s) mutable { next(self, s); },
            [self, f, v, respond, missing](caf::error& err) mutable {
              if (domain_code(err) == domain::error_code::not_found) return missing(self);
              respond(error_page(*f, v, err));
            });
  });
}

/// Runs `next(self, session, snapshot)`; `missing(self)` without a checkout session.
template <class Next, class Missing>
void with_snapshot(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond,
                   Next next, Missing missing) {
  with_checkout(
    f, request, v, respond,
    [f, v, respond, next](flow_self self, actors::session_ref s) mutable {
      self->request(s.actor, patience(self), s.route.under(due(self)), caf::get_atom_v)
        .then([self, s, next](session_snapshot& snap) mutable { next(self, s, snap); }, fail_page(f, v, respond));
    },
    missing);
}

/// Runs `next(self, user)` for the logged-in support-space user; sends the browser to the login page otherwise.
template <class Next>
void with_user(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond,
               Next next) {
  auto token = f->cookies.value(request, auth_cookie);
  if (token.empty() || token.size() > 64) return respond(see_other("/login"));
  run_flow(f->b->sys, v.due, respond, [f, v, token, respond, next](flow_self self) mutable {
    self->request(f->b->identity, patience(self), caf::get_atom_v, atoms::auth_atom_v, token)
      .then([self, next](user_record& user) mutable { next(self, user); },
            [f, v, respond](caf::error& err) {
              if (domain_code(err) == domain::error_code::unauthenticated)
                return respond(see_other("/login", f->cookies.header(auth_cookie, "", 0)));
              respond(error_page(*f, v, err));
            });
  });
}

/// Runs `next(self, user, customer)` with the customer account attached to the logged-in user (or none).
template <class Next>
void with_customer(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond,
                   Next next) {
  with_user(f, request, v, respond, [f, v, respond, next](flow_self self, user_record user) mutable {
    self->request(f->b->readers, patience(self), caf::get_atom_v, atoms::customer_atom_v, user.id)
      .then([self, user, next](std::optional<customer_record>& c) mutable { next(self, user, c); },
            fail_page(f, v, respond));
  });
}

// -- catalog and cart ------------------------------------------------------------------------------------------

void show_catalog(const front_ptr& f, const visitor& v, const responder& respond) {
  run_flow(f->b->sys, v.due, respond, [f, v, respond](flow_self self) {
    self->request(f->b->readers, patience(self), caf::get_atom_v, atoms::catalog_atom_v)
      .then(
        [f, v, respond](domain::catalog& items) {
          auto list = list_of();
          for (const auto& item : items) {
            data d;
            d.set("code", item.code);
            d.set("name", item.name);
            d.set("price", pages::money(item.price, item.currency, v.lang));
            auto duration = item.duration_days ? text(v.lang, "duration_days") : text(v.lang, "duration_unlimited");
            if (auto at = duration.find("{}"); at != std::string::npos && item.duration_days)
              duration.replace(at, 2, std::to_string(*item.duration_days));
            d.set("duration", duration);
            list.push_back(d);
          }
          data d;
          d.set("items", list);
          d.set("nav_catalog", true);
          respond(page(*f, v, 200, "catalog", text(v.lang, "title_catalog"), std::move(d)));
        },
        fail_page(f, v, respond));
  });
}

void show_cart(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond) {
  auto render = [f, v, respond](const session_snapshot* snap) {
    data d;
    d.set("nav_cart", true);
    set_steps(d, v.lang, 0);
    bool empty = !snap || snap->priced.lines.empty() || snap->stage == "completed" || snap->stage == "cancelled";
    d.set("empty", empty);
    if (!empty) set_cart(d, v.lang, snap->priced);
    respond(page(*f, v, 200, "cart", text(v.lang, "title_cart"), std::move(d)));
  };
  with_snapshot(
    f, request, v, respond,
    [respond, render](flow_self, const actors::session_ref&, const session_snapshot& snap) {
      if (snap.stage == "placed") return respond(see_other("/checkout/pay"));
      render(&snap);
    },
    [render](flow_self) { render(nullptr); });
}

/// The requested quantity; -1 (refused by the session's rules) when it is not a number.
std::int32_t quantity_of(const std::string& text) {
  std::int32_t quantity = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), quantity);
  if (ec != std::errc() || end != text.data() + text.size()) return -1;
  return std::clamp<std::int32_t>(quantity, -1, 1000);
}

/// The cart with `code` set to `quantity` (added, changed, or removed at 0); `add` adds to the current quantity.
cart_request changed_cart(cart_request lines, const std::string& code, std::int32_t quantity, bool add) {
  auto line = std::find_if(lines.begin(), lines.end(), [&](const domain::cart_line& l) { return l.code == code; });
  if (line == lines.end()) {
    if (quantity != 0) lines.push_back({code, quantity});
  } else if (quantity == 0) {
    lines.erase(line);
  } else {
    line->quantity = add && quantity > 0 ? std::min(line->quantity + quantity, 1000) : quantity;
  }
  return lines;
}

/// Replaces the cart of `s` and sends the browser to the cart page (with `cookie` when the session is new).
void store_cart(flow_self self, const front_ptr& f, const visitor& v, const responder& respond,
                actors::session_ref s, const cart_request& lines, std::optional<std::string> cookie) {
  self->request(s.actor, patience(self), s.route.under(due(self)), caf::put_atom_v, atoms::cart_atom_v, lines)
    .then([respond, cookie](session_snapshot&) { respond(see_other("/cart", cookie)); },
          fail_page(f, v, respond, "/cart"));
}

/// Creates a checkout session (as POST /api/v1/sessions does) holding `lines`; its id goes to the cookie.
void start_checkout(flow_self self, const front_ptr& f, const visitor& v, const responder& respond,
                    const cart_request& lines) {
  self->request(f->b->sessions, patience(self), caf::put_atom_v)
    .then(
      [self, f, v, respond, lines](std::string& sid) {
        self->request(f->b->sessions, patience(self), atoms::resolve_atom_v, sid)
          .then(
            [self, f, v, respond, lines, sid](actors::session_ref& s) {
              store_cart(self, f, v, respond, s, lines, f->cookies.header(checkout_cookie, sid, std::nullopt));
            },
            fail_page(f, v, respond));
      },
      fail_page(f, v, respond));
}

void change_cart(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                 const responder& respond, bool add) {
  auto code = value_of(form, "code");
  auto quantity = quantity_of(value_of(form, "quantity").empty() ? "1" : value_of(form, "quantity"));
  with_snapshot(
    f, request, v, respond,
    [f, v, respond, code, quantity, add](flow_self self, actors::session_ref s, const session_snapshot& snap) {
      if (snap.stage == "placed") return respond(see_other("/checkout/pay"));
      if (snap.stage == "completed" || snap.stage == "cancelled")
        return start_checkout(self, f, v, respond, changed_cart({}, code, quantity, add));
      store_cart(self, f, v, respond, s, changed_cart(snap.cart, code, quantity, add), std::nullopt);
    },
    [f, v, respond, code, quantity, add](flow_self self) {
      start_checkout(self, f, v, respond, changed_cart({}, code, quantity, add));
    });
}

// -- checkout steps --------------------------------------------------------------------------------------------

/// Where a session in `snap`'s stage belongs when it asks for another step; empty when `step` fits.
std::string misplaced(const session_snapshot& snap, const std::string& step) {
  if (snap.stage == "completed") return step == "done" ? "" : "/checkout/done";
  if (snap.stage == "placed") return step == "pay" ? "" : "/checkout/pay";
  if (snap.priced.lines.empty() || snap.stage == "cancelled") return "/cart";
  if (step == "confirm" && !snap.contact_given) return "/checkout/contact";
  if (step == "pay" || step == "done") return "/checkout/confirm";
  return "";
}

struct contact_view {
  domain::contact values;
  domain::field_errors errors;
  bool authenticated = false;
  std::string login;
  std::string login_error;
};

http_response contact_page(const front& f, const visitor& v, int status, const contact_view& view) {
  data d;
  set_steps(d, v.lang, 1);
  d.set("fields", contact_fields(v.lang, view.values, view.errors, false));
  d.set("authenticated", view.authenticated);
  d.set("login", view.login);
  set_if(d, "login_error", view.login_error);
  if (!view.errors.empty()) d.set("alert", text(v.lang, "form_has_errors"));
  return page(f, v, status, "contact", text(v.lang, "title_contact"), std::move(d));
}

void show_contact(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond) {
  with_snapshot(
    f, request, v, respond,
    [f, v, respond](flow_self, const actors::session_ref&, const session_snapshot& snap) {
      if (auto elsewhere = misplaced(snap, "contact"); !elsewhere.empty()) return respond(see_other(elsewhere));
      respond(contact_page(*f, v, 200, {snap.contact, {}, snap.user_id.has_value(), "", ""}));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void deposit_contact(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                     const responder& respond) {
  auto typed = contact_from(form);
  with_checkout(
    f, request, v, respond,
    [f, v, respond, typed](flow_self self, actors::session_ref s) {
      self->request(s.actor, patience(self), s.route.under(due(self)), caf::put_atom_v, atoms::customer_atom_v, typed)
        .then([respond](session_snapshot&) { respond(see_other("/checkout/confirm")); },
              [self, f, v, respond, typed, s](caf::error& err) {
                if (domain_code(err) != domain::error_code::validation) return respond(error_page(*f, v, err));
                self->request(s.actor, patience(self), s.route.under(due(self)), caf::get_atom_v)
                  .then(
                    [f, v, respond, typed, errors = error_fields(err)](session_snapshot& snap) {
                      respond(contact_page(*f, v, 422, {typed, errors, snap.user_id.has_value(), "", ""}));
                    },
                    fail_page(f, v, respond));
              });
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void checkout_login(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                    const responder& respond) {
  auto login = value_of(form, "login");
  auto password = value_of(form, "password");
  with_checkout(
    f, request, v, respond,
    [f, v, respond, login, password](flow_self self, actors::session_ref s) {
      self->request(s.actor, patience(self), s.route.under(due(self)), atoms::login_atom_v, login, password)
        .then(
          [f, respond](session_snapshot& snap) {
            // The session has a new id from now on: the browser gets it, the old one no longer works.
            respond(see_other("/checkout/contact", f->cookies.header(checkout_cookie, snap.id, std::nullopt)));
          },
              [self, f, v, respond, login, s](caf::error& err) {
                auto code = domain_code(err);
                if (code != domain::error_code::unauthenticated && code != domain::error_code::throttled)
                  return respond(error_page(*f, v, err));
                auto why = code == domain::error_code::throttled ? text(v.lang, "too_many_attempts")
                                                                 : text(v.lang, "login_failed");
                self->request(s.actor, patience(self), s.route.under(due(self)), caf::get_atom_v)
                  .then(
                    [f, v, respond, login, why, status = status_of(code), wait = error_retry_after(err)](
                      session_snapshot& snap) {
                      auto response = contact_page(*f, v, status, {snap.contact, {}, false, login, why});
                      if (wait > 0) response.headers.emplace_back("Retry-After", std::to_string(wait));
                      respond(std::move(response));
                    },
                    fail_page(f, v, respond));
              });
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void show_confirm(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond) {
  with_snapshot(
    f, request, v, respond,
    [f, v, respond](flow_self, const actors::session_ref&, const session_snapshot& snap) {
      if (auto elsewhere = misplaced(snap, "confirm"); !elsewhere.empty()) return respond(see_other(elsewhere));
      data d;
      set_steps(d, v.lang, 2);
      set_cart(d, v.lang, snap.priced);
      d.set("contact", contact_data(snap.contact));
      respond(page(*f, v, 200, "confirm", text(v.lang, "title_confirm"), std::move(d)));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void place_order(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond) {
  with_checkout(
    f, request, v, respond,
    [f, v, respond](flow_self self, actors::session_ref s) {
      self->request(s.actor, patience(self), s.route.under(due(self)), atoms::order_atom_v, std::string("test"))
        .then([respond](session_snapshot&) { respond(see_other("/checkout/pay")); },
              fail_page(f, v, respond, "/checkout/confirm"));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void show_pay(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond) {
  with_snapshot(
    f, request, v, respond,
    [f, v, respond](flow_self, const actors::session_ref&, const session_snapshot& snap) {
      if (auto elsewhere = misplaced(snap, "pay"); !elsewhere.empty()) return respond(see_other(elsewhere));
      data d;
      set_steps(d, v.lang, 3);
      d.set("transid", snap.transid.value_or(""));
      d.set("totals", totals_data(v.lang, snap.priced.untaxed, snap.priced.taxes, snap.priced.total, snap.priced.currency));
      respond(page(*f, v, 200, "pay", text(v.lang, "title_pay"), std::move(d)));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void pay(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond) {
  with_checkout(
    f, request, v, respond,
    [f, v, respond](flow_self self, actors::session_ref s) {
      self->request(s.actor, patience(self), s.route.under(due(self)), atoms::pay_atom_v)
        .then([respond](payment_outcome&) { respond(see_other("/checkout/done")); },
              fail_page(f, v, respond, "/checkout/pay"));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void show_done(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond) {
  with_snapshot(
    f, request, v, respond,
    [f, v, respond](flow_self, const actors::session_ref&, const session_snapshot& snap) {
      if (auto elsewhere = misplaced(snap, "done"); !elsewhere.empty()) return respond(see_other(elsewhere));
      const auto& cart = snap.priced;
      data d;
      set_steps(d, v.lang, 4);
      auto invoice = invoice_data(v.lang, snap.transid.value_or(""), snap.bill_status.value_or(""), snap.updated_at,
                                  snap.contact, cart.lines, cart.untaxed, cart.taxes, cart.total, cart.currency);
      invoice.set("heading", true);  // the invoice page has it as its title
      d.set("invoice", invoice);
      respond(page(*f, v, 200, "done", text(v.lang, "title_done"), std::move(d)));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

// -- login, logout, password -----------------------------------------------------------------------------------

http_response login_page(const front& f, const visitor& v, int status, const std::string& login,
                         const std::string& alert) {
  data d;
  d.set("nav_account", true);
  d.set("login", login);
  set_if(d, "alert", alert);
  return page(f, v, status, "login", text(v.lang, "title_login"), std::move(d));
}

void log_in(const front_ptr& f, const visitor& v, const form_values& form, const responder& respond) {
  auto login = value_of(form, "login");
  auto password = value_of(form, "password");
  run_flow(f->b->sys, v.due, respond, [f, v, respond, login, password](flow_self self) {
    self->request(f->b->identity, patience(self), due(self), atoms::login_atom_v, login, password)
      .then(
        [self, f, v, respond](user_record& user) {
          self->request(f->b->identity, patience(self), due(self), atoms::auth_atom_v, user.id)
            .then(
              [f, respond](std::string& token) {
                respond(see_other("/account", f->cookies.header(auth_cookie, token, f->b->login_ttl_s)));
              },
              fail_page(f, v, respond));
        },
        [f, v, respond, login](caf::error& err) {
          auto code = domain_code(err);
          if (code == domain::error_code::unauthenticated)
            return respond(login_page(*f, v, 401, login, text(v.lang, "login_failed")));
          respond(error_page(*f, v, err, "/login"));
        });
  });
}

void log_out(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond) {
  auto token = f->cookies.value(request, auth_cookie);
  auto cleared = see_other("/", f->cookies.header(auth_cookie, "", 0));
  if (token.empty() || token.size() > 64) return respond(cleared);
  run_flow(f->b->sys, v.due, respond, [f, v, token, cleared, respond](flow_self self) {
    self->request(f->b->identity, patience(self), due(self), atoms::logout_atom_v, token)
      .then([cleared, respond](caf::ok_atom) { respond(cleared); }, fail_page(f, v, respond));
  });
}

http_response password_page(const front& f, const visitor& v, int status, const std::string& token,
                            const domain::field_errors& errors) {
  data d;
  d.set("token", token);
  auto fields = list_of();
  fields.push_back(field(v.lang, "password", "", errors, "password", "new-password", true));
  fields.push_back(field(v.lang, "password_confirm", "", errors, "password", "new-password", true));
  d.set("fields", fields);
  return page(f, v, status, "password", text(v.lang, "title_password"), std::move(d));
}

void show_password(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond) {
  auto token = value_of(parse_query(request.query).value_or(form_values{}), "token");
  if (token.empty() || token.size() > 64)
    return respond(message_page(*f, v, 404, text(v.lang, "title_password"), text(v.lang, "link_unknown")));
  respond(password_page(*f, v, 200, token, {}));
}

void set_password(const front_ptr& f, const visitor& given, const form_values& form, const responder& respond) {
  auto token = value_of(form, "token");
  auto password = value_of(form, "password");
  auto v = given;
  v.query = "token=" + pages::percent_encode(token);
  if (token.empty() || token.size() > 64)
    return respond(message_page(*f, v, 404, text(v.lang, "title_password"), text(v.lang, "link_unknown")));
  if (password != value_of(form, "password_confirm"))
    return respond(password_page(*f, v, 422, token, {{"password_confirm", text(v.lang, "passwords_differ")}}));
  run_flow(f->b->sys, v.due, respond, [f, v, respond, token, password](flow_self self) {
    self->request(f->b->identity, patience(self), due(self), atoms::password_atom_v, token, password)
      .then(
        [f, v, respond](caf::ok_atom) {
          data d;
          d.set("done", true);
          respond(page(*f, v, 200, "password", text(v.lang, "title_password"), std::move(d)));
        },
        [f, v, respond, token](caf::error& err) {
          auto code = domain_code(err);
          if (code == domain::error_code::not_found)
            return respond(message_page(*f, v, 404, text(v.lang, "title_password"), text(v.lang, "link_unknown")));
          if (code != domain::error_code::validation) return respond(error_page(*f, v, err));
          // The identity actor words its rule as "password <problem>".
          auto why = error_detail(err);
          if (why.rfind("password ", 0) == 0) why.erase(0, 9);
          respond(password_page(*f, v, 422, token, {{"password", why}}));
        });
  });
}

// -- the customer support space --------------------------------------------------------------------------------

struct account_view {
  std::optional<domain::contact> typed;  ///< values typed into the details form (when they were refused)
  domain::field_errors errors;
  bool saved = false;
};

data user_data(const user_record& user) {
  data d;
  d.set("username", user.username);
  if (user.email != user.username) d.set("email", user.email);
  return d;
}

data products_data(language l, const product_list& products) {
  auto list = list_of();
  auto now = now_s();
  for (const auto& p : products) {
    auto state = domain::product_state(now, p.start, p.end, p.bill_complete);
    data d;
    d.set("reference", p.reference);
    d.set("start", pages::date_of(p.start));
    d.set("end", p.end ? pages::date_of(*p.end) : text(l, "no_end"));
    d.set("code", p.code);
    d.set("name", p.name);
    d.set("state", state);
    d.set("state_label", pages::state_label(state, l));
    list.push_back(d);
  }
  return list;
}

data bills_data(language l, const bill_list& bills) {
  auto list = list_of();
  for (const auto& b : bills) {
    data d;
    d.set("transid", b.transid);
    d.set("date", pages::date_of(b.emitted_at));
    d.set("status_label", pages::bill_status_label(b.status, l));
    d.set("total", pages::money(b.total, b.currency, l));
    list.push_back(d);
  }
  return list;
}

data documents_data(const pages::site& site, language l) {
  auto list = list_of();
  for (const auto& doc : site.documents()) {
    data d;
    d.set("file", doc.file);
    d.set("title", l == language::fr ? doc.title_fr : doc.title_en);
    list.push_back(d);
  }
  return list;
}

http_response account_page(const front& f, const visitor& v, const account_view& view, const user_record& user,
                           const std::optional<customer_record>& customer, const bill_list& bills,
                           const product_list& products) {
  data d;
  d.set("nav_account", true);
  d.set("user", user_data(user));
  d.set("has_customer", customer.has_value());
  if (customer)
    d.set("fields", contact_fields(v.lang, view.typed.value_or(customer->details), view.errors, true));
  d.set("has_products", !products.empty());
  d.set("products", products_data(v.lang, products));
  d.set("has_bills", !bills.empty());
  d.set("bills", bills_data(v.lang, bills));
  d.set("documents", documents_data(*f.site, v.lang));
  if (view.saved) d.set("notice", text(v.lang, "saved"));
  if (!view.errors.empty()) d.set("alert", text(v.lang, "form_has_errors"));
  return page(f, v, view.errors.empty() ? 200 : 422, "account", text(v.lang, "title_account"), std::move(d));
}

/// Reads the bills and products of `customer` and answers the account page.
void answer_account(flow_self self, const front_ptr& f, const visitor& v, const responder& respond,
                    const account_view& view, const user_record& user, const std::optional<customer_record>& customer) {
  if (!customer) return respond(account_page(*f, v, view, user, customer, {}, {}));
  auto& b = *f->b;
  self->request(b.readers, b.timeout, caf::get_atom_v, atoms::bills_atom_v, customer->id)
    .then(
      [self, f, v, respond, view, user, customer](bill_list& bills) {
        self->request(f->b->readers, patience(self), caf::get_atom_v, atoms::products_atom_v, customer->id)
          .then(
            [f, v, respond, view, user, customer, bills](product_list& products) {
              respond(account_page(*f, v, view, user, customer, bills, products));
            },
            fail_page(f, v, respond));
      },
      fail_page(f, v, respond));
}

void show_account(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond) {
  account_view view;
  view.saved = parse_query(request.query).value_or(form_values{}).count("saved") > 0;
  with_customer(f, request, v, respond,
                [f, v, respond, view](flow_self self, user_record user, std::optional<customer_record> c) {
                  answer_account(self, f, v, respond, view, user, c);
                });
}

/// Edits the customer account attached to the user, as PUT /api/v1/me/customer does.
void save_account(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                  const responder& respond) {
  auto typed = contact_from(form);
  with_customer(
    f, request, v, respond,
    [f, v, respond, typed](flow_self self, user_record user, std::optional<customer_record> c) mutable {
      if (!c) return respond(message_page(*f, v, 404, text(v.lang, "title_account"), text(v.lang, "no_customer")));
      auto edit = domain::edit_of_account(typed, c->details.email);  // the rule of PUT /api/v1/me/customer
      if (!edit.errors.empty()) {
        typed.email = c->details.email;
        return answer_account(self, f, v, respond, {typed, edit.errors, false}, user, c);
      }
      self->request(f->b->accounts, patience(self), due(self), atoms::deposit_atom_v, edit.details,
                    std::optional{user.id})
        .then([respond](customer_record&) { respond(see_other("/account?saved=1")); }, fail_page(f, v, respond, "/account"));
    });
}

void show_invoice(const front_ptr& f, const http_request& request, const route_params& p, const visitor& v,
                  const responder& respond) {
  auto transid = p.get("transid");
  with_customer(f, request, v, respond,
                [f, v, respond, transid](flow_self self, user_record, std::optional<customer_record> c) {
                  auto not_found = [f, v, respond] {
                    respond(message_page(*f, v, 404, text(v.lang, "title_not_found"), text(v.lang, "not_found"),
                                         "/account", "back_to_account"));
                  };
                  if (!c) return not_found();
                  self->request(f->b->readers, patience(self), caf::get_atom_v, atoms::bills_atom_v, c->id)
                    .then(
                      [f, v, respond, transid, c, not_found](bill_list& bills) {
                        auto bill = std::find_if(bills.begin(), bills.end(),
                                                 [&](const bill_record& b) { return b.transid == transid; });
                        if (bill == bills.end()) return not_found();
                        data d;
                        d.set("nav_account", true);
                        d.set("invoice", invoice_data(v.lang, bill->transid, bill->status, bill->emitted_at, bill->billed_to,
                                                      bill->lines, bill->untaxed, bill->taxes, bill->total,
                                                      bill->currency));
                        respond(page(*f, v, 200, "invoice_page", text(v.lang, "title_invoice") + " " + bill->transid,
                                     std::move(d)));
                      },
                      fail_page(f, v, respond));
                });
}

// -- static files ----------------------------------------------------------------------------------------------

http_response static_file(std::string content_type, std::string body) {
  http_response response;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  add_security_headers(response, "public, max-age=3600");
  return response;
}

// -- registration ----------------------------------------------------------------------------------------------

using get_page = std::function<void(const front_ptr&, http_request&, const route_params&, const visitor&,
                                    const responder&)>;
using post_page = std::function<void(const front_ptr&, http_request&, const visitor&, const form_values&,
                                     const responder&)>;

/// A page read with GET. `?lang=fr` stores the choice in a cookie and reloads the page without it.
route_handler on_get(const front_ptr& f, get_page handler) {
  return [f, handler](http_request& request, const route_params& p, responder respond) {
    auto query = parse_query(request.query).value_or(form_values{});
    if (auto lang = query.find("lang"); lang != query.end()) {
      auto chosen = pages::parse_language(lang->second).value_or(language::en);
      auto rest = query_without_lang(request.query);
      return respond(see_other(request.path + (rest.empty() ? "" : "?" + rest),
                               f->cookies.header(lang_cookie, pages::code_of(chosen), one_year_s)));
    }
    handler(f, request, p, visitor_of(*f, request, p), respond);
  };
}

/// A form post: application/x-www-form-urlencoded with the CSRF token of the browser's binding cookie (403
/// otherwise; compared in constant time).
route_handler on_post(const front_ptr& f, post_page handler) {
  return [f, handler](http_request& request, const route_params& p, responder respond) {
    auto v = visitor_of(*f, request, p);
    auto type = request.header("content-type").value_or("");
    if (type.substr(0, 33) != "application/x-www-form-urlencoded")
      return respond(message_page(*f, v, 415, text(v.lang, "title_error"), text(v.lang, "bad_form")));
    auto form = parse_query(request.body);
    if (!form) return respond(message_page(*f, v, 400, text(v.lang, "title_error"), text(v.lang, "bad_form")));
    auto sent = value_of(*form, "csrf");
    if (v.new_binding || sent.empty() || !domain::constant_time_equal(sent, v.csrf))
      return respond(message_page(*f, v, 403, text(v.lang, "title_forbidden"), text(v.lang, "csrf_refused")));
    handler(f, request, v, *form, respond);
  };
}

/// A form post verifying a secret: one attempt from the client address, counted with the JSON routes' attempts
/// before it starts (see as_attempt); past the limit, a page saying to wait (429 with Retry-After).
post_page as_secret_attempt(post_page handler) {
  return [handler = std::move(handler)](const front_ptr& f, http_request& request, const visitor& v,
                                        const form_values& form, const responder& respond) {
    as_attempt(f->b, v.due, request.remote_address, respond, [f, v](caf::error& err) { return error_page(*f, v, err); },
               [f, request, v, form, handler](responder settle) mutable { handler(f, request, v, form, settle); });
  };
}

}  // namespace

void add_page_routes(router& r, std::shared_ptr<backend> b) {
  // No backend when only the table is wanted (the request fuzz target): no handler runs then.
  auto cookies = pages::cookie_jar(b && b->secure_cookies);
  auto f = std::make_shared<const front>(front{std::move(b), pages::site::load(pages::site::locate()), cookies});
  using rq = http_request;
  using params = route_params;
  using fp = const front_ptr&;
  using vis = const visitor&;
  using resp = const responder&;
  using form = const form_values&;

  r.add("GET", "/", on_get(f, [](fp f, rq&, const params&, vis v, resp respond) { show_catalog(f, v, respond); }));
  r.add("GET", "/cart", on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_cart(f, q, v, respond); }));
  r.add("POST", "/cart/add",
        on_post(f, [](fp f, rq& q, vis v, form fm, resp respond) { change_cart(f, q, v, fm, respond, true); }));
  r.add("POST", "/cart/update",
        on_post(f, [](fp f, rq& q, vis v, form fm, resp respond) { change_cart(f, q, v, fm, respond, false); }));
  r.add("GET", "/checkout/contact",
        on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_contact(f, q, v, respond); }));
  r.add("POST", "/checkout/contact",
        on_post(f, [](fp f, rq& q, vis v, form fm, resp respond) { deposit_contact(f, q, v, fm, respond); }));
  r.add("POST", "/checkout/login",
        on_post(f, as_secret_attempt(
                     [](fp f, rq& q, vis v, form fm, resp respond) { checkout_login(f, q, v, fm, respond); })));
  r.add("GET", "/checkout/confirm",
        on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_confirm(f, q, v, respond); }));
  r.add("POST", "/checkout/order",
        on_post(f, [](fp f, rq& q, vis v, form, resp respond) { place_order(f, q, v, respond); }));
  r.add("GET", "/checkout/pay",
        on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_pay(f, q, v, respond); }));
  r.add("POST", "/checkout/pay", on_post(f, [](fp f, rq& q, vis v, form, resp respond) { pay(f, q, v, respond); }));
  r.add("GET", "/checkout/done",
        on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_done(f, q, v, respond); }));
  r.add("GET", "/login", on_get(f, [](fp f, rq&, const params&, vis v, resp respond) {
          respond(login_page(*f, v, 200, "", ""));
        }));
  r.add("POST", "/login",
        on_post(f, as_secret_attempt([](fp f, rq&, vis v, form fm, resp respond) { log_in(f, v, fm, respond); })));
  r.add("POST", "/logout", on_post(f, [](fp f, rq& q, vis v, form, resp respond) { log_out(f, q, v, respond); }));
  r.add("GET", "/account/password",
        on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_password(f, q, v, respond); }));
  r.add("POST", "/account/password",
        on_post(f, as_secret_attempt(
                     [](fp f, rq&, vis v, form fm, resp respond) { set_password(f, v, fm, respond); })));
  r.add("GET", "/account",
        on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_account(f, q, v, respond); }));
  r.add("POST", "/account/details",
        on_post(f, [](fp f, rq& q, vis v, form fm, resp respond) { save_account(f, q, v, fm, respond); }));
  r.add("GET", "/account/invoices/{transid}",
        on_get(f, [](fp f, rq& q, const params& p, vis v, resp respond) { show_invoice(f, q, p, v, respond); }));
  r.add("GET", "/static/style.css", [f](rq&, const params&, responder respond) {
    respond(static_file("text/css; charset=utf-8", f->site->style_sheet()));
  });
  r.add("GET", "/static/docs/{file}", [f](rq& q, const params& p, responder respond) {
    auto doc = f->site->find_document(p.get("file"));
    if (!doc) {
      auto v = visitor_of(*f, q, p);
      return respond(message_page(*f, v, 404, text(v.lang, "title_not_found"), text(v.lang, "not_found")));
    }
    respond(static_file("text/html; charset=utf-8", doc->body));
  });
}

}  // namespace boutique::net
