// Renewals and reminders (domain/reminder.hpp): which product offers "Renew", which product is due for its reminder
// at a given time, and what the reminder says in each language.
#include "domain/product.hpp"
#include "domain/reminder.hpp"

#include <gtest/gtest.h>

using namespace boutique::domain;

namespace {

constexpr std::int64_t paid_on = 1'780'000'000;  // 28 May 2026
constexpr std::int64_t one_day = seconds_per_day;

/// A paid product of `days` days, bought at paid_on, never reminded.
reminder_facts term_of(std::int64_t days) {
  reminder_facts p;
  p.start = paid_on;
  p.end = paid_on + days * one_day;
  return p;
}

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

}  // namespace

TEST(renewal, offered_for_a_renewable_item_whose_bill_is_paid_and_not_refunded) {
  EXPECT_TRUE(offers_renewal(true, true, false));
  EXPECT_FALSE(offers_renewal(false, true, false)) << "the catalog item is not renewable";
  EXPECT_FALSE(offers_renewal(true, false, false)) << "the bill is not paid";
  EXPECT_FALSE(offers_renewal(true, false, true)) << "the bill was refunded";
}

TEST(reminder, due_from_days_before_the_end_until_the_end) {
  auto p = term_of(365);
  auto end = *p.end;
  EXPECT_FALSE(reminder_due(p, paid_on, 30));
  EXPECT_FALSE(reminder_due(p, end - 30 * one_day - 1, 30)) << "one second too early";
  EXPECT_TRUE(reminder_due(p, end - 30 * one_day, 30));
  EXPECT_TRUE(reminder_due(p, end - one_day, 30));
  EXPECT_TRUE(reminder_due(p, end - 1, 30));
  EXPECT_FALSE(reminder_due(p, end, 30)) << "ended: too late to remind";
  EXPECT_FALSE(reminder_due(p, end + 10 * one_day, 30));
  EXPECT_TRUE(reminder_due(p, end - 90 * one_day, 90)) << "days_before is the setting's";
  EXPECT_FALSE(reminder_due(p, end - 31 * one_day, 30));
}

TEST(reminder, a_short_product_is_reminded_at_most_half_its_term_before_its_end) {
  EXPECT_EQ(reminder_lead_s(paid_on, paid_on + 365 * one_day, 30), 30 * one_day);
  EXPECT_EQ(reminder_lead_s(paid_on, paid_on + 30 * one_day, 30), 15 * one_day);
  auto month = term_of(30);
  EXPECT_FALSE(reminder_due(month, paid_on, 30)) << "not on the day it is bought";
  EXPECT_FALSE(reminder_due(month, *month.end - 15 * one_day - 1, 30));
  EXPECT_TRUE(reminder_due(month, *month.end - 15 * one_day, 30));
}

TEST(reminder, never_for_a_product_without_end_refunded_unpaid_reminded_erased_or_renewed) {
  auto now = paid_on + 350 * one_day;
  ASSERT_TRUE(reminder_due(term_of(365), now, 30));
  auto endless = term_of(365);
  endless.end.reset();
  EXPECT_FALSE(reminder_due(endless, now, 30));
  auto unpaid = term_of(365);
  unpaid.bill_complete = false;
  EXPECT_FALSE(reminder_due(unpaid, now, 30));
  // Each of these alone holds the reminder back; `reminded` makes it once.
  for (auto flag : {&reminder_facts::refunded, &reminder_facts::reminded, &reminder_facts::customer_erased,
                    &reminder_facts::renewed}) {
    auto p = term_of(365);
    p.*flag = true;
    EXPECT_FALSE(reminder_due(p, now, 30));
  }
  EXPECT_FALSE(reminder_due(term_of(365), now, 0)) << "0 turns reminders off";
}

TEST(reminder, mail_names_the_product_its_end_and_the_support_space_in_the_customer_language) {
  reminded_product p{"PID-42", "A51-11237-R", "Recyclage sûreté", paid_on + 365 * one_day, true};
  auto en = reminder_mail("Amélie", "amelie@example.fr", p, "https://shop.example", language::en).rendered();
  EXPECT_EQ(en.recipient, "amelie@example.fr");
  EXPECT_EQ(en.subject, "Your training [A51-11237-R] Recyclage sûreté ends on 28 May 2027");
  EXPECT_TRUE(contains(en.body, "Hello Amélie,"));
  EXPECT_TRUE(contains(en.body, "(reference PID-42) ends on 28 May 2027."));
  EXPECT_TRUE(contains(en.body, "\"Renew\""));
  EXPECT_TRUE(contains(en.body, "https://shop.example/account\n"));
  EXPECT_TRUE(contains(en.html, "<a href=\"https://shop.example/account\">"));
  EXPECT_TRUE(contains(en.html, "Recyclage sûreté"));

  auto fr = reminder_mail("Amélie", "amelie@example.fr", p, "https://shop.example", language::fr).rendered();
  EXPECT_EQ(fr.subject, "Votre formation [A51-11237-R] Recyclage sûreté se termine le 28 mai 2027");
  EXPECT_TRUE(contains(fr.body, "Bonjour Amélie,"));
  EXPECT_TRUE(contains(fr.body, "« Renouveler »"));
  EXPECT_TRUE(contains(fr.html, "<html lang=\"fr\">"));

  p.renewable = false;
  auto plain = reminder_mail("Amélie", "amelie@example.fr", p, "https://shop.example", language::en).rendered();
  EXPECT_FALSE(contains(plain.body, "Renew")) << "no Renew for an item that is not renewable";
  EXPECT_TRUE(contains(plain.body, "https://shop.example/account"));
}
