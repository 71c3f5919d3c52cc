#include "domain/completion.hpp"

#include <algorithm>

#include "domain/product.hpp"

#include <cstdio>

namespace boutique::domain {

std::string amount_text(std::int64_t minor_units, const std::string& currency) {
  auto sign = minor_units < 0 ? "-" : "";
  auto units = minor_units < 0 ? -minor_units : minor_units;
  char cents[3];
  std::snprintf(cents, sizeof cents, "%02d", static_cast<int>(units % 100));
  return sign + std::to_string(units / 100) + "." + cents + " " + currency;
}

completion_plan plan_completion(const completion_facts& f, const std::string& base_url) {
  completion_plan plan;
  if (!can_transition(f.current, bill_status::soldout)) {
    plan.refusal = "bill " + f.transid + " cannot go from " + to_string(f.current) + " to " +
                   to_string(bill_status::soldout);
    return plan;
  }
  plan.steps = {bill_status::soldout, bill_status::complete};
  for (const auto& [item_id, line] : f.lines) {
    // The term sold with the bill; it starts now.
    auto end = product_end(f.now, line.duration_days);
    for (std::int32_t unit = 0; unit < line.quantity; ++unit)
      plan.products.push_back({item_id, line.code, line.name, f.now, end});
  }
  if (f.customer_user) {
    plan.attach = attachment::already;
  } else if (auto user = f.session_user ? f.session_user : f.email_user) {
    plan.attach = user->holds_customer ? attachment::skipped : attachment::to_user;
    plan.user_id = user->id;
  } else {
    plan.attach = attachment::to_new_user;
  }
  plan.order_mail = {f.customer.email, "Your order " + f.transid + " is complete",
                     "Hello " + f.customer.firstname + ",\n\nYour payment was received and your order " + f.transid +
                       " is complete. Total: " + amount_text(f.total, f.currency) +
                       ".\nYour trainings are listed in your customer space: " + base_url + "/account\n"};
  return plan;
}

mail_text password_link_mail(const contact& customer, const std::string& link) {
  return {customer.email, "Your Boutique account: choose your password",
          "Hello " + customer.firstname + ",\n\n"
          "Thank you for your purchase. An account was created for you so that you can find your invoices and\n"
          "your trainings in the customer space. Choose your password with this link (valid 24 hours, once):\n\n" +
            link + "\n\nYour login is your email address: " + normalize_email(customer.email) + "\n"};
}

namespace {

/// A mail to `email` asking `what` to be done with a single-use link, and what happens if it is ignored.
mail_text link_mail(const std::string& email, const std::string& subject, const std::string& firstname,
                    const std::string& what, const std::string& link, std::int64_t valid_s,
                    const std::string& if_ignored) {
  auto hours = std::to_string(std::max<std::int64_t>(1, valid_s / 3600));
  return {email, subject,
          "Hello " + firstname + ",\n\n" + what + " (valid " + hours + " hours, once):\n\n" + link +
            "\n\nIf you did not ask for it, ignore this mail: " + if_ignored + "\n"};
}

}  // namespace

mail_text password_reset_mail(const std::string& firstname, const std::string& email, const std::string& link,
                              std::int64_t valid_s) {
  return link_mail(email, "Your Boutique account: choose a new password", firstname,
                   "Someone, hopefully you, asked for a new password for the Boutique account of this address.\n"
                   "Choose it with this link",
                   link, valid_s, "your password stays as it is.");
}

mail_text email_change_mail(const std::string& firstname, const std::string& email, const std::string& link,
                            std::int64_t valid_s) {
  return link_mail(email, "Your Boutique account: confirm your new email address", firstname,
                   "You asked for this address to become the email of your Boutique account.\n"
                   "Confirm it with this link",
                   link, valid_s, "nothing changes.");
}

mail_text email_taken_mail(const std::string& email) {
  return {email, "Your Boutique account: this address is already in use",
          "Hello,\n\n"
          "Someone asked for this address to become the email of a Boutique account, but it already belongs to an\n"
          "account of the shop, so nothing changes. If it was you, log in with this address instead.\n"};
}

mail_text email_changed_mail(const std::string& firstname, const std::string& old_email, const std::string& new_email) {
  return {old_email, "Your Boutique account: your email address was changed",
          "Hello " + firstname + ",\n\n"
          "The email of your Boutique account is now " + new_email + ": log in with it from now on.\n\n"
          "If you did not change it, answer this mail at once.\n"};
}

mail_text password_changed_mail(const std::string& firstname, const std::string& email,
                                const std::string& forgot_link) {
  return {email, "Your Boutique account: your password was changed",
          "Hello " + firstname + ",\n\n"
          "The password of the Boutique account of this address was just changed, and every other login to the\n"
          "account was ended.\n\n"
          "If you did not change it, choose a new password at once with \"Forgot your password?\":\n\n" +
            forgot_link + "\n"};
}

}  // namespace boutique::domain
