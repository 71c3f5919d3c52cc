// Messages as logs and admin views print them (actors/printing.hpp): every payload by its description, with
// session ids as their log_id, secrets as their size and personal data left out.
#include "actors/messages.hpp"
#include "actors/printing.hpp"
#include "config/logging.hpp"
#include "support/sample_contact.hpp"

#include <caf/message.hpp>
#include <gtest/gtest.h>

using namespace boutique;

namespace {

const std::string printed_session_id = "Zq3xV9pLkT2mN8rW4yB6cD1fG5hJ7sQ0";

}  // namespace

TEST(printing, a_deposit_prints_its_route_by_log_id_and_leaves_personal_data_out) {
  auto msg = caf::make_message(session_route{printed_session_id, 3, deadline::none()}, atoms::deposit_atom_v,
                               boutique::testing::sample_contact("amelie@example.fr"));
  auto text = caf::to_string(msg);
  auto route = "route{key=~" + config::log_id(printed_session_id) + ", generation=3}";
  EXPECT_NE(text.find(route), std::string::npos) << text;
  EXPECT_NE(text.find("deposit"), std::string::npos) << text;
  EXPECT_NE(text.find("contact{firstname=<personal>, lastname=<personal>, email=<personal>, organisation=<personal>"),
            std::string::npos)
    << text;
  for (const auto* secret : {"Zq3xV9pLkT2mN8rW4yB6cD1fG5hJ7sQ0", "Poulain", "amelie@", "Paris", "Abbesses", "PO 1234"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
}

TEST(printing, credentials_show_the_user_id_and_only_the_size_of_the_hash) {
  user_credentials c;
  c.user.id = 42;
  c.user.email = "ada@example.org";
  c.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
  auto text = caf::to_string(caf::make_message(std::optional<user_credentials>{c}));
  EXPECT_NE(text.find("user_record{id=42"), std::string::npos) << text;
  EXPECT_NE(text.find("password_hash=<" + std::to_string(c.password_hash->size()) + " bytes>"), std::string::npos)
    << text;
  EXPECT_EQ(text.find("argon2id"), std::string::npos) << text;
  EXPECT_EQ(text.find("ada@"), std::string::npos) << text;
}

TEST(printing, a_bill_draft_shows_what_was_sold_and_withholds_the_snapshots) {
  bill_draft d;
  d.transid = "T-20261201-0001";
  d.session_id = printed_session_id;
  d.customer_id = 7;
  d.cart.lines.push_back({.code = "PY101", .name = "Python", .quantity = 2, .unit_price = 12000});
  d.contact_json = R"({"email":"ada@example.org"})";
  d.session_snapshot_json = R"({"id":")" + printed_session_id + "\"}";
  auto text = caf::to_string(caf::make_message(deadline::none(), atoms::order_atom_v, d));
  EXPECT_NE(text.find("bill_draft{transid=\"T-20261201-0001\", session_id=~" + config::log_id(printed_session_id)),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("customer_id=7"), std::string::npos) << text;
  EXPECT_NE(text.find("code=\"PY101\", name=\"Python\", quantity=2, unit_price=12000"), std::string::npos) << text;
  EXPECT_NE(text.find("contact_json=<27 bytes>"), std::string::npos) << text;
  EXPECT_EQ(text.find(printed_session_id), std::string::npos) << text;
  EXPECT_EQ(text.find("ada@"), std::string::npos) << text;
}

TEST(printing, client_text_is_made_safe_for_one_line_and_enums_print_by_name) {
  payment_event e;
  e.provider = "test\n\"injected\" level=error";
  e.status = "completed";
  idempotency_verdict v;
  v.decision = domain::idempotency_decision::in_progress;
  auto text = caf::to_string(caf::make_message(e, v));
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  EXPECT_NE(text.find(R"(provider="test\x0a\x22injected\x22 level=error")"), std::string::npos) << text;
  EXPECT_NE(text.find("decision=in_progress"), std::string::npos) << text;
  EXPECT_NE(text.find("session_user_id=none"), std::string::npos) << text;
}

TEST(printing, a_whole_message_shows_bare_strings_only_by_their_size) {
  // What the storage actor logs of a failed write: a forgotten-password request carries the login and the raw
  // token of the mailed link as bare strings, a session save the session id and its snapshot.
  auto forgot = printing::print_message(caf::make_message(deadline::none(), atoms::forgot_atom_v,
                                                std::string("victim@example.org\nlevel=error"),
                                                std::string("raw-link-token-0123456789")));
  EXPECT_NE(forgot.find("forgot"), std::string::npos) << forgot;
  EXPECT_NE(forgot.find("<30 bytes>"), std::string::npos) << forgot;
  EXPECT_NE(forgot.find("<25 bytes>"), std::string::npos) << forgot;
  for (const auto* secret : {"victim", "raw-link-token", "\n"})
    EXPECT_EQ(forgot.find(secret), std::string::npos) << secret << " in " << forgot;

  auto save = printing::print_message(caf::make_message(caf::put_atom_v, atoms::session_atom_v, printed_session_id,
                                              std::string(R"({"email":"amelie@example.fr"})"), std::int64_t{42}));
  EXPECT_EQ(save.find(printed_session_id), std::string::npos) << save;
  EXPECT_EQ(save.find("amelie"), std::string::npos) << save;
  EXPECT_NE(save.find("42"), std::string::npos) << save;
}
