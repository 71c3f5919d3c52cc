#include "domain/cancellation.hpp"

namespace boutique::domain {

std::string to_string(canceller who) { return who == canceller::customer ? "customer" : "staff"; }

std::optional<std::string> cancel_refusal(bill_status current) {
  if (can_transition(current, bill_status::cancelled)) return std::nullopt;
  switch (current) {
    case bill_status::cancelled: return "the order is already cancelled";
    case bill_status::soldout:
    case bill_status::complete: return "the order is paid: it can no longer be cancelled (ask for a refund)";
    case bill_status::payback: return "the order is refunded";
    default: return "the order cannot be cancelled from " + to_string(current);
  }
}

mail_text cancellation_mail(const contact& customer, const std::string& transid, std::int64_t total,
                            const std::string& currency, canceller who, const std::string& base_url) {
  auto by = who == canceller::customer ? "as you asked" : "by the shop";
  return {customer.email, "Your order " + transid + " is cancelled",
          "Hello " + customer.firstname + ",\n\nYour order " + transid + " (" + amount_text(total, currency) +
            ") was cancelled " + by + ", before any payment: nothing will be charged.\n"
            "You can order again at any time: " + base_url + "/\n"};
}

}  // namespace boutique::domain
