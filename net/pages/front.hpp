#pragma once

// What the page handlers share (net/pages/*.cpp, net/page_routes.cpp): the front, one request's visitor, the
// responses, the view data and the flows that reach a session or the logged-in user. Include only from CAF
// translation units.

#include "domain/clock.hpp"
#include "domain/product.hpp"
#include "domain/signature.hpp"
#include "domain/tokens.hpp"
#include "net/ask.hpp"
#include "net/attempts.hpp"
#include "net/backend.hpp"
#include "net/pages/i18n.hpp"
#include "net/password_reset.hpp"
#include "net/pages/kit.hpp"
#include "net/pages/site.hpp"
#include "net/query.hpp"
#include "net/router.hpp"

#include <caf/all.hpp>

#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace boutique::net::pages {

using kainjow::mustache::data;
using form_values = std::map<std::string, std::string>;

inline constexpr const char* checkout_cookie = "boutique_checkout";
inline constexpr const char* csrf_cookie = "boutique_csrf";
inline constexpr const char* lang_cookie = "boutique_lang";
inline constexpr const char* auth_cookie = "boutique_auth";
inline constexpr std::int64_t one_year_s = 365 * 86400;

using domain::now_s;

/// Everything the page handlers share.
struct front {
  std::shared_ptr<backend> b;
  std::shared_ptr<const pages::site> site;
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
  cookie_jar cookies{false};  ///< Secure and __Host- named when the request came over HTTPS
};


// -- responses and view data (net/pages/front.cpp) ---------------------------------------------------------------

/// The query `query` without its `lang` parameter, re-encoded.
std::string query_without_lang(const std::string& query);
visitor visitor_of(const front& f, const http_request& request, const route_params& p);
/// Pages hold personal data: by default nothing is cached.
void add_security_headers(http_response& response, const char* cache_control = "no-store");
/// A file served as is (style sheet, script, document), cached for an hour.
http_response static_file(std::string content_type, std::string body);
/// Renders `tmpl` as a full page. Every response sets at most one cookie (the HTTP layer keeps one Set-Cookie).
http_response page(const front& f, const visitor& v, int status, const std::string& tmpl, const std::string& title,
                   data d);
/// A 303 to `location`, always a path of this site (local_redirect_target): "//cart" would name a host "cart".
http_response see_other(const std::string& location, std::optional<std::string> cookie = std::nullopt);
http_response message_page(const front& f, const visitor& v, int status, const std::string& title,
                           const std::string& message, const std::string& back_href = "/",
                           const char* back_key = "back_home");
/// A refusal in words: its detail, then each field's message ("the cart is not valid: unknown product").
std::string problem_text(const caf::error& err, language l);
/// The page answering an actor's error.
http_response error_page(const front& f, const visitor& v, const caf::error& err, const std::string& back_href = "/");
data list_of();
/// Sets `key` only for a non-empty value: in Mustache an empty string still opens a {{#section}}.
void set_if(data& d, const std::string& key, const std::string& value);
/// A contact for the pages; the country by its name in `l`.
data contact_data(const domain::contact& c, language l);
/// One form field: its value, label, error and input attributes.
data field(language l, const std::string& name, const std::string& value, const domain::field_errors& errors,
           const char* type, const char* autocomplete, bool required);
/// The contact form's fields with their values and errors. `account_email` makes the email read-only.
data contact_fields(language l, const domain::contact& c, const domain::field_errors& errors, bool account_email);
domain::contact contact_from(const form_values& form);
std::string value_of(const form_values& form, const std::string& key);
data lines_data(language l, const std::vector<domain::bill_line>& lines, const std::string& currency);
data totals_data(language l, std::int64_t untaxed, std::int64_t taxes, std::int64_t total, const std::string& currency);
void set_cart(data& d, language l, const domain::priced_cart& cart);
/// The checkout steps, `current` being 0 (cart) to 4 (done).
void set_steps(data& d, language l, int current);
/// The seller as invoices show it (config [seller]).
data seller_data(const domain::seller& seller);
data invoice_data(language l, const std::string& transid, const std::string& status, std::int64_t at,
                  const domain::contact& contact, const std::vector<domain::bill_line>& lines, std::int64_t untaxed,
                  std::int64_t taxes, std::int64_t total, const std::string& currency);

