// The deposit rule and the completion rule, as pure functions: every case without a database.
#include "domain/completion.hpp"
#include "domain/deposit.hpp"
#include "domain/payment.hpp"
#include "support/sample_contact.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace boutique::domain;

namespace {

contact alice(std::string email = "Alice@Example.org") { return boutique::testing::sample_contact(std::move(email)); }

}  // namespace

TEST(deposit_rule, an_email_no_account_holds_creates_one) {
  EXPECT_EQ(deposit_policy(alice(), std::nullopt, std::nullopt), deposit_action::create);
  EXPECT_EQ(deposit_policy(alice(), std::nullopt, depositor{7, "alice@example.org"}), deposit_action::create);
}

TEST(deposit_rule, a_guest_updates_an_unattached_account_and_keeps_an_attached_one) {
  auto moved = alice();
  moved.city = "Lyon";
  EXPECT_EQ(deposit_policy(moved, existing_account{alice(), std::nullopt}, std::nullopt), deposit_action::update);
  EXPECT_EQ(deposit_policy(moved, existing_account{alice(), 7}, std::nullopt), deposit_action::keep);
  EXPECT_EQ(deposit_policy(alice(), existing_account{alice(), std::nullopt}, std::nullopt), deposit_action::keep)
    << "the same details change nothing";
}

TEST(deposit_rule, a_logged_in_shopper_updates_their_own_account_only) {
  auto moved = alice();
  moved.city = "Lyon";
  EXPECT_EQ(deposit_policy(moved, existing_account{alice(), 7}, depositor{7, "alice@example.org"}),
            deposit_action::update);
  // Attached to someone else (user 8) although the emails match: the account stays as it is.
  EXPECT_EQ(deposit_policy(moved, existing_account{alice(), 8}, depositor{7, "alice@example.org"}),
            deposit_action::keep);
  // Another email than their own: refused, known or not (the answer must not tell which).
  auto other = alice("bob@example.org");
  EXPECT_EQ(deposit_policy(other, existing_account{other, std::nullopt}, depositor{7, "alice@example.org"}),
            deposit_action::refuse);
  EXPECT_EQ(deposit_policy(other, std::nullopt, depositor{7, "alice@example.org"}), deposit_action::refuse);
  EXPECT_EQ(deposit_policy(other, std::nullopt, depositor{7, ""}), deposit_action::refuse)
    << "a user with no email known refuses every email";
}

namespace {

completion_facts paid_bill() {
  completion_facts f;
  f.current = bill_status::placed;
  f.transid = "T-1";
  f.total = 30070;
  f.currency = "EUR";
  bill_line course{"COURSE", "Course", 2, 12000, 24000, 4800, 28800, 2000, 365};
  bill_line book{"BOOK", "Book", 1, 1200, 1200, 70, 1270, 550, std::nullopt};
  f.lines = {{11, course}, {12, book}};
  f.customer_id = 5;
  f.customer = alice();
  f.now = 1'700'000'000;
  return f;
}

}  // namespace

TEST(completion_rule, one_product_per_unit_bought_starting_now_and_ending_after_its_term) {
  auto plan = plan_completion(paid_bill());
  ASSERT_FALSE(plan.refusal);
  EXPECT_EQ(plan.steps, (std::vector<bill_status>{bill_status::soldout, bill_status::complete}));
  ASSERT_EQ(plan.products.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(plan.products[i].bill_item_id, 11);
    EXPECT_EQ(plan.products[i].code, "COURSE");
    EXPECT_EQ(plan.products[i].start_at, 1'700'000'000);
    EXPECT_EQ(plan.products[i].end_at, 1'700'000'000 + 365 * 86400);
  }
  EXPECT_EQ(plan.products[2].bill_item_id, 12);
  EXPECT_FALSE(plan.products[2].end_at) << "a product sold without a term never ends";
}

TEST(completion_rule, the_customer_goes_to_the_checkout_user_else_the_email_user_else_a_new_one) {
  auto f = paid_bill();
  EXPECT_EQ(plan_completion(f).attach, attachment::to_new_user);

  f.email_user = candidate_user{9, false};
  auto by_email = plan_completion(f);
  EXPECT_EQ(by_email.attach, attachment::to_user);
  EXPECT_EQ(by_email.user_id, 9);

  f.session_user = candidate_user{7, false};
  auto by_session = plan_completion(f);
  EXPECT_EQ(by_session.attach, attachment::to_user);
  EXPECT_EQ(by_session.user_id, 7) << "the logged-in user comes before the one with the email";

  f.session_user = candidate_user{7, true};
  EXPECT_EQ(plan_completion(f).attach, attachment::skipped) << "a user holds one customer account";

  f.customer_user = 3;
  EXPECT_EQ(plan_completion(f).attach, attachment::already);
}

TEST(completion_rule, a_bill_that_cannot_be_sold_out_from_its_status_is_refused_whole) {
  auto f = paid_bill();
  f.current = bill_status::cancelled;
  auto plan = plan_completion(f);
  ASSERT_TRUE(plan.refusal);
  EXPECT_NE(plan.refusal->find("CANCELLED"), std::string::npos) << *plan.refusal;
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_TRUE(plan.products.empty());
}

TEST(cart_rule, a_change_adds_sets_or_removes_one_line_and_keeps_the_others_in_order) {
  std::vector<cart_line> cart{{"A", 1}, {"B", 2}};
  EXPECT_EQ(change_cart(cart, "C", 3, true), (std::vector<cart_line>{{"A", 1}, {"B", 2}, {"C", 3}}));
  EXPECT_EQ(change_cart(cart, "B", 5, true), (std::vector<cart_line>{{"A", 1}, {"B", 7}}));
  EXPECT_EQ(change_cart(cart, "B", 5, false), (std::vector<cart_line>{{"A", 1}, {"B", 5}}));
  EXPECT_EQ(change_cart(cart, "A", 0, false), (std::vector<cart_line>{{"B", 2}}));
  EXPECT_EQ(change_cart(cart, "Z", 0, true), cart) << "removing a line that is not there changes nothing";
  EXPECT_EQ(change_cart({{"A", 999}}, "A", 999, true), (std::vector<cart_line>{{"A", 1000}}))
    << "an addition is capped (pricing refuses over 100, naming the line)";
}

TEST(notification_rule, every_field_is_bounded_and_the_status_is_one_of_four) {
  boutique::payment_event ok{"test", "tx-1", "T-1", "completed", 1200, "EUR", std::nullopt, 0};
  EXPECT_TRUE(notification_errors(ok).empty());
  for (const char* status : {"pending", "failed", "refunded"}) {
    auto e = ok;
    e.status = status;
    EXPECT_TRUE(notification_errors(e).empty()) << status;
  }
  auto bad = ok;
  bad.provider = std::string(65, 'p');
  bad.txn_id = "";
  bad.transid = std::string(65, 't');
  bad.status = "chargeback";
  auto errors = notification_errors(bad);
  EXPECT_EQ(errors.size(), 4u);
  for (const char* field : {"provider", "txn_id", "transid", "status"}) EXPECT_TRUE(errors.count(field)) << field;
}
