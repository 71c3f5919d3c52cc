#pragma once

#include "domain/seller.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace boutique::config {

struct http_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 1;
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 64 * 1024;
  std::size_t max_connections = 10000;
  int read_timeout_s = 10;
  int idle_timeout_s = 30;
  int request_timeout_s = 10;
  /// Open connections allowed from one client address (trusted proxies excepted); beyond, a 503.
  std::size_t max_connections_per_address = 64;
  /// Seconds a new connection may stay silent before its first byte while over half of max_connections are open.
  int first_byte_timeout_s = 2;
  /// Peers whose X-Forwarded-For names the client, and whose X-Forwarded-Proto says whether it came over HTTPS;
  /// canonical IP addresses.
  std::vector<std::string> trusted_proxies;
  /// Strict-Transport-Security max-age sent on every response to an HTTPS request (0: none).
  int hsts_max_age_s = 31536000;
  /// Every request is taken as HTTPS (shop.base_url starts with https://: TLS ends at a proxy in front).
  bool https_only = false;
};

struct admin_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8081;
  std::string token;
};

struct storage_options {
  /// The SQLite file (the default backend); with a PostgreSQL `url`, its folder still holds the mail drop and backups.
  std::string path = "data/boutique.db";
  /// A PostgreSQL database (postgresql://user@host:port/db); empty: SQLite at `path`. Set by storage.url.
  std::string url;
  /// What storage::open_database opens: the PostgreSQL URL, else the SQLite path.
  const std::string& where() const { return url.empty() ? path : url; }
  std::string synchronous = "full";
  int batch_max = 512;
  int readers = 2;
  int queue_max = 10000;  ///< messages waiting at the writer (or at one reader) beyond which requests get 503
  std::string backup_dir;  ///< where POST /admin/backup writes; empty: "backups" beside the database
};

struct retention_options {
  int interval_s = 3600;                ///< how often the clean-up runs
  int unattached_customer_days = 30;    ///< age at which an unused customer account (no user, no bill) goes
  int batch_rows = 1000;                ///< rows removed per transaction
  int invoice_years = 10;               ///< how long an erased customer's invoices keep the buyer's contact
};

/// Reminders before a product ends (domain/reminder.hpp), sent by a step of the retention job (its timer).
struct reminder_options {
  int days_before = 30;  ///< a product is mailed this long before it ends (at most half its term); 0: none
};

/// This process as a node of a cluster sharing one PostgreSQL database (docs/CLUSTER.md); off while node_id is empty.
struct cluster_options {
  std::string node_id;    ///< unique in the cluster: letters, digits, '.', '_' or '-'
  std::string advertise;  ///< host:port other nodes reach this node's public listener on (requests are forwarded there)
  int lease_s = 10;       ///< a node without a heartbeat for this long is gone, and its actors may be taken
  /// How long a request forwarded to the owner of its actor may take: longer than the owner's own answer can take
  /// (http.request_timeout_s plus 2 s of grace), or a write could commit after the client was told 503.
  int forward_timeout_ms = 15000;
  int forward_max = 256;  ///< forwarded requests in flight at once; beyond, 503
  bool enabled() const { return !node_id.empty(); }
};

struct actor_options {
  int scheduler_threads = 0;  ///< 0: one per core
};

struct actor_lifetimes {
  int session_idle_s = 900;      ///< a session actor idle this long is passivated (its state is in storage)
  int session_ttl_s = 7 * 86400; ///< a checkout session expires this long after its last change
  int account_idle_s = 600;      ///< an account actor idle this long is passivated
  int max_live_sessions = 100000; ///< beyond, the least recently used session actor is passivated (0: no cap)
  int max_live_accounts = 50000;  ///< beyond, the least recently used account actor is passivated (0: no cap)
};

struct auth_options {
  int argon2_opslimit = 2;          ///< Argon2id passes
  int argon2_memlimit_kib = 19456;  ///< Argon2id memory (19 MiB)
  int hash_workers = 2;             ///< threads computing password hashes
  int hash_queue_max = 64;          ///< password hashes waiting for a thread; beyond, 503 with Retry-After
  int password_token_ttl_s = 86400; ///< validity of a password-set link
  int login_ttl_s = 7 * 86400;      ///< validity of a support-space login
  int max_failed_logins = 5;        ///< failed logins per account within the window before refusing (429)
  int max_failed_logins_per_address = 20;  ///< the same, per client address
  int failed_login_window_s = 900;  ///< the window of both limits
};

