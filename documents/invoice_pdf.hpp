#pragma once

// An invoice as a PDF document (A4, Debian's cairo + pango, DejaVu Sans): the layout holds every text already in
// the reader's language and every amount already formatted (net/invoice_pdf.cpp builds it from a bill); this only
// draws. No actors, no HTTP.

#include <boost/describe/class.hpp>

#include <string>
#include <utility>
#include <vector>

namespace boutique::documents {

/// One side of the invoice: who sells, who is billed.
struct party {
  std::string heading;
  std::vector<std::string> lines;
};
BOOST_DESCRIBE_STRUCT(party, (), (heading, lines))

/// One line of the table; amounts as they are printed.
struct invoice_row {
  std::string product;
  std::string unit_price;
  std::string quantity;
  std::string taxes;
  std::string total;
};
BOOST_DESCRIBE_STRUCT(invoice_row, (), (product, unit_price, quantity, taxes, total))

struct invoice_layout {
  std::string title;                 ///< "Invoice 2026-000042"
  std::vector<std::string> facts;    ///< "Date: 1 Dec 2026", "Order: ..."
  party seller;
  party buyer;
  std::vector<std::string> columns;  ///< the five column headings: product, unit price, quantity, taxes, total
  std::vector<invoice_row> rows;
  std::vector<std::pair<std::string, std::string>> totals;  ///< label, amount; the last is the grand total
  std::vector<std::string> footer;   ///< the seller's legal mentions, a line each at the foot of every page
};
BOOST_DESCRIBE_STRUCT(invoice_layout, (), (title, facts, seller, buyer, columns, rows, totals, footer))

/// The PDF of `layout`: A4 pages, the table continued on further pages with its headings repeated. Text is set as
/// text (never as markup). Throws std::runtime_error when cairo cannot make the document.
std::string render_invoice_pdf(const invoice_layout& layout);

}  // namespace boutique::documents
