#include "domain/contact.hpp"
#include "support/sample_contact.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

using namespace boutique::domain;

using boutique::testing::sample_contact;

namespace {

contact valid_contact() { return sample_contact(); }

}  // namespace

TEST(contact, email_is_compared_trimmed_and_case_insensitively) {
  EXPECT_EQ(normalize_email("  Jean.Dupont@Example.COM \t"), "jean.dupont@example.com");
  EXPECT_EQ(normalize_email("JEAN.DUPONT@EXAMPLE.COM"), normalize_email(" jean.dupont@example.com"));
  EXPECT_NE(normalize_email("jean@example.com"), normalize_email("jeanne@example.com"));
}

TEST(contact, tidy_trims_every_field_and_upper_cases_the_country) {
  contact raw;
  raw.firstname = "  Jean ";
  raw.lastname = "\tDupont\n";
  raw.email = " jean@example.com ";
  raw.organisation = " ACME ";
  raw.address = " 1 rue X ";
  raw.zip = " 75001 ";
  raw.city = " Paris ";
  raw.country = " fr ";
  raw.invoiceinfo = " ref ";
  auto c = tidy(raw);
  EXPECT_EQ(c.firstname, "Jean");
  EXPECT_EQ(c.lastname, "Dupont");
  EXPECT_EQ(c.email, "jean@example.com");
  EXPECT_EQ(c.organisation, "ACME");
  EXPECT_EQ(c.address, "1 rue X");
  EXPECT_EQ(c.zip, "75001");
  EXPECT_EQ(c.city, "Paris");
  EXPECT_EQ(c.country, "FR");
  EXPECT_EQ(c.invoiceinfo, "ref");
}

TEST(contact, a_complete_contact_with_accents_is_valid) {
  EXPECT_EQ(validate(valid_contact()), field_errors{});
  auto c = valid_contact();
  c.organisation = c.address = c.zip = c.city = c.invoiceinfo = "";
  EXPECT_EQ(validate(c), field_errors{}) << "optional fields may be empty";
}

TEST(contact, lower_case_country_is_valid_once_tidied) {
  auto c = valid_contact();
  c.country = "fr";
  EXPECT_EQ(validate(c).count("country"), 1u);
  EXPECT_EQ(validate(tidy(c)), field_errors{});
}

TEST(contact, required_fields_are_reported_by_name) {
  auto errors = validate(contact{});
  EXPECT_EQ(errors.size(), 4u);
  for (const char* field : {"firstname", "lastname", "email", "country"}) EXPECT_EQ(errors.count(field), 1u) << field;
  auto blank = contact{};
  blank.firstname = "   ";
  EXPECT_EQ(validate(tidy(blank)).count("firstname"), 1u) << "blank after tidy is missing";
}

TEST(contact, invalid_email_and_unknown_country_are_field_errors) {
  auto c = valid_contact();
  c.email = "not-an-email";
  c.country = "XX";
  auto errors = validate(c);
  EXPECT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors.count("email"), 1u);
  EXPECT_EQ(errors.count("country"), 1u);
}

TEST(contact, email_plausibility) {
  for (const char* good : {"a@b.co", "jean.dupont+shop@mail.example.fr", "x_y-z@sub.domain.org"})
    EXPECT_TRUE(is_valid_email(good)) << good;
  for (const char* bad : {"", "plain", "@example.com", "a@", "a@example", "a@@example.com", "a@b@example.com",
                          "a b@example.com", "a@exa mple.com", "a@.example.com", "a@example.com.", "a@example..com",
                          "é@example.com"})
    EXPECT_FALSE(is_valid_email(bad)) << bad;
}

TEST(contact, country_codes_are_assigned_upper_case_alpha_2) {
  for (const char* good : {"FR", "DE", "US", "GB", "BE", "CH", "AD", "ZW"}) EXPECT_TRUE(is_country_code(good)) << good;
  for (const char* bad : {"XX", "fr", "Fr", "FRA", "F", "", "UK", "ZZ"}) EXPECT_FALSE(is_country_code(bad)) << bad;
}

