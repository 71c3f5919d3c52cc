// Mails in the customer's language, as text and HTML (domain/mail_body.hpp, domain/account_mails.hpp, the order,
// cancellation and refund mails) and the message that carries them (mail/eml.cpp): a multipart/alternative message
// read back here part by part, as a mail reader would.
#include "domain/account_mails.hpp"
#include "domain/cancellation.hpp"
#include "domain/completion.hpp"
#include "domain/mail.hpp"
#include "domain/refund.hpp"
#include "mail/transport.hpp"
#include "storage/database.hpp"
#include "support/storage.hpp"
#include "storage/migrations.hpp"
#include "storage/queries.hpp"
#include "support/sample_contact.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

using namespace boutique;
using domain::language;

namespace {

bool holds(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

domain::completion_facts bought_facts(language l) {
  domain::completion_facts f;
  f.transid = "T-7";
  f.total = 30070;
  f.currency = "EUR";
  f.lang = l;
  domain::bill_line course{"COURSE", "Sûreté & sécurité", 2, 12000, 24000, 4800, 28800, 2000, 365};
  domain::bill_line book{"BOOK", "Book", 1, 1200, 1200, 70, 1270, 550, std::nullopt};
  f.lines = {{11, course}, {12, book}};
  f.customer = boutique::testing::sample_contact("amelie@example.fr");
  return f;
}

/// A message read back: its headers (names as written, folded lines joined) and its body.
struct eml_message {
  std::map<std::string, std::string> headers;
  std::string body;
};

eml_message eml_read(const std::string& text) {
  eml_message m;
  auto end = text.find("\r\n\r\n");
  std::string name;
  for (std::size_t at = 0; at < end;) {
    auto line_end = text.find("\r\n", at);
    auto line = text.substr(at, line_end - at);
    if (line.starts_with(" ") || line.starts_with("\t")) m.headers[name] += line;
    else {
      name = line.substr(0, line.find(':'));
      m.headers[name] = line.substr(line.find(':') + 2);
    }
    at = line_end + 2;
  }
  m.body = text.substr(end + 4);
  return m;
}

/// The parts of a multipart message (RFC 2046 5.1.1: each delimiter is CRLF "--" boundary, the last one ends "--").
std::vector<eml_message> eml_parts(const eml_message& m) {
  const auto& type = m.headers.at("Content-Type");
  auto quote = type.find("boundary=\"") + 10;
  auto boundary = type.substr(quote, type.find('"', quote) - quote);
  auto body = "\r\n" + m.body;
  std::vector<eml_message> parts;
  auto delimiter = "\r\n--" + boundary;
  auto at = body.find(delimiter);
  while (at != std::string::npos && body.compare(at + delimiter.size(), 2, "--") != 0) {
    auto start = body.find("\r\n", at + delimiter.size()) + 2;
    auto next = body.find(delimiter, start);
    parts.push_back(eml_read(body.substr(start, next - start)));
    at = next;
  }
  EXPECT_NE(at, std::string::npos) << "the closing delimiter";
  return parts;
}

std::string qp_decoded(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') out += text[i];
    else if (text.compare(i + 1, 2, "\r\n") == 0) i += 2;
    else {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    }
  }
  return out;
}

outbox_mail queued(const domain::mail_text& text, std::int64_t id = 7) {
  return {id, text.recipient, text.subject, text.body, 1767225600, 0, text.html};
}

}  // namespace

