#include "config/catalog_file.hpp"
#include "config/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

using boutique::config::config_error;
using boutique::config::load_catalog;

namespace {

std::string catalog_error(const std::string& json) {
  auto path = std::string(::testing::TempDir()) + "catalog.json";
  std::ofstream(path) << json;
  try {
    load_catalog(path);
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(catalog, the_shipped_catalog_is_valid_and_realistic) {
  auto items = load_catalog(BOUTIQUE_SOURCE_DIR "/config/catalog.json");
  ASSERT_GE(items.size(), 5u);
  EXPECT_EQ(items[0].code, "A51-11236-F");
  EXPECT_EQ(items[0].name, "Formation initiale sûreté");
  EXPECT_EQ(items[0].currency, "EUR");
  bool some_without_duration = false;
  for (const auto& item : items) some_without_duration |= !item.duration_days.has_value();
  EXPECT_TRUE(some_without_duration);
}

TEST(catalog, invalid_items_are_refused_with_their_position) {
  const std::string good = R"({"code":"X1","name":"n","price":100,"currency":"EUR","tax_rate_bp":2000})";
  EXPECT_EQ(catalog_error(R"({"items":[)" + good + "]}"), "");
  auto negative = catalog_error(R"({"items":[)" + good +
                                R"(,{"code":"X2","name":"n","price":-1,"currency":"EUR","tax_rate_bp":0}]})");
  EXPECT_NE(negative.find("items[1]"), std::string::npos);
  EXPECT_NE(negative.find("price"), std::string::npos);
  EXPECT_NE(catalog_error(R"({"items":[)" + good + "," + good + "]}").find("duplicate"), std::string::npos);
  EXPECT_NE(catalog_error(R"({"items":[{"code":"X","name":"n","price":1,"currency":"euro","tax_rate_bp":0}]})")
              .find("currency"),
            std::string::npos);
  EXPECT_NE(catalog_error(R"({"items":[]})").find("no items"), std::string::npos);
  EXPECT_NE(catalog_error("{not json").find("not valid"), std::string::npos);
}
