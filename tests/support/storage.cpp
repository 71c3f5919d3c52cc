#include "support/storage.hpp"

#include "storage/postgres_database.hpp"

#include <cstdlib>
#include <filesystem>
#include <random>

namespace boutique::testing {

namespace {

/// `server` (postgresql://user@/postgres?host=...) with the database `name` instead of its own.
std::string with_database(const std::string& server, const std::string& name) {
  auto query = server.find('?');
  auto path = server.rfind('/', query == std::string::npos ? std::string::npos : query);
  return server.substr(0, path + 1) + name + (query == std::string::npos ? "" : server.substr(query));
}

}  // namespace

const std::string& test_postgres() {
  static const std::string url = [] {
    const char* v = std::getenv("BOUTIQUE_TEST_POSTGRES");
    return std::string(v ? v : "");
  }();
  return url;
}

scratch_postgres::scratch_postgres() {
  std::random_device rd;
  name_ = "boutique_test_" + std::to_string(rd()) + "_" + std::to_string(rd());
  storage::postgres_database server(test_postgres(), {});
  server.exec("CREATE DATABASE " + name_);
  url_ = with_database(test_postgres(), name_);
}

scratch_postgres::~scratch_postgres() {
  try {
    storage::postgres_database server(test_postgres(), {});
    server.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
  }
}

test_store::test_store(std::string sqlite_path) : sqlite_path_(std::move(sqlite_path)) {
  if (on_postgresql()) pg_ = std::make_unique<scratch_postgres>();
}

std::string test_store::mail_option() const {
  return "--shop.mail_dir=" + (std::filesystem::path(sqlite_path_).parent_path() / "mail").string();
}

std::unique_ptr<storage::database> test_store::open(storage::database::options opts) const {
  return storage::open_database(where(), opts);
}

}  // namespace boutique::testing
