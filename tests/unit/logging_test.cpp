// How client text and secrets are written to the log.
#include "config/logging.hpp"
#include "domain/tokens.hpp"

#include <gtest/gtest.h>

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
