// Mails in the customer's language over HTTP (issue 15, point 6): a checkout in French gets its order mail and its
// password link in French, one in English in English, each as text and HTML alternatives listing what was bought and
// linking to the invoice; the account's mails speak the language of the user's last login. Each mail is read from
// the mail-drop folder by Python's email package (Debian's /usr/bin/python3), as a mail reader would.
#include "domain/language.hpp"
#include "support/child_process.hpp"
#include "support/shop.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace boutique::testing;
using boutique::domain::language;
using boutique::domain::money;

namespace {

/// What Python's email package (policy default) reads in a mail: subject, Message-ID, content type, the defects
/// it found, and each part's type, charset and decoded content.
nlohmann::json read_by_python(const std::string& eml) {
  temp_dir dir;
  auto path = dir.path() / "mail.eml";
  std::ofstream(path, std::ios::binary) << eml;
  static const char* script = R"(
import email, email.policy, json, sys
with open(sys.argv[1], 'rb') as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
parts = [{'type': p.get_content_type(), 'charset': p.get_content_charset(), 'content': p.get_content(),
          'defects': [str(d) for d in p.defects]} for p in m.iter_parts()]
print(json.dumps({'subject': m['subject'], 'message_id': m['message-id'], 'type': m.get_content_type(),
                  'defects': [str(d) for d in m.defects], 'parts': parts}))
)";
  child_process python("/usr/bin/python3", {"-c", script, path.string()});
  EXPECT_EQ(python.wait_exit(), 0) << python.output();
  return nlohmann::json::parse(python.output());
}

/// The text and HTML parts of a well-formed multipart/alternative mail, as Python read them.
std::pair<std::string, std::string> alternatives_of(const nlohmann::json& mail) {
  EXPECT_EQ(mail["type"], "multipart/alternative");
  EXPECT_TRUE(mail["defects"].empty()) << mail.dump();
  if (mail["parts"].size() != 2) {
    ADD_FAILURE() << mail.dump();
    return {};
  }
  const auto& text = mail["parts"][0];
  const auto& html = mail["parts"][1];
  EXPECT_EQ(text["type"], "text/plain");
  EXPECT_EQ(html["type"], "text/html");
  EXPECT_EQ(text["charset"], "utf-8");
  EXPECT_TRUE(text["defects"].empty() && html["defects"].empty()) << mail.dump();
  return {text["content"], html["content"]};
}

const nlohmann::json bought_items = nlohmann::json::array({{{"code", "A51-11236-F"}, {"quantity", 2}},
                                                            {{"code", "D22-40155-M"}, {"quantity", 1}}});

/// A guest checkout of bought_items for `email` whose order is placed with `order_body`; returns the transid.
std::string bought_by(test_service& svc, const std::string& email, const nlohmann::json& order_body) {
  checkout shopper(svc.port());
  EXPECT_EQ(shopper.cart(bought_items).status, 200);
  EXPECT_EQ(shopper.contact(contact_form(email)).status, 200);
  auto placed = shopper.client().post(shopper.path("/order"), order_body);
  EXPECT_EQ(placed.status, 201) << placed.body;
  EXPECT_EQ(shopper.pay().status, 200);
  return placed.json().value("transid", "");
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

/// Expects each of `needles` in both the text and the HTML alternative of an order mail.
void expect_in_both(const std::pair<std::string, std::string>& alternatives, const std::vector<std::string>& needles) {
  for (const auto& part : {alternatives.first, alternatives.second})
    for (const auto& needle : needles) EXPECT_TRUE(has(part, needle)) << needle << " in:\n" << part;
}

}  // namespace

TEST(mail_language, a_checkout_in_french_gets_its_order_mail_in_french_with_the_lines_and_the_invoice_link) {
  test_service svc;
  auto transid = bought_by(svc, "acheteuse@example.fr", {{"paymode", "test"}, {"lang", "fr"}});
  ASSERT_FALSE(transid.empty());
  auto invoice = query_text(svc, "SELECT invoice_number FROM bills WHERE transid = ?", transid);
  auto total = std::stoll(query_text(svc, "SELECT total FROM bills WHERE transid = ?", transid));
  auto link = svc.settings().shop.base_url + "/account/invoices/" + transid;

  auto order = read_by_python(wait_for_mail(svc, "acheteuse@example.fr", transid + " est confirmée"));
  EXPECT_EQ(order["subject"], "Votre commande " + transid + " est confirmée");
  auto alternatives = alternatives_of(order);
  const auto& [text, html] = alternatives;
  expect_in_both(alternatives, {"Bonjour Ana,", "Numéro de facture : " + invoice,
                                "[A51-11236-F] Formation initiale sûreté",
                                "[D22-40155-M] Moodle for teachers: course design",
                                "288,00\u00a0€",  // 2 × 120 € and 20 % tax
                                money(total, "EUR", language::fr), link + "/invoice.pdf"});
  EXPECT_FALSE(has(text, "Hello") || has(html, "Hello")) << text;
  EXPECT_TRUE(has(text, "  [A51-11236-F] Formation initiale sûreté")) << text;
  EXPECT_TRUE(has(html, "<a href=\"" + link + "\">")) << html;
  EXPECT_TRUE(has(html, "<html lang=\"fr\">")) << html;

  auto welcome = read_by_python(wait_for_mail(svc, "acheteuse@example.fr", "token="));
  EXPECT_EQ(welcome["subject"], "Votre compte Boutique : choisissez votre mot de passe");
  EXPECT_TRUE(has(alternatives_of(welcome).first, "Merci pour votre achat.")) << welcome.dump();
  EXPECT_EQ(query_text(svc, "SELECT lang FROM users WHERE email_norm = ?", "acheteuse@example.fr"), "fr")
    << "the user created by a French checkout reads French";
  EXPECT_EQ(query_text(svc, "SELECT lang FROM bills WHERE transid = ?", transid), "fr");
}

