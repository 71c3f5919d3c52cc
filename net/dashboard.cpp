#include "net/dashboard.hpp"

#include "config/logging.hpp"
#include "domain/clock.hpp"
#include "domain/signature.hpp"
#include "net/attempts.hpp"
#include "net/pages/front.hpp"
#include "net/pages/site.hpp"
#include "net/query.hpp"

#include <kainjow/mustache.hpp>

#include <stdexcept>

namespace boutique::net {

namespace {

constexpr std::int64_t pass_lifetime_s = 8 * 3600;

/// The page and its two files, read once from web/admin/ when the routes are made.
struct dashboard_files {
  std::string page;  ///< a Mustache template: the sign-in form, or the dashboard once signed in
  std::string script;
  std::string style;
};

dashboard_files load_files() {
  auto dir = pages::site::locate() / "admin";
  return {pages::read_web_file(dir / "dashboard.mustache"), pages::read_web_file(dir / "dashboard.js"),
          pages::read_web_file(dir / "dashboard.css")};
}

/// The cookie's name: "__Secure-" prefixed over HTTPS, where the browser then refuses it without Secure.
std::string cookie_name(const http_request& request) {
  return request.secure ? "__Secure-boutique_admin" : "boutique_admin";
}

/// Path=/admin: the browser shares cookies between the ports of one host, and the shop's listener has no /admin.
std::string pass_cookie(const http_request& request, const std::string& value, std::int64_t max_age) {
  return cookie_name(request) + "=" + value + "; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age) + (request.secure ? "; Secure" : "");
}

http_response render(const dashboard_files& files, int status, bool signed_in, const std::string& error = {}) {
  kainjow::mustache::mustache tmpl{files.page};
  kainjow::mustache::data d;
  d.set("signed_in", signed_in);
  if (!error.empty()) d.set("error", error);
  http_response response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = tmpl.render(d);
  pages::add_security_headers(response);
  return response;
}

/// A form posted from another site is refused: browsers say where a request comes from in Sec-Fetch-Site.
/// (The pass cookie is SameSite=Strict, and it opens reading only, so this guards the sign-in and sign-out forms.)
bool cross_site(const http_request& request) {
  auto site = request.header("sec-fetch-site");
  return site && *site != "same-origin" && *site != "none";
}

void sign_in(const std::shared_ptr<backend>& b, const std::shared_ptr<const dashboard_files>& files,
             http_request& request, const route_params& p, const responder& respond) {
  if (cross_site(request)) return respond(render(*files, 403, false, "This form must be sent from this page."));
  auto form = parse_query(request.body);
  auto type = request.header("content-type").value_or("");
  if (type.substr(0, 33) != "application/x-www-form-urlencoded" || !form || !form->count("token"))
    return respond(render(*files, 400, false, "Paste the admin token in the field and press Sign in."));
  auto token = form->at("token");
  auto address = request.remote_address;
  // Counted apart from the shop's logins: shoppers behind the admin's address cannot lock the admin out.
  as_attempt(
    b, p.due(), "admin:" + address, respond,
    [files](caf::error&) {
      auto busy = render(*files, 429, false, "Too many wrong tokens from this address: wait a few minutes.");
      busy.headers.emplace_back("Retry-After", "60");
      return busy;
    },
    [b, files, token, request, address](responder settle) {
      auto log = config::logger("admin");
      if (b->admin_token.empty() || !domain::constant_time_equal(token, b->admin_token)) {
        log->warn("event=dashboard_sign_in result=refused address={} request_id={}", address, request.request_id);
        return settle(render(*files, 401, false, "That is not the admin token."));
      }
      log->info("event=dashboard_sign_in result=ok address={} request_id={}", address, request.request_id);
      auto pass = domain::admin_pass(b->admin_token, domain::now_s() + pass_lifetime_s);
      settle(pages::see_other("/admin/dashboard", pass_cookie(request, pass, pass_lifetime_s)));
    });
}

}  // namespace

bool has_dashboard_pass(const backend& b, const http_request& request) {
  auto pass = pages::cookie_value(request, cookie_name(request));
  return !pass.empty() && domain::admin_pass_valid(b.admin_token, pass, domain::now_s());
}

void add_dashboard_routes(router& r, std::shared_ptr<backend> b) {
  auto files = std::make_shared<const dashboard_files>(load_files());
  r.add("GET", "/admin/dashboard", [b, files](http_request& request, const route_params&, responder respond) {
    respond(render(*files, 200, has_dashboard_pass(*b, request)));
  });
  r.add("POST", "/admin/dashboard", [b, files](http_request& request, const route_params& p, responder respond) {
    sign_in(b, files, request, p, respond);
  });
  r.add("POST", "/admin/dashboard/logout", [files](http_request& request, const route_params&, responder respond) {
    if (cross_site(request)) return respond(render(*files, 403, false, "This form must be sent from this page."));
    respond(pages::see_other("/admin/dashboard", pass_cookie(request, "", 0)));
  });
  r.add("GET", "/admin/dashboard/app.js", [files](http_request&, const route_params&, responder respond) {
    respond(pages::static_file("text/javascript; charset=utf-8", files->script));
  });
  r.add("GET", "/admin/dashboard/app.css", [files](http_request&, const route_params&, responder respond) {
    respond(pages::static_file("text/css; charset=utf-8", files->style));
  });
}

}  // namespace boutique::net
