#include "support/shop.hpp"
#include "support/wait.hpp"

#include "storage/database.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace boutique::testing {

nlohmann::json contact_form(const std::string& email, const std::string& city) {
  return {{"firstname", "Ana"}, {"lastname", "Lopez"}, {"email", email},      {"organisation", "Aéroport de Lyon"},
          {"address", "1 rue de la Paix"}, {"zip", "69000"}, {"city", city}, {"country", "FR"}};
}

std::string registered(test_service& svc, const std::string& email, const std::string& password,
                       const nlohmann::json& items) {
  checkout shopper(svc.port());
  auto bought = items.is_null() ? shopper.buy(email) : shopper.buy(email, items);
  if (bought.status != 200) throw std::runtime_error("the purchase failed for " + email);
  auto token = token_in(wait_for_mail(svc, email, "token="));
  auto set = http_client(svc.port()).post("/api/v1/auth/password", {{"token", token}, {"password", password}});
  if (set.status != 200) throw std::runtime_error("cannot set the password: " + set.body);
  return password;
}

header_map login_header(const test_service& svc, const std::string& login, const std::string& password) {
  auto r = http_client(svc.port()).post("/api/v1/auth/login", {{"login", login}, {"password", password}});
  if (r.status != 200) throw std::runtime_error("login refused: " + r.body);
  auto cookie = r.header("set-cookie");
  return {{"Cookie", cookie.substr(0, cookie.find(';'))}};
}

int login_status(const test_service& svc, const std::string& login, const std::string& password) {
  return http_client(svc.port()).post("/api/v1/auth/login", {{"login", login}, {"password", password}}).status;
}

checkout::checkout(std::uint16_t port) : client_(port) {
  auto r = client_.send("POST", "/api/v1/sessions");
  if (r.status != 201) throw std::runtime_error("cannot create a session: " + r.body);
  id_ = r.json()["session_id"];
}

reply checkout::login(const std::string& login, const std::string& password) {
  auto r = client_.post(path("/login"), {{"login", login}, {"password", password}});
  if (r.status == 200) id_ = r.json().at("session_id");
  return r;
}

reply checkout::buy(const std::string& email, const nlohmann::json& items) {
  for (auto step : {cart(items), contact(contact_form(email)), order()})
    if (step.status >= 300) return step;
  return pay();
}

std::filesystem::path mail_dir(const test_service& svc) {
  return std::filesystem::path(svc.settings().storage.path).parent_path() / "mail";
}

std::string wait_for_mail(const test_service& svc, const std::string& recipient, const std::string& needle) {
  std::string found;
  within(std::chrono::seconds(10), [&] {  // polling a folder the mailer writes to
    if (!std::filesystem::exists(mail_dir(svc))) return false;
    for (const auto& entry : std::filesystem::directory_iterator(mail_dir(svc))) {
      if (entry.path().extension() != ".eml") continue;
      auto mail = file_text(entry.path());
      if (mail.find("To: <" + recipient + ">") != std::string::npos && mail.find(needle) != std::string::npos) {
        found = mail;
        return true;
      }
    }
    return false;
  }, std::chrono::milliseconds(50));
  return found;
}

std::string token_in(const std::string& mail) {
  auto at = mail.find("token=");
  if (at == std::string::npos) return {};
  auto end = mail.find_first_of("\r\n ", at);
  return mail.substr(at + 6, end - at - 6);
}

double metric(const test_service& svc, const std::string& name) {
  auto page = http_client(svc.admin_port())
                .get("/admin/metrics", {{"Authorization", "Bearer " + svc.settings().admin.token}})
                .body;
  auto at = page.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(page.substr(at + name.size() + 2));
}

std::int64_t query_int(const test_service& svc, const std::string& sql) {
  auto db = svc.open_database({storage::database::access::read_only, true});
  auto& st = db->prepare(sql);
  if (!st.step()) return -1;
  return st.integer(0);
}

}  // namespace boutique::testing

namespace boutique::testing {

std::string query_text(const test_service& svc, const std::string& sql, const std::string& param) {
  auto db = svc.open_database({storage::database::access::read_only, true});
  auto& st = db->prepare(sql).bind_all(param);
  return st.step() ? st.text(0) : "<none>";
}

std::vector<std::vector<std::string>> query_rows(const test_service& svc, const std::string& sql) {
  return query_rows(*svc.open_database({storage::database::access::read_only, true}), sql);
}

std::vector<std::vector<std::string>> query_rows(storage::database& db, const std::string& sql) {
  auto& st = db.prepare(sql);
  std::vector<std::vector<std::string>> rows;
  while (st.step()) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < st.columns(); ++c) row.push_back(st.is_null(c) ? "-" : st.text(c));
  }
  st.reset();
  return rows;
}

std::string bill_contact_field(const test_service& svc, const std::string& transid, const std::string& field) {
  auto contact = nlohmann::json::parse(query_text(svc, "SELECT contact FROM bills WHERE transid = ?", transid));
  return contact.contains(field) && contact[field].is_string() ? contact[field].get<std::string>() : "";
}

int schema_version(const test_service& svc) { return svc.open_database()->schema_version(); }

}  // namespace boutique::testing
