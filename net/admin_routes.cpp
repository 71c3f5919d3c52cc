#include "net/admin_routes.hpp"

#include "net/ask.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace boutique::net {

namespace {

std::int64_t uptime_s(const backend& b) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - b.started).count();
}

void get_health(const std::shared_ptr<backend>& b, responder respond) {
  auto answer = [b, respond](bool storage_ok) {
    nlohmann::json body = {{"status", storage_ok ? "ok" : "degraded"},
                           {"uptime_s", uptime_s(*b)},
                           {"storage", storage_ok ? "ok" : "unavailable"}};
    respond(json_response(storage_ok ? 200 : 503, body.dump()));
  };
  ask(
    b->sys, b->timeout, b->storage, [answer](bool ok) { answer(ok); }, [answer](caf::error&) { answer(false); },
    caf::ping_atom_v);
}

}  // namespace

void add_admin_routes(router& r, std::shared_ptr<backend> b) {
  r.add("GET", "/admin/health", [b](http_request&, const route_params&, responder respond) {
    get_health(b, std::move(respond));
  });
}

}  // namespace boutique::net
