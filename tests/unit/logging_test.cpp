// How client text and secrets are written to the log.
#include "config/logging.hpp"
#include "domain/tokens.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using boutique::config::log_id;
using boutique::config::log_path;
using boutique::config::log_text;

TEST(log_text, keeps_printable_ascii_and_valid_utf8) {
  EXPECT_EQ(log_text("/api/v1/catalog?x=1"), "/api/v1/catalog?x=1");
  EXPECT_EQ(log_text("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST(log_text, escapes_quotes_backslashes_and_controls) {
  EXPECT_EQ(log_text("a\"b\\c"), "a\\x22b\\x5cc");
  EXPECT_EQ(log_text(std::string("n\nr\rt\tz\0.", 9)), "n\\x0ar\\x0dt\\x09z\\x00.");
  EXPECT_EQ(log_text("del\x7F"), "del\\x7f");
  EXPECT_EQ(log_text("c1\xC2\x85."), "c1\\xc2\\x85.") << "U+0085 (NEL) ends a line in some readers";
  EXPECT_EQ(log_text("/a\xE2\x80\xAE" "fdp"), "/a\\xe2\\x80\\xae" "fdp") << "U+202E shows the rest reversed";
  EXPECT_EQ(log_text("x\xE2\x80\xA8y"), "x\\xe2\\x80\\xa8y") << "U+2028 ends a line in some readers";
  EXPECT_EQ(log_text("\xE2\x80\x8F\xE2\x82\xAC"), "\xE2\x80\x8F\xE2\x82\xAC") << "a right-to-left mark and the euro stay";
}

TEST(log_text, escapes_every_byte_of_invalid_utf8) {
  EXPECT_EQ(log_text("\xC3\x28"), "\\xc3(");
  EXPECT_EQ(log_text("\xFF\xFE"), "\\xff\\xfe");
  EXPECT_EQ(log_text("\xC0\xAF"), "\\xc0\\xaf") << "overlong /";
  EXPECT_EQ(log_text("\xED\xA0\x80"), "\\xed\\xa0\\x80") << "surrogate";
  EXPECT_EQ(log_text("\xF4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80") << "beyond U+10FFFF";
  EXPECT_EQ(log_text("\xE2\x82"), "\\xe2\\x82") << "cut sequence";
}

TEST(log_text, cuts_long_text) {
  EXPECT_EQ(log_text(std::string(600, 'a')), std::string(512, 'a') + "...");
  EXPECT_EQ(log_text("abcdef", 3), "abc...");
}

TEST(log_id, is_the_start_of_the_sha256) {
  EXPECT_EQ(log_id("abc"), "ba7816bf");
  EXPECT_EQ(log_id("abc").size(), 8u);
}

TEST(log_path, digests_id_shaped_segments_only) {
  auto sid = boutique::domain::new_secret_id();
  EXPECT_EQ(log_path("/api/v1/sessions/" + sid + "/cart"), "/api/v1/sessions/~" + log_id(sid) + "/cart");
  EXPECT_EQ(log_path("/admin/actors/session/" + sid), "/admin/actors/session/~" + log_id(sid));
  EXPECT_EQ(log_path("/api/v1/catalog"), "/api/v1/catalog");
  EXPECT_EQ(log_path("/static/docs/getting-started.html"), "/static/docs/getting-started.html");
  EXPECT_EQ(log_path("/"), "/");
  EXPECT_EQ(log_path("/a\"b"), "/a\\x22b");
}

TEST(event_json, each_key_value_is_a_member_and_integers_are_numbers) {
  auto j = nlohmann::json::parse(boutique::config::event_json(
    R"(event=request request_id=r-1 status=200 path="/a b" ms=1.5 detail="x\x22y")"));
  EXPECT_EQ(j["event"], "request");
  EXPECT_EQ(j["request_id"], "r-1");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["path"], "/a b");
  EXPECT_EQ(j["ms"], 1.5);
  EXPECT_EQ(j["detail"], "x\\x22y") << "log_text's escapes are kept as they are";
}

TEST(event_json, ids_stay_text_and_no_field_replaces_another) {
  auto j = nlohmann::json::parse(boutique::config::event_json("request_id=12345 customer_id=7 level=debug level=x"));
  EXPECT_EQ(j["request_id"], "12345") << "an id is text whatever it looks like";
  EXPECT_EQ(j["customer_id"], "7");
  EXPECT_EQ(j["level"], "debug");
  EXPECT_EQ(j["level_"], "x") << "a repeated key keeps both values";
}

TEST(event_json, a_line_that_is_not_all_key_value_keeps_its_text) {
  auto j = nlohmann::json::parse(boutique::config::event_json("started in 3 s"));
  EXPECT_EQ(j, (nlohmann::json{{"msg", "started in 3 s"}}));
  EXPECT_EQ(nlohmann::json::parse(boutique::config::event_json("event=x broken=\"open")).count("msg"), 1u);
}
