#include "net/admin_routes.hpp"

#include "config/logging.hpp"
#include "domain/tokens.hpp"
#include "net/admin_metrics.hpp"
#include "net/admin_bills.hpp"
#include "net/api/idempotency.hpp"
#include "net/catalog_reload.hpp"
#include "net/dashboard.hpp"
#include "net/ask.hpp"
#include "net/json_codec.hpp"
#include "net/privacy.hpp"
#include "net/query.hpp"
#include "domain/clock.hpp"

#include <caf/all.hpp>

#include <filesystem>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

namespace boutique::net {

namespace {

using nlohmann::json;
using backend_ptr = std::shared_ptr<backend>;

http_response ok_json(const json& body) { return json_response(200, body.dump()); }

/// Accepts the request only with `Authorization: Bearer <admin token>`: the scheme in any case (RFC 9110 §11.1),
/// the token compared in constant time.
bool authorized(const backend& b, const http_request& request) {
  if (b.admin_token.empty()) return false;
  auto header = request.header("authorization").value_or("");
  auto space = header.find(' ');
  if (space == std::string_view::npos) return false;
  auto scheme = header.substr(0, space);
  constexpr std::string_view bearer = "bearer";
  if (scheme.size() != bearer.size() ||
      !std::equal(scheme.begin(), scheme.end(), bearer.begin(),
                  [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }))
    return false;
  auto token = header.substr(space);
  token.remove_prefix(std::min(token.find_first_not_of(' '), token.size()));
  return domain::constant_time_equal(std::string(token), b.admin_token);
}

/// A route for admins: the bearer token, or for reading (GET) the dashboard's pass cookie (net/dashboard.hpp).
route_handler guarded(backend_ptr b, std::function<void(const backend_ptr&, http_request&, const route_params&,
                                                        const responder&)> handler) {
  return [b, handler = std::move(handler)](http_request& request, const route_params& p, responder respond) {
    if (!authorized(*b, request) && !(request.method == "GET" && has_dashboard_pass(*b, request))) {
      auto refused = problem(401, "Unauthorized", "a valid admin bearer token is required");
      refused.headers.emplace_back("WWW-Authenticate", "Bearer");
      return respond(std::move(refused));
    }
    handler(b, request, p, respond);
  };
}

std::optional<std::int64_t> to_int(const std::string& text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// The customer id in the route parameter `name`; when it is no integer, answers 404 and gives nothing.
std::optional<std::int64_t> customer_id_param(const route_params& p, const char* name, const responder& respond) {
  auto id = to_int(p.get(name));
  if (!id) respond(problem(404, "Not Found", "customer ids are integers"));
  return id;
}

/// Reads `limit` (1..1000, default 100); sets `error` when invalid.
std::int32_t limit_param(const std::map<std::string, std::string>& q, std::optional<http_response>& error) {
  auto it = q.find("limit");
  if (it == q.end()) return 100;
  auto n = to_int(it->second);
  if (!n || *n < 1 || *n > 1000) {
    error = problem(422, "Unprocessable Content", "limit must be within 1..1000", {{"limit", "must be within 1..1000"}});
    return 0;
  }
  return static_cast<std::int32_t>(*n);
}

json vitals_json(const actor_vitals& v) {
  return {{"messages", v.messages}, {"mailbox", v.mailbox}, {"last_active", rfc3339(v.last_active)}};
}

// -- routes ----------------------------------------------------------------------------------------------------

void get_health(const backend_ptr& b, const responder& respond) {
  auto answer = [b, respond](bool storage_ok) {
    json body = {{"status", storage_ok ? "ok" : "degraded"},
                 {"uptime_s", uptime_s(*b)},
                 {"storage", storage_ok ? "ok" : "unavailable"}};
    respond(json_response(storage_ok ? 200 : 503, body.dump()));
  };
  run_flow(b->sys, deadline::in(b->timeout), respond, [b, answer](flow_self self) {
    self->request(b->storage, patience(self), caf::ping_atom_v)
      .then([answer](bool ok) { answer(ok); }, [answer](caf::error&) { answer(false); });
  });
}

/// The liveness probe: the process answers (no actor is asked).
void get_live(const backend_ptr& b, const responder& respond) {
  respond(json_response(200, json{{"status", "live"}, {"uptime_s", uptime_s(*b)}}.dump()));
}

/// The readiness probe: the writer and a reader both answer within a second and a half (the database is open;
/// the listeners start only once migrations ran). 503 otherwise, e.g. while the writer waits on a lock.
void get_ready(const backend_ptr& b, const responder& respond) {
  auto patience = std::chrono::milliseconds(1500);
  auto answer = [b, respond](const char* storage, const char* readers) {
    bool ready = std::string_view(storage) == "ok" && std::string_view(readers) == "ok";
    json body = {{"status", ready ? "ready" : "not_ready"}, {"storage", storage}, {"readers", readers}};
    respond(json_response(ready ? 200 : 503, body.dump()));
  };
  run_flow(b->sys, deadline::in(2 * patience), respond, [b, answer, patience](flow_self self) {
    self->request(b->storage, patience, caf::ping_atom_v)
      .then(
        [self, b, answer, patience](bool) {
          self->request(b->readers.next(), patience, caf::ping_atom_v)
            .then([answer](bool) { answer("ok", "ok"); }, [answer](caf::error&) { answer("ok", "unavailable"); });
        },
        [answer](caf::error&) { answer("unavailable", "not asked"); });
  });
}

/// Asks every actor of a listing for its own vitals (messages handled, mailbox size), then answers. An actor
/// passivated meanwhile keeps nulls.
void fill_vitals(flow_self self, const backend_ptr& b, const std::string& kind, std::shared_ptr<json> listing,
                 const responder& respond) {
  auto& actors = (*listing)["actors"];
  auto pending = std::make_shared<std::size_t>(actors.size());
  if (*pending == 0) return respond(ok_json(*listing));
  auto settle = [listing, pending, respond](std::size_t i, const actor_vitals* v) {
    if (v) {
      (*listing)["actors"][i]["messages"] = v->messages;
      (*listing)["actors"][i]["mailbox"] = v->mailbox;
      (*listing)["actors"][i]["last_active"] = rfc3339(v->last_active);
    }
    if (--*pending == 0) respond(ok_json(*listing));
  };
  for (std::size_t i = 0; i < actors.size(); ++i) {
    auto key = actors[i]["key"].get<std::string>();
    if (kind == "session")
      self->request(b->sessions, patience(self), caf::get_atom_v, atoms::vitals_atom_v, key)
        .then([settle, i](session_vitals& v) { settle(i, &v.vitals); }, [settle, i](caf::error&) { settle(i, nullptr); });
    else
      self->request(b->accounts, patience(self), caf::get_atom_v, atoms::vitals_atom_v, std::int64_t{std::stoll(key)})
        .then([settle, i](account_vitals& v) { settle(i, &v.vitals); }, [settle, i](caf::error&) { settle(i, nullptr); });
  }
}

void list_actors(const backend_ptr& b, http_request& request, const route_params&, const responder& respond) {
  auto q = parse_query(request.query);
  if (!q) return respond(problem(400, "Bad Request", "the query string is malformed"));
  std::optional<http_response> error;
  auto limit = limit_param(*q, error);
  auto kind = q->count("kind") ? q->at("kind") : std::string("session");
  if (kind != "session" && kind != "account")
    error = problem(422, "Unprocessable Content", "kind must be session or account", {{"kind", "session or account"}});
  if (error) return respond(*error);
  auto after = q->count("after") ? q->at("after") : std::string();
  run_flow(b->sys, deadline::in(b->timeout), respond, [b, respond, limit, kind, after](flow_self self) {
    self->request(b->sessions, patience(self), caf::get_atom_v, atoms::stats_atom_v)
      .then(
        [self, b, respond, limit, kind, after](directory_stats& sessions) {
          self->request(b->accounts, patience(self), caf::get_atom_v, atoms::stats_atom_v)
            .then(
              [self, b, respond, limit, kind, after, sessions](directory_stats& accounts) {
                auto answer = [self, b, respond, sessions, accounts, kind](actor_page& page) {
                  auto listing = std::make_shared<json>(json{{"counts", actor_counts(*b, sessions, accounts)},
                                                             {"actors", json::array()},
                                                             {"next", page.next ? json(*page.next) : json(nullptr)}});
                  for (const auto& a : page.actors)
                    (*listing)["actors"].push_back({{"kind", a.kind},
                                                    {"key", a.key},
                                                    {"node", b->node_id.empty() ? json(nullptr) : json(b->node_id)},
                                                    {"messages", nullptr},
                                                    {"mailbox", nullptr},
                                                    {"last_active", rfc3339(a.last_active)}});
                  fill_vitals(self, b, kind, listing, respond);
                };
                if (kind == "session")
                  self->request(b->sessions, patience(self), caf::get_atom_v, atoms::actors_atom_v, limit, after)
                    .then(answer, fail_with(respond));
                else
                  self->request(b->accounts, patience(self), caf::get_atom_v, atoms::actors_atom_v, limit, after)
                    .then(answer, fail_with(respond));
              },
              fail_with(respond));
        },
        fail_with(respond));
  });
}

json session_state_json(const session_snapshot& s) {
  json cart = json::array();
  for (const auto& line : s.cart) cart.push_back({{"code", line.code}, {"quantity", line.quantity}});
  return {{"stage", s.stage},
          {"cart", cart},
          {"priced", cart_json(s.priced)},
          {"contact", s.contact},
          {"contact_given", s.contact_given},
          {"customer_id", s.customer_id ? json(*s.customer_id) : json(nullptr)},
          {"user_id", s.user_id ? json(*s.user_id) : json(nullptr)},
          {"transid", s.transid ? json(*s.transid) : json(nullptr)},
          {"bill_status", s.bill_status ? json(*s.bill_status) : json(nullptr)},
          {"paymode", s.paymode},
          {"created_at", rfc3339(s.created_at)},
          {"updated_at", rfc3339(s.updated_at)},
          {"expires_at", rfc3339(s.expires_at)}};
}

void session_actor_state(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
  run_flow(b->sys, deadline::in(b->timeout), respond, [b, respond, sid = p.get("sid")](flow_self self) {
    self->request(b->sessions, patience(self), caf::get_atom_v, atoms::vitals_atom_v, sid)
      .then(
        [respond, sid](session_vitals& v) {
          auto body = vitals_json(v.vitals);
          body["kind"] = "session";
          body["key"] = sid;
          body["state"] = session_state_json(v.session);
          respond(ok_json(body));
        },
        fail_with(respond));
  });
}

void account_actor_state(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
  auto id = customer_id_param(p, "customer_id", respond);
  if (!id) return;
  run_flow(b->sys, deadline::in(b->timeout), respond, [b, respond, id = *id](flow_self self) {
    self->request(b->accounts, patience(self), caf::get_atom_v, atoms::vitals_atom_v, id)
      .then(
        [respond, id](account_vitals& v) {
          auto body = vitals_json(v.vitals);
          body["kind"] = "account";
          body["key"] = std::to_string(id);
          body["state"] = admin_customer_json(v.customer);
          body["state"]["contact"] = v.customer.details;
          body["state"]["version"] = v.customer.version;
          respond(ok_json(body));
        },
        fail_with(respond));
  });
}

void search_customers(const backend_ptr& b, http_request& request, const route_params&, const responder& respond) {
  auto q = parse_query(request.query);
  if (!q) return respond(problem(400, "Bad Request", "the query string is malformed"));
  std::optional<http_response> error;
  customer_query query;
  query.limit = limit_param(*q, error);
  if (q->count("q")) query.q = q->at("q");
  if (q->count("after")) {
    auto after = to_int(q->at("after"));
    if (!after) error = problem(422, "Unprocessable Content", "after must be a customer id", {{"after", "not an id"}});
    else query.after = *after;
  }
  if (query.q.size() > 254) error = problem(422, "Unprocessable Content", "q is too long", {{"q", "too long"}});
  if (error) return respond(*error);
  run_flow(b->sys, deadline::in(b->timeout), respond, [b, respond, query](flow_self self) {
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::customer_atom_v, query)
      .then(
        [respond, query](customer_list& found) {
          json list = json::array();
          for (const auto& c : found) list.push_back(admin_customer_json(c));
          bool more = static_cast<std::int32_t>(found.size()) == query.limit;
          respond(ok_json({{"customers", list}, {"next", more ? json(std::to_string(found.back().id)) : json(nullptr)}}));
        },
        fail_with(respond));
  });
}

void customer_detail_route(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
  auto id = customer_id_param(p, "id", respond);
  if (!id) return;
  run_flow(b->sys, deadline::in(b->timeout), respond, [b, respond, id = *id](flow_self self) {
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::vitals_atom_v, id)
      .then(
        [respond](std::optional<customer_detail>& d) {
          if (!d) return respond(problem(404, "Not Found", "no such customer"));
          respond(ok_json(customer_detail_json(*d, domain::now_s())));
        },
        fail_with(respond));
  });
}

/// GET /admin/customers/{id}/export: everything held about the customer's person, as they would download it.
void customer_export(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
  auto id = customer_id_param(p, "id", respond);
  if (!id) return;
  run_flow(b->sys, p.due(), respond, [b, respond, id = *id](flow_self self) {
    privacy_subject subject{std::nullopt, id, domain::privacy_requester::staff, domain::now_s()};
    export_person(self, b, subject,
                  [respond](personal_export& e) { respond(ok_json(personal_export_json(e, domain::now_s()))); },
                  fail_with(respond));
  });
}

/// DELETE /admin/customers/{id}: 202 {"customer_id","status":"erased"|"already erased","invoices_kept"}.
void erase_customer(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
  auto id = customer_id_param(p, "id", respond);
  if (!id) return;
  run_flow(b->sys, p.due(), respond, [b, respond, id = *id](flow_self self) {
    erase_by_staff(self, b, id,
                 [respond, id](erasure_outcome& o) {
                   respond(json_response(202, json{{"customer_id", id},
                                                   {"status", o.erased_now ? "erased" : "already erased"},
                                                   {"invoices_kept", o.invoices_kept}}
                                                .dump()));
                 },
                 fail_with(respond));
  });
}

void put_log_level(const backend_ptr&, http_request& request, const route_params&, const responder& respond) {
  auto body = parse_body(request, {"level"});
  auto level = string_field(body, "level");
  if (body.error) return respond(*body.error);
  if (!config::set_log_level(level))
    return respond(problem(422, "Unprocessable Content", "unknown level",
                           {{"level", "one of trace, debug, info, warn, error, critical, off"}}));
  config::logger("admin")->warn("event=log_level_changed level={}", level);
  respond(ok_json({{"level", level}}));
}

void get_metrics(const backend_ptr& b, http_request&, const route_params&, const responder& respond) {
  run_flow(b->sys, deadline::in(b->timeout), respond, [b, respond](flow_self self) {
    self->request(b->sessions, patience(self), caf::get_atom_v, atoms::stats_atom_v)
      .then(
        [self, b, respond](directory_stats& sessions) {
          self->request(b->accounts, patience(self), caf::get_atom_v, atoms::stats_atom_v)
            .then(
              [self, b, respond, sessions](directory_stats& accounts) {
                self->request(b->storage, patience(self), caf::get_atom_v, atoms::stats_atom_v)
                  .then([self, b, respond, sessions, accounts](storage_stats& storage) {
                          auto text = std::make_shared<std::string>(prometheus_text(*b, sessions, accounts, storage));
                          auto answer = [respond, text](const std::string& more) {
                            http_response response;
                            response.content_type = "text/plain; version=0.0.4; charset=utf-8";
                            response.body = *text + more;
                            respond(std::move(response));
                          };
                          if (b->node_id.empty()) return answer("");
                          self->request(b->storage, patience(self), caf::get_atom_v, atoms::cluster_atom_v)
                            .then([b, answer](cluster_stats& c) { answer(cluster_metrics_text(*b, c)); },
                                  fail_with(respond));
                        },
                        fail_with(respond));
              },
              fail_with(respond));
        },
        fail_with(respond));
  });
}

/// This node in the cluster and the membership table (nodes, heartbeat age, generation, leases held).
void get_cluster(const backend_ptr& b, http_request&, const route_params&, const responder& respond) {
  run_flow(b->sys, deadline::in(b->timeout), respond, [b, respond](flow_self self) {
    self->request(b->storage, patience(self), caf::get_atom_v, atoms::cluster_atom_v)
      .then([b, respond](cluster_stats& c) { respond(ok_json(cluster_json(*b, c))); }, fail_with(respond));
  });
}

/// Runs retention now and answers what it removed (the periodic run does the same every retention.interval_s).
void post_retention(const backend_ptr& b, http_request&, const route_params&, const responder& respond) {
  run_flow(b->sys, deadline::in(b->timeout), respond, [b, respond](flow_self self) {
    auto now = domain::now_s();
    self->request(b->storage, std::chrono::minutes(10), atoms::retention_atom_v, now)
      .then(
        [respond](retention_report& report) {
          json rows = json::object();
          for (const auto& [kind, n] : report.rows) rows[kind] = n;
          respond(ok_json({{"at", report.now}, {"seconds", report.seconds}, {"total", report.total()}, {"rows", rows}}));
        },
        fail_with(respond));
  });
}

/// Asks the writer for one batch of the reminders due at `now` after another, each its own transaction (writes
/// queued meanwhile commit between them), until a batch mails none; then answers how many went out in all.
void remind_batch_after_batch(flow_self self, const backend_ptr& b, std::int64_t now, std::int64_t sent_before,
                              const responder& respond) {
  self->request(b->storage, std::chrono::minutes(10), atoms::reminder_atom_v, now)
    .then(
      [self, b, now, sent_before, respond](std::int64_t sent) {
        if (sent == 0) return respond(ok_json({{"at", now}, {"sent", sent_before}}));
        remind_batch_after_batch(self, b, now, sent_before + sent, respond);
      },
      fail_with(respond));
}

/// Mails every reminder due now (the retention step "reminders" does the same every retention.interval_s); answers
/// how many went out. Each product is reminded once, however many runs race.
void post_reminders(const backend_ptr& b, http_request&, const route_params&, const responder& respond) {
  run_flow(b->sys, deadline::in(b->timeout), respond,
           [b, respond](flow_self self) { remind_batch_after_batch(self, b, domain::now_s(), 0, respond); });
}

/// A backup's file name: letters, digits, '.', '_' and '-', not starting with '.', at most 128 characters.
bool backup_name(const std::string& name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

/// Copies the database online into a new file of the backup folder (docs/API-NOTES.md, "Backups"): 200 once the
/// copy is complete and in place, 409 when the file exists (never overwritten), 422 for a name that is not a plain
/// file name, 503 while another backup runs; 409 on PostgreSQL, before anything is touched.
void post_backup(const backend_ptr& b, http_request& request, const route_params&, const responder& respond) {
  if (b->backup_dir.empty())
    return respond(problem(409, "Conflict", "the database is PostgreSQL's: back it up with pg_dump or pg_basebackup"));
  auto body = parse_body(request, {"to"});
  auto name = string_field(body, "to");
  if (body.error) return respond(*body.error);
  if (!backup_name(name))
    return respond(problem(422, "Unprocessable Content",
                           "'to' must be a file name (letters, digits, '.', '_', '-'); it goes to the backup folder",
                           {{"to", "a plain file name"}}));
  std::error_code ec;
  std::filesystem::create_directories(b->backup_dir, ec);
  std::filesystem::permissions(b->backup_dir, std::filesystem::perms::owner_all, ec);
  auto to = (std::filesystem::path(b->backup_dir) / name).string();
  if (b->backups_running->fetch_add(1) > 0) {
    b->backups_running->fetch_sub(1);
    auto busy = problem(503, "Service Unavailable", "a backup is already running; retry when it is done");
    busy.headers.emplace_back("Retry-After", "5");
    return respond(std::move(busy));
  }
  auto finished = [running = b->backups_running, respond](http_response r) {
    running->fetch_sub(1);
    respond(std::move(r));
  };
  // A large database takes longer than a request's usual deadline: the copy has its own.
  auto patience = std::chrono::minutes(30);
  run_flow(b->sys, deadline::in(patience), finished, [b, finished, to, patience](flow_self self) {
    self->request(b->backups, patience, atoms::backup_atom_v, to)
      .then(
        [finished](backup_report& r) {
          finished(ok_json({{"to", r.to}, {"pages", r.pages}, {"bytes", r.bytes}, {"seconds", r.seconds}}));
        },
        fail_with(finished));
  });
}

}  // namespace

void add_admin_routes(router& r, std::shared_ptr<backend> b) {
  r.add("GET", "/admin/health", [b](http_request&, const route_params&, responder respond) { get_health(b, respond); });
  // Probes for an orchestrator: open like /admin/health (the listener stays on loopback unless a long token is set).
  r.add("GET", "/admin/health/live", [b](http_request&, const route_params&, responder respond) { get_live(b, respond); });
  r.add("GET", "/admin/health/ready",
        [b](http_request&, const route_params&, responder respond) { get_ready(b, respond); });
  r.add("GET", "/admin/metrics", guarded(b, get_metrics));
  r.add("GET", "/admin/actors", guarded(b, list_actors));
  r.add("GET", "/admin/cluster", guarded(b, get_cluster));
  r.add("GET", "/admin/actors/session/{sid}", guarded(b, session_actor_state));
  r.add("GET", "/admin/actors/account/{customer_id}", guarded(b, account_actor_state));
  r.add("GET", "/admin/customers", guarded(b, search_customers));
  r.add("GET", "/admin/customers/{id}", guarded(b, customer_detail_route));
  r.add("GET", "/admin/customers/{id}/export", guarded(b, customer_export));
  r.add("DELETE", "/admin/customers/{id}", guarded(b, erase_customer));
  r.add("PUT", "/admin/log-level", guarded(b, put_log_level));
  r.add("POST", "/admin/retention", guarded(b, post_retention));
  r.add("POST", "/admin/reminders", guarded(b, post_reminders));
  r.add("POST", "/admin/backup", guarded(b, post_backup));
  // Idempotent behind the token: a retry with the same Idempotency-Key answers the first outcome (200, not 409).
  r.add("GET", "/admin/bills/{transid}/invoice.pdf", guarded(b, bill_invoice_pdf));
  r.add("GET", "/admin/bills/{transid}/credit-note.pdf", guarded(b, bill_credit_note_pdf));
  using bill_action = void (*)(const backend_ptr&, http_request&, const route_params&, const responder&);
  for (const auto& entry : {std::pair<const char*, bill_action>{"cancel", cancel_bill},
                            std::pair<const char*, bill_action>{"refund", refund_bill}}) {
    const char* action = entry.first;
    bill_action handler = entry.second;  // a named variable: clang cannot capture a structured binding
    auto once = api::idempotent(b, std::string("admin-") + action,
                                [b, handler](http_request& rq, const route_params& p, responder respond) {
                                  handler(b, rq, p, respond);
                                });
    r.add("POST", std::string("/admin/bills/{transid}/") + action,
          guarded(b, [once](const backend_ptr&, http_request& rq, const route_params& p, const responder& respond) {
            once(rq, p, respond);
          }));
  }
  r.add("POST", "/admin/catalog/reload", guarded(b, [](const backend_ptr& b, http_request&, const route_params& p,
                                                       const responder& respond) { reload_catalog(b, p.due(), respond); }));
  add_dashboard_routes(r, b);
}

}  // namespace boutique::net
