#include "domain/signature.hpp"
#include "domain/tokens.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

using namespace boutique::domain;

namespace {

bool is_base62(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

}  // namespace

TEST(tokens, product_references_are_8_base62_characters) {
  for (int i = 0; i < 100; ++i) {
    auto pid = new_product_reference();
    EXPECT_EQ(pid.size(), 8u);
    EXPECT_TRUE(is_base62(pid)) << pid;
  }
}

TEST(tokens, secret_ids_are_22_base62_characters) {
  for (int i = 0; i < 100; ++i) {
    auto id = new_secret_id();
    EXPECT_EQ(id.size(), 22u);
    EXPECT_TRUE(is_base62(id)) << id;
  }
  EXPECT_EQ(random_base62(0), "");
  EXPECT_EQ(random_base62(40).size(), 40u);
}

TEST(tokens, ten_thousand_product_references_have_no_duplicates_and_use_the_whole_alphabet) {
  std::set<std::string> pids;
  std::set<char> chars;
  for (int i = 0; i < 10000; ++i) {
    auto pid = new_product_reference();
    pids.insert(pid);
    chars.insert(pid.begin(), pid.end());
  }
  EXPECT_EQ(pids.size(), 10000u);
  EXPECT_EQ(chars.size(), 62u);  // 80000 draws: missing any symbol would mean a broken alphabet
}

TEST(tokens, sha256_hex_matches_known_vectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string("a\0b", 3)).size(), 64u);
  EXPECT_NE(sha256_hex(std::string("a\0b", 3)), sha256_hex("a"));
}

TEST(tokens, constant_time_equal_compares_whole_strings) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("s3cretToken", "s3cretToken"));
  EXPECT_FALSE(constant_time_equal("s3cretToken", "s3cretTokem"));
  EXPECT_FALSE(constant_time_equal("s3cretToken", "S3cretToken"));
  EXPECT_FALSE(constant_time_equal("s3cret", "s3cretToken"));
  EXPECT_FALSE(constant_time_equal("s3cretToken", "s3cret"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

#include "domain/throttle.hpp"

TEST(tokens, an_admin_pass_holds_until_it_expires_and_only_under_its_token) {
  using namespace boutique::domain;
  auto pass = admin_pass("the-admin-token", 1000);
  EXPECT_TRUE(admin_pass_valid("the-admin-token", pass, 999));
  EXPECT_FALSE(admin_pass_valid("the-admin-token", pass, 1000)) << "expired";
  EXPECT_FALSE(admin_pass_valid("another-token", pass, 999)) << "a new token ends every pass";
  EXPECT_FALSE(admin_pass_valid("", admin_pass("", 1000), 999)) << "no token, no pass";
  // The expiry is under the MAC: pushing it later breaks the pass.
  auto later = pass;
  later.replace(3, 4, "9999");
  EXPECT_FALSE(admin_pass_valid("the-admin-token", later, 999));
  for (const std::string& bad : std::vector<std::string>{"", "v1.", "v1.1000", "v1.1000.", "v2" + pass.substr(2), "v1.+1000" + pass.substr(7),
                                pass + "0", pass.substr(0, pass.size() - 1)})
    EXPECT_FALSE(admin_pass_valid("the-admin-token", bad, 999)) << bad;
}

TEST(throttle, a_key_is_refused_after_too_many_failures_until_the_window_passes) {
  boutique::domain::attempt_limiter limiter(3, 60);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.admit("ana", 1000 + i).admitted());
    limiter.failed("ana", 1000 + i);
  }
  EXPECT_EQ(limiter.admit("ana", 1010).retry_after, 50);
  EXPECT_TRUE(limiter.admit("bob", 1010).admitted()) << "keys are independent";
  EXPECT_TRUE(limiter.admit("ana", 1060).admitted()) << "the window has passed";
  limiter.failed("ana", 1060);
  EXPECT_TRUE(limiter.admit("ana", 1061).admitted()) << "a new window starts with one failure";
}

