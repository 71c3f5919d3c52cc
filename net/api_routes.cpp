#include "net/api_routes.hpp"

#include "net/api/kit.hpp"

namespace boutique::net {

namespace {

/// What a route goes through before its handler.
enum class guard {
  none,
  limited,     ///< verifies a secret: counted as an attempt of the client address first (limited_by_address)
  idempotent,  ///< an Idempotency-Key replays its first outcome (net/api/idempotency.hpp), scoped by `scope`
};

struct api_route {
  const char* method;
  const char* path;
  api::handler* handle;
  guard by = guard::none;
  const char* scope = "";
};

const api_route api_table[] = {
  {"GET", "/api/v1/catalog", api::get_catalog},
  {"POST", "/api/v1/sessions", api::create_session},
  {"GET", "/api/v1/sessions/{sid}", api::get_session},
  {"PUT", "/api/v1/sessions/{sid}/cart", api::put_cart},
  {"PUT", "/api/v1/sessions/{sid}/contact", api::put_contact},
  {"GET", "/api/v1/sessions/{sid}/contact", api::get_contact},
  {"POST", "/api/v1/sessions/{sid}/login", api::session_login, guard::limited},
  {"POST", "/api/v1/sessions/{sid}/order", api::place_order, guard::idempotent, "order"},
  {"POST", "/api/v1/sessions/{sid}/pay", api::test_pay, guard::idempotent, "pay"},
  {"POST", "/api/v1/sessions/{sid}/cancel", api::cancel_order, guard::idempotent, "cancel"},
  {"POST", "/api/v1/payments/notify", api::notify_payment, guard::idempotent, "notify"},
  {"POST", "/api/v1/auth/login", api::auth_login, guard::limited},
  {"POST", "/api/v1/auth/logout", api::auth_logout},
  {"POST", "/api/v1/auth/logout-everywhere", api::logout_everywhere},
  {"POST", "/api/v1/auth/email", api::confirm_email, guard::limited},
  {"POST", "/api/v1/auth/forgot", api::forgot_password},
  {"POST", "/api/v1/auth/password", api::set_password, guard::limited},
  {"GET", "/api/v1/me", api::get_me},
  {"PUT", "/api/v1/me/customer", api::put_my_customer},
  {"PUT", "/api/v1/me/password", api::change_my_password, guard::limited},
  {"POST", "/api/v1/me/email", api::change_my_email, guard::limited},
  {"GET", "/api/v1/me/bills", api::get_my_bills},
  {"GET", "/api/v1/me/bills/{transid}/invoice.pdf", api::get_my_invoice_pdf},
  {"GET", "/api/v1/me/bills/{transid}/credit-note.pdf", api::get_my_credit_note_pdf},
  {"GET", "/api/v1/me/products", api::get_my_products},
  {"GET", "/api/v1/me/export", api::get_my_export},
  {"DELETE", "/api/v1/me", api::erase_me},
};

}  // namespace

void add_api_routes(router& r, std::shared_ptr<backend> b) {
  for (const auto& route : api_table) {
    route_handler handler = [b, handle = route.handle](http_request& request, const route_params& p,
                                                        responder respond) { handle(b, request, p, respond); };
    if (route.by == guard::limited) handler = api::limited_by_address(b, std::move(handler));
    if (route.by == guard::idempotent) handler = api::idempotent(b, route.scope, std::move(handler));
    r.add(route.method, route.path, std::move(handler));
  }
}

}  // namespace boutique::net
