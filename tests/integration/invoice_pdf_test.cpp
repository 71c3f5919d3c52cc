// Invoices as PDF (issue 15, point 2): the seller's legal identity from the configuration, the buyer as billed
// (not today's account), A4, amounts aligned; read back with poppler's pdftotext as an accountant's tools would.
#include "support/child_process.hpp"
#include "support/parallel.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

using namespace boutique::testing;

namespace {

const std::string pdf_password = "a long enough password";


/// The test settings with a seller whose name and address have accents.
boutique::config::settings with_seller() {
  auto s = test_settings();
  s.seller.name = "Formations Éclair SARL";
  s.seller.address = {"3 place Bellecour", "69002 Lyon", "France"};
  s.seller.tax_id = "FR12 345678901";
  s.seller.registration = "RCS Lyon 345 678 901";
  s.seller.legal_notice = "Paiement à la commande.";
  return s;
}

/// What poppler reads in `pdf`: `tool` is pdftotext (-layout unless other `options`) or pdfinfo.
std::string poppler(const std::string& tool, const std::string& pdf, std::vector<std::string> options = {"-layout"}) {
  temp_dir dir;
  auto file = dir.path() / "invoice.pdf";
  std::ofstream(file, std::ios::binary) << pdf;
  std::vector<std::string> args = {file.string()};
  if (tool == "pdftotext") {
    args = options;
    for (const auto* a : {"-enc", "UTF-8"}) args.emplace_back(a);
    args.push_back(file.string());
    args.emplace_back("-");
  }
  child_process p("/usr/bin/" + tool, args);
  if (p.wait_exit() != 0) throw std::runtime_error(tool + " failed: " + p.output());
  return p.output();
}

/// The right edges (xMax, in points) of the words `word` in pdftotext's -bbox output, top to bottom.
std::vector<double> right_edges(const std::string& bbox, const std::string& word) {
  std::vector<double> edges;
  std::regex one(R"re(<word xMin="[0-9.]+" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="[0-9.]+">([^<]*)</word>)re");
  for (std::sregex_iterator it(bbox.begin(), bbox.end(), one), end; it != end; ++it)
    if ((*it)[2] == word) edges.push_back(std::stod((*it)[1]));
  return edges;
}

/// The bill of the user's first purchase: its transid and invoice number.
std::pair<std::string, std::string> first_bill(test_service& svc, const header_map& login) {
  auto bills = http_client(svc.port()).get("/api/v1/me/bills", login).json()["bills"];
  for (const auto& b : bills)
    if (b["status"] == "COMPLETE") return {b["transid"], b["invoice_number"]};
  throw std::runtime_error("no paid bill: " + bills.dump());
}

/// A customer who bought once and set a password: their login and the address of their invoice's PDF.
std::pair<header_map, std::string> buyer_with_invoice(test_service& svc, const std::string& email) {
  registered(svc, email, pdf_password);
  auto login = login_header(svc, email, pdf_password);
  return {login, "/api/v1/me/bills/" + first_bill(svc, login).first + "/invoice.pdf"};
}

}  // namespace