TEST(contact, overlong_fields_are_rejected_by_name) {
  const std::string huge(5000, 'a');
  const std::pair<std::string contact::*, const char*> fields[] = {
    {&contact::firstname, "firstname"}, {&contact::lastname, "lastname"}, {&contact::organisation, "organisation"},
    {&contact::address, "address"},     {&contact::zip, "zip"},           {&contact::city, "city"},
    {&contact::invoiceinfo, "invoiceinfo"}};
  for (auto [member, name] : fields) {
    auto c = valid_contact();
    c.*member = huge;
    auto errors = validate(c);
    EXPECT_EQ(errors.size(), 1u) << name;
    EXPECT_EQ(errors.count(name), 1u) << name;
  }
  auto c = valid_contact();
  c.email = std::string(300, 'a') + "@example.com";
  EXPECT_EQ(validate(c).count("email"), 1u);
}

TEST(contact, invalid_utf8_is_rejected) {
  EXPECT_TRUE(is_clean_text("Sûreté"));
  EXPECT_TRUE(is_clean_text("Zoë Łukasz 東京 😀"));
  for (const char* bad : {"\xC3\x28",               // bad continuation byte
                          "\xC3",                   // truncated sequence
                          "\x80",                   // lone continuation byte
                          "\xC0\xAF",               // overlong '/'
                          "\xE0\x80\xAF",           // overlong, 3 bytes
                          "\xED\xA0\x80",           // UTF-16 surrogate
                          "\xF4\x90\x80\x80",       // above U+10FFFF
                          "\xF8\x88\x80\x80\x80",   // 5-byte form
                          "\xFF"})
    EXPECT_FALSE(is_clean_text(std::string("ok") + bad)) << ::testing::PrintToString(std::string(bad));
  auto c = valid_contact();
  c.lastname = "Dupont\xC3\x28";
  c.city = "\xED\xA0\x80";
  auto errors = validate(c);
  EXPECT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors.count("lastname"), 1u);
  EXPECT_EQ(errors.count("city"), 1u);
}

TEST(contact, control_characters_are_rejected_except_line_breaks_in_multiline_fields) {
  for (std::string bad : {std::string("a\0b", 3), std::string("a\x01"), std::string("a\x1B[31m"),
                          std::string("a\x7F"), std::string("a\xC2\x85")})
    EXPECT_FALSE(is_clean_text(bad, true)) << ::testing::PrintToString(bad);
  EXPECT_FALSE(is_clean_text("line\nbreak"));
  EXPECT_FALSE(is_clean_text("tab\there"));
  EXPECT_TRUE(is_clean_text("line\nbreak\twith tab", true));
  // Right-to-left override, embedding, pop, isolates: the stored order is not the one shown
  for (std::string bad : {"Ana \u202Efdp.exe", "\u202Ax", "x\u202C", "\u2066x\u2069", "\u2067x", "\u2068x",
                          "Lyon\u2028Paris", "a\u2029b"})
    EXPECT_FALSE(is_clean_text(bad, true)) << ::testing::PrintToString(bad);
  EXPECT_TRUE(is_clean_text("\u05E9\u05DC\u05D5\u05DD Ana \u200F")) << "right-to-left letters and marks stay";

  auto c = valid_contact();
  c.address = "1 rue X\n75001 Paris";
  c.invoiceinfo = "line 1\nline 2";
  EXPECT_EQ(validate(c), field_errors{});
  c.firstname = "Jean\nDupont";
  c.organisation = std::string("ACME\x07");
  auto errors = validate(c);
  EXPECT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors.count("firstname"), 1u);
  EXPECT_EQ(errors.count("organisation"), 1u);
}

TEST(contact, a_country_code_is_one_of_the_249_iso_codes_and_nothing_between_them) {
  for (const char* code : {"AD", "FR", "DE", "ZW", "MZ", "NA"}) EXPECT_TRUE(is_country_code(code)) << code;
  // " A" and "D " straddle two codes of the table; "" and "F" are too short, "FRA" too long.
  for (const char* code : {"ZZ", "AA", "UK", "fr", " A", "D ", "", "F", "FRA"})
    EXPECT_FALSE(is_country_code(code)) << code;
  int known = 0;
  for (char a = 'A'; a <= 'Z'; ++a)
    for (char b = 'A'; b <= 'Z'; ++b) known += is_country_code(std::string{a, b}) ? 1 : 0;
  EXPECT_EQ(known, 249);
}
