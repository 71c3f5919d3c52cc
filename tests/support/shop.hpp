#pragma once

#include "support/http_client.hpp"
#include "support/test_service.hpp"

#include "domain/clock.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace boutique::testing {

/// A contact form as a shopper fills it.
nlohmann::json contact_form(const std::string& email, const std::string& city = "Lyon");

/// One shopper's checkout session, driven over HTTP.
class checkout {
 public:
  explicit checkout(std::uint16_t port);
  const std::string& id() const { return id_; }
  std::string path(const std::string& suffix = "") const { return "/api/v1/sessions/" + id_ + suffix; }

  reply cart(const nlohmann::json& items) { return client_.put(path("/cart"), {{"items", items}}); }
  reply contact(const nlohmann::json& form) { return client_.put(path("/contact"), form); }
  /// Logs in at the contact step; on success the session goes on under the new id the answer gives.
  reply login(const std::string& login, const std::string& password);
  reply order() { return client_.post(path("/order"), {{"paymode", "test"}}); }
  reply pay() { return client_.send("POST", path("/pay")); }
  reply state() { return client_.get(path()); }
  http_client& client() { return client_; }

  /// Cart with one A51-11236-F, contact for `email`, order and test payment; returns the payment reply.
  reply buy(const std::string& email, const nlohmann::json& items = nlohmann::json::array({{{"code", "A51-11236-F"},
                                                                                            {"quantity", 1}}}));

 private:
  http_client client_;
  std::string id_;
};

/// A customer who bought once as a guest (`items`, or one A51-11236-F when null), then set `password` through the link
/// mailed to `email`; returns it.
std::string registered(test_service& svc, const std::string& email, const std::string& password,
                       const nlohmann::json& items = nullptr);

/// Request headers by name.
using header_map = std::map<std::string, std::string>;

/// A new login of `login` through POST /api/v1/auth/login: its cookie as a request header (throws when refused).
header_map login_header(const test_service& svc, const std::string& login, const std::string& password);

/// The status of a login attempt (POST /api/v1/auth/login).
int login_status(const test_service& svc, const std::string& login, const std::string& password);

/// Moves the service's clock (domain/clock.hpp) ahead for the life of the object, then puts it back.
class moved_clock {
 public:
  explicit moved_clock(std::int64_t seconds) { boutique::domain::set_clock_offset_for_tests(seconds); }
  ~moved_clock() { boutique::domain::set_clock_offset_for_tests(0); }
  moved_clock(const moved_clock&) = delete;
  moved_clock& operator=(const moved_clock&) = delete;
};

/// The mail-drop folder of a test service.
std::filesystem::path mail_dir(const test_service& svc);

/// Waits (up to 10 s, polling the folder) for a mail to `recipient` whose text contains `needle`; returns its text.
std::string wait_for_mail(const test_service& svc, const std::string& recipient, const std::string& needle);

/// The password-set token in a mail's text ("" when none).
std::string token_in(const std::string& mail);

/// An unlabelled sample of the service's /admin/metrics (-1 when absent).
double metric(const test_service& svc, const std::string& name);

/// Runs one SQL query returning a single integer against the service's database (read-only).
std::int64_t query_int(const test_service& svc, const std::string& sql);

/// Runs one SQL query with one text parameter returning a single text value ("<none>" when no row).
std::string query_text(const test_service& svc, const std::string& sql, const std::string& param);
/// Every row of a query, each column as text ("-" for NULL), on a connection of its own.
std::vector<std::vector<std::string>> query_rows(const test_service& svc, const std::string& sql);
/// The same on a connection the caller holds (several queries: a PostgreSQL connection costs a server process).
std::vector<std::vector<std::string>> query_rows(storage::database& db, const std::string& sql);
/// One field of the contact a bill keeps (JSON), "" when it has none.
std::string bill_contact_field(const test_service& svc, const std::string& transid, const std::string& field);
/// The schema version the service's database is at.
int schema_version(const test_service& svc);

}  // namespace boutique::testing
