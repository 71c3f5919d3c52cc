#include "net/api_routes.hpp"

#include "domain/idempotency.hpp"
#include "domain/payment.hpp"
#include "domain/signature.hpp"
#include "domain/tokens.hpp"
#include "net/ask.hpp"
#include "net/attempts.hpp"
#include "net/json_codec.hpp"
#include "net/pages/kit.hpp"
#include "domain/clock.hpp"

#include <caf/all.hpp>

#include <ctime>

namespace boutique::net {

namespace {

using nlohmann::json;
using self_ptr = flow_self;
using backend_ptr = std::shared_ptr<backend>;

constexpr const char* auth_cookie = "boutique_auth";

using domain::now_s;

template <class Flow>
void run(const backend_ptr& b, deadline due, const responder& respond, Flow flow) {
  run_flow(b->sys, due, respond, std::move(flow));
}

http_response ok_json(int status, const json& body) { return json_response(status, body.dump()); }

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
  auto token = pages::cookie_jar(b->secure_cookies).value(request, auth_cookie);
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

// -- checkout sessions -----------------------------------------------------------------------------------------

void create_session(const backend_ptr& b, const route_params& p, const responder& respond) {
  run(b, p.due(), respond, [b, respond](self_ptr self) {
    self->request(b->sessions, patience(self), caf::put_atom_v)
      .then([respond](std::string& id) { respond(ok_json(201, {{"session_id", id}, {"stage", "browsing"}})); },
            fail_with(respond));
  });
}

void get_session(const backend_ptr& b, const route_params& p, const responder& respond) {
  with_session(b, p, respond, [b, respond](self_ptr self, actors::session_ref s) {
    self->request(s.actor, patience(self), s.route.under(due(self)), caf::get_atom_v)
      .then([respond](session_snapshot& snap) { respond(ok_json(200, session_json(snap))); }, fail_with(respond));
  });
}

void put_cart(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"items"});
  auto lines = cart_field(body);
  if (body.error) return respond(*body.error);
  with_session(b, p, respond, [b, respond, lines](self_ptr self, actors::session_ref s) {
    self->request(s.actor, patience(self), s.route.under(due(self)), caf::put_atom_v, atoms::cart_atom_v, lines)
      .then([respond](session_snapshot& snap) { respond(ok_json(200, cart_json(snap.priced))); }, fail_with(respond));
  });
}


void put_contact(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, contact_field_names());
  auto details = contact_field(body);
  if (body.error) return respond(*body.error);
  with_session(b, p, respond, [b, respond, details](self_ptr self, actors::session_ref s) {
    self->request(s.actor, patience(self), s.route.under(due(self)), caf::put_atom_v, atoms::customer_atom_v, details)
      .then([respond](session_snapshot& snap) {
              respond(ok_json(200, {{"stage", snap.stage}, {"contact", snap.contact}}));
            },
            fail_with(respond));
  });
}

void get_contact(const backend_ptr& b, const route_params& p, const responder& respond) {
  with_session(b, p, respond, [b, respond](self_ptr self, actors::session_ref s) {
    self->request(s.actor, patience(self), s.route.under(due(self)), caf::get_atom_v)
      .then([respond](session_snapshot& snap) { respond(ok_json(200, snap.contact)); }, fail_with(respond));
  });
}

void session_login(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"login", "password"});
  auto login = string_field(body, "login");
  auto password = string_field(body, "password");
  if (body.error) return respond(*body.error);
  with_session(b, p, respond, [b, respond, login, password](self_ptr self, actors::session_ref s) {
    self->request(s.actor, patience(self), s.route.under(due(self)), atoms::login_atom_v, login, password)
      .then(
        [respond](session_snapshot& snap) {
          // The session has a new id from now on; the one in the path no longer works.
          respond(ok_json(200, {{"contact", snap.contact}, {"session_id", snap.id}}));
        },
        fail_with(respond));
  });
}

