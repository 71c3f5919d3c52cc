#pragma once

// What the JSON API's handlers share (net/api/*.cpp, one file per resource; net/api_routes.cpp is their route
// table): running a flow under the request's deadline, and resolving the path's session, the logged-in user or
// their customer account before the handler's own step.

#include "domain/clock.hpp"
#include "net/api/idempotency.hpp"
#include "net/ask.hpp"
#include "net/backend.hpp"
#include "net/json_codec.hpp"
#include "net/pages/kit.hpp"
#include "net/router.hpp"

#include <caf/all.hpp>

#include <memory>

namespace boutique::net::api {

using nlohmann::json;
using self_ptr = flow_self;
using backend_ptr = std::shared_ptr<backend>;

inline constexpr const char* auth_cookie = "boutique_auth";

using domain::now_s;

template <class Flow>
void run(const backend_ptr& b, deadline due, const responder& respond, Flow flow) {
  run_flow(b->sys, due, respond, std::move(flow));
}

inline http_response ok_json(int status, const json& body) { return json_response(status, body.dump()); }

/// Resolves the session of the path's {sid}, then runs `next(self, session)`.
template <class Next>
void with_session(const backend_ptr& b, const route_params& p, const responder& respond, Next next) {
  run(b, p.due(), respond, [b, sid = p.get("sid"), respond, next = std::move(next)](self_ptr self) mutable {
    self->request(b->sessions, patience(self), atoms::resolve_atom_v, sid)
      .then([self, next](actors::session_ref& s) mutable { next(self, s); }, fail_with(respond));
  });
}


/// Authenticates the support-space cookie, then runs `next(self, user)`; 401 otherwise.
template <class Next>
void with_user(const backend_ptr& b, const http_request& request, const route_params& p, const responder& respond,
               Next next) {
  auto token = pages::cookie_jar(request.secure).value(request, auth_cookie);
  if (token.empty()) return respond(problem(401, "Unauthorized", "log in first"));
  run(b, p.due(), respond, [b, token, respond, next = std::move(next)](self_ptr self) mutable {
    self->request(b->identity, patience(self), caf::get_atom_v, atoms::auth_atom_v, token)
      .then([self, next](user_record& user) mutable { next(self, user); }, fail_with(respond));
  });
}

/// Runs `next(self, user, customer)` with the customer account attached to the logged-in user (or none).
template <class Next>
void with_customer(const backend_ptr& b, const http_request& request, const route_params& p, const responder& respond,
                   Next next) {
  with_user(b, request, p, respond, [b, respond, next = std::move(next)](self_ptr self, user_record user) mutable {
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::customer_atom_v, user.id)
      .then([self, user, next](std::optional<customer_record>& c) mutable { next(self, user, c); },
            fail_with(respond));
  });
}

// -- handlers, by resource (each of this shape: net/api_routes.cpp's table) ------------------------------------

using handler = void(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);

// sessions.cpp: checkout sessions
void create_session(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void get_session(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void put_cart(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void put_contact(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void get_contact(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void session_login(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void place_order(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void test_pay(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
/// POST /api/v1/sessions/{sid}/cancel: the session's order, placed and not paid, cancelled; its cart open again.
void cancel_order(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
/// POST /api/v1/auth/forgot: 202 whatever the login; a user's gets a link to choose a new password by mail.
void forgot_password(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);

// payments.cpp
void notify_payment(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);

// auth.cpp
void auth_login(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void auth_logout(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void set_password(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
/// POST /api/v1/auth/email {"token"}: the email change of the mailed link confirmed (200 with the user).
void confirm_email(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
/// POST /api/v1/auth/logout-everywhere: every login of the user ends, this one too (204).
void logout_everywhere(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
/// A route verifying a secret: one attempt from the client address, counted before it starts (see as_attempt).
route_handler limited_by_address(const backend_ptr& b, route_handler handler);

// me.cpp: the support space
void get_me(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void put_my_customer(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
/// PUT /api/v1/me/password {"current","password"}: the current password verified, the new one set, the user's
/// other logins ended.
void change_my_password(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
/// POST /api/v1/me/email {"email","current"}: the current password verified, 202; a link to confirm it goes to the
/// new address (once a minute per user).
void change_my_email(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void get_my_bills(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
void get_my_products(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
/// GET /api/v1/me/export: everything held about the logged-in person (recorded in their timeline).
void get_my_export(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
/// DELETE /api/v1/me {"current"}: the current password verified, 202 {"status":"erased","invoices_kept"}; the
/// person's data erased, their logins ended; 409 while one of their orders can still be paid.
void erase_me(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
/// GET /api/v1/me/bills/{transid}/invoice.pdf (?lang=fr, else Accept-Language): the paid bill's invoice as a PDF;
/// 409 before it is paid, 404 for a bill that is not the user's.
void get_my_invoice_pdf(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);
/// GET /api/v1/me/bills/{transid}/credit-note.pdf: the refunded bill's credit note as a PDF; 409 before a refund.
void get_my_credit_note_pdf(const backend_ptr& b, http_request& request, const route_params& p,
                            const responder& respond);

// catalog.cpp
void get_catalog(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond);

}  // namespace boutique::net::api
