#include "net/admin_metrics.hpp"

#include "domain/clock.hpp"
#include "domain/json.hpp"
#include "net/metrics.hpp"

#include <algorithm>

namespace boutique::net {

std::int64_t uptime_s(const backend& b) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - b.started).count();
}

nlohmann::json actor_counts(const backend& b, const directory_stats& sessions, const directory_stats& accounts) {
  return {{"session", sessions.live}, {"account", accounts.live}, {"session_directory", 1}, {"account_directory", 1},
          {"identity", 1},           {"storage", 1},              {"reader", b.reader_count}, {"hasher", b.hasher_count},
          {"mailer", 1}};
}

namespace {

void render_retention(std::string& out, const storage_stats& storage) {
  namespace p = prometheus;
  p::family(out, "boutique_retention_runs_total", "counter", "Retention runs completed.");
  p::sample(out, "boutique_retention_runs_total", "", static_cast<double>(storage.retention_runs));
  p::family(out, "boutique_retention_rows_total", "counter",
            "Rows removed by retention, by kind (mail_bodies: bodies of sent mail emptied; reminders: mails queued).");
  for (const auto& [kind, rows] : storage.retention_rows)
    p::sample(out, "boutique_retention_rows_total", "kind=\"" + kind + "\"", static_cast<double>(rows));
  if (!storage.last_retention) return;
  const auto& last = *storage.last_retention;
  p::family(out, "boutique_retention_last_run_timestamp_seconds", "gauge", "When the last retention run judged expiry.");
  p::sample(out, "boutique_retention_last_run_timestamp_seconds", "", static_cast<double>(last.now));
  p::family(out, "boutique_retention_last_run_duration_seconds", "gauge", "How long the last retention run took.");
  p::sample(out, "boutique_retention_last_run_duration_seconds", "", last.seconds);
  p::family(out, "boutique_retention_last_run_rows", "gauge", "Rows removed by the last retention run, all kinds.");
  p::sample(out, "boutique_retention_last_run_rows", "", static_cast<double>(last.total()));
}

/// One unlabelled counter family and its sample.
void counter(std::string& out, const char* name, const char* help, const std::atomic<std::uint64_t>& value) {
  prometheus::family(out, name, "counter", help);
  prometheus::sample(out, name, "", static_cast<double>(value.load()));
}

void render_mail(std::string& out, const actors::mail_counters& mail) {
  namespace p = prometheus;
  counter(out, "boutique_mail_sent_total", "Mails the transport took (the relay accepted, or the file is written).",
          mail.sent);
  counter(out, "boutique_mail_deferred_total", "Attempts the relay deferred (4xx): the mail is tried again later.",
          mail.deferred);
  counter(out, "boutique_mail_failed_total", "Mails that failed for good (refused with 5xx, or deferred too often).",
          mail.failed);
  counter(out, "boutique_mail_transport_unreachable_total",
          "Rounds of delivery stopped because the relay (or the mail folder) could not be reached.", mail.unreachable);
  p::family(out, "boutique_mail_queued", "gauge", "Mails waiting in the outbox, neither sent nor failed.");
  p::sample(out, "boutique_mail_queued", "", static_cast<double>(mail.queued.load()));
  p::family(out, "boutique_mail_oldest_queued_age_seconds", "gauge",
            "Age of the oldest mail waiting in the outbox (0: none).");
  auto oldest = mail.oldest_queued_at.load();
  p::sample(out, "boutique_mail_oldest_queued_age_seconds", "",
            oldest > 0 ? static_cast<double>(std::max<std::int64_t>(domain::now_s() - oldest, 0)) : 0.0);
}

}  // namespace

