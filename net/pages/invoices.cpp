// The support space's invoices: one invoice as a page, and as a PDF (net/pages/invoice_pdf.hpp).
#include "net/pages/front.hpp"
#include "net/own_bill.hpp"
#include "net/pages/invoice_pdf.hpp"

namespace boutique::net::pages {

namespace {

/// Calls `next(bill)` with the logged-in customer's bill named by the route's {transid}; a 404 page when the
/// customer has no such bill (another customer's bill is not found either).
template <class Next>
void with_own_bill(const front_ptr& f, const http_request& request, const route_params& p, const visitor& v,
                   const responder& respond, Next next) {
  auto transid = p.get("transid");
  with_customer(f, request, v, respond,
                [f, v, respond, transid, next](flow_self self, user_record, std::optional<customer_record> c) {
                  auto not_found = [f, v, respond] {
                    respond(message_page(*f, v, 404, text(v.lang, "title_not_found"), text(v.lang, "not_found"),
                                         "/account", "back_to_account"));
                  };
                  if (!c) return not_found();
                  read_own_bill(self, f->b, c->id, transid, next, not_found, fail_page(f, v, respond));
                });
}

}  // namespace

void show_invoice(const front_ptr& f, const http_request& request, const route_params& p, const visitor& v,
                  const responder& respond) {
  with_own_bill(f, request, p, v, respond, [f, v, respond](const bill_record& bill) {
    data d;
    d.set("nav_account", true);
    auto invoice = invoice_data(v.lang, bill.transid, bill.status, bill.emitted_at, bill.billed_to, bill.lines,
                                bill.untaxed, bill.taxes, bill.total, bill.currency);
    invoice.set("seller", seller_data(f->b->seller));
    set_if(invoice, "number", bill.invoice_number);
    set_if(invoice, "credit_note", bill.credit_note_number);
    d.set("invoice", invoice);
    if (!bill.invoice_number.empty()) d.set("pdf_href", "/account/invoices/" + bill.transid + "/invoice.pdf");
    if (!bill.credit_note_number.empty())
      d.set("credit_note_href", "/account/invoices/" + bill.transid + "/credit-note.pdf");
    respond(page(*f, v, 200, "invoice_page", text(v.lang, "title_invoice") + " " + bill.transid, std::move(d)));
  });
}

namespace {

/// One of the customer's own bill documents as a PDF; a page saying why when the bill has none yet.
void show_document(const front_ptr& f, const http_request& request, const route_params& p, const visitor& v,
                   const responder& respond, bill_document which) {
  with_own_bill(f, request, p, v, respond, [f, v, respond, which](const bill_record& bill) {
    auto missing = [&](const char* title, const char* why) {
      respond(message_page(*f, v, 409, text(v.lang, title), text(v.lang, why), "/account", "back_to_account"));
    };
    if (bill.invoice_number.empty()) return missing("title_invoice", "invoice_not_issued");
    if (which == bill_document::credit_note && bill.credit_note_number.empty())
      return missing("credit_note", "no_credit_note");
    respond_with_invoice_pdf(f->b->sys, f->b->pdfs, bill, f->b->seller, v.lang, respond, which);
  });
}

}  // namespace

void show_invoice_pdf(const front_ptr& f, const http_request& request, const route_params& p, const visitor& v,
                      const responder& respond) {
  show_document(f, request, p, v, respond, bill_document::invoice);
}

void show_credit_note_pdf(const front_ptr& f, const http_request& request, const route_params& p, const visitor& v,
                          const responder& respond) {
  show_document(f, request, p, v, respond, bill_document::credit_note);
}

}  // namespace boutique::net::pages
