// Idempotency keys on the routes that place orders and take payments.
#include "net/api/idempotency.hpp"
#include "net/api/kit.hpp"

#include "domain/idempotency.hpp"
#include "domain/tokens.hpp"

namespace boutique::net::api {

namespace {

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

}  // namespace

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
    // The key's scope: the route and the resource it names (a session, or a bill for the admin's routes).
    auto scope = route + '\n' + p.get("sid") + (p.get("transid").empty() ? "" : '\n' + p.get("transid"));
    idempotency_claim claim{domain::sha256_hex(scope + '\n' + std::string(*key)),
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

}  // namespace boutique::net::api