void place_order(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"paymode"});
  auto paymode = string_field(body, "paymode");
  if (body.error) return respond(*body.error);
  with_session(b, p, respond, [b, respond, paymode](self_ptr self, actors::session_ref s) {
    self->request(s.actor, patience(self), s.route.under(due(self)), atoms::order_atom_v, paymode)
      .then(
        [respond](session_snapshot& snap) {
          respond(ok_json(201, {{"transid", *snap.transid},
                                {"status", *snap.bill_status == "PLACED" ? "PLACED" : *snap.bill_status},
                                {"untaxed", snap.priced.untaxed},
                                {"taxes", snap.priced.taxes},
                                {"total", snap.priced.total},
                                {"currency", snap.priced.currency}}));
        },
        fail_with(respond));
  });
}

void test_pay(const backend_ptr& b, const route_params& p, const responder& respond) {
  with_session(b, p, respond, [b, respond](self_ptr self, actors::session_ref s) {
    self->request(s.actor, patience(self), s.route.under(due(self)), atoms::pay_atom_v)
      .then(
        [respond](payment_outcome& o) {
          respond(ok_json(200, {{"transid", o.transid},
                                {"status", o.status},
                                {"products", products_json(o.products, now_s(), false)}}));
        },
        fail_with(respond));
  });
}

// -- payment notifications -------------------------------------------------------------------------------------

std::optional<payment_event> notification_field(json_body& body) {
  auto provider = string_field(body, "provider");
  auto txn_id = string_field(body, "txn_id");
  auto transid = string_field(body, "transid");
  auto status = string_field(body, "status");
  auto currency = string_field(body, "currency");
  if (body.error) return std::nullopt;
  auto amount = body.value.find("amount");
  if (amount == body.value.end() || !amount->is_number_integer()) {
    body.error = problem(400, "Bad Request", "'amount' must be an integer", {{"amount", "must be an integer"}});
    return std::nullopt;
  }
  payment_event event{provider, txn_id, transid, status, amount->get<std::int64_t>(), currency, std::nullopt, 0};
  if (auto errors = domain::notification_errors(event); !errors.empty()) {
    body.error = problem(422, "Unprocessable Content", "the notification is not valid", errors);
    return std::nullopt;
  }
  return event;
}

void notify_payment(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  if (b->payment_secret.empty())  // the shipped placeholder is public: it never verifies anything
    return respond(problem(503, "Service Unavailable",
                           "payment notifications are refused until a payment secret is configured"));
  auto signature = std::string(request.header("x-boutique-signature").value_or(""));
  if (auto why = domain::signature_problem(signature, request.body, b->payment_secret, now_s()); !why.empty())
    return respond(problem(401, "Unauthorized", why));
  auto body = parse_body(request, {"provider", "txn_id", "transid", "status", "amount", "currency"});
  auto event = notification_field(body);
  if (body.error) return respond(*body.error);
  run(b, p.due(), respond, [b, respond, event = *event](self_ptr self) {
    self->request(b->sessions, patience(self), due(self), atoms::payment_atom_v, event)
      .then([respond](payment_outcome& o) { respond(ok_json(200, {{"transid", o.transid}, {"status", o.status}})); },
            fail_with(respond));
  });
}

// -- idempotency keys ------------------------------------------------------------------------------------------

/// Records the outcome of a claimed request (or releases the claim after a 5xx), then answers: a retry sent after
/// the answer finds the outcome, also after a restart. Should the record fail, the answer still goes out (the
/// claim is then taken over once stale).
void settle_and_answer(const backend_ptr& b, deadline due, const std::string& key_hash, const responder& respond,
                       http_response response) {
  idempotency_outcome outcome{key_hash, 0, {}, {}};
  if (domain::keeps_idempotent_outcome(response.status))
    outcome = {key_hash, response.status, response.content_type, response.body};
  run(b, due, respond,
      [b, respond, outcome = std::move(outcome), response = std::move(response)](self_ptr self) mutable {
        self->request(b->storage, patience(self), atoms::idempotency_atom_v, std::move(outcome))
          .then([respond, response](caf::ok_atom) mutable { respond(std::move(response)); },
                [respond, response](caf::error&) mutable { respond(std::move(response)); });
      });
}