struct shop_options {
  std::string base_url = "http://127.0.0.1:8080";  ///< public address used in mailed links; https:// = secure cookies
  std::string mail_dir;  ///< mail-drop folder for .eml files; empty: mail/ beside the database file
  std::string csrf_secret;  ///< key of the pages' CSRF tokens; empty: a random key drawn at each start
};

/// How mails leave: files in shop.mail_dir (maildir), or an SMTP relay (smtp).
struct mail_options {
  std::string transport = "maildir";      ///< maildir or smtp
  std::string smtp_url;                   ///< smtp://host:port (STARTTLS per smtp_starttls) or smtps://host:port
  std::string smtp_user;                  ///< login at the relay, when it wants one
  std::string smtp_password;              ///< prefer BOUTIQUE_SMTP_PASSWORD
  std::string smtp_starttls = "required"; ///< off, try or required
  int smtp_timeout_s = 30;                ///< for the connection, and for each mail
  std::string from = "no-reply@boutique.invalid";  ///< sender address, and the domain of the Message-IDs
  std::string from_name = "Boutique";     ///< sender name in the From header
  int max_attempts = 20;                  ///< a mail the relay defers (4xx) this many times fails
  int retry_first_s = 5;                  ///< wait after a first failure, doubled after each next one
  int retry_max_s = 600;                  ///< the longest wait
};

/// The shipped payment secret: public, so it never verifies a notification.
inline constexpr const char* placeholder_payment_secret = "change-me-in-production";

struct payment_options {
  std::string secret = placeholder_payment_secret;
  bool test_mode = true;
  int idempotency_ttl_s = 86400;  ///< how long the outcome of a request sent with an Idempotency-Key is kept
  /// True once a secret other than the public placeholder is set: only then are notifications verified.
  bool has_secret() const { return !secret.empty() && secret != placeholder_payment_secret; }
};

/// The whole validated configuration of one Boutique process.
struct settings {
  http_options http;
  admin_options admin;
  storage_options storage;
  cluster_options cluster;
  retention_options retention;
  actor_options actors;
  actor_lifetimes lifetimes;
  auth_options auth;
  shop_options shop;
  mail_options mail;
  domain::seller seller;  ///< printed on every invoice
  std::string catalog_path = "config/catalog.json";
  std::string web_dir;  ///< page templates, style sheet and support documents; empty: found (net/pages/site.hpp)
  payment_options payments;
  std::string log_level = "info";
  std::string log_format = "text";  ///< text (one key=value line per event) or json (one JSON object per line)
  reminder_options reminders;
};

/// A configuration that cannot be used; `what()` names the option and the reason.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Builds the settings from, in increasing precedence: embedded defaults, the file named by `--config=`
/// (default `config/boutique.ini` when it exists), the environment (BOUTIQUE_ADMIN_TOKEN,
/// BOUTIQUE_PAYMENT_SECRET, BOUTIQUE_CSRF_SECRET, BOUTIQUE_SMTP_PASSWORD) and `--section.key=value` arguments. Throws config_error.
settings load(const std::vector<std::string>& args);

/// Checks rules that span options: the management listener may leave loopback only with an admin token of at
/// least 32 characters; the public listener may leave loopback only with a real payment secret and test payments
/// off; a CSRF secret, when set, has at least 32 characters. Throws config_error.
void validate(const settings& s);

/// The canonical text of IP address `text` (an IPv4-mapped IPv6 address as plain IPv4), or nullopt when `text`
/// is not an IP address. Used for http.trusted_proxies and for the addresses compared with them.
std::optional<std::string> canonical_ip(std::string_view text);
/// True for an address of the loopback interface (127.0.0.0/8, ::1, localhost).
bool is_loopback(const std::string& address);

/// True when the shop is served over HTTPS (`shop.base_url` starts with https://): cookies are then `Secure` and
/// carry the `__Host-` prefix.
bool secure_cookies(const settings& s);

/// Applies one `section.key` = `value` assignment; throws config_error for an unknown key or a bad value.
void set_option(settings& s, const std::string& key, const std::string& value);

/// The text printed by `--help`.
std::string usage();

}  // namespace boutique::config