TEST(mail_text, the_order_mail_lists_what_was_bought_and_links_to_the_invoice_in_english) {
  auto mail = domain::order_mail(bought_facts(language::en), "2026-000042", "https://shop.example").rendered();
  EXPECT_EQ(mail.recipient, "amelie@example.fr");
  EXPECT_EQ(mail.subject, "Your order T-7 is complete");
  for (const auto& text : {mail.body, mail.html}) {
    EXPECT_TRUE(holds(text, "2026-000042")) << text;
    EXPECT_TRUE(holds(text, "[BOOK] Book")) << text;
    EXPECT_TRUE(holds(text, "€288.00")) << "a line's total";
    EXPECT_TRUE(holds(text, "€300.70")) << "the total";
    EXPECT_TRUE(holds(text, "https://shop.example/account/invoices/T-7/invoice.pdf")) << text;
  }
  EXPECT_TRUE(holds(mail.body, "Hello Amélie,")) << mail.body;
  EXPECT_TRUE(holds(mail.body, "\n  [COURSE] Sûreté & sécurité         2  €288.00\n")) << mail.body;
  EXPECT_TRUE(holds(mail.body, "\n  [BOOK] Book                        1   €12.70\n")) << mail.body;
  EXPECT_TRUE(holds(mail.body, "Total (tax included)")) << mail.body;
  EXPECT_TRUE(holds(mail.body, "\nhttps://shop.example/account/invoices/T-7\n")) << mail.body;
  EXPECT_TRUE(holds(mail.html, "<html lang=\"en\">")) << mail.html;
  EXPECT_TRUE(holds(mail.html, "<td style=\"text-align:left\">[COURSE] Sûreté &amp; sécurité</td>")) << mail.html;
  EXPECT_TRUE(holds(mail.html, "<a href=\"https://shop.example/account/invoices/T-7\">")) << mail.html;
}

TEST(mail_text, the_order_mail_of_a_french_checkout_is_in_french) {
  auto mail = domain::order_mail(bought_facts(language::fr), "2026-000042", "https://shop.example").rendered();
  EXPECT_EQ(mail.subject, "Votre commande T-7 est confirmée");
  for (const auto& text : {mail.body, mail.html}) {
    EXPECT_TRUE(holds(text, "Bonjour Amélie,")) << text;
    EXPECT_TRUE(holds(text, "Numéro de facture : 2026-000042")) << text;
    EXPECT_TRUE(holds(text, "Quantité")) << text;
    EXPECT_TRUE(holds(text, "Total TTC")) << text;
    EXPECT_TRUE(holds(text, "288,00\u00a0€")) << text;
    EXPECT_TRUE(holds(text, "300,70\u00a0€")) << text;
    EXPECT_TRUE(holds(text, "https://shop.example/account/invoices/T-7/invoice.pdf")) << text;
    EXPECT_FALSE(holds(text, "Hello")) << text;
  }
  EXPECT_TRUE(holds(mail.html, "<html lang=\"fr\">")) << mail.html;
}

TEST(mail_text, every_mail_speaks_the_language_it_is_given) {
  auto c = boutique::testing::sample_contact("amelie@example.fr");
  auto both = [](auto compose) {
    return std::pair{compose(language::en).rendered(), compose(language::fr).rendered()};
  };
  std::vector<std::pair<domain::mail_text, domain::mail_text>> mails = {
    both([&](language l) { return domain::password_link_mail(c, "https://s/account/password?token=T", l); }),
    both([&](language l) { return domain::password_reset_mail("Amélie", c.email, "https://s/r", 3600, l); }),
    both([&](language l) { return domain::password_changed_mail("Amélie", c.email, "https://s/forgot", l); }),
    both([&](language l) { return domain::email_change_mail("Amélie", c.email, "https://s/e", 86400, l); }),
    both([&](language l) { return domain::email_taken_mail(c.email, l); }),
    both([&](language l) { return domain::email_changed_mail("Amélie", c.email, "new@example.fr", l); }),
    both([&](language l) {
      return domain::cancellation_mail(c, "T-7", 100, "EUR", domain::canceller::customer, "https://s", l);
    }),
    both([&](language l) { return domain::refund_mail(c, "T-7", "2026-1", "CN-2026-1", 100, "EUR", "https://s", l); }),
  };
  for (const auto& [en, fr] : mails) {
    EXPECT_EQ(en.recipient, fr.recipient);
    EXPECT_NE(en.subject, fr.subject);
    EXPECT_TRUE(holds(en.body, "Hello")) << en.body;
    EXPECT_TRUE(holds(fr.body, "Bonjour")) << fr.body;
    EXPECT_FALSE(holds(fr.body, "Hello")) << fr.body;
    EXPECT_TRUE(holds(fr.html, "<html lang=\"fr\">") && holds(fr.html, "Bonjour")) << fr.html;
  }
  EXPECT_EQ(mails[1].second.subject, "Votre compte Boutique : choisissez un nouveau mot de passe");
  EXPECT_TRUE(holds(mails[1].second.body, "(valable 1 heure, une seule fois) :\nhttps://s/r\n"))
    << mails[1].second.body;
  EXPECT_TRUE(holds(mails[3].second.body, "(valable 24 heures, une seule fois)")) << mails[3].second.body;
  EXPECT_TRUE(holds(mails[2].second.body, "« Mot de passe oublié ? »")) << mails[2].second.body;
  EXPECT_EQ(mails[7].second.subject, "Votre commande T-7 est remboursée");
  EXPECT_TRUE(holds(mails[7].second.body, "avoir CN-2026-1")) << mails[7].second.body;
}