TEST(mail_language, a_checkout_in_english_gets_its_order_mail_in_english_with_the_lines_and_the_invoice_link) {
  test_service svc;
  auto transid = bought_by(svc, "buyer@example.org", {{"paymode", "test"}});
  ASSERT_FALSE(transid.empty());
  auto invoice = query_text(svc, "SELECT invoice_number FROM bills WHERE transid = ?", transid);
  auto link = svc.settings().shop.base_url + "/account/invoices/" + transid;

  auto order = read_by_python(wait_for_mail(svc, "buyer@example.org", transid + " is complete"));
  EXPECT_EQ(order["subject"], "Your order " + transid + " is complete");
  EXPECT_FALSE(order["message_id"].get<std::string>().empty());
  auto alternatives = alternatives_of(order);
  const auto& [text, html] = alternatives;
  expect_in_both(alternatives, {"Hello Ana,", "Invoice number: " + invoice, "[A51-11236-F] Formation initiale sûreté",
                                "[D22-40155-M] Moodle for teachers: course design", "€288.00",
                                link + "/invoice.pdf"});
  EXPECT_TRUE(has(html, "<a href=\"" + link + "\">")) << html;
  EXPECT_TRUE(has(html, "<html lang=\"en\">")) << html;
  auto welcome = read_by_python(wait_for_mail(svc, "buyer@example.org", "token="));
  EXPECT_EQ(welcome["subject"], "Your Boutique account: choose your password");
}

TEST(mail_language, an_order_in_another_language_is_refused_and_the_accept_language_header_chooses_otherwise) {
  test_service svc;
  checkout shopper(svc.port());
  ASSERT_EQ(shopper.cart(bought_items).status, 200);
  ASSERT_EQ(shopper.contact(contact_form("german@example.org")).status, 200);
  auto refused = shopper.client().post(shopper.path("/order"), {{"paymode", "test"}, {"lang", "de"}});
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.json()["errors"]["lang"], "must be en or fr") << refused.body;
  EXPECT_EQ(query_int(svc, "SELECT count(*) FROM bills"), 0) << "nothing placed";
  auto placed = shopper.client().send("POST", shopper.path("/order"), R"({"paymode":"test"})",
                                      {{"Accept-Language", "fr-CH, en;q=0.5"}});
  ASSERT_EQ(placed.status, 201) << placed.body;
  EXPECT_EQ(query_text(svc, "SELECT lang FROM bills WHERE transid = ?", placed.json()["transid"]), "fr");
}

TEST(mail_language, the_account_mails_speak_the_language_of_the_last_login) {
  test_service svc;
  registered(svc, "reader@example.org", "a long enough password");  // an English checkout: the user reads English
  http_client client(svc.port());
  auto login = client.send("POST", "/api/v1/auth/login",
                           R"({"login":"reader@example.org","password":"a long enough password"})",
                           {{"Accept-Language", "fr"}});
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(query_text(svc, "SELECT lang FROM users WHERE email_norm = ?", "reader@example.org"), "fr");
  ASSERT_EQ(client.post("/api/v1/auth/forgot", {{"login", "reader@example.org"}}).status, 202);
  auto reset = read_by_python(wait_for_mail(svc, "reader@example.org", "mot de passe"));
  EXPECT_EQ(reset["subject"], "Votre compte Boutique : choisissez un nouveau mot de passe");
  EXPECT_TRUE(has(alternatives_of(reset).first, "Si vous ne l'avez pas demandé, ignorez ce message")) << reset.dump();

  // A login that states no language leaves it as it was.
  ASSERT_EQ(login_status(svc, "reader@example.org", "a long enough password"), 200);
  EXPECT_EQ(query_text(svc, "SELECT lang FROM users WHERE email_norm = ?", "reader@example.org"), "fr");
}