/// An error handler answering the error page.
inline auto fail_page(const front_ptr& f, const visitor& v, const responder& respond, std::string back_href = "/") {
  return [f, v, respond, back_href](caf::error& err) { respond(error_page(*f, v, err, back_href)); };
}

/// An error handler for a message to the checkout session. A session renamed meanwhile (a login in another tab,
/// a double click at the contact step) answers not_found to its old route: the browser is sent to `retry` (a page
/// of this site), which it asks again with the cookie of the response that renamed it, instead of a 404.
inline auto fail_session(const front_ptr& f, const visitor& v, const responder& respond, std::string retry) {
  return [f, v, respond, retry](caf::error& err) {
    if (domain_code(err) == domain::error_code::not_found) return respond(see_other(retry));
    respond(error_page(*f, v, err, retry));
  };
}

// -- flows -----------------------------------------------------------------------------------------------------

/// Runs `next(self, session)` with the browser's checkout session, or `missing(self)` when it has none (or it
/// expired).
template <class Next, class Missing>
void with_checkout(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond,
                   Next next, Missing missing) {
  auto sid = v.cookies.value(request, checkout_cookie);
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
        .then([self, s, next](session_snapshot& snap) mutable { next(self, s, snap); },
              fail_session(f, v, respond, v.page));
    },
    missing);
}

/// The login page that returns to the page `request` asked for once logged in ("/login?next=..."); plain "/login"
/// after a form post, whose page cannot be asked for again.
std::string login_page_for(const http_request& request);
/// Where a login returns to: the `next` it was given when it is a path of this site, else the support space.
std::string after_login(const std::string& next);

/// Runs `next(self, user)` for the logged-in support-space user; sends the browser to the login page otherwise
/// (which returns here once logged in).
template <class Next>
void with_user(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond,
               Next next) {
  auto token = v.cookies.value(request, auth_cookie);
  auto to_login = login_page_for(request);
  if (token.empty() || token.size() > 64) return respond(see_other(to_login));
  run_flow(f->b->sys, v.due, respond, [f, v, token, respond, next, to_login](flow_self self) mutable {
    self->request(f->b->identity, patience(self), caf::get_atom_v, atoms::auth_atom_v, token)
      .then([self, next](user_record& user) mutable { next(self, user); },
            [f, v, respond, to_login](caf::error& err) {
              if (domain_code(err) == domain::error_code::unauthenticated)
                return respond(see_other(to_login, v.cookies.header(auth_cookie, "", 0)));
              respond(error_page(*f, v, err));
            });
  });
}

/// Runs `next(self, user, customer)` with the customer account attached to the logged-in user (or none).
template <class Next>
void with_customer(const front_ptr& f, const http_request& request, const visitor& v, const responder& respond,
                   Next next) {
  with_user(f, request, v, respond, [f, v, respond, next](flow_self self, user_record user) mutable {
    self->request(f->b->readers.next(), patience(self), caf::get_atom_v, atoms::customer_atom_v, user.id)
      .then([self, user, next](std::optional<customer_record>& c) mutable { next(self, user, c); },
            fail_page(f, v, respond));
  });
}


// -- the pages (net/pages/checkout.cpp, account.cpp, invoices.cpp, email_change.cpp), in the two shapes of
// net/page_routes.cpp ----------------------------------------------------------------------------------------------

/// A page read with GET.
using get_page = void(const front_ptr& f, const http_request& request, const route_params& p, const visitor& v,
                      const responder& respond);
/// A form posted (its CSRF token already checked).
using post_page = void(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                       const responder& respond);

get_page show_catalog, show_cart, show_contact, show_confirm, show_pay, show_done, show_login, show_forgot,
  show_password, show_account, show_invoice, show_invoice_pdf, show_email_confirm, download_my_data, show_credit_note_pdf;
post_page add_to_cart, update_cart, deposit_contact, checkout_login, place_order, pay, cancel_order, log_in,
  log_out, forgot_password, set_password, save_account, change_password, log_out_everywhere, request_email_change,
  confirm_email, erase_account;

}  // namespace boutique::net::pages
