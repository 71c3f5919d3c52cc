#include "config/config.hpp"

#include "domain/contact.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

namespace boutique::config {

namespace {

constexpr const char* default_config_file = "config/boutique.ini";

[[noreturn]] void invalid(const std::string& key, const std::string& value, const std::string& why) {
  throw config_error("invalid value '" + value + "' for " + key + ": " + why);
}

template <class Int>
Int parse_int(const std::string& key, const std::string& value, long long min, long long max) {
  long long parsed = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc{} || end != value.data() + value.size())
    invalid(key, value, "expected an integer");
  if (parsed < min || parsed > max)
    invalid(key, value, "must be within " + std::to_string(min) + ".." + std::to_string(max));
  return static_cast<Int>(parsed);
}

bool parse_bool(const std::string& key, const std::string& value) {
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  invalid(key, value, "expected true or false");
}

std::string parse_choice(const std::string& key, const std::string& value, const std::set<std::string>& allowed) {
  if (allowed.count(value)) return value;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  invalid(key, value, "expected one of " + list);
}

/// Whether a postgresql:// URL holds a password (in its user part, or as a `password` parameter).
bool holds_password(const std::string& url) {
  auto rest = url.substr(url.find("://") + 3);
  auto authority = rest.substr(0, rest.find_first_of("/?"));
  auto at = authority.rfind('@');
  if (at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos) return true;
  auto query = rest.find('?');
  return query != std::string::npos && ("&" + rest.substr(query + 1)).find("&password=") != std::string::npos;
}

/// storage.url: `postgresql://...` (or `postgres://...`), `sqlite:PATH`, or a file path (SQLite). Its words never
/// quote the value: a URL may hold a password.
void set_storage_url(storage_options& storage, const std::string& key, const std::string& value) {
  auto refuse = [&](const std::string& why) { throw config_error("invalid value for " + key + ": " + why); };
  if (value.rfind("postgresql://", 0) == 0 || value.rfind("postgres://", 0) == 0) {
    if (value.find_first_of(" \t\r\n") != std::string::npos) refuse("a URL holds no spaces");
    if (holds_password(value))
      refuse("keep the password out of the URL (it would be in the file and the process list): set PGPASSWORD "
             "or use ~/.pgpass");
    storage.url = value;
    return;
  }
  if (value.rfind("postgres", 0) == 0 || value.find('=') != std::string::npos)
    refuse("a PostgreSQL database is given as postgresql://USER@HOST:PORT/DB");
  auto path = value.rfind("sqlite:", 0) == 0 ? value.substr(7) : value;
  if (path.empty()) refuse("give postgresql://user@host:port/db, sqlite:PATH or a file path");
  if (path.find("://") != std::string::npos)
    refuse("the backends are SQLite (sqlite:PATH or a path) and PostgreSQL (postgresql://...)");
  storage.path = path;
  storage.url.clear();
}

std::string parse_nonempty(const std::string& key, const std::string& value) {
  if (value.empty()) invalid(key, value, "must not be empty");
  return value;
}

/// Text printed on invoices: at most 300 bytes of valid UTF-8 without control characters (`required`: not empty).
std::string parse_printed(const std::string& key, const std::string& value, bool required) {
  if (required && value.empty()) invalid(key, value, "must not be empty");
  if (value.size() > 300) invalid(key, value, "must be at most 300 bytes");
  if (!domain::is_clean_text(value)) invalid(key, value, "must be UTF-8 without control characters");
  return value;
}

/// A comma-separated list of IP addresses, each kept in canonical form.
/// A node id: 1 to 64 letters, digits, '.', '_' or '-' (it appears in logs, metrics labels and the cluster table).
std::string parse_node_id(const std::string& key, const std::string& value) {
  if (value.empty() || value.size() > 64 || !std::all_of(value.begin(), value.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '_' || c == '-';
      }))
    throw config_error(key + " '" + value + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
  return value;
}

/// host:port (an IPv4 address or a name, and a port 1-65535), as other nodes dial it.
std::string parse_host_port(const std::string& key, const std::string& value) {
  auto colon = value.rfind(':');
  bool ok = colon != std::string::npos && colon > 0 && colon + 1 < value.size() && value.size() <= 255;
  if (ok) {
    auto host = value.substr(0, colon);
    ok = std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '-'; });
    auto port = value.substr(colon + 1);
    ok = ok && port.size() <= 5 && std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); });
    ok = ok && std::stoi(port) >= 1 && std::stoi(port) <= 65535;
  }
  if (!ok) throw config_error(key + " '" + value + "' is not host:port (like 10.0.0.5:8080)");
  if (value.rfind("0.0.0.0:", 0) == 0)
    throw config_error(key + " '" + value + "' is where this node listens, not where other nodes reach it: give its "
                       "own address (like 10.0.0.5:8080)");
  return value;
}