TEST(mail_text, every_value_is_escaped_in_the_html_part) {
  auto f = bought_facts(language::en);
  f.customer.firstname = "<script>alert(\"x\")</script>";
  f.lines[1].second.name = "Book <b>bold</b> & 'quoted'";
  auto mail = domain::order_mail(f, "2026-000042", "https://shop.example/?a=1&b=\"2\"").rendered();
  EXPECT_FALSE(holds(mail.html, "<script>")) << mail.html;
  EXPECT_FALSE(holds(mail.html, "<b>")) << mail.html;
  EXPECT_TRUE(holds(mail.html, "Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;,")) << mail.html;
  EXPECT_TRUE(holds(mail.html, "Book &lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39;")) << mail.html;
  EXPECT_TRUE(holds(mail.html, "href=\"https://shop.example/?a=1&amp;b=&quot;2&quot;/account/invoices/T-7\""))
    << mail.html;
  EXPECT_TRUE(holds(mail.body, "Hello <script>alert(\"x\")</script>,")) << "the text part shows what was typed";
  auto taken = domain::email_changed_mail("A", "old@example.org", "<img src=x>@example.org", language::fr).rendered();
  EXPECT_TRUE(holds(taken.html, "&lt;img src=x&gt;@example.org")) << taken.html;
}

TEST(mail_text, a_mail_is_sent_as_text_and_html_alternatives_of_one_well_formed_message) {
  auto mail = domain::order_mail(bought_facts(language::fr), "2026-000042", "https://shop.example").rendered();
  auto text = mail::render_eml(queued(mail), {"orders@shop.example", "Boutique Lyon"});
  auto message = eml_read(text);
  EXPECT_EQ(message.headers["MIME-Version"], "1.0");
  EXPECT_EQ(message.headers["Message-ID"], "<outbox-7-1767225600@shop.example>");
  EXPECT_TRUE(message.headers["Content-Type"].starts_with("multipart/alternative; boundary=\"")) << text;
  EXPECT_TRUE(message.headers["Subject"].starts_with("=?UTF-8?B?")) << "accents in the subject are encoded";
  auto parts = eml_parts(message);
  ASSERT_EQ(parts.size(), 2u) << text;
  EXPECT_EQ(parts[0].headers["Content-Type"], "text/plain; charset=utf-8");
  EXPECT_EQ(parts[1].headers["Content-Type"], "text/html; charset=utf-8");
  for (auto& part : parts) EXPECT_EQ(part.headers["Content-Transfer-Encoding"], "8bit");
  auto crlf_body = mail.body;
  for (auto at = crlf_body.find('\n'); at != std::string::npos; at = crlf_body.find('\n', at + 2))
    crlf_body.replace(at, 1, "\r\n");
  EXPECT_EQ(parts[0].body, crlf_body) << "the text part is the text, CRLF line ends";
  EXPECT_TRUE(holds(parts[1].body, "Numéro de facture : 2026-000042")) << parts[1].body;
  for (std::size_t at = 0, next; (next = text.find("\r\n", at)) != std::string::npos; at = next + 2)
    EXPECT_LE(next - at, 998u) << "line at " << at;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), std::count(text.begin(), text.end(), '\r'))
    << "CRLF line ends only";
}

