#pragma once

// The completion rule: what a paid bill's completion does (its status steps, the products it gives, which user
// account the customer is attached to and whether one is created, the mails), decided from what the database holds.
// The storage actor carries the plan out in the transaction that records the payment.

#include "domain/account_mails.hpp"
#include "domain/bill.hpp"
#include "domain/contact.hpp"
#include "domain/language.hpp"
#include "domain/mail_body.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace boutique::domain {

/// A user account that the customer could be attached to.
struct candidate_user {
  std::int64_t id = 0;
  bool holds_customer = false;  ///< already attached to a customer account (one per user)
};

struct completion_facts {
  bill_status current = bill_status::placed;
  std::string transid;
  std::int64_t total = 0;
  std::string currency;
  language lang = language::en;  ///< the checkout's: the order mail's and the new user's
  /// The bill's lines as sold, each with its row id (products refer to it).
  std::vector<std::pair<std::int64_t, bill_line>> lines;
  std::int64_t customer_id = 0;
  contact customer;                          ///< the customer's details today (mails go to its email)
  std::optional<std::int64_t> customer_user;  ///< the user the customer is attached to, if any
  std::optional<candidate_user> session_user;  ///< the user logged in on the checkout, if any
  std::optional<candidate_user> email_user;    ///< the user whose login is the customer's email, if any
  std::int64_t now = 0;
};

/// One product given by the completion: one per unit bought, starting now.
struct planned_product {
  std::int64_t bill_item_id = 0;
  std::string code;
  std::string name;
  std::int64_t start_at = 0;
  std::optional<std::int64_t> end_at;
};

enum class attachment {
  already,     ///< the customer is attached to a user: nothing to do
  to_user,     ///< attach to `user_id` (the checkout's user, else the user with the customer's email)
  to_new_user, ///< create a user for the customer's email, mail a password-set link, attach to it
  skipped,     ///< the user found already holds another customer account: left alone, and recorded
};

struct completion_plan {
  std::optional<std::string> refusal;  ///< the bill cannot complete from its current status (nothing else is set)
  std::vector<bill_status> steps;      ///< the statuses the bill goes through, in order
  std::vector<planned_product> products;
  attachment attach = attachment::already;
  std::optional<std::int64_t> user_id;  ///< with attachment::to_user
};

/// The plan of completing the bill of `facts`.
completion_plan plan_completion(const completion_facts& facts);

/// The mail confirming the completed bill of `facts` to the customer, in the checkout's language: what was bought
/// (lines, quantities, line totals, the total), invoice `invoice_number` and links to the invoice in the support
/// space (`base_url`/account/invoices/{transid}, and its PDF).
composed_mail order_mail(const completion_facts& facts, const std::string& invoice_number, const std::string& base_url);

/// At most one email-change request per user in this many seconds (each mails an address the user chooses).
inline constexpr std::int64_t email_change_interval_s = 60;

/// At most one "forgot your password" link per account in this many seconds: a flood of requests for one address
/// (mail bombing) sends one mail; every request gets the same answer.
inline constexpr std::int64_t password_reset_interval_s = 60;

}  // namespace boutique::domain