TEST(throttle, attempts_are_counted_when_admitted_not_when_they_fail) {
  boutique::domain::attempt_limiter limiter(3, 60);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("ana", 1000).admitted());
  auto fourth = limiter.admit("ana", 1000);
  EXPECT_FALSE(fourth.admitted()) << "three attempts in flight hold the limit before any of them failed";
  EXPECT_EQ(fourth.retry_after, 1) << "attempts in flight may end soon";
  limiter.withdrawn("ana");
  EXPECT_TRUE(limiter.admit("ana", 1000).admitted()) << "a withdrawn attempt frees its place";
  for (int i = 0; i < 3; ++i) limiter.failed("ana", 1001);
  EXPECT_EQ(limiter.admit("ana", 1001).retry_after, 59) << "failures hold it for the window";
}

TEST(throttle, success_forgives_the_failures_before_it_but_not_the_attempts_beside_it) {
  boutique::domain::attempt_limiter limiter(3, 60);
  EXPECT_TRUE(limiter.admit("ana", 0).admitted());
  limiter.failed("ana", 0);
  EXPECT_TRUE(limiter.admit("ana", 1).admitted());
  limiter.failed("ana", 1);
  auto right = limiter.admit("ana", 2);
  ASSERT_TRUE(right.admitted());
  EXPECT_EQ(right.forgivable, 2);
  limiter.succeeded("ana", right);
  EXPECT_EQ(limiter.tracked(), 0u) << "a success clears the failures before it";

  auto correct = limiter.admit("bob", 0);
  auto guess1 = limiter.admit("bob", 0);
  auto guess2 = limiter.admit("bob", 0);
  ASSERT_TRUE(correct.admitted() && guess1.admitted() && guess2.admitted());
  limiter.succeeded("bob", correct);
  limiter.failed("bob", 1);
  EXPECT_TRUE(limiter.admit("bob", 1).admitted()) << "the success freed only its own place";
  limiter.failed("bob", 1);
  limiter.failed("bob", 1);
  EXPECT_FALSE(limiter.admit("bob", 1).admitted()) << "the guesses beside the success stay counted";
}

TEST(password, length_and_text_rules) {
  using boutique::domain::password_problem;
  using boutique::domain::message;
  EXPECT_EQ(password_problem("123456789"), (message{"too_short", 10}));
  EXPECT_EQ(password_problem("1234567890"), std::nullopt);
  EXPECT_EQ(password_problem(std::string(1024, 'p')), std::nullopt);
  EXPECT_EQ(password_problem(std::string(1025, 'p')), (message{"too_long", 1024}));
  EXPECT_EQ(password_problem("bad\x01password!"), (message{"bad_text"}));
  EXPECT_EQ(password_problem("mot de passe sûr"), std::nullopt);
}

TEST(tokens, every_symbol_of_an_id_is_equally_likely) {
  // 620,000 symbols, 10,000 expected each (sd 100). Mapping every byte with `% 62` would give the first 8 symbols
  // 5/256 instead of 4/256 (12,400 expected): the bounds below catch that bias, and chance almost never does.
  std::map<char, int> count;
  for (int i = 0; i < 10000; ++i)
    for (char c : random_base62(62)) ++count[c];
  ASSERT_EQ(count.size(), 62u);
  for (const auto& [symbol, n] : count) {
    EXPECT_GT(n, 9400) << symbol;
    EXPECT_LT(n, 10600) << symbol;
  }
}

TEST(tokens, csrf_tokens_need_the_server_secret) {
  const std::string secret = "server-secret-0123456789abcdef0123";
  auto binding = new_secret_id();
  EXPECT_EQ(csrf_token(secret, binding), csrf_token(secret, binding));
  EXPECT_NE(csrf_token(secret, binding), binding) << "a planted cookie value is not its own token";
  EXPECT_NE(csrf_token("another-secret-0123456789abcdef012", binding), csrf_token(secret, binding));
  EXPECT_NE(csrf_token(secret, new_secret_id()), csrf_token(secret, binding));
  EXPECT_EQ(csrf_token(secret, binding).size(), 64u);
}
