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

/// A page read with GET. `?lang=fr` stores the choice in a cookie and reloads the page without it.
route_handler on_get(const front_ptr& f, get_page* handler) {
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
route_handler on_post(const front_ptr& f, std::function<post_page> handler) {
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
std::function<post_page> as_secret_attempt(post_page* handler) {
  return [handler](const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                   const responder& respond) {
    as_attempt(f->b, v.due, request.remote_address, respond, [f, v](caf::error& err) { return error_page(*f, v, err); },
               [f, request, v, form, handler](responder settle) mutable { handler(f, request, v, form, settle); });
  };
}

/// How a route's requests reach its page.
enum class shape {
  read,    ///< GET (on_get)
  form,    ///< a form post (on_post)
  secret,  ///< a form post verifying a secret (on_post, as_secret_attempt)
};

struct page_route {
  const char* method;
  const char* path;
  shape how;
  get_page* read = nullptr;
  post_page* post = nullptr;
};

const page_route page_table[] = {
  {"GET", "/", shape::read, show_catalog},
  {"GET", "/cart", shape::read, show_cart},
  {"POST", "/cart/add", shape::form, nullptr, add_to_cart},
  {"POST", "/cart/update", shape::form, nullptr, update_cart},
  {"GET", "/checkout/contact", shape::read, show_contact},
  {"POST", "/checkout/contact", shape::form, nullptr, deposit_contact},
  {"POST", "/checkout/login", shape::secret, nullptr, checkout_login},
  {"GET", "/checkout/confirm", shape::read, show_confirm},
  {"POST", "/checkout/order", shape::form, nullptr, place_order},
  {"GET", "/checkout/pay", shape::read, show_pay},
  {"POST", "/checkout/pay", shape::form, nullptr, pay},
  {"POST", "/checkout/cancel", shape::form, nullptr, cancel_order},
  {"GET", "/checkout/done", shape::read, show_done},
  {"GET", "/login", shape::read, show_login},
  {"POST", "/login", shape::secret, nullptr, log_in},
  {"POST", "/logout", shape::form, nullptr, log_out},
  {"GET", "/account/forgot", shape::read, show_forgot},
  {"POST", "/account/forgot", shape::form, nullptr, forgot_password},
  {"GET", "/account/password", shape::read, show_password},
  {"POST", "/account/password", shape::secret, nullptr, set_password},
  {"GET", "/account", shape::read, show_account},
  {"POST", "/account/details", shape::form, nullptr, save_account},
  {"POST", "/account/change-password", shape::secret, nullptr, change_password},
  {"POST", "/account/email", shape::secret, nullptr, request_email_change},
  {"GET", "/account/email", shape::read, show_email_confirm},
  {"POST", "/account/email/confirm", shape::secret, nullptr, confirm_email},
  {"POST", "/account/logout-everywhere", shape::form, nullptr, log_out_everywhere},
  {"GET", "/account/export", shape::read, download_my_data},
  {"POST", "/account/erase", shape::secret, nullptr, erase_account},
  {"GET", "/account/invoices/{transid}", shape::read, show_invoice},
  {"GET", "/account/invoices/{transid}/invoice.pdf", shape::read, show_invoice_pdf},
  {"GET", "/account/invoices/{transid}/credit-note.pdf", shape::read, show_credit_note_pdf},
};

}  // namespace

void add_page_routes(router& r, std::shared_ptr<backend> b) {
  // No backend when only the table is wanted (the request fuzz target): no handler runs then.
  auto f = std::make_shared<const front>(front{std::move(b), pages::site::load(pages::site::locate())});
  for (const auto& route : page_table) {
    switch (route.how) {
      case shape::read: r.add(route.method, route.path, on_get(f, route.read)); break;
      case shape::form: r.add(route.method, route.path, on_post(f, route.post)); break;
      case shape::secret: r.add(route.method, route.path, on_post(f, as_secret_attempt(route.post))); break;
    }
  }
  using rq = http_request;
  using params = route_params;
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
  auto not_found = on_get(f, [](const front_ptr& f, const rq&, const params&, const visitor& v,
                                const responder& respond) {
    respond(message_page(*f, v, 404, text(v.lang, "title_not_found"), text(v.lang, "not_found")));
  });
  r.otherwise([not_found](rq& q, const params& p, responder respond) {
    if (q.path == "/api" || q.path.rfind("/api/", 0) == 0)
      return respond(problem(404, "Not Found", "no resource at " + q.path));
    not_found(q, p, std::move(respond));
  });
}

}  // namespace boutique::net

