#include "support/test_service.hpp"

#include <fstream>
#include <random>
#include <sstream>

namespace boutique::testing {

temp_dir::temp_dir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / ("boutique-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

config::settings test_settings() {
  config::settings s;
  s.http.port = 0;
  s.admin.port = 0;
  s.admin.token = "test-admin-token-0123456789abcdef";
  s.storage.path.clear();
  s.storage.synchronous = "normal";
  s.catalog_path = BOUTIQUE_SOURCE_DIR "/config/catalog.json";
  s.payments.secret = "test-payment-secret";
  s.log_level = "warn";
  // Argon2id at its cheapest (1 pass, 64 KiB) instead of the configuration's floor (2 passes, 19 MiB): hashing
  // was three quarters of the integration suite's CPU time. The throttle tests, whose races and backlogs depend on
  // the cost of a hash, use the production cost (production_hashing in throttle_test.cpp).
  s.auth.argon2_opslimit = 1;
  s.auth.argon2_memlimit_kib = 64;
  return s;
}

test_service::test_service(config::settings settings) : settings_(std::move(settings)) {
  if (settings_.storage.path.empty()) settings_.storage.path = (dir_.path() / "boutique.db").string();
  if (on_postgresql() && settings_.storage.url.empty()) {
    pg_ = std::make_unique<scratch_postgres>();
    settings_.storage.url = pg_->url();
    // Where it goes on SQLite (beside the database file), given as PostgreSQL needs it (config::validate).
    if (settings_.shop.mail_dir.empty())
      settings_.shop.mail_dir = (std::filesystem::path(settings_.storage.path).parent_path() / "mail").string();
  }
  service_ = std::make_unique<app::service>(settings_);
  service_->start();
}

test_service::~test_service() { service_->stop(); }

void test_service::restart(config::settings changed) {
  changed.storage.path = settings_.storage.path;
  changed.storage.url = settings_.storage.url;
  if (changed.shop.mail_dir.empty()) changed.shop.mail_dir = settings_.shop.mail_dir;  // given on PostgreSQL
  settings_ = std::move(changed);
  restart();
}

void test_service::restart() {
  service_->stop();
  service_ = std::make_unique<app::service>(settings_);
  service_->start();
}

}  // namespace boutique::testing