// The outbox keeps a mail's blocks, and the mailer renders them when it sends it: what is sent is what was composed,
// to the byte, in both languages and with every kind of block (paragraphs, links, a table).
TEST(mail_text, a_queued_mail_renders_to_the_same_text_and_html_as_it_was_composed) {
  auto c = boutique::testing::sample_contact("amelie@example.fr");
  for (auto l : {language::en, language::fr}) {
    auto f = bought_facts(l);
    f.lines[1].second.name = "Book <b>\"quoted\"</b> & \u00e9\n2nd line";
    for (const auto& composed : {domain::order_mail(f, "2026-000042", "https://shop.example/?a=1&b=2"),
                                 domain::password_link_mail(c, "https://s/account/password?token=T", l)}) {
      auto stored = composed.content.to_json();
      auto back = domain::mail_body::from_json(stored);
      auto sent = composed.rendered();
      EXPECT_EQ(back.text(), sent.body) << stored;
      EXPECT_EQ(back.html(composed.subject), sent.html) << stored;
      EXPECT_LT(stored.size(), sent.body.size() + sent.html.size()) << "the blocks are shorter than what they render";
    }
  }
  for (const char* broken :
       {"", "{", "[]", "{\"lang\":\"de\",\"blocks\":[]}", "{\"lang\":\"en\",\"blocks\":[{\"x\":1}]}",
        "{\"lang\":\"en\",\"blocks\":[{\"table\":[[\"head only\"]]}]}", "{\"lang\":\"en\",\"blocks\":[{\"p\":7}]}",
        "{\"lang\":\"en\",\"blocks\":null}", "{\"lang\":\"en\",\"blocks\":{}}", "{\"lang\":\"en\",\"blocks\":[7]}",
        "{\"lang\":\"en\",\"blocks\":[{\"link\":\"label\",\"url\":\"https://s/x?token=SECRET"})
    try {
      domain::mail_body::from_json(broken);
      ADD_FAILURE() << "read as a mail body: " << broken;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).find("SECRET"), std::string::npos) << "the reason quotes the body: " << e.what();
    }
}

TEST(mail_text, a_re_sent_mail_keeps_its_message_id_and_its_bytes) {
  boutique::testing::test_store store{":memory:"};  // or a scratch PostgreSQL database (support/storage.hpp)
  auto connection = store.open();
  auto& db = *connection;
  storage::migrate(db);
  storage::queue_mail(db, domain::order_mail(bought_facts(language::en), "2026-1", "https://s"), 1767225600);
  mail::sender from{"orders@shop.example", "Boutique"};
  auto first = storage::due_mail(db, 1767225600, 10).due;
  ASSERT_EQ(first.size(), 1u);
  auto first_text = mail::render_eml(domain::rendered(first[0]), from);
  // The relay defers it (4xx): it waits, and is tried again later, from the outbox.
  storage::record_mail_outcomes(db, {{first[0].id, domain::mail_outcome::state::waiting, 1, 1767225700, "451"}});
  auto again = storage::due_mail(db, 1767225700, 10).due;
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 1);
  auto again_text = mail::render_eml(domain::rendered(again[0]), from);
  auto id = eml_read(first_text).headers["Message-ID"];
  EXPECT_EQ(id, "<outbox-" + std::to_string(first[0].id) + "-1767225600@shop.example>");
  EXPECT_EQ(eml_read(again_text).headers["Message-ID"], id);
  EXPECT_EQ(again_text, first_text) << "the same mail, byte for byte";
  db.reset_all();
}

TEST(mail_text, a_line_too_long_for_smtp_goes_quoted_printable_and_the_boundary_never_occurs_in_a_part) {
  std::string typed(2000, 'x');
  typed += " café =";
  auto mail = mail::render_eml(queued({"to@example.org", "S", "Hello " + typed + "\n", "<p>--=_boutique_7_0</p>\n"}),
                               {"orders@shop.example", "Boutique"});
  auto message = eml_read(mail);
  EXPECT_TRUE(holds(message.headers["Content-Type"], "boundary=\"=_boutique_7_1\"")) << "the first one is in the html";
  auto parts = eml_parts(message);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].headers["Content-Transfer-Encoding"], "quoted-printable");
  EXPECT_EQ(qp_decoded(parts[0].body), "Hello " + typed + "\r\n");
  EXPECT_EQ(parts[1].headers["Content-Transfer-Encoding"], "7bit");
  EXPECT_EQ(parts[1].body, "<p>--=_boutique_7_0</p>\r\n");
  for (std::size_t at = 0, next; (next = mail.find("\r\n", at)) != std::string::npos; at = next + 2)
    EXPECT_LE(next - at, 76u) << "line at " << at;

  auto old = mail::render_eml({8, "to@example.org", "S", "queued before HTML", 1767225600, 0, ""}, {});
  EXPECT_TRUE(holds(old, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
                         "queued before HTML"))
    << old;
}
