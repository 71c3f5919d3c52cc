#include "net/admin_bills.hpp"

#include "domain/refund.hpp"
#include "net/ask.hpp"
#include "net/pages/invoice_pdf.hpp"
#include "net/problem.hpp"
#include "net/query.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace boutique::net {

namespace {

using backend_ptr = std::shared_ptr<backend>;

http_response ok_change(const std::string& transid, const std::string& status) {
  return json_response(200, nlohmann::json{{"transid", transid}, {"status", status}}.dump());
}

}  // namespace

void cancel_bill(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
  run_flow(b->sys, p.due(), respond, [b, respond, transid = p.get("transid")](flow_self self) {
    self->request(b->sessions, patience(self), due(self), atoms::cancel_atom_v, transid)
      .then([respond](bill_change& c) { respond(ok_change(c.transid, c.status)); },
            fail_with(respond));
  });
}

namespace {

/// Any bill's invoice or credit note as a PDF (?lang=fr); 404 unknown, 409 without that document.
void bill_document_pdf(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond,
                       pages::bill_document which) {
  auto lang = pages::parse_language(query_value(request.query, "lang")).value_or(pages::language::en);
  run_flow(b->sys, p.due(), respond, [b, respond, lang, which, transid = p.get("transid")](flow_self self) {
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::bills_atom_v, transid)
      .then(
        [b, respond, lang, which](std::optional<bill_record>& bill) {
          if (!bill) return respond(problem(404, "Not Found", "no bill with this transid"));
          pages::respond_with_invoice_pdf(b->sys, b->pdfs, *bill, b->seller, lang, respond, which);
        },
        fail_with(respond));
  });
}

}  // namespace

void bill_invoice_pdf(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  bill_document_pdf(b, request, p, respond, pages::bill_document::invoice);
}

void bill_credit_note_pdf(const backend_ptr& b, http_request& request, const route_params& p,
                          const responder& respond) {
  bill_document_pdf(b, request, p, respond, pages::bill_document::credit_note);
}

void refund_bill(const backend_ptr& b, http_request&, const route_params& p, const responder& respond) {
  run_flow(b->sys, p.due(), respond, [b, respond, transid = p.get("transid")](flow_self self) {
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::bills_atom_v, transid)
      .then(
        [self, b, respond, transid](std::optional<bill_record>& bill) {
          if (!bill) return respond(problem(404, "Not Found", "no bill with this transid"));
          payment_event refund{domain::staff_refund_provider, "refund-" + transid, transid, "refunded", bill->total,
                               bill->currency, std::nullopt, 0};
          self->request(b->sessions, patience(self), due(self), atoms::payment_atom_v, refund)
            .then(
              [respond](payment_outcome& o) {
                if (!o.refunded_now) return respond(problem(409, "Conflict", "the order is already refunded"));
                respond(ok_change(o.transid, o.status));
              },
              fail_with(respond));
        },
        fail_with(respond));
  });
}

}  // namespace boutique::net
