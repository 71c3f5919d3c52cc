// The domain's messages on the pages: every code has its English and French text, found by code (never by the
// English sentence), numbers included.
#include "domain/messages.hpp"
#include "domain/tokens.hpp"
#include "net/pages/i18n.hpp"
#include "net/pages/site.hpp"
#include "support/test_service.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace boutique;
using net::pages::field_message;
using net::pages::language;

TEST(messages, every_code_has_an_english_and_a_french_text_of_its_own) {
  for (auto code : domain::message_codes()) {
    domain::message m{std::string(code), 7};
    auto en = domain::english(m);
    auto fr = field_message(m, language::fr);
    EXPECT_NE(en, code) << code;
    EXPECT_EQ(field_message(m, language::en), en) << code;
    EXPECT_NE(fr, en) << code << ": no French text";
  }
}

TEST(messages, numbers_are_put_in_place_in_both_languages) {
  domain::message too_long{"too_long", 200};
  EXPECT_EQ(domain::english(too_long), "must be at most 200 bytes");
  EXPECT_EQ(field_message(too_long, language::fr), "au plus 200 octets");
  auto short_password = domain::password_problem("court");
  ASSERT_TRUE(short_password);
  EXPECT_EQ(field_message(*short_password, language::fr), "au moins 10 caractères");
}

TEST(messages, the_site_refuses_to_start_when_a_code_has_no_french_text) {
  auto texts = nlohmann::json::parse(std::ifstream(net::pages::site::locate() / "texts.json"));
  texts["messages_fr"].erase("bad_email");
  boutique::testing::temp_dir dir;
  std::ofstream(dir.path() / "texts.json") << texts.dump();
  try {
    net::pages::check_texts(dir.path());
    FAIL() << "a texts.json without the French of bad_email was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad_email"), std::string::npos) << e.what();
  }
}
