#pragma once

#include "domain/seller.hpp"
#include "actors/account.hpp"
#include "actors/backup.hpp"
#include "actors/identity.hpp"
#include "actors/mailer.hpp"
#include "actors/session.hpp"
#include "net/forward.hpp"
#include "net/metrics.hpp"
#include "net/pdf_desk.hpp"
#include "actors/reader.hpp"
#include "actors/storage_actor.hpp"

#include <caf/fwd.hpp>

#include <atomic>
#include <chrono>
#include <functional>

namespace boutique::net {

/// The actors the HTTP routes talk to, and the settings the routes need.
struct backend {
  caf::actor_system& sys;
  actors::storage_actor storage;
  actors::reader_pool readers;
  actors::session_directory_actor sessions;
  actors::account_directory_actor accounts;
  actors::identity_actor identity;
  std::chrono::milliseconds timeout{10000};
  std::string payment_secret;  ///< empty until a real secret is configured: notifications are then refused (503)
  std::int64_t login_ttl_s = 7 * 86400;
  std::string admin_token;
  int reader_count = 1;
  int hasher_count = 1;
  std::int64_t idempotency_ttl_s = 86400;  ///< how long the outcome of an Idempotency-Key is kept
  std::shared_ptr<http_metrics> metrics = std::make_shared<http_metrics>();
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::string csrf_secret = {}; ///< key of the pages' CSRF tokens
  bool test_mode = false;       ///< test payments are on: every page shows a banner
  /// The catalog the sessions price against, and the file it is reloaded from (POST /admin/catalog/reload).
  std::shared_ptr<actors::live_catalog> catalog;
  std::string catalog_path;
  /// The mailer's counts (/admin/metrics).
  std::shared_ptr<const actors::mail_counters> mail = std::make_shared<actors::mail_counters>();
  actors::backup_actor backups = {};  ///< online backups (POST /admin/backup)
  std::string backup_dir;             ///< the folder they go to (empty on PostgreSQL: no backups of its own)
  /// Backups under way: one at a time, a second request is answered 503 at once.
  std::shared_ptr<std::atomic<int>> backups_running = std::make_shared<std::atomic<int>>(0);
  domain::seller seller = {};  ///< printed on every invoice
  std::shared_ptr<pdf_desk> pdfs = std::make_shared<pdf_desk>();  ///< where invoice PDFs are drawn, and kept
  int invoice_years = 10;      ///< how long an erased customer's invoices keep the buyer's contact (retention)
  /// In a cluster: this node's id (empty otherwise), and the counts of the requests it forwarded (net/forward.hpp).
  std::string node_id;
  std::function<forward_counters()> forward_counts = [] { return forward_counters{}; };
};

}  // namespace boutique::net
