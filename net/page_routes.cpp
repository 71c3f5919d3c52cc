// The browser front: server-rendered pages that send the same typed messages to the same actors as the JSON
// routes (net/api_routes.cpp). Forms post application/x-www-form-urlencoded with a CSRF token; every answer that
// changes something is a 303 to the next page (post/redirect/get), so reloading never repeats an action. The pages
// are in net/pages/ by resource (checkout.cpp, account.cpp); this file is their route table.
#include "net/page_routes.hpp"

#include "net/pages/front.hpp"

namespace boutique::net {

namespace {

using namespace pages;

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
                               pages::cookie_jar(request.secure).header(lang_cookie, pages::code_of(chosen), one_year_s)));
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
  auto f = std::make_shared<const front>(front{std::move(b), pages::site::load(pages::site::locate())});
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
  r.add("POST", "/checkout/cancel",
        on_post(f, [](fp f, rq& q, vis v, form fm, resp respond) { cancel_order(f, q, v, fm, respond); }));
  r.add("GET", "/checkout/done",
        on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_done(f, q, v, respond); }));
  r.add("GET", "/login",
        on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_login(f, q, v, respond); }));
  r.add("POST", "/login",
        on_post(f, as_secret_attempt([](fp f, rq&, vis v, form fm, resp respond) { log_in(f, v, fm, respond); })));
  r.add("POST", "/logout", on_post(f, [](fp f, rq& q, vis v, form, resp respond) { log_out(f, q, v, respond); }));
  r.add("GET", "/account/forgot",
        on_get(f, [](fp f, rq&, const params&, vis v, resp respond) { show_forgot(f, v, respond); }));
  r.add("POST", "/account/forgot",
        on_post(f, [](fp f, rq&, vis v, form fm, resp respond) { forgot_password(f, v, fm, respond); }));
  r.add("GET", "/account/password",
        on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_password(f, q, v, respond); }));
  r.add("POST", "/account/password",
        on_post(f, as_secret_attempt(
                     [](fp f, rq&, vis v, form fm, resp respond) { set_password(f, v, fm, respond); })));
  r.add("GET", "/account",
        on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_account(f, q, v, respond); }));
  r.add("POST", "/account/details",
        on_post(f, [](fp f, rq& q, vis v, form fm, resp respond) { save_account(f, q, v, fm, respond); }));
  r.add("POST", "/account/change-password",
        on_post(f, as_secret_attempt(
                     [](fp f, rq& q, vis v, form fm, resp respond) { change_password(f, q, v, fm, respond); })));
  r.add("POST", "/account/email",
        on_post(f, as_secret_attempt(
                     [](fp f, rq& q, vis v, form fm, resp respond) { request_email_change(f, q, v, fm, respond); })));
  r.add("GET", "/account/email",
        on_get(f, [](fp f, rq& q, const params&, vis v, resp respond) { show_email_confirm(f, q, v, respond); }));
  r.add("POST", "/account/email/confirm",
        on_post(f, as_secret_attempt([](fp f, rq&, vis v, form fm, resp respond) { confirm_email(f, v, fm, respond); })));
  r.add("POST", "/account/logout-everywhere",
        on_post(f, [](fp f, rq& q, vis v, form, resp respond) { log_out_everywhere(f, q, v, respond); }));
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
  // Browsers ask for /favicon.ico whatever the page names: both answer the SVG.
  for (const char* path : {"/static/favicon.svg", "/favicon.ico"})
    r.add("GET", path, [f](rq&, const params&, responder respond) {
      respond(static_file("image/svg+xml", f->site->favicon()));
    });
  // A path of the pages that no route knows gets a page saying so; the JSON API keeps its problem+json.
  auto not_found = on_get(f, [](fp f, rq&, const params&, vis v, resp respond) {
    respond(message_page(*f, v, 404, text(v.lang, "title_not_found"), text(v.lang, "not_found")));
  });
  r.otherwise([not_found](rq& q, const params& p, responder respond) {
    if (q.path == "/api" || q.path.rfind("/api/", 0) == 0)
      return respond(problem(404, "Not Found", "no resource at " + q.path));
    not_found(q, p, std::move(respond));
  });
}

}  // namespace boutique::net

