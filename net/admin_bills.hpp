#pragma once

// Staff on bills (management listener, behind the admin token; net/admin_routes.cpp registers them): cancel an
// order not paid yet, refund a paid one, read any paid bill's invoice as a PDF.

#include "net/backend.hpp"
#include "net/http_types.hpp"
#include "net/router.hpp"

#include <memory>

namespace boutique::net {

/// POST /admin/bills/{transid}/cancel: 200 {"transid","status"}; 409 once it is paid or cancelled.
void cancel_bill(const std::shared_ptr<backend>& b, http_request& request, const route_params& p,
                 const responder& respond);

/// POST /admin/bills/{transid}/refund: 200 {"transid","status":"PAYBACK"}; 409 for an order not paid or already
/// refunded, 404 unknown. It goes the way of a signed `refunded` notification (provider "staff", txn_id
/// "refund-<transid>"), through the bill's checkout session when it is live: one refund, however many ask.
void refund_bill(const std::shared_ptr<backend>& b, http_request& request, const route_params& p,
                 const responder& respond);

/// GET /admin/bills/{transid}/invoice.pdf (?lang=fr): the invoice of any paid bill; 404 unknown, 409 not paid.
void bill_invoice_pdf(const std::shared_ptr<backend>& b, http_request& request, const route_params& p,
                      const responder& respond);

/// GET /admin/bills/{transid}/credit-note.pdf (?lang=fr): a refunded bill's credit note; 404 unknown, 409 not
/// refunded.
void bill_credit_note_pdf(const std::shared_ptr<backend>& b, http_request& request, const route_params& p,
                          const responder& respond);

}  // namespace boutique::net