TEST(invoice_pdf, an_issued_invoice_names_the_seller_the_buyer_as_billed_and_aligns_its_amounts) {
  test_service svc(with_seller());
  registered(svc, "pdf@example.org", pdf_password);
  auto login = login_header(svc, "pdf@example.org", pdf_password);
  auto [transid, number] = first_bill(svc, login);
  // The customer edits their details afterwards: the issued invoice does not change.
  auto edited = http_client(svc.port()).send(
    "PUT", "/api/v1/me/customer",
    nlohmann::json{{"firstname", "Ana"}, {"lastname", "Renamed"}, {"country", "FR"}, {"city", "Grenoble"}}.dump(),
    {{"Content-Type", "application/json"}, {"Cookie", login.at("Cookie")}});
  ASSERT_EQ(edited.status, 200) << edited.body;

  auto pdf = http_client(svc.port()).get("/api/v1/me/bills/" + transid + "/invoice.pdf", login);
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.header("content-type"), "application/pdf");
  EXPECT_NE(pdf.header("content-disposition").find("invoice-" + number + ".pdf"), std::string::npos);
  EXPECT_EQ(pdf.header("cache-control"), "private, no-store");
  ASSERT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  EXPECT_NE(poppler("pdfinfo", pdf.body).find("595.276 x 841.89 pts (A4)"), std::string::npos);

  auto text = poppler("pdftotext", pdf.body);
  for (const auto* expected : {"Formations Éclair SARL", "3 place Bellecour", "69002 Lyon", "FR12 345678901",
                               "RCS Lyon 345 678 901", "Paiement à la commande.", "Ana Lopez", "Aéroport de Lyon",
                               "Billed to", "Seller", "Total incl. tax", "VAT 20 %"})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " missing in:\n" << text;
  EXPECT_NE(text.find("Invoice " + number), std::string::npos) << text;
  EXPECT_NE(text.find(transid), std::string::npos) << text;
  EXPECT_EQ(text.find("Renamed"), std::string::npos) << "an issued invoice keeps the contact it was billed to";
  EXPECT_EQ(text.find("Grenoble"), std::string::npos) << text;

  // The amounts end on one vertical line: the line's total (its second €144.00 is the grand total) right-aligned
  // with the totals, whatever their width: the right edges of the words as poppler places them, in points.
  auto edges = right_edges(poppler("pdftotext", pdf.body, {"-bbox"}), "€144.00");
  ASSERT_EQ(edges.size(), 2u) << "the line's total and the grand total";
  EXPECT_NEAR(edges[0], edges[1], 1.0);  // a third of a millimetre: glyphs differ in size and weight
  auto untaxed = right_edges(poppler("pdftotext", pdf.body, {"-bbox"}), "€120.00");
  ASSERT_EQ(untaxed.size(), 2u) << "the unit price and the total excluding tax";
  EXPECT_NEAR(untaxed[1], edges[0], 1.0) << "the total excluding tax ends with the other amounts";

  auto french = poppler("pdftotext", http_client(svc.port()).get("/api/v1/me/bills/" + transid + "/invoice.pdf?lang=fr",
                                                                 login).body);
  for (const auto* expected : {"Facture " , "Facturé à", "Vendeur", "N° de TVA", "Total TTC"})
    EXPECT_NE(french.find(expected), std::string::npos) << expected << " missing in:\n" << french;
}

TEST(invoice_pdf, only_its_customer_and_staff_get_it_and_only_once_it_is_paid) {
  test_service svc(with_seller());
  registered(svc, "owner@example.org", pdf_password);
  registered(svc, "other@example.org", pdf_password);
  auto owner = login_header(svc, "owner@example.org", pdf_password);
  auto other = login_header(svc, "other@example.org", pdf_password);
  auto [transid, number] = first_bill(svc, owner);
  auto target = "/api/v1/me/bills/" + transid + "/invoice.pdf";
  http_client client(svc.port());
  EXPECT_EQ(client.get(target).status, 401);
  EXPECT_EQ(client.get(target, other).status, 404) << "another customer's invoice is not found";
  EXPECT_EQ(client.get("/api/v1/me/bills/T-unknown/invoice.pdf", owner).status, 404);

  // An order placed and not paid yet has no invoice.
  checkout unpaid(svc.port());
  ASSERT_EQ(unpaid.login("owner@example.org", pdf_password).status, 200);
  ASSERT_EQ(unpaid.cart(nlohmann::json::array({{{"code", "A51-11236-F"}, {"quantity", 2}}})).status, 200);
  ASSERT_EQ(unpaid.contact(contact_form("owner@example.org")).status, 200);
  auto placed = unpaid.order();
  ASSERT_EQ(placed.status, 201) << placed.body;
  auto unpaid_target = "/api/v1/me/bills/" + placed.json()["transid"].get<std::string>() + "/invoice.pdf";
  auto refused = client.get(unpaid_target, owner);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.header("content-type"), "application/problem+json");

  // The page of the support space, with the same login cookie, and the admin with its token.
  auto page = client.get("/account/invoices/" + transid + "/invoice.pdf", owner);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "application/pdf");
  EXPECT_EQ(client.get("/account/invoices/" + transid + "/invoice.pdf", other).status, 404);
  http_client admin(svc.admin_port());
  header_map token{{"Authorization", "Bearer " + svc.settings().admin.token}};
  auto staff = admin.get("/admin/bills/" + transid + "/invoice.pdf?lang=fr", token);
  ASSERT_EQ(staff.status, 200) << staff.body;
  EXPECT_NE(poppler("pdftotext", staff.body).find("Facture " + number), std::string::npos);
  EXPECT_EQ(admin.get("/admin/bills/" + transid + "/invoice.pdf").status, 401);
  EXPECT_EQ(admin.get("/admin/bills/T-unknown/invoice.pdf", token).status, 404);
  EXPECT_EQ(admin.get("/admin/bills/" + placed.json()["transid"].get<std::string>() + "/invoice.pdf", token).status,
            409);
}

