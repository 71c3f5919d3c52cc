// The checkout session resources: /api/v1/sessions and below.
#include "net/api/kit.hpp"

namespace boutique::net::api {

void create_session(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
  run(b, p.due(), respond, [b, respond](self_ptr self) {
    self->request(b->sessions, patience(self), caf::put_atom_v)
      .then([respond](std::string& id) { respond(ok_json(201, {{"session_id", id}, {"stage", "browsing"}})); },
            fail_with(respond));
  });
}

void get_session(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
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

void get_contact(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
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
  auto body = parse_body(request, {"paymode", "lang"});
  auto paymode = string_field(body, "paymode");
  auto chosen = string_field(body, "lang");  // else Accept-Language, else English: the bill's mails speak it
  if (body.error) return respond(*body.error);
  if (!chosen.empty() && !pages::parse_language(chosen))
    return respond(problem(422, "Unprocessable Content", "'lang' must be en or fr", {{"lang", "must be en or fr"}}));
  auto lang = pages::choose_language(request, chosen);
  with_session(b, p, respond, [b, respond, paymode, lang](self_ptr self, actors::session_ref s) {
    self->request(s.actor, patience(self), s.route.under(due(self)), atoms::order_atom_v, paymode, lang)
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

void cancel_order(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
  with_session(b, p, respond, [b, respond](self_ptr self, actors::session_ref s) {
    self->request(s.actor, patience(self), s.route.under(due(self)), atoms::cancel_atom_v, std::string(),
                  domain::canceller::customer)
      .then([respond](bill_change& c) { respond(ok_json(200, {{"transid", c.transid}, {"status", c.status}})); },
            fail_with(respond));
  });
}

void test_pay(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
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

}  // namespace boutique::net::api