http_response replayed(const idempotency_verdict& v) {
  http_response response;
  response.status = v.status;
  response.content_type = v.content_type;
  response.body = v.body;
  response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

/// Gives `handler` the Idempotency-Key semantics of docs/API-NOTES.md: the key is scoped to `route` and the
/// path's session, a retry with the same body answers the first outcome, another body a 422, a retry while the
/// first runs a 409. Requests without the header run as before.
route_handler idempotent(const backend_ptr& b, std::string route, route_handler handler) {
  return [b, route = std::move(route), handler = std::move(handler)](http_request& request, const route_params& p,
                                                                      responder respond) {
    auto key = request.header("idempotency-key");
    if (!key) return handler(request, p, std::move(respond));
    if (!domain::valid_idempotency_key(*key))
      return respond(problem(400, "Bad Request", "Idempotency-Key must be 1 to 64 visible ASCII characters",
                             {{"Idempotency-Key", "1..64 visible ASCII characters"}}));
    auto now = now_s();
    auto lease = std::max<std::int64_t>(1, 2 * std::chrono::duration_cast<std::chrono::seconds>(b->timeout).count());
    idempotency_claim claim{domain::sha256_hex(route + '\n' + p.get("sid") + '\n' + std::string(*key)),
                            domain::sha256_hex(request.body), now, now + b->idempotency_ttl_s, now - lease};
    auto held = std::make_shared<std::pair<http_request, route_params>>(std::move(request), p);
    run(b, p.due(), respond, [b, handler, held, claim = std::move(claim), respond](self_ptr self) {
      self->request(b->storage, patience(self), due(self), atoms::idempotency_atom_v, claim)
        .then(
          [b, handler, held, key_hash = claim.key_hash, respond](idempotency_verdict& v) {
            using domain::idempotency_decision;
            switch (v.decision) {
              case idempotency_decision::replay: return respond(replayed(v));
              case idempotency_decision::mismatch:
                return respond(problem(422, "Unprocessable Content",
                                       "this Idempotency-Key was used with another request body"));
              case idempotency_decision::in_progress: {
                auto busy = problem(409, "Conflict", "a request with this Idempotency-Key is still in progress");
                busy.headers.emplace_back("Retry-After", "1");
                return respond(std::move(busy));
              }
              case idempotency_decision::proceed:
                return handler(held->first, held->second, [b, held, key_hash, respond](http_response r) {
                  settle_and_answer(b, held->second.due(), key_hash, respond, std::move(r));
                });
            }
          },
          fail_with(respond));
    });
  };
}

// -- authentication and the support space ----------------------------------------------------------------------


void auth_login(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"login", "password"});
  auto login = string_field(body, "login");
  auto password = string_field(body, "password");
  if (body.error) return respond(*body.error);
  run(b, p.due(), respond, [b, respond, login, password](self_ptr self) {
    self->request(b->identity, patience(self), due(self), atoms::login_atom_v, login, password)
      .then(
        [self, b, respond](user_record& user) {
          self->request(b->identity, patience(self), due(self), atoms::auth_atom_v, user.id)
            .then(
              [b, respond, user](std::string& token) {
                auto response = ok_json(200, {{"user", user_json(user)}});
                response.headers.emplace_back("Set-Cookie", pages::cookie_jar(b->secure_cookies).header(auth_cookie, token, b->login_ttl_s));
                respond(std::move(response));
              },
              fail_with(respond));
        },
        fail_with(respond));
  });
}

void auth_logout(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto token = pages::cookie_jar(b->secure_cookies).value(request, auth_cookie);
  auto cleared = [respond, cookie = pages::cookie_jar(b->secure_cookies).header(auth_cookie, "", 0)] {
    http_response response;
    response.status = 204;
    response.headers.emplace_back("Set-Cookie", cookie);
    respond(std::move(response));
  };
  if (token.empty()) return cleared();
  run(b, p.due(), respond, [b, token, cleared, respond](self_ptr self) {
    self->request(b->identity, patience(self), due(self), atoms::logout_atom_v, token)
      .then([cleared](caf::ok_atom) { cleared(); }, fail_with(respond));
  });
}

void set_password(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"token", "password"});
  auto token = string_field(body, "token");
  auto password = string_field(body, "password");
  if (body.error) return respond(*body.error);
  if (token.empty() || token.size() > 64) return respond(problem(404, "Not Found", "this password link is unknown, used or expired"));
  run(b, p.due(), respond, [b, respond, token, password](self_ptr self) {
    self->request(b->identity, patience(self), due(self), atoms::password_atom_v, token, password)
      .then([respond](caf::ok_atom) { respond(ok_json(200, {{"status", "password set"}})); }, fail_with(respond));
  });
}

