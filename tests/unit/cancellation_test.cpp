// The cancellation rule (domain/cancellation.hpp): which bill statuses a shopper or staff may cancel, and the mail.
#include "domain/cancellation.hpp"
#include "domain/refund.hpp"

#include <gtest/gtest.h>

using namespace boutique::domain;

TEST(cancellation, only_an_order_not_paid_yet_can_be_cancelled) {
  for (auto s : {bill_status::placed, bill_status::pending, bill_status::failed})
    EXPECT_FALSE(cancel_refusal(s)) << to_string(s);
  for (auto s : {bill_status::soldout, bill_status::complete, bill_status::cancelled, bill_status::payback,
                 bill_status::refused}) {
    auto why = cancel_refusal(s);
    ASSERT_TRUE(why) << to_string(s);
    EXPECT_FALSE(why->empty());
  }
  EXPECT_NE(cancel_refusal(bill_status::complete)->find("refund"), std::string::npos);
  EXPECT_NE(cancel_refusal(bill_status::cancelled)->find("already cancelled"), std::string::npos);
}

TEST(cancellation, the_mail_names_the_order_its_amount_and_who_cancelled) {
  contact c;
  c.firstname = "Ada";
  c.email = "ada@example.com";
  auto mine = cancellation_mail(c, "T-42", 12345, "EUR", canceller::customer, "https://shop.example", language::en)
                 .rendered();
  EXPECT_EQ(mine.recipient, "ada@example.com");
  EXPECT_EQ(mine.subject, "Your order T-42 is cancelled");
  EXPECT_NE(mine.body.find("Hello Ada,"), std::string::npos);
  EXPECT_NE(mine.body.find("€123.45"), std::string::npos);
  EXPECT_NE(mine.body.find("as you asked"), std::string::npos);
  EXPECT_NE(mine.body.find("https://shop.example/"), std::string::npos);
  auto staff = cancellation_mail(c, "T-42", 12345, "EUR", canceller::staff, "https://shop.example", language::en)
                 .rendered();
  EXPECT_NE(staff.body.find("by the shop"), std::string::npos);
  auto french = cancellation_mail(c, "T-42", 12345, "EUR", canceller::staff, "https://shop.example", language::fr)
                 .rendered();
  EXPECT_EQ(french.subject, "Votre commande T-42 est annulée");
  EXPECT_NE(french.body.find("123,45\u00a0€) a été annulée par la boutique"), std::string::npos) << french.body;
  EXPECT_EQ(to_string(canceller::customer), "customer");
  EXPECT_EQ(to_string(canceller::staff), "staff");
}

TEST(refund_rule, only_a_paid_order_is_refunded_and_credit_notes_have_their_own_numbers) {
  using boutique::domain::bill_status;
  EXPECT_EQ(boutique::domain::refund_refusal(bill_status::complete), std::nullopt);
  EXPECT_EQ(boutique::domain::refund_refusal(bill_status::soldout), std::nullopt);
  for (auto s : {bill_status::placed, bill_status::pending, bill_status::failed, bill_status::refused,
                 bill_status::cancelled, bill_status::payback})
    EXPECT_NE(boutique::domain::refund_refusal(s), std::nullopt) << boutique::domain::to_string(s);
  EXPECT_EQ(boutique::domain::credit_note_number(2026, 42), "CN-2026-000042");
}
