#include "app/service.hpp"

#include "config/catalog_file.hpp"
#include "config/logging.hpp"
#include "net/catalog_reload.hpp"
#include "net/forward.hpp"
#include "net/pages/site.hpp"
#include "net/problem.hpp"
#include "net/routes.hpp"
#include "net/server.hpp"
#include "storage/catalog_queries.hpp"
#include "storage/sqlite_database.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"
#include "actors/heartbeat.hpp"
#include "actors/mailer.hpp"
#include "domain/tokens.hpp"

#include <caf/all.hpp>

#include <filesystem>
#include <future>
#include <optional>
#include <thread>

namespace boutique::app {

namespace {

caf::actor_system_config make_actor_config(const config::settings& s) {
  caf::actor_system_config cfg;
  auto threads = s.actors.scheduler_threads > 0 ? static_cast<std::size_t>(s.actors.scheduler_threads)
                                                : std::max(1u, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", threads);
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  return cfg;
}

net::server_options public_options(const config::settings& s) {
  net::server_options o;
  static_cast<config::http_options&>(o) = s.http;
  o.name = "http";
  o.https_only = config::secure_cookies(s);
  return o;
}

net::server_options admin_options(const config::settings& s) {
  auto o = public_options(s);
  o.name = "admin";
  o.address = s.admin.address;
  o.port = s.admin.port;
  o.threads = 1;
  o.max_connections = 64;
  // Not behind the shop's proxy: neither forwarded addresses nor forwarded schemes, and no HSTS.
  o.https_only = false;
  o.trusted_proxies.clear();
  o.hsts_max_age_s = 0;
  return o;
}

net::request_handler serve(std::shared_ptr<net::router> routes) {
  return [routes](net::http_request&& request, net::responder respond) {
    auto id = request.request_id;
    routes->dispatch(std::move(request), net::hiding_internal_errors(std::move(id), std::move(respond)));
  };
}

}  // namespace

struct service::impl {
  config::settings settings;
  std::shared_ptr<spdlog::logger> log = config::logger("app");
  caf::actor_system_config actor_config;
  std::optional<caf::actor_system> system;
  std::shared_ptr<net::backend> backend;
  actors::hasher_actor hashers;
  actors::mailer_actor mailer;
  std::shared_ptr<const domain::catalog> catalog;
  std::string session_id_key;
  std::unique_ptr<net::http_server> http;
  std::unique_ptr<net::http_server> admin;
  std::unique_ptr<net::forwarder> forwarding;  ///< in a cluster
  std::optional<storage::node_identity> node;  ///< in a cluster: this node as it joined
  actors::heartbeat_actor heartbeat;          ///< in a cluster: its membership
  actors::attempts_actor attempts;            ///< in a cluster: the login throttles every node shares
  std::string attempts_key;                   ///< in a cluster: the key of those throttles' rows
  /// In a cluster: the connections of the heartbeat and of the throttles, opened with the writer's (a server
  /// refusing one more connection stops the start with its reason).
  std::unique_ptr<storage::database> heartbeat_db, attempts_db;
  bool running = false;

  explicit impl(config::settings s) : settings(std::move(s)), actor_config(make_actor_config(settings)) {}

  /// A second process started under this node's id while the first still runs would take the membership from it
  /// and lose it in turn, each passivating the other's sessions: refused. The id's row is a member still: either a
  /// process of it is alive (its heartbeat moves within a heartbeat's period, lease_s / 3) or it died without
  /// leaving (it does not: this start rejoins at once, voiding its leases).
  void refuse_a_twin(storage::database& db) {
    const auto& c = settings.cluster;
    std::optional<std::int64_t> first;
    try {
      first = storage::member_heartbeat(db, c.node_id, c.lease_s);
    } catch (const storage::storage_error&) {  // a database not migrated yet: no member at all
      db.reset_all();
      return;
    }
    if (!first) return;
    log->warn("event=node_id_in_use node={} waiting_s={:.1f} reason=\"the node's membership has not lapsed: waiting "
              "for a heartbeat of a process still running under this id\"", c.node_id, c.lease_s / 3.0 + 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(c.lease_s * 1000 / 3 + 1000));
    auto second = storage::member_heartbeat(db, c.node_id, c.lease_s);
    db.reset_all();
    if (second && *second != *first)
      throw startup_error("cluster: node " + c.node_id + " is running already (its heartbeat is current): give each "
                          "process its own cluster.node_id");
  }

