#pragma once

// An issued invoice as a PDF (documents/invoice_pdf.hpp), in the reader's language: the bill as it was placed and
// paid (its lines, amounts and contact as sold), the seller from the configuration. Shared by the support space
// (page and JSON API) and the admin.

#include "domain/records.hpp"
#include "domain/seller.hpp"
#include "documents/invoice_pdf.hpp"
#include "net/http_types.hpp"
#include "net/pages/kit.hpp"
#include "net/pdf_desk.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace boutique::net::pages {

/// Which document of a bill: its invoice (once paid), or the credit note of its refund, which cancels the invoice:
/// the same lines at the same unit prices, quantities and amounts negative, under its own number and date.
enum class bill_document { invoice, credit_note };

/// What the PDF says, every text in `l` and every amount formatted.
documents::invoice_layout invoice_layout_of(const bill_record& bill, const domain::seller& seller, language l,
                                            bill_document which = bill_document::invoice);

/// Answers 200 application/pdf (`invoice-<number>.pdf` or `credit-note-<number>.pdf`, not cached by the browser)
/// for a bill that has that document's number: a copy kept at `desk` when the same document was drawn lately,
/// otherwise drawn on a thread of its own (a detached actor: the scheduler's workers never wait for cairo); 409
/// problem for a bill without it (not paid: no invoice; not refunded: no credit note); 503 with Retry-After while
/// every place of the desk is taken, or one by another of the same customer's documents.
void respond_with_invoice_pdf(caf::actor_system& sys, const std::shared_ptr<pdf_desk>& desk, const bill_record& bill,
                              const domain::seller& seller, language l, const responder& respond,
                              bill_document which = bill_document::invoice);

}  // namespace boutique::net::pages