TEST(invoice_pdf, fifty_customers_downloading_at_once_get_a_pdf_or_a_retry_later) {
  test_service svc(with_seller());
  const auto buyer = buyer_with_invoice(svc, "crowd@example.org");
  std::atomic<int> pdfs{0}, busy{0}, other{0};
  in_parallel(50, [&](int) {
    auto r = http_client(svc.port()).get(buyer.second, buyer.first);
    if (r.status == 200 && r.body.rfind("%PDF-", 0) == 0) ++pdfs;
    else if (r.status == 503 && r.header("retry-after") == "1") ++busy;
    else ++other;
  });
  EXPECT_EQ(other.load(), 0);
  EXPECT_GE(pdfs.load(), 1);
  EXPECT_EQ(pdfs.load() + busy.load(), 50);
}

TEST(invoice_pdf, a_buyer_block_longer_than_a_page_continues_on_the_next_one_and_loses_no_line) {
  test_service svc(with_seller());
  // An address of 50 lines and invoice notes of 60 (each within its field's length): more than a page of lines.
  std::string address, notes;
  for (int i = 1; i <= 50; ++i) address += "Line A" + std::to_string(100 + i) + "\n";
  for (int i = 1; i <= 60; ++i) notes += "Note N" + std::to_string(100 + i) + "\n";
  auto form = contact_form("long-address@example.org");
  form["address"] = address.substr(0, address.size() - 1);
  form["invoiceinfo"] = notes.substr(0, notes.size() - 1);
  checkout c(svc.port());
  ASSERT_EQ(c.cart(nlohmann::json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}})).status, 200);
  auto deposited = c.contact(form);
  ASSERT_EQ(deposited.status, 200) << deposited.body;
  auto placed = c.order();
  ASSERT_EQ(placed.status, 201) << placed.body;
  ASSERT_EQ(c.pay().status, 200);
  auto pdf = http_client(svc.admin_port())
               .get("/admin/bills/" + placed.json()["transid"].get<std::string>() + "/invoice.pdf",
                    {{"Authorization", "Bearer " + svc.settings().admin.token}});
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  auto text = poppler("pdftotext", pdf.body);
  for (int i = 1; i <= 50; ++i)
    EXPECT_NE(text.find("Line A" + std::to_string(100 + i)), std::string::npos) << "address line " << i;
  for (int i = 1; i <= 60; ++i)
    EXPECT_NE(text.find("Note N" + std::to_string(100 + i)), std::string::npos) << "note line " << i;
  EXPECT_NE(text.find("Total incl. tax"), std::string::npos);
  auto info = poppler("pdfinfo", pdf.body);
  EXPECT_EQ(info.find("Pages:           1\n"), std::string::npos) << "it continues on a second page:\n" << info;
}

