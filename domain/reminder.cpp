#include "domain/reminder.hpp"

#include "domain/product.hpp"

#include <algorithm>

namespace boutique::domain {

bool offers_renewal(bool item_renewable, bool bill_complete, bool refunded) {
  return item_renewable && bill_complete && !refunded;
}

std::int64_t reminder_lead_s(std::int64_t start, std::int64_t end, int days_before) {
  return std::min(std::int64_t{days_before} * seconds_per_day, (end - start) / 2);
}

bool reminder_due(const reminder_facts& p, std::int64_t now, int days_before) {
  if (days_before <= 0 || !p.end || p.reminded || p.refunded || !p.bill_complete || p.customer_erased || p.renewed)
    return false;
  return now < *p.end && *p.end - now <= reminder_lead_s(p.start, *p.end, days_before);
}

composed_mail reminder_mail(const std::string& firstname, const std::string& email, const reminded_product& p,
                            const std::string& base_url, language l) {
  auto product = "[" + p.code + "] " + p.name;
  auto ends = date_of(p.end, l);
  auto account = base_url + "/account";
  mail_body body(l);
  body.paragraph(in(l, "Hello ", "Bonjour ") + firstname + ",")
    .paragraph(in(l, "Your training " + product + " (reference " + p.reference + ") ends on " + ends + ".",
                  "Votre formation " + product + " (référence " + p.reference + ") se termine le " + ends + "."));
  if (p.renewable)
    body.link(in(l, "To go on after that date, renew it from your customer space (button \"Renew\"):",
                 "Pour continuer après cette date, renouvelez-la depuis votre espace client "
                 "(bouton « Renouveler ») :"),
              account);
  else
    body.link(in(l, "Your trainings are listed in your customer space:",
                 "Vos formations sont dans votre espace client :"),
              account);
  return body.finish(email, in(l, "Your training " + product + " ends on " + ends,
                               "Votre formation " + product + " se termine le " + ends));
}

}  // namespace boutique::domain