void get_me(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  with_customer(b, request, p, respond, [respond](self_ptr, user_record user, std::optional<customer_record> c) {
    respond(ok_json(200, {{"user", user_json(user)}, {"customer", c ? json(c->details) : json(nullptr)}}));
  });
}

void put_my_customer(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, contact_field_names());
  auto details = contact_field(body);
  if (body.error) return respond(*body.error);
  with_customer(b, request, p, respond,
                [b, respond, details](self_ptr self, user_record user, std::optional<customer_record> c) mutable {
                  if (!c) return respond(problem(404, "Not Found", "no customer account is attached to this user yet"));
                  auto edit = domain::edit_of_account(details, c->details.email);
                  if (!edit.errors.empty())
                    return respond(problem(422, "Unprocessable Content", "the contact details are not valid", edit.errors));
                  self->request(b->accounts, patience(self), due(self), atoms::deposit_atom_v, edit.details,
                                std::optional{user.id})
                    .then([respond](customer_record& updated) { respond(ok_json(200, {{"customer", updated.details}})); },
                          fail_with(respond));
                });
}

void get_my_bills(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  with_customer(b, request, p, respond, [b, respond](self_ptr self, user_record, std::optional<customer_record> c) {
    if (!c) return respond(ok_json(200, {{"bills", json::array()}}));
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::bills_atom_v, c->id)
      .then(
        [respond](bill_list& bills) {
          json list = json::array();
          for (const auto& bill : bills) list.push_back(bill_json(bill));
          respond(ok_json(200, {{"bills", list}}));
        },
        fail_with(respond));
  });
}

void get_my_products(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  with_customer(b, request, p, respond, [b, respond](self_ptr self, user_record, std::optional<customer_record> c) {
    if (!c) return respond(ok_json(200, {{"products", json::array()}}));
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::products_atom_v, c->id)
      .then([respond](product_list& products) { respond(ok_json(200, {{"products", products_json(products, now_s(), true)}})); },
            fail_with(respond));
  });
}

void get_catalog(const backend_ptr& b, const route_params& p, const responder& respond) {
  run(b, p.due(), respond, [b, respond](self_ptr self) {
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::catalog_atom_v)
      .then([respond](domain::catalog& items) { respond(ok_json(200, {{"items", items}})); }, fail_with(respond));
  });
}

/// A route verifying a secret: one attempt from the client address, counted before it starts (see as_attempt).
route_handler limited_by_address(const backend_ptr& b, route_handler handler) {
  return [b, handler = std::move(handler)](http_request& request, const route_params& p, responder respond) {
    auto address = request.remote_address;
    as_attempt(b, p.due(), std::move(address), respond, problem_from,
               [request, p, handler](responder settle) mutable { handler(request, p, settle); });
  };
}

}  // namespace

void add_api_routes(router& r, std::shared_ptr<backend> b) {
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
  r.add("POST", "/api/v1/payments/notify",
        idempotent(b, "notify",
                   [b](req& rq, const params& p, responder respond) { notify_payment(b, rq, p, respond); }));
  r.add("POST", "/api/v1/auth/login",
        limited_by_address(b, [b](req& rq, const params& p, responder respond) { auth_login(b, rq, p, respond); }));
  r.add("POST", "/api/v1/auth/logout",
        [b](req& rq, const params& p, responder respond) { auth_logout(b, rq, p, respond); });
  r.add("POST", "/api/v1/auth/password",
        limited_by_address(b, [b](req& rq, const params& p, responder respond) { set_password(b, rq, p, respond); }));
  r.add("GET", "/api/v1/me", [b](req& rq, const params& p, responder respond) { get_me(b, rq, p, respond); });
  r.add("PUT", "/api/v1/me/customer",
        [b](req& rq, const params& p, responder respond) { put_my_customer(b, rq, p, respond); });
  r.add("GET", "/api/v1/me/bills",
        [b](req& rq, const params& p, responder respond) { get_my_bills(b, rq, p, respond); });
  r.add("GET", "/api/v1/me/products",
        [b](req& rq, const params& p, responder respond) { get_my_products(b, rq, p, respond); });
}

}  // namespace boutique::net