  std::unique_ptr<storage::database> open_database() {
    try {
      auto db = storage::open_database(settings.storage.where(),
                                       {storage::database::access::read_write, settings.storage.synchronous == "full"});
      if (settings.cluster.enabled()) refuse_a_twin(*db);
      // Nodes of a cluster start on one database at once: each migrates, writes the catalog and reads (or makes)
      // the session-id key in turn.
      db->lock_schema();
      struct unlock {
        storage::database& db;
        ~unlock() {
          try {
            db.unlock_schema();
          } catch (const std::exception&) {  // the connection is gone: so is its lock
          }
        }
      } unlock_at_end{*db};
      auto version = storage::migrate(*db);
      catalog = std::make_shared<const domain::catalog>(config::load_catalog(settings.catalog_path));
      storage::replace_catalog(*db, *catalog);
      session_id_key = storage::service_key(*db, "session_ids");
      if (settings.cluster.enabled()) {
        node = storage::node_identity{settings.cluster.node_id, settings.cluster.advertise, 0, settings.cluster.lease_s};
        node->generation = storage::join_cluster(*db, *node);
        attempts_key = storage::service_key(*db, "login_attempts");
        heartbeat_db = storage::open_database(settings.storage.where(), {storage::database::access::read_write, true});
        attempts_db = storage::open_database(settings.storage.where(), {storage::database::access::read_write, true});
      }
      log->info("event=database_ready location={} schema_version={}", db->location(), version);
      return db;
    } catch (const storage::storage_error& e) {
      throw startup_error(std::string("storage: ") + e.what());
    } catch (const config::config_error& e) {
      throw startup_error(std::string("catalog: ") + e.what());
    }
  }

  std::filesystem::path mail_dir() const {
    if (!settings.shop.mail_dir.empty()) return settings.shop.mail_dir;
    return std::filesystem::path(settings.storage.path).parent_path() / "mail";
  }

  /// Stops the mailer before the storage actor, so that what its last round made of its mails is written (the
  /// storage actor still takes writes until flushed). A mailer blocked on a relay is not waited for past 15 s: its
  /// mails stay due and go again, with the same Message-ID, at the next start.
  void stop_mailer() {
    if (!mailer) return;
    caf::scoped_actor self{*system};
    self->monitor(mailer);
    caf::anon_send_exit(mailer, caf::exit_reason::user_shutdown);
    self->receive([](const caf::down_msg&) {},
                  caf::after(std::chrono::seconds(15)) >> [this] { log->warn("event=mailer_not_stopped waited_s=15"); });
  }

  actors::mailer_settings mailer_settings(std::chrono::milliseconds timeout) const {
    const auto& m = settings.mail;
    mail::sender from{m.from, m.from_name};
    actors::mailer_settings out;
    if (m.transport == "smtp") {
      out.transport = mail::smtp(
        {m.smtp_url, m.smtp_user, m.smtp_password, m.smtp_starttls, std::chrono::seconds(m.smtp_timeout_s)}, from);
      log->info("event=mail_transport transport=smtp url={} starttls={}", m.smtp_url, m.smtp_starttls);
    } else {
      out.transport = mail::maildir(mail_dir(), from);
      log->info("event=mail_transport transport=maildir dir={}", mail_dir().string());
    }
    out.retry = {m.max_attempts, m.retry_first_s, m.retry_max_s};
    // Every node of a cluster sends: each takes the mails it tries (a minute: rounds stop trying after 5 s).
    if (settings.cluster.enabled()) out.claim = std::chrono::seconds(60);
    out.timeout = timeout;
    return out;
  }

