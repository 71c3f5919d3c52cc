#pragma once

// Renewals and reminders (issue 15, point 5): which product offers "Renew", when a product is reminded of its end,
// and the reminder mail. The reminder step of the scheduled job (storage/reminder_queries.cpp) finds the products
// due by this rule and records each reminder in the transaction that queues its mail.

#include "domain/language.hpp"
#include "domain/mail_body.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace boutique::domain {

/// Whether a product offers "Renew" in the support space: its catalog item is renewable today and its bill is
/// paid and not refunded. A renewal is a new purchase of the same catalog item (its product starts when paid).
bool offers_renewal(bool item_renewable, bool bill_complete, bool refunded);

/// What the reminder rule reads of one product.
struct reminder_facts {
  std::int64_t start = 0;
  std::optional<std::int64_t> end;  ///< none: the product never ends
  bool bill_complete = true;
  bool refunded = false;
  bool reminded = false;         ///< a reminder went out already (exactly once per product)
  bool customer_erased = false;  ///< nobody to write to
  bool renewed = false;  ///< the customer holds another product of the same item that ends later (or never)
};

/// How long before its end a product of term [start, end) is reminded: `days_before` days, but at most half its
/// term, so that a product shorter than twice that is not told of its end the day it is bought.
std::int64_t reminder_lead_s(std::int64_t start, std::int64_t end, int days_before);

/// Whether product `p` is due for its reminder at `now`: it ends, has not ended yet, its end is within its lead
/// (reminder_lead_s), its bill is paid and not refunded, its customer is not erased, it was not renewed already, and
/// it was not reminded before. `days_before` 0 turns reminders off.
bool reminder_due(const reminder_facts& p, std::int64_t now, int days_before);

/// What a reminder says about its product.
struct reminded_product {
  std::string reference;
  std::string code;
  std::string name;
  std::int64_t end = 0;
  bool renewable = false;  ///< offers_renewal: the mail says where to renew
};

/// The reminder to `email` (`firstname`), in language `l`, that product `p` ends soon: its name, reference and end
/// date, and a link to the support space (`base_url`/account), where a renewable product has its "Renew" button.
composed_mail reminder_mail(const std::string& firstname, const std::string& email, const reminded_product& p,
                            const std::string& base_url, language l);

}  // namespace boutique::domain