std::vector<std::string> parse_addresses(const std::string& key, const std::string& value) {
  std::vector<std::string> addresses;
  std::size_t start = 0;
  while (start <= value.size()) {
    auto end = std::min(value.find(',', start), value.size());
    auto item = value.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty() || end < value.size()) {
      auto address = canonical_ip(item);
      if (!address) invalid(key, value, "'" + item + "' is not an IP address");
      addresses.push_back(*address);
    }
    start = end + 1;
  }
  return addresses;
}

using setter = std::function<void(settings&, const std::string& key, const std::string& value)>;

const std::map<std::string, setter>& setters() {
  static const std::map<std::string, setter> table = {
    {"http.address", [](settings& s, auto& k, auto& v) { s.http.address = parse_nonempty(k, v); }},
    {"http.port", [](settings& s, auto& k, auto& v) { s.http.port = parse_int<std::uint16_t>(k, v, 0, 65535); }},
    {"http.threads", [](settings& s, auto& k, auto& v) { s.http.threads = parse_int<int>(k, v, 1, 64); }},
    {"http.header_limit",
     [](settings& s, auto& k, auto& v) { s.http.header_limit = parse_int<std::size_t>(k, v, 1024, 1 << 20); }},
    {"http.body_limit",
     [](settings& s, auto& k, auto& v) { s.http.body_limit = parse_int<std::size_t>(k, v, 1024, 16 << 20); }},
    {"http.max_connections",
     [](settings& s, auto& k, auto& v) { s.http.max_connections = parse_int<std::size_t>(k, v, 1, 1000000); }},
    {"http.read_timeout_s",
     [](settings& s, auto& k, auto& v) { s.http.read_timeout_s = parse_int<int>(k, v, 1, 3600); }},
    {"http.idle_timeout_s",
     [](settings& s, auto& k, auto& v) { s.http.idle_timeout_s = parse_int<int>(k, v, 1, 3600); }},
    {"http.request_timeout_s",
     [](settings& s, auto& k, auto& v) { s.http.request_timeout_s = parse_int<int>(k, v, 1, 3600); }},
    {"http.max_connections_per_address",
     [](settings& s, auto& k, auto& v) {
       s.http.max_connections_per_address = parse_int<std::size_t>(k, v, 1, 1000000);
     }},
    {"http.first_byte_timeout_s",
     [](settings& s, auto& k, auto& v) { s.http.first_byte_timeout_s = parse_int<int>(k, v, 1, 3600); }},
    {"http.hsts_max_age_s",
     [](settings& s, auto& k, auto& v) { s.http.hsts_max_age_s = parse_int<int>(k, v, 0, 2 * 365 * 86400); }},
    {"http.trusted_proxies", [](settings& s, auto& k, auto& v) { s.http.trusted_proxies = parse_addresses(k, v); }},
    {"admin.address", [](settings& s, auto& k, auto& v) { s.admin.address = parse_nonempty(k, v); }},
    {"admin.port", [](settings& s, auto& k, auto& v) { s.admin.port = parse_int<std::uint16_t>(k, v, 0, 65535); }},
    {"admin.token", [](settings& s, auto&, auto& v) { s.admin.token = v; }},
    {"storage.path",
     [](settings& s, auto& k, auto& v) {
       s.storage.path = parse_nonempty(k, v);
       s.storage.url.clear();
     }},
    {"storage.url", [](settings& s, auto& k, auto& v) { set_storage_url(s.storage, k, v); }},
    {"storage.synchronous",
     [](settings& s, auto& k, auto& v) { s.storage.synchronous = parse_choice(k, v, {"full", "normal"}); }},
    {"storage.batch_max",
     [](settings& s, auto& k, auto& v) { s.storage.batch_max = parse_int<int>(k, v, 1, 100000); }},
    {"storage.readers", [](settings& s, auto& k, auto& v) { s.storage.readers = parse_int<int>(k, v, 1, 64); }},
    {"storage.backup_dir", [](settings& s, auto&, auto& v) { s.storage.backup_dir = v; }},
    {"storage.queue_max",
     [](settings& s, auto& k, auto& v) { s.storage.queue_max = parse_int<int>(k, v, 1, 10000000); }},
    {"cluster.node_id", [](settings& s, auto& k, auto& v) { s.cluster.node_id = parse_node_id(k, v); }},
    {"cluster.advertise", [](settings& s, auto& k, auto& v) { s.cluster.advertise = parse_host_port(k, v); }},
    {"cluster.lease_s", [](settings& s, auto& k, auto& v) { s.cluster.lease_s = parse_int<int>(k, v, 2, 3600); }},
    {"cluster.forward_timeout_ms",
     [](settings& s, auto& k, auto& v) { s.cluster.forward_timeout_ms = parse_int<int>(k, v, 100, 120000); }},
    {"cluster.forward_max",
     [](settings& s, auto& k, auto& v) { s.cluster.forward_max = parse_int<int>(k, v, 1, 100000); }},
    {"retention.interval_s",
     [](settings& s, auto& k, auto& v) { s.retention.interval_s = parse_int<int>(k, v, 1, 7 * 86400); }},
    {"retention.unattached_customer_days",
     [](settings& s, auto& k, auto& v) { s.retention.unattached_customer_days = parse_int<int>(k, v, 1, 3650); }},
    {"retention.invoice_years",
     [](settings& s, auto& k, auto& v) { s.retention.invoice_years = parse_int<int>(k, v, 1, 30); }},
    {"retention.batch_rows",
     [](settings& s, auto& k, auto& v) { s.retention.batch_rows = parse_int<int>(k, v, 1, 100000); }},
    {"reminders.days_before",
     [](settings& s, auto& k, auto& v) { s.reminders.days_before = parse_int<int>(k, v, 0, 365); }},
    {"actors.scheduler_threads",
     [](settings& s, auto& k, auto& v) { s.actors.scheduler_threads = parse_int<int>(k, v, 0, 256); }},
    {"actors.session_idle_s",
     [](settings& s, auto& k, auto& v) { s.lifetimes.session_idle_s = parse_int<int>(k, v, 1, 86400); }},
    {"actors.session_ttl_s",
     [](settings& s, auto& k, auto& v) { s.lifetimes.session_ttl_s = parse_int<int>(k, v, 60, 365 * 86400); }},
    {"actors.account_idle_s",
     [](settings& s, auto& k, auto& v) { s.lifetimes.account_idle_s = parse_int<int>(k, v, 1, 86400); }},
    {"actors.max_live_sessions",
     [](settings& s, auto& k, auto& v) { s.lifetimes.max_live_sessions = parse_int<int>(k, v, 0, 100000000); }},
    {"actors.max_live_accounts",
     [](settings& s, auto& k, auto& v) { s.lifetimes.max_live_accounts = parse_int<int>(k, v, 0, 100000000); }},
    {"auth.argon2_opslimit", [](settings& s, auto& k, auto& v) { s.auth.argon2_opslimit = parse_int<int>(k, v, 2, 64); }},
    {"auth.argon2_memlimit_kib",
     [](settings& s, auto& k, auto& v) { s.auth.argon2_memlimit_kib = parse_int<int>(k, v, 19456, 4 << 20); }},
    {"auth.hash_workers", [](settings& s, auto& k, auto& v) { s.auth.hash_workers = parse_int<int>(k, v, 1, 64); }},
    {"auth.hash_queue_max",
     [](settings& s, auto& k, auto& v) { s.auth.hash_queue_max = parse_int<int>(k, v, 1, 100000); }},
    {"auth.password_token_ttl_s",
     [](settings& s, auto& k, auto& v) { s.auth.password_token_ttl_s = parse_int<int>(k, v, 60, 30 * 86400); }},
    {"auth.login_ttl_s",
     [](settings& s, auto& k, auto& v) { s.auth.login_ttl_s = parse_int<int>(k, v, 60, 365 * 86400); }},
    {"auth.max_failed_logins",
     [](settings& s, auto& k, auto& v) { s.auth.max_failed_logins = parse_int<int>(k, v, 1, 1000); }},
    {"auth.max_failed_logins_per_address",
     [](settings& s, auto& k, auto& v) { s.auth.max_failed_logins_per_address = parse_int<int>(k, v, 1, 100000); }},
    {"auth.failed_login_window_s",
     [](settings& s, auto& k, auto& v) { s.auth.failed_login_window_s = parse_int<int>(k, v, 1, 86400); }},
    {"shop.base_url", [](settings& s, auto& k, auto& v) { s.shop.base_url = parse_nonempty(k, v); }},
    {"shop.mail_dir", [](settings& s, auto&, auto& v) { s.shop.mail_dir = v; }},
    {"shop.csrf_secret", [](settings& s, auto&, auto& v) { s.shop.csrf_secret = v; }},
    {"seller.name", [](settings& s, auto& k, auto& v) { s.seller.name = parse_printed(k, v, true); }},
    {"seller.address",
     [](settings& s, auto& k, auto& v) { s.seller.address = domain::address_lines(parse_printed(k, v, false)); }},
    {"seller.tax_id", [](settings& s, auto& k, auto& v) { s.seller.tax_id = parse_printed(k, v, false); }},
    {"seller.registration", [](settings& s, auto& k, auto& v) { s.seller.registration = parse_printed(k, v, false); }},
    {"seller.email", [](settings& s, auto& k, auto& v) { s.seller.email = parse_printed(k, v, false); }},
    {"seller.legal_notice", [](settings& s, auto& k, auto& v) { s.seller.legal_notice = parse_printed(k, v, false); }},
    {"mail.transport", [](settings& s, auto& k, auto& v) { s.mail.transport = parse_choice(k, v, {"maildir", "smtp"}); }},
    {"mail.smtp_url", [](settings& s, auto&, auto& v) { s.mail.smtp_url = v; }},
    {"mail.smtp_user", [](settings& s, auto&, auto& v) { s.mail.smtp_user = v; }},
    {"mail.smtp_password", [](settings& s, auto&, auto& v) { s.mail.smtp_password = v; }},
    {"mail.smtp_starttls",
     [](settings& s, auto& k, auto& v) { s.mail.smtp_starttls = parse_choice(k, v, {"off", "try", "required"}); }},
    {"mail.smtp_timeout_s", [](settings& s, auto& k, auto& v) { s.mail.smtp_timeout_s = parse_int<int>(k, v, 1, 600); }},
    {"mail.from", [](settings& s, auto& k, auto& v) { s.mail.from = parse_nonempty(k, v); }},
    {"mail.from_name", [](settings& s, auto& k, auto& v) { s.mail.from_name = parse_nonempty(k, v); }},
    {"mail.max_attempts", [](settings& s, auto& k, auto& v) { s.mail.max_attempts = parse_int<int>(k, v, 1, 1000); }},
    {"mail.retry_first_s", [](settings& s, auto& k, auto& v) { s.mail.retry_first_s = parse_int<int>(k, v, 1, 86400); }},
    {"mail.retry_max_s", [](settings& s, auto& k, auto& v) { s.mail.retry_max_s = parse_int<int>(k, v, 1, 86400); }},
    {"catalog.path", [](settings& s, auto& k, auto& v) { s.catalog_path = parse_nonempty(k, v); }},
    {"web.dir", [](settings& s, auto&, auto& v) { s.web_dir = v; }},
    {"payments.secret", [](settings& s, auto& k, auto& v) { s.payments.secret = parse_nonempty(k, v); }},
    {"payments.test_mode", [](settings& s, auto& k, auto& v) { s.payments.test_mode = parse_bool(k, v); }},
    {"payments.idempotency_ttl_s",
     [](settings& s, auto& k, auto& v) { s.payments.idempotency_ttl_s = parse_int<int>(k, v, 60, 30 * 86400); }},
    {"log.level",
     [](settings& s, auto& k, auto& v) {
       s.log_level = parse_choice(k, v, {"trace", "debug", "info", "warn", "error", "critical", "off"});
     }},
    {"log.format", [](settings& s, auto& k, auto& v) { s.log_format = parse_choice(k, v, {"text", "json"}); }},
  };
  return table;
}

