// The catalog reloads without a restart (POST /admin/catalog/reload; SIGHUP in cli_tests): checked as at start-up,
// committed, then priced against by the live sessions; a broken file is refused and the old catalog kept.
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace boutique;
using namespace boutique::testing;

namespace {

const std::string first_catalog = R"({"items": [
  {"code": "R01-00001-A", "name": "Reload one", "price": 10000, "currency": "EUR", "tax_rate_bp": 2000,
   "duration_days": 30, "renewable": false}]})";
const std::string second_catalog = R"({"items": [
  {"code": "R01-00001-A", "name": "Reload one", "price": 12500, "currency": "EUR", "tax_rate_bp": 2000,
   "duration_days": 30, "renewable": false},
  {"code": "R02-00002-B", "name": "Reload two", "price": 3000, "currency": "EUR", "tax_rate_bp": 2000,
   "duration_days": 30, "renewable": false}]})";

reply reload(const test_service& svc) {
  return http_client(svc.admin_port())
    .send("POST", "/admin/catalog/reload", "", {{"Authorization", "Bearer " + svc.settings().admin.token}});
}

nlohmann::json line(const std::string& code) { return nlohmann::json::array({{{"code", code}, {"quantity", 1}}}); }

}  // namespace

TEST(catalog_reload, a_changed_file_is_served_and_priced_at_once_and_a_broken_one_changes_nothing) {
  temp_dir dir;
  auto path = (dir.path() / "catalog.json").string();
  std::ofstream(path) << first_catalog;
  auto settings = test_settings();
  settings.catalog_path = path;
  test_service svc(settings);
  checkout live(svc.port());  // a session already live before the reload
  ASSERT_EQ(live.cart(line("R01-00001-A")).status, 200);
  EXPECT_EQ(live.cart(line("R02-00002-B")).status, 422) << "not in the catalog yet";

  std::ofstream(path, std::ios::trunc) << second_catalog;
  auto reloaded = reload(svc);
  ASSERT_EQ(reloaded.status, 200) << reloaded.body;
  EXPECT_EQ(reloaded.json()["items"], 2);
  auto served = http_client(svc.port()).get("/api/v1/catalog").json()["items"];
  ASSERT_EQ(served.size(), 2u);
  EXPECT_EQ(served[0]["price"], 12500);
  auto repriced = live.cart(line("R02-00002-B"));
  EXPECT_EQ(repriced.status, 200) << "the live session prices against the new catalog: " << repriced.body;
  auto again = live.cart(line("R01-00001-A"));
  ASSERT_EQ(again.status, 200);
  EXPECT_NE(again.body.find("12500"), std::string::npos) << again.body;

  for (const std::string broken : {std::string("{\"items\": [{\"code\": \"X\"}]}"), std::string("not json")}) {
    std::ofstream(path, std::ios::trunc) << broken;
    auto refused = reload(svc);
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_NE(refused.body.find("not reloaded"), std::string::npos) << refused.body;
    EXPECT_EQ(http_client(svc.port()).get("/api/v1/catalog").json()["items"].size(), 2u) << "the old one is kept";
    EXPECT_EQ(live.cart(line("R02-00002-B")).status, 200);
  }
  EXPECT_EQ(http_client(svc.admin_port()).send("POST", "/admin/catalog/reload").status, 401) << "admins only";
}