  void spawn_actors(std::unique_ptr<storage::database> db) {
    auto& sys = *system;
    std::chrono::milliseconds timeout = std::chrono::seconds(settings.http.request_timeout_s);
    storage::mail_settings mail{settings.shop.base_url, settings.auth.password_token_ttl_s};
    actors::writer_limits limits;
    if (settings.cluster.enabled())
      limits.node = node;
    limits.queue_max = static_cast<std::size_t>(settings.storage.queue_max);
    limits.retention.unattached_customer_s = std::int64_t{settings.retention.unattached_customer_days} * 86400;
    limits.retention.batch_rows = settings.retention.batch_rows;
    limits.retention.invoice_years = settings.retention.invoice_years;
    limits.retention.reminder_days_before = settings.reminders.days_before;
    limits.retention.base_url = settings.shop.base_url;
    limits.retention_every = std::chrono::seconds(settings.retention.interval_s);
    auto storage = actors::spawn_storage(sys, std::move(db), settings.storage.batch_max, mail, limits);
    auto readers = actors::spawn_reader_pool(sys, settings.storage.where(), settings.storage.readers,
                                              static_cast<std::size_t>(settings.storage.queue_max));
    hashers = actors::spawn_hasher_pool(
      sys, {settings.auth.hash_workers,
            {static_cast<unsigned long long>(settings.auth.argon2_opslimit),
             static_cast<std::size_t>(settings.auth.argon2_memlimit_kib) * 1024},
            settings.auth.hash_queue_max});
    if (node)  // on a connection of its own: one short transaction a step, never held up by the writer's batches
      attempts = actors::spawn_attempts(sys, std::move(attempts_db), {attempts_key});
    auto identity = actors::spawn_identity(sys, storage, readers, hashers,
                                           {settings.auth.login_ttl_s, timeout, settings.auth.max_failed_logins,
                                            settings.auth.failed_login_window_s,
                                            settings.auth.max_failed_logins_per_address},
                                           attempts);
    const auto& lifetimes = settings.lifetimes;
    auto accounts = actors::spawn_account_directory(
      sys, storage,
      {std::chrono::seconds(lifetimes.account_idle_s), static_cast<std::size_t>(lifetimes.max_live_accounts),
       settings.cluster.enabled()});
    auto live = std::make_shared<actors::live_catalog>(catalog);
    auto ctx = std::make_shared<actors::session_context>(actors::session_context{
      storage, readers, identity, accounts, live,
      {std::chrono::seconds(lifetimes.session_idle_s), std::chrono::seconds(lifetimes.session_ttl_s), timeout,
       settings.payments.test_mode, static_cast<std::size_t>(lifetimes.max_live_sessions), settings.cluster.enabled()},
      session_id_key});
    auto sessions = actors::spawn_session_directory(sys, ctx);
    auto outbox = mailer_settings(timeout);
    auto mail_counters = outbox.counters;
    mailer = actors::spawn_mailer(sys, storage, readers, std::move(outbox));
    backend = std::make_shared<net::backend>(
      net::backend{sys, storage, readers, sessions, accounts, identity, timeout,
                   settings.payments.has_secret() ? settings.payments.secret : std::string(),
                   settings.auth.login_ttl_s, settings.admin.token, settings.storage.readers, settings.auth.hash_workers});
    backend->idempotency_ttl_s = settings.payments.idempotency_ttl_s;
    backend->csrf_secret = settings.shop.csrf_secret.empty() ? domain::random_base62(43) : settings.shop.csrf_secret;
    backend->test_mode = settings.payments.test_mode;
    backend->invoice_years = settings.retention.invoice_years;
    backend->node_id = settings.cluster.node_id;
    if (settings.cluster.enabled()) {
      forwarding = std::make_unique<net::forwarder>(net::forward_options{
        settings.cluster.node_id, std::chrono::milliseconds(settings.cluster.forward_timeout_ms),
        static_cast<std::size_t>(settings.cluster.forward_max)});
      backend->forward_counts = [f = forwarding.get()] { return f->counters(); };
    }
    backend->seller = settings.seller;
    backend->mail = std::move(mail_counters);
    backend->catalog = std::move(live);
    backend->catalog_path = settings.catalog_path;
    backend->backups = actors::spawn_backup(sys, settings.storage.where());
    // None on PostgreSQL: its backups are pg_dump's or pg_basebackup's (POST /admin/backup answers 409).
    if (settings.storage.url.empty())
      backend->backup_dir = settings.storage.backup_dir.empty()
                              ? (std::filesystem::path(settings.storage.path).parent_path() / "backups").string()
                              : settings.storage.backup_dir;
    // Last, once nothing else can fail to start: its timer would keep a failed start's actor system alive.
    if (node)  // on a connection of its own: kept however busy the writer is (unless it is stuck)
      heartbeat = actors::spawn_heartbeat(sys, std::move(heartbeat_db), *node, backend->storage, limits.busy_since_ms);
  }

  /// Says at start-up which safety defaults are still in place, and why.
  void log_safety() {
    if (!settings.payments.has_secret())
      log->warn("event=payment_notifications_refused reason=\"no payment secret configured: set "
                "BOUTIQUE_PAYMENT_SECRET (the placeholder is public)\"");
    if (settings.payments.test_mode)
      log->warn("event=test_mode reason=\"payments.test_mode is on: orders complete without payment\"");
    if (settings.shop.csrf_secret.empty())
      log->info("event=csrf_secret source=random reason=\"shop.csrf_secret is empty: form tokens last until "
                "the next start\"");
  }

