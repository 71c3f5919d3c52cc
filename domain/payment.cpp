#include "domain/payment.hpp"

namespace boutique::domain {

field_errors notification_errors(const payment_event& e) {
  field_errors errors;
  if (e.provider.empty() || e.provider.size() > 64) errors["provider"] = "is required (at most 64 characters)";
  if (e.txn_id.empty() || e.txn_id.size() > 128) errors["txn_id"] = "is required (at most 128 characters)";
  if (e.transid.empty() || e.transid.size() > 64) errors["transid"] = "is required";
  if (!is_payment_status(e.status)) errors["status"] = "must be completed, pending or failed";
  return errors;
}

}  // namespace boutique::domain