/// Options naming a file or a folder: in a configuration file, a relative one is taken from the file's own folder
/// (so that --config=/etc/boutique/boutique.ini works from any folder); on the command line, from the working one.
bool is_path_option(const std::string& name) {
  return name == "storage.path" || name == "storage.backup_dir" || name == "shop.mail_dir" ||
         name == "catalog.path" || name == "web.dir";
}

/// storage.url given as `sqlite:PATH` or a path: a relative PATH is taken from the configuration file's folder.
std::string relative_to(const std::string& file, const std::string& url) {
  if (url.find("://") != std::string::npos) return url;
  bool prefixed = url.rfind("sqlite:", 0) == 0;
  std::filesystem::path path = prefixed ? url.substr(7) : url;
  if (path.empty() || path.is_absolute()) return url;
  return (prefixed ? "sqlite:" : "") + (std::filesystem::path(file).parent_path() / path).lexically_normal().string();
}

/// Both storage.path and storage.url in one source (the file, or the command line): which one is meant is unclear.
void check_one_storage(const std::set<std::string>& given, const std::string& where) {
  if (given.count("storage.path") && given.count("storage.url"))
    throw config_error("storage.path and storage.url are both given " + where +
                       ": give one (storage.url = sqlite:PATH or postgresql://user@host:port/db)");
}