  void start() {
    try {
      config::validate(settings);
    } catch (const config::config_error& e) {
      throw startup_error(e.what());
    }
    config::set_log_level(settings.log_level);
    config::set_log_format(settings.log_format);
    log_safety();
    auto db = open_database();
    system.emplace(actor_config);
    spawn_actors(std::move(db));
    running = true;
    try {
      if (!settings.web_dir.empty()) net::pages::site::use(settings.web_dir);
      log->info("event=pages dir={}", net::pages::site::locate().string());
      auto routes = net::make_routes(backend);  // loads the page templates: may fail on a broken installation
      auto api = std::make_shared<net::router>(std::move(routes.api));
      auto management = std::make_shared<net::router>(std::move(routes.management));
      auto observed = [metrics = backend->metrics](net::server_options o) {
        o.observe = [metrics](const std::string& route, int status, double seconds) {
          metrics->observe(route, status, seconds);
        };
        return o;
      };
      auto shop = serve(api);
      if (forwarding) shop = forwarding->wrap(std::move(shop));  // requests for actors held by another node go there
      http = std::make_unique<net::http_server>(observed(public_options(settings)), std::move(shop));
      http->start();
      auto staff = serve(management);
      if (forwarding) staff = net::naming_the_owner(std::move(staff));
      admin = std::make_unique<net::http_server>(observed(admin_options(settings)), std::move(staff));
      admin->start();
    } catch (const std::runtime_error& e) {
      stop();
      throw startup_error(e.what());
    }
  }

  void flush_storage() {
    caf::scoped_actor self{*system};
    // Leaving the cluster first: the other nodes take this node's sessions at once, not after cluster.lease_s. The
    // heartbeat stops before, or it would find the membership ended and join again.
    if (heartbeat) {
      self->monitor(heartbeat);
      caf::anon_send_exit(heartbeat, caf::exit_reason::user_shutdown);
      self->receive([](const caf::down_msg&) {}, caf::after(std::chrono::seconds(5)) >> [] {});
      heartbeat = nullptr;
    }
    if (settings.cluster.enabled())
      self->request(backend->storage, std::chrono::seconds(5), atoms::cluster_atom_v, caf::leave_atom_v)
        .receive([](caf::ok_atom) {},
                 [this](caf::error& err) { log->warn("event=cluster_leave_failed error=\"{}\"", error_detail(err)); });
    self->request(backend->storage, std::chrono::seconds(5), caf::ping_atom_v)
      .receive([](bool) {},
               [this](caf::error& err) { log->error("event=final_flush_failed error=\"{}\"", error_detail(err)); });
  }

  void stop() {
    if (!running) return;
    running = false;
    if (http) http->stop();
    if (admin) admin->stop(500);
    stop_mailer();
    flush_storage();
    for (const auto& handle :
         {caf::actor_cast<caf::actor>(backend->sessions), caf::actor_cast<caf::actor>(backend->accounts),
          caf::actor_cast<caf::actor>(backend->identity), caf::actor_cast<caf::actor>(mailer),
          caf::actor_cast<caf::actor>(hashers), caf::actor_cast<caf::actor>(backend->storage),
          caf::actor_cast<caf::actor>(backend->backups), caf::actor_cast<caf::actor>(attempts)})
      caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
    backend->readers.exit();
    backend.reset();
    mailer = nullptr;
    hashers = nullptr;
    attempts = nullptr;
    http.reset();
    admin.reset();
    if (forwarding) forwarding->stop();
    forwarding.reset();
    system.reset();
    log->info("event=stopped");
  }
};

service::service(config::settings settings) : impl_(std::make_unique<impl>(std::move(settings))) {}

service::~service() { stop(); }

void service::start() { impl_->start(); }

void service::stop() { impl_->stop(); }

void service::reload_catalog() {
  if (!impl_->backend) return;
  auto answered = std::make_shared<std::promise<int>>();
  auto status = answered->get_future();
  net::reload_catalog(impl_->backend, deadline::in(std::chrono::seconds(30)),
                      [answered](net::http_response r) { answered->set_value(r.status); });
  // The outcome is logged by the reload itself (event=catalog_reloaded or event=catalog_not_reloaded).
  if (status.wait_for(std::chrono::seconds(35)) != std::future_status::ready)
    impl_->log->warn("event=catalog_reload_unanswered waited_s=35");
}

std::uint16_t service::http_port() const { return impl_->http ? impl_->http->port() : 0; }

std::uint16_t service::admin_port() const { return impl_->admin ? impl_->admin->port() : 0; }

}  // namespace boutique::app
