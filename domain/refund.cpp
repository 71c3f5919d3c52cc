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

composed_mail refund_mail(const contact& customer, const std::string& transid, const std::string& invoice,
                          const std::string& credit_note, std::int64_t total, const std::string& currency,
                          const std::string& base_url, language l) {
  auto amount = money(total, currency, l);
  return mail_body(l)
    .paragraph(in(l, "Hello ", "Bonjour ") + customer.firstname + ",")
    .paragraph(in(l, "Your order " + transid + " (invoice " + invoice + ", " + amount + ") is refunded: credit note " +
                       credit_note + ". Its products have ended.",
                  "Votre commande " + transid + " (facture " + invoice + ", " + amount + ") est remboursée : avoir " +
                    credit_note + ". Ses produits ont pris fin."))
    .link(in(l, "Your invoices and credit notes:", "Vos factures et vos avoirs :"), base_url + "/account")
    .finish(customer.email,
            in(l, "Your order " + transid + " is refunded", "Votre commande " + transid + " est remboursée"));
}

}  // namespace boutique::domain