TEST(invoice_pdf, a_refund_issues_a_credit_note_that_takes_back_the_invoice_with_its_own_number_and_date) {
  test_service svc(with_seller());
  registered(svc, "credit-note@example.org", pdf_password);
  auto login = login_header(svc, "credit-note@example.org", pdf_password);
  auto [transid, invoice] = first_bill(svc, login);
  http_client shop(svc.port()), admin(svc.admin_port());
  header_map staff = {{"Authorization", "Bearer " + svc.settings().admin.token}};
  auto path = "/api/v1/me/bills/" + transid + "/credit-note.pdf";
  EXPECT_EQ(shop.get(path, login).status, 409) << "no credit note before a refund";
  EXPECT_EQ(shop.get("/account/invoices/" + transid + "/credit-note.pdf", login).status, 409);

  auto invoice_path = "/api/v1/me/bills/" + transid + "/invoice.pdf";
  auto paid = shop.get(invoice_path, login);
  ASSERT_EQ(paid.status, 200);
  EXPECT_NE(poppler("pdftotext", paid.body).find("Status: Paid"), std::string::npos);

  ASSERT_EQ(admin.send("POST", "/admin/bills/" + transid + "/refund", "", staff).status, 200);
  // The invoice drawn again says so: not the copy kept from before the refund.
  auto refunded = shop.get(invoice_path, login);
  ASSERT_EQ(refunded.status, 200);
  EXPECT_NE(poppler("pdftotext", refunded.body).find("Status: Refunded"), std::string::npos);
  std::string credit_note = shop.get("/api/v1/me/bills", login).json()["bills"][0]["credit_note_number"];
  auto pdf = shop.get(path, login);
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.header("content-type"), "application/pdf");
  EXPECT_NE(pdf.header("content-disposition").find("credit-note-" + credit_note), std::string::npos);
  auto text = poppler("pdftotext", pdf.body);
  EXPECT_NE(text.find("Credit note " + credit_note), std::string::npos) << text;
  EXPECT_NE(text.find("Cancels invoice: " + invoice), std::string::npos) << text;
  EXPECT_NE(text.find(transid), std::string::npos);
  EXPECT_NE(text.find("Formations Éclair SARL"), std::string::npos) << "the seller, as on the invoice";
  for (const auto* amount : {"-€120.00", "-€24.00", "-€144.00"})  // untaxed, taxes, total: each taken back
    EXPECT_NE(text.find(amount), std::string::npos) << amount << " in " << text;

  // The same from the account page (linked from the bills list), in French, and by staff; another's is not found.
  auto page = shop.get("/account", login);
  EXPECT_NE(page.body.find("/account/invoices/" + transid + "/credit-note.pdf"), std::string::npos);
  auto french_pdf = shop.get("/account/invoices/" + transid + "/credit-note.pdf",
                             {{"Cookie", login.at("Cookie") + "; boutique_lang=fr"}});
  ASSERT_EQ(french_pdf.status, 200) << french_pdf.body;
  auto french = poppler("pdftotext", french_pdf.body);
  EXPECT_NE(french.find("Avoir " + credit_note), std::string::npos) << french;
  EXPECT_EQ(admin.get("/admin/bills/" + transid + "/credit-note.pdf", staff).status, 200);
  EXPECT_EQ(admin.get("/admin/bills/" + transid + "/credit-note.pdf").status, 401);
  registered(svc, "someone-else@example.org", pdf_password);
  auto other = login_header(svc, "someone-else@example.org", pdf_password);
  EXPECT_EQ(shop.get(path, other).status, 404);
}

// Two customers asking for their PDFs over and over, each from 4 connections, while a third asks for theirs 20 times:
// a document asked for again is answered from the copy drawn lately, so the floods hold no drawing place and the
// third customer is never answered "retry later". (Before, each flood held one of the two places.) Each of the
// three documents is drawn once.
TEST(invoice_pdf, customers_flooding_pdf_requests_leave_the_places_to_another_customer) {
  test_service svc(with_seller());
  // (named pairs, not structured bindings: the lambda below captures them)
  const auto flood_a = buyer_with_invoice(svc, "flood-a@example.org");
  const auto flood_b = buyer_with_invoice(svc, "flood-b@example.org");
  const auto patient = buyer_with_invoice(svc, "patient@example.org");
  // Each flood's document drawn once before the floods start: else their first two drawings may hold both places
  // at the moment the patient customer's first request comes.
  for (const auto* flood : {&flood_a, &flood_b})
    ASSERT_EQ(http_client(svc.port()).get(flood->second, flood->first).status, 200);
  std::atomic<bool> done{false};
  std::atomic<int> flood_pdfs{0}, flood_busy{0}, flood_other{0};
  std::vector<int> patient_statuses;
  in_parallel(9, [&](int worker) {
    if (worker == 0) {  // the patient customer, one request after the other, while the floods run
      for (int i = 0; i < 20; ++i)
        patient_statuses.push_back(http_client(svc.port()).get(patient.second, patient.first).status);
      done = true;
      return;
    }
    const auto& flood = worker % 2 ? flood_a : flood_b;
    for (int i = 0; i < 100000 && !done; ++i) {  // until the patient customer is done (bounded all the same)
      auto r = http_client(svc.port()).get(flood.second, flood.first);
      (r.status == 200 ? flood_pdfs : r.status == 503 ? flood_busy : flood_other)++;
    }
  });
  EXPECT_EQ(flood_other.load(), 0);
  EXPECT_GT(flood_pdfs.load(), 40) << "the floods were answered: " << flood_busy.load() << " busy";
  EXPECT_EQ(patient_statuses, std::vector<int>(20, 200)) << "the other customer was answered every time";
  EXPECT_EQ(metric(svc, "boutique_invoice_pdfs_drawn_total"), 3) << "each document drawn once";
  EXPECT_GE(metric(svc, "boutique_invoice_pdfs_reused_total"), 19 + flood_pdfs.load());
}
