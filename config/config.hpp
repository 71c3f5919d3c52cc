#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
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
};

struct admin_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8081;
  std::string token;
};

struct storage_options {
  std::string path = "data/boutique.db";
  std::string synchronous = "full";
  int batch_max = 512;
  int readers = 2;
  int queue_max = 10000;  ///< messages waiting at the writer (or at one reader) beyond which requests get 503
};

struct retention_options {
  int interval_s = 3600;                ///< how often the clean-up runs
  int unattached_customer_days = 30;    ///< age at which an unused customer account (no user, no bill) goes
  int batch_rows = 1000;                ///< rows removed per transaction
};

struct actor_options {
  int scheduler_threads = 0;  ///< 0: one per core
};

struct actor_lifetimes {
  int session_idle_s = 900;      ///< a session actor idle this long is passivated (its state is in storage)
  int session_ttl_s = 7 * 86400; ///< a checkout session expires this long after its last change
  int account_idle_s = 600;      ///< an account actor idle this long is passivated
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
  std::string base_url = "http://127.0.0.1:8080";  ///< public address used in mailed links
  std::string mail_dir;  ///< mail-drop folder for .eml files; empty: mail/ beside the database file
};

struct payment_options {
  std::string secret = "change-me-in-production";
  bool test_mode = true;
};

/// The whole validated configuration of one Boutique process.
struct settings {
  http_options http;
  admin_options admin;
  storage_options storage;
  retention_options retention;
  actor_options actors;
  actor_lifetimes lifetimes;
  auth_options auth;
  shop_options shop;
  std::string catalog_path = "config/catalog.json";
  payment_options payments;
  std::string log_level = "info";
};

/// A configuration that cannot be used; `what()` names the option and the reason.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Builds the settings from, in increasing precedence: embedded defaults, the file named by `--config=`
/// (default `config/boutique.ini` when it exists), the environment (BOUTIQUE_ADMIN_TOKEN,
/// BOUTIQUE_PAYMENT_SECRET) and `--section.key=value` arguments. Throws config_error.
settings load(const std::vector<std::string>& args);

/// Checks rules that span options: the management listener may leave loopback only with an admin token of at
/// least 32 characters. Throws config_error.
void validate(const settings& s);

/// Applies one `section.key` = `value` assignment; throws config_error for an unknown key or a bad value.
void set_option(settings& s, const std::string& key, const std::string& value);

/// The text printed by `--help`.
std::string usage();

}  // namespace boutique::config
