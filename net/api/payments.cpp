// Payment notifications: POST /api/v1/payments/notify (signed, idempotent per provider transaction).
#include "net/api/kit.hpp"

#include "domain/payment.hpp"
#include "domain/signature.hpp"

namespace boutique::net::api {

namespace {

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
    body.error = problem(422, "Unprocessable Content", "the notification is not valid", in_english(errors));
    return std::nullopt;
  }
  return event;
}

}  // namespace

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

}  // namespace boutique::net::api