void load_file(settings& s, const std::string& path) {
  boost::property_tree::ptree tree;
  try {
    boost::property_tree::read_ini(path, tree);
  } catch (const boost::property_tree::ini_parser_error& e) {
    throw config_error("cannot read configuration file " + path + ": " + e.message() + " (line " +
                       std::to_string(e.line()) + ")");
  }
  std::set<std::string> given;
  for (const auto& [section, keys] : tree) {
    if (keys.empty() && !keys.data().empty())
      throw config_error("unknown option '" + section + "' in " + path + ": options belong to a [section]");
    for (const auto& [key, value] : keys) {
      const auto name = section + "." + key;
      if (!setters().count(name)) throw config_error("unknown option '" + name + "' in " + path);
      auto text = value.data();
      if (is_path_option(name) && !text.empty() && std::filesystem::path(text).is_relative())
        text = (std::filesystem::path(path).parent_path() / text).lexically_normal().string();
      if (name == "storage.url") text = relative_to(path, text);
      given.insert(name);
      set_option(s, name, text);
    }
  }
  check_one_storage(given, "in " + path);
}

void load_environment(settings& s) {
  if (const char* token = std::getenv("BOUTIQUE_ADMIN_TOKEN")) s.admin.token = token;
  if (const char* secret = std::getenv("BOUTIQUE_PAYMENT_SECRET"); secret && *secret) s.payments.secret = secret;
  if (const char* secret = std::getenv("BOUTIQUE_CSRF_SECRET"); secret && *secret) s.shop.csrf_secret = secret;
  if (const char* secret = std::getenv("BOUTIQUE_SMTP_PASSWORD"); secret && *secret) s.mail.smtp_password = secret;
}

}  // namespace

