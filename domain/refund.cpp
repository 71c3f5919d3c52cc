#include "domain/refund.hpp"

#include <cstdio>

namespace boutique::domain {

std::string to_string(refunder who) { return who == refunder::staff ? "staff" : "provider"; }

std::optional<std::string> refund_refusal(bill_status current) {
  if (can_transition(current, bill_status::payback)) return std::nullopt;
  switch (current) {
    case bill_status::payback: return "the order is already refunded";
    case bill_status::cancelled: return "the order is cancelled: nothing was paid";
    default: return "only a paid order can be refunded; this one is " + to_string(current);
  }
}

std::string credit_note_number(std::int64_t year, std::int64_t n) {
  char text[32];
  std::snprintf(text, sizeof text, "CN-%04lld-%06lld", static_cast<long long>(year), static_cast<long long>(n));
  return text;
}

mail_text refund_mail(const contact& customer, const std::string& transid, const std::string& invoice,
                      const std::string& credit_note, std::int64_t total, const std::string& currency,
                      const std::string& base_url) {
  return {customer.email, "Your order " + transid + " is refunded",
          "Hello " + customer.firstname + ",\n\nYour order " + transid + " (invoice " + invoice + ", " +
            amount_text(total, currency) + ") is refunded: credit note " + credit_note +
            ". Its products have ended.\nYour invoices and credit notes: " + base_url + "/account\n"};
}

}  // namespace boutique::domain
