#include "net/pages/invoice_pdf.hpp"

#include "net/pages/i18n.hpp"
#include "net/problem.hpp"
#include "domain/json.hpp"
#include "domain/tokens.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include <memory>
#include <stdexcept>

namespace boutique::net::pages {

namespace {

/// The lines of an address block: the contact's filled fields in postal order, the country by its name.
std::vector<std::string> buyer_lines(const domain::contact& c, language l) {
  std::vector<std::string> lines;
  auto add = [&](const std::string& s) {
    if (!s.empty()) lines.push_back(s);
  };
  add(c.firstname + (c.firstname.empty() || c.lastname.empty() ? "" : " ") + c.lastname);
  add(c.organisation);
  auto add_lines = [&](const std::string& text) {  // a field typed on several lines keeps them, one by one
    std::string::size_type start = 0;
    for (auto end = text.find('\n'); start <= text.size(); end = text.find('\n', start)) {
      add(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  };
  add_lines(c.address);
  add(c.zip + (c.zip.empty() || c.city.empty() ? "" : " ") + c.city);
  add(country_name(l, c.country));
  add(c.email);
  add_lines(c.invoiceinfo);
  return lines;
}

/// A tax rate in basis points as people write it: "20 %", "5.5 %" ("5,5 %" in French).
std::string rate_text(std::int32_t bp, language l) {
  auto text = std::to_string(bp / 100);
  if (bp % 100 != 0) {
    auto cents = std::to_string(bp % 100 + 100).substr(1);
    if (cents.back() == '0') cents.pop_back();
    text += (l == language::fr ? "," : ".") + cents;
  }
  return text + " %";
}

/// What the document shows, as one digest: two layouts with the same digest draw the same PDF. The layout's JSON
/// (domain/json.hpp, from its description) holds every text of it, so a field added to the layout is in the digest.
std::string digest_of(const documents::invoice_layout& doc) {
  return domain::sha256_hex(nlohmann::json(doc).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

documents::invoice_layout invoice_layout_of(const bill_record& bill, const domain::seller& seller, language l,
                                            bill_document which) {
  documents::invoice_layout doc;
  bool credit = which == bill_document::credit_note;
  // A credit note takes back what the invoice billed: every amount with the opposite sign.
  auto amount = [&](std::int64_t minor) { return money(credit ? -minor : minor, bill.currency, l); };
  if (credit) {
    doc.title = text(l, "credit_note") + " " + bill.credit_note_number;
    doc.facts = {text(l, "date") + ": " + date_of(bill.credit_note_at, l),
                 text(l, "cancels_invoice") + ": " + bill.invoice_number + " (" + date_of(bill.emitted_at, l) + ")",
                 text(l, "order_reference") + ": " + bill.transid};
  } else {
    doc.title = text(l, "invoice") + " " + bill.invoice_number;
    doc.facts = {text(l, "date") + ": " + date_of(bill.emitted_at, l),
                 text(l, "order_reference") + ": " + bill.transid,
                 text(l, "status") + ": " + bill_status_label(bill.status, l)};
  }
  doc.seller.heading = text(l, "seller");
  doc.seller.lines.push_back(seller.name);
  doc.seller.lines.insert(doc.seller.lines.end(), seller.address.begin(), seller.address.end());
  if (!seller.tax_id.empty()) doc.seller.lines.push_back(text(l, "tax_id") + ": " + seller.tax_id);
  if (!seller.registration.empty()) doc.seller.lines.push_back(seller.registration);
  if (!seller.email.empty()) doc.seller.lines.push_back(seller.email);
  doc.buyer.heading = text(l, "billed_to");
  doc.buyer.lines = buyer_lines(bill.billed_to, l);
  doc.columns = {text(l, "product"), text(l, "unit_price"), text(l, "quantity"), text(l, "taxes"),
                 text(l, "line_total")};
  for (const auto& line : bill.lines)
    doc.rows.push_back({"[" + line.code + "] " + line.name +
                          (line.tax_rate_bp ? "\n" + text(l, "tax_rate") + " " + rate_text(*line.tax_rate_bp, l) : ""),
                        money(line.unit_price, bill.currency, l),
                        std::to_string(credit ? -line.quantity : line.quantity), amount(line.taxes),
                        amount(line.total)});
  doc.totals = {{text(l, "untaxed"), amount(bill.untaxed)},
                {text(l, "taxes"), amount(bill.taxes)},
                {text(l, "total"), amount(bill.total)}};
  auto identity = seller.name;
  if (!seller.registration.empty()) identity += " · " + seller.registration;
  if (!seller.tax_id.empty()) identity += " · " + text(l, "tax_id") + " " + seller.tax_id;
  doc.footer.push_back(identity);
  if (!seller.legal_notice.empty()) doc.footer.push_back(seller.legal_notice);
  return doc;
}

namespace {

http_response pdf_response(std::shared_ptr<const std::string> pdf, const bill_record& bill, bill_document which) {
  http_response r;
  r.body = *pdf;
  r.content_type = "application/pdf";
  auto file =
    which == bill_document::invoice ? "invoice-" + bill.invoice_number : "credit-note-" + bill.credit_note_number;
  r.headers.emplace_back("Content-Disposition", "inline; filename=\"" + file + ".pdf\"");
  r.headers.emplace_back("Cache-Control", "private, no-store");
  return r;
}

/// The PDF of `doc` (kept at the desk under `key`), or a 500 that says nothing of why (the reason goes to the access
/// log).
http_response draw(pdf_desk& desk, const documents::invoice_layout& doc, const std::string& key,
                   const bill_record& bill, bill_document which) {
  try {
    auto pdf = std::make_shared<const std::string>(documents::render_invoice_pdf(doc));
    ++desk.numbers().drawn;
    desk.keep(key, pdf);
    return pdf_response(std::move(pdf), bill, which);
  } catch (const std::exception& e) {
    auto failed = problem(500, "Internal Server Error", "the invoice could not be drawn");
    failed.log_detail = e.what();
    return failed;
  } catch (...) {
    return problem(500, "Internal Server Error", "the invoice could not be drawn");
  }
}

}  // namespace

void respond_with_invoice_pdf(caf::actor_system& sys, const std::shared_ptr<pdf_desk>& desk, const bill_record& bill,
                              const domain::seller& seller, language l, const responder& respond, bill_document which) {
  if (bill.invoice_number.empty())
    return respond(problem(409, "Conflict", "this bill has no invoice yet: an invoice is issued once it is paid"));
  if (which == bill_document::credit_note && bill.credit_note_number.empty())
    return respond(problem(409, "Conflict", "this bill has no credit note: a credit note is issued by a refund"));
  auto doc = invoice_layout_of(bill, seller, l, which);
  auto key = digest_of(doc);
  if (auto pdf = desk->kept(key)) return respond(pdf_response(std::move(pdf), bill, which));
  if (!desk->take(bill.customer_id)) {
    auto busy = problem(503, "Service Unavailable", "invoices are being drawn; retry shortly");
    busy.headers.emplace_back("Retry-After", "1");
    return respond(busy);
  }
  // The place is given back when the drawing is done, however it ends.
  std::shared_ptr<void> place(nullptr, [desk, customer = bill.customer_id](void*) { desk->give_back(customer); });
  // Drawn meanwhile by the customer's previous request, which held the place until it had kept its copy.
  if (auto pdf = desk->kept(key)) return respond(pdf_response(std::move(pdf), bill, which));
  sys.spawn<caf::detached>(
    [desk, doc = std::move(doc), key = std::move(key), bill, respond, place, which](caf::event_based_actor*) mutable {
      auto reply = draw(*desk, doc, key, bill, which);
      place.reset();  // before answering: the customer's next request finds the place free
      respond(std::move(reply));
    });
}

}  // namespace boutique::net::pages
