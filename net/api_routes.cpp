#include "net/api_routes.hpp"

#include "net/api/kit.hpp"

namespace boutique::net {

void add_api_routes(router& r, std::shared_ptr<backend> b) {
  using namespace api;
  using req = http_request;
  using params = route_params;
  r.add("GET", "/api/v1/catalog", [b](req&, const params& p, responder respond) { get_catalog(b, p, respond); });
  r.add("POST", "/api/v1/sessions", [b](req&, const params& p, responder respond) { create_session(b, p, respond); });
  r.add("GET", "/api/v1/sessions/{sid}", [b](req&, const params& p, responder respond) { get_session(b, p, respond); });
  r.add("PUT", "/api/v1/sessions/{sid}/cart",
        [b](req& rq, const params& p, responder respond) { put_cart(b, rq, p, respond); });
  r.add("PUT", "/api/v1/sessions/{sid}/contact",
        [b](req& rq, const params& p, responder respond) { put_contact(b, rq, p, respond); });
  r.add("GET", "/api/v1/sessions/{sid}/contact",
        [b](req&, const params& p, responder respond) { get_contact(b, p, respond); });
  r.add("POST", "/api/v1/sessions/{sid}/login",
        limited_by_address(b, [b](req& rq, const params& p, responder respond) { session_login(b, rq, p, respond); }));
  r.add("POST", "/api/v1/sessions/{sid}/order",
        idempotent(b, "order", [b](req& rq, const params& p, responder respond) { place_order(b, rq, p, respond); }));
  r.add("POST", "/api/v1/sessions/{sid}/pay",
        idempotent(b, "pay", [b](req&, const params& p, responder respond) { test_pay(b, p, respond); }));
  r.add("POST", "/api/v1/sessions/{sid}/cancel",
        idempotent(b, "cancel", [b](req&, const params& p, responder respond) { cancel_order(b, p, respond); }));
  r.add("POST", "/api/v1/payments/notify",
        idempotent(b, "notify",
                   [b](req& rq, const params& p, responder respond) { notify_payment(b, rq, p, respond); }));
  r.add("POST", "/api/v1/auth/login",
        limited_by_address(b, [b](req& rq, const params& p, responder respond) { auth_login(b, rq, p, respond); }));
  r.add("POST", "/api/v1/auth/logout",
        [b](req& rq, const params& p, responder respond) { auth_logout(b, rq, p, respond); });
  r.add("POST", "/api/v1/auth/logout-everywhere",
        [b](req& rq, const params& p, responder respond) { logout_everywhere(b, rq, p, respond); });
  r.add("POST", "/api/v1/auth/email",
        limited_by_address(b, [b](req& rq, const params& p, responder respond) { confirm_email(b, rq, p, respond); }));
  r.add("POST", "/api/v1/auth/forgot",
        [b](req& rq, const params& p, responder respond) { forgot_password(b, rq, p, respond); });
  r.add("POST", "/api/v1/auth/password",
        limited_by_address(b, [b](req& rq, const params& p, responder respond) { set_password(b, rq, p, respond); }));
  r.add("GET", "/api/v1/me", [b](req& rq, const params& p, responder respond) { get_me(b, rq, p, respond); });
  r.add("PUT", "/api/v1/me/customer",
        [b](req& rq, const params& p, responder respond) { put_my_customer(b, rq, p, respond); });
  r.add("PUT", "/api/v1/me/password",
        limited_by_address(b, [b](req& rq, const params& p, responder respond) { change_my_password(b, rq, p, respond); }));
  r.add("POST", "/api/v1/me/email",
        limited_by_address(b, [b](req& rq, const params& p, responder respond) { change_my_email(b, rq, p, respond); }));
  r.add("GET", "/api/v1/me/bills",
        [b](req& rq, const params& p, responder respond) { get_my_bills(b, rq, p, respond); });
  r.add("GET", "/api/v1/me/products",
        [b](req& rq, const params& p, responder respond) { get_my_products(b, rq, p, respond); });
}

}  // namespace boutique::net

