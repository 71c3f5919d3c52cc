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

composed_mail cancellation_mail(const contact& customer, const std::string& transid, std::int64_t total,
                                const std::string& currency, canceller who, const std::string& base_url, language l) {
  auto by = who == canceller::customer ? in(l, "as you asked", "à votre demande")
                                       : in(l, "by the shop", "par la boutique");
  auto amount = money(total, currency, l);
  return mail_body(l)
    .paragraph(in(l, "Hello ", "Bonjour ") + customer.firstname + ",")
    .paragraph(in(l, "Your order " + transid + " (" + amount + ") was cancelled " + by +
                       ", before any payment: nothing will be charged.",
                  "Votre commande " + transid + " (" + amount + ") a été annulée " + by +
                    ", avant tout paiement : rien ne vous sera facturé."))
    .link(in(l, "You can order again at any time:", "Vous pouvez commander de nouveau à tout moment :"),
          base_url + "/")
    .finish(customer.email,
            in(l, "Your order " + transid + " is cancelled", "Votre commande " + transid + " est annulée"));
}

}  // namespace boutique::domain
