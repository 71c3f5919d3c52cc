#include "domain/payment.hpp"

namespace boutique::domain {

field_errors notification_errors(const payment_event& e) {
  field_errors errors;
  if (e.provider.empty() || e.provider.size() > 64) errors["provider"] = {"required_at_most", 64};
  if (e.txn_id.empty() || e.txn_id.size() > 128) errors["txn_id"] = {"required_at_most", 128};
  if (e.transid.empty() || e.transid.size() > 64) errors["transid"] = {"required"};
  if (!is_payment_status(e.status)) errors["status"] = {"payment_status"};
  return errors;
}

}  // namespace boutique::domain