std::string prometheus_text(const backend& b, const directory_stats& sessions, const directory_stats& accounts,
                            const storage_stats& storage) {
  namespace p = prometheus;
  std::string out;
  b.metrics->render(out);
  p::family(out, "boutique_live_actors", "gauge", "Live actors by kind.");
  auto counts = actor_counts(b, sessions, accounts);
  for (const auto& [kind, count] : counts.items())
    p::sample(out, "boutique_live_actors", "kind=\"" + kind + "\"", count.get<double>());
  p::family(out, "boutique_mailbox_size", "gauge", "Messages waiting in a mailbox.");
  p::sample(out, "boutique_mailbox_size", "actor=\"session_directory\"", static_cast<double>(sessions.mailbox));
  p::sample(out, "boutique_mailbox_size", "actor=\"account_directory\"", static_cast<double>(accounts.mailbox));
  p::sample(out, "boutique_mailbox_size", "actor=\"storage\"", static_cast<double>(storage.mailbox));
  // One family per directory statistic, one sample per kind of keyed actor.
  const std::pair<const char*, const directory_stats*> kinds[] = {{"session", &sessions}, {"account", &accounts}};
  auto per_kind = [&](const char* name, const char* type, const char* help, std::uint64_t directory_stats::*field) {
    p::family(out, name, type, help);
    for (const auto& [kind, stats] : kinds)
      p::sample(out, name, std::string("kind=\"") + kind + "\"", static_cast<double>(stats->*field));
  };
  per_kind("boutique_activations_total", "counter", "Actors spawned by their directory, by kind.",
           &directory_stats::activations);
  per_kind("boutique_passivations_total", "counter", "Idle actors stopped by their directory, by kind.",
           &directory_stats::passivations);
  per_kind("boutique_evictions_total", "counter",
           "Least recently used actors passivated to stay within the live cap, by kind.", &directory_stats::evictions);
  per_kind("boutique_live_actors_cap", "gauge", "Most live actors at once, by kind (0: no cap).",
           &directory_stats::cap);
  p::family(out, "boutique_storage_batch_size", "histogram", "Writes committed per transaction (group commit).");
  p::histogram_samples(out, "boutique_storage_batch_size", "", storage.batch_sizes);
  p::family(out, "boutique_storage_commit_seconds", "histogram", "Time to run and commit one batch.");
  p::histogram_samples(out, "boutique_storage_commit_seconds", "", storage.commit_seconds);
  p::family(out, "boutique_storage_failed_writes_total", "counter", "Writes rolled back.");
  p::sample(out, "boutique_storage_failed_writes_total", "", static_cast<double>(storage.failed_writes));
  p::family(out, "boutique_checkouts_completed_total", "counter", "Purchases completed.");
  p::sample(out, "boutique_checkouts_completed_total", "", static_cast<double>(storage.checkouts_completed));
  p::family(out, "boutique_payment_notifications_total", "counter", "Payment events by result.");
  p::sample(out, "boutique_payment_notifications_total", "result=\"applied\"", static_cast<double>(storage.payments_applied));
  p::sample(out, "boutique_payment_notifications_total", "result=\"replayed\"",
            static_cast<double>(storage.payments_replayed));
  p::sample(out, "boutique_payment_notifications_total", "result=\"refused\"", static_cast<double>(storage.payments_refused));
  p::family(out, "boutique_storage_overloaded_total", "counter",
           "Writes refused (503) because the writer's mailbox was over storage.queue_max.");
  p::sample(out, "boutique_storage_overloaded_total", "", static_cast<double>(storage.writes_refused_overloaded));
  p::family(out, "boutique_storage_expired_writes_total", "counter",
           "Writes dropped (503, nothing written) because their request's deadline passed before they began.");
  p::sample(out, "boutique_storage_expired_writes_total", "",
            static_cast<double>(storage.writes_dropped_past_deadline));
  render_retention(out, storage);
  render_mail(out, *b.mail);
  const auto& pdfs = b.pdfs->numbers();
  counter(out, "boutique_invoice_pdfs_drawn_total", "Invoice and credit note PDFs drawn.", pdfs.drawn);
  counter(out, "boutique_invoice_pdfs_reused_total", "PDFs answered from a copy drawn lately.", pdfs.reused);
  counter(out, "boutique_invoice_pdfs_busy_total",
          "PDF requests answered 503: every place taken, or the customer's own.", pdfs.busy);
  p::family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  p::sample(out, "process_resident_memory_bytes", "", static_cast<double>(resident_memory_bytes()));
  p::family(out, "boutique_uptime_seconds", "gauge", "Seconds since the service started.");
  p::sample(out, "boutique_uptime_seconds", "", static_cast<double>(uptime_s(b)));
  return out;
}


std::string cluster_metrics_text(const backend& b, const cluster_stats& cluster) {
  std::string out;
  if (cluster.node_id.empty()) return out;
  auto forwards = b.forward_counts();
  struct metric {
    const char* name;
    const char* type;
    const char* help;
    std::uint64_t value;
  };
  const metric metrics[] = {
    {"boutique_cluster_leases_taken_total", "counter", "Session leases this node took (each activation here).",
     cluster.leases_taken},
    {"boutique_cluster_leases_refused_total", "counter",
     "Session leases asked for while another live node held them (the request went there).", cluster.leases_refused},
    {"boutique_cluster_leases_released_total", "counter", "Session leases released as their actor passivated.",
     cluster.leases_released},
    {"boutique_cluster_leases_held", "gauge", "Session leases this node holds now.", cluster.leases_held},
    {"boutique_cluster_fenced_writes_total", "counter",
     "Writes refused because this node no longer held their session's lease (it lapsed, or another node took it).",
     cluster.fenced_writes},
    {"boutique_cluster_forwarded_requests_total", "counter",
     "Requests forwarded to the node holding their session's lease.", forwards.forwarded},
    {"boutique_cluster_forward_failures_total", "counter", "Forwarded requests the owner node did not answer.",
     forwards.forward_failures},
    {"boutique_cluster_forward_loops_total", "counter",
     "Forwarded requests that found their session elsewhere again (answered 503, never forwarded twice).",
     forwards.forward_loops},
    {"boutique_cluster_heartbeats_total", "counter", "Membership heartbeats written.", cluster.heartbeats},
    {"boutique_cluster_rejoins_total", "counter",
     "Times this node found its membership lapsed (paused or cut off past cluster.lease_s) and joined again.",
     cluster.rejoins},
    {"boutique_cluster_generation", "gauge", "This node's membership generation.",
     static_cast<std::uint64_t>(cluster.generation)},
  };
  auto label = "node=\"" + cluster.node_id + "\"";
  for (const auto& m : metrics) {
    prometheus::family(out, m.name, m.type, m.help);
    prometheus::sample(out, m.name, label, static_cast<double>(m.value));
  }
  return out;
}

nlohmann::json cluster_json(const backend& b, const cluster_stats& cluster) {
  if (cluster.node_id.empty()) return {{"clustered", false}, {"nodes", nlohmann::json::array()}};
  nlohmann::json node = cluster;  // every counter, by its name in actors/stats.hpp
  auto nodes = std::move(node["nodes"]);
  node.erase("nodes");
  node.update(nlohmann::json(b.forward_counts()));
  return {{"clustered", true}, {"node", std::move(node)}, {"nodes", std::move(nodes)}};
}

}  // namespace boutique::net