std::optional<std::string> canonical_ip(std::string_view text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  return address.to_string();
}

void set_option(settings& s, const std::string& key, const std::string& value) {
  auto it = setters().find(key);
  if (it == setters().end()) throw config_error("unknown option '" + key + "'");
  it->second(s, key, value);
}

bool is_loopback(const std::string& address) {
  return address == "::1" || address == "localhost" || address.rfind("127.", 0) == 0;
}

namespace {

/// A mail header or SMTP command built from `text` could be split by a line end or a control character.
bool has_control(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

/// smtp://127.0.0.1:25 and the like: a relay on this machine.
bool loopback_url(const std::string& url) {
  auto host = url.substr(url.find("://") + 3);
  host = host.substr(0, host.find('/'));
  if (host.rfind("[::1]", 0) == 0) return true;
  return is_loopback(host.substr(0, host.rfind(':')));
}

void validate_mail(const mail_options& m) {
  bool smtp = m.transport == "smtp";
  if (smtp && m.smtp_url.rfind("smtp://", 0) != 0 && m.smtp_url.rfind("smtps://", 0) != 0)
    throw config_error("mail.transport = smtp needs mail.smtp_url = smtp://host:port or smtps://host:port");
  if (!smtp && !m.smtp_url.empty())
    throw config_error("mail.smtp_url is set but mail.transport is maildir: set mail.transport = smtp to use it");
  if (smtp && !m.smtp_user.empty() && m.smtp_starttls != "required" && m.smtp_url.rfind("smtps://", 0) != 0 &&
      !loopback_url(m.smtp_url))
    throw config_error("mail.smtp_user is set but mail.smtp_starttls is '" + m.smtp_starttls +
                       "': the password could cross the network in clear; use smtp_starttls = required or smtps://");
  if (m.smtp_url.find('@') != std::string::npos)
    throw config_error("mail.smtp_url cannot hold a login: set mail.smtp_user, and the password in "
                       "BOUTIQUE_SMTP_PASSWORD");
  if (has_control(m.smtp_url) || has_control(m.smtp_user) || has_control(m.smtp_password))
    throw config_error("mail.smtp_url, mail.smtp_user and mail.smtp_password cannot hold control characters");
  auto at = m.from.find('@');
  if (at == 0 || at == std::string::npos || at + 1 == m.from.size() ||
      m.from.find_first_of(" <>\"(),;:") != std::string::npos || has_control(m.from))
    throw config_error("mail.from '" + m.from + "' is not a plain address like no-reply@shop.example");
  if (has_control(m.from_name)) throw config_error("mail.from_name cannot hold control characters");
  if (m.retry_first_s > m.retry_max_s)
    throw config_error("mail.retry_first_s (" + std::to_string(m.retry_first_s) + ") is longer than mail.retry_max_s (" +
                       std::to_string(m.retry_max_s) + ")");
}

}  // namespace

bool secure_cookies(const settings& s) { return s.shop.base_url.rfind("https://", 0) == 0; }

void validate(const settings& s) {
  if (!is_loopback(s.admin.address) && s.admin.token.size() < 32)
    throw config_error("admin.address '" + s.admin.address +
                       "' is not a loopback address: set an admin token of at least 32 characters "
                       "(BOUTIQUE_ADMIN_TOKEN) or keep the management listener on 127.0.0.1");
  if (!is_loopback(s.http.address) && !s.payments.has_secret())
    throw config_error("http.address '" + s.http.address +
                       "' is not a loopback address: set a payment secret (BOUTIQUE_PAYMENT_SECRET); the placeholder '" +
                       placeholder_payment_secret + "' is public");
  if (!is_loopback(s.http.address) && s.payments.test_mode)
    throw config_error("http.address '" + s.http.address +
                       "' is not a loopback address: set payments.test_mode = false (test payments complete orders "
                       "without paying)");
  if (!s.shop.csrf_secret.empty() && s.shop.csrf_secret.size() < 32)
    throw config_error("shop.csrf_secret must have at least 32 characters (BOUTIQUE_CSRF_SECRET), or stay empty for "
                       "a random key per start");
  if (!s.payments.test_mode && !s.payments.has_secret())
    throw config_error("payments.test_mode is off and no payment secret is set (BOUTIQUE_PAYMENT_SECRET): no order "
                       "could ever be paid");
  validate_mail(s.mail);
  if (s.cluster.enabled() && s.storage.url.empty())
    throw config_error("cluster.node_id is set but storage.url is not a postgresql:// URL: the nodes of a cluster share "
                       "one PostgreSQL database");
  if (s.cluster.enabled() && s.cluster.forward_timeout_ms < s.http.request_timeout_s * 1000 + 2000)
    throw config_error("cluster.forward_timeout_ms (" + std::to_string(s.cluster.forward_timeout_ms) +
                       ") must exceed http.request_timeout_s plus 2 s (" +
                       std::to_string(s.http.request_timeout_s * 1000 + 2000) +
                       "): the owner node may answer that late, its write committed");
  if (s.cluster.enabled() && s.shop.csrf_secret.empty())
    throw config_error("cluster.node_id is set without a CSRF secret: set BOUTIQUE_CSRF_SECRET, the same on every node "
                       "(a form one node served is posted to another; a random key per node would refuse it)");
  if (s.cluster.enabled() && s.cluster.advertise.empty())
    throw config_error("cluster.node_id is set without cluster.advertise: give the host:port other nodes reach this "
                       "node's public listener on");
  if (!s.storage.url.empty() && s.mail.transport == "maildir" && s.shop.mail_dir.empty())
    throw config_error("mail.transport = maildir on PostgreSQL needs shop.mail_dir (on SQLite the mails go beside the "
                       "database file; a PostgreSQL database has no folder here): set it, or mail.transport = smtp");
}

settings load(const std::vector<std::string>& args) {
  std::string config_file;
  bool explicit_file = false;
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& arg : args) {
    if (arg.rfind("--", 0) != 0) throw config_error("unknown option '" + arg + "' (options look like --section.key=value)");
    auto eq = arg.find('=');
    if (eq == std::string::npos) throw config_error("option '" + arg + "' needs a value: " + arg + "=...");
    auto key = arg.substr(2, eq - 2);
    auto value = arg.substr(eq + 1);
    if (key == "config") {
      config_file = value;
      explicit_file = true;
    } else if (!setters().count(key)) {
      throw config_error("unknown option '--" + key + "'");
    } else {
      overrides.emplace_back(key, value);
    }
  }
  settings s;
  if (!explicit_file && std::filesystem::exists(default_config_file)) config_file = default_config_file;
  if (explicit_file && !std::filesystem::exists(config_file))
    throw config_error("configuration file '" + config_file + "' does not exist");
  if (!config_file.empty()) load_file(s, config_file);
  load_environment(s);
  std::set<std::string> given;
  for (const auto& [key, value] : overrides) given.insert(key);
  check_one_storage(given, "on the command line");
  for (const auto& [key, value] : overrides) set_option(s, key, value);
  validate(s);
  return s;
}

std::string usage() {
  std::string text =
    "usage: boutique [--config=FILE] [--section.key=value ...]\n"
    "       boutique backup --to=FILE [--config=FILE] [--section.key=value ...]\n"
    "Runs the Boutique customer-account service; 'backup' copies its SQLite database (storage.path) into FILE,\n"
    "online, while the service runs. Options (see config/boutique.ini for meaning and defaults):\n";
  for (const auto& [key, _] : setters()) text += "  --" + key + "=...\n";
  text += "Environment: BOUTIQUE_ADMIN_TOKEN, BOUTIQUE_PAYMENT_SECRET, BOUTIQUE_CSRF_SECRET, BOUTIQUE_SMTP_PASSWORD.\n";
  return text;
}

}  // namespace boutique::config
