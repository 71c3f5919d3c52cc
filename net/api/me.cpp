// The support space: /api/v1/me and below (the logged-in user, their customer account, bills, products).
#include "net/api/kit.hpp"

#include "domain/contact.hpp"
#include "domain/tokens.hpp"
#include "net/own_bill.hpp"
#include "net/pages/invoice_pdf.hpp"
#include "net/privacy.hpp"
#include "net/query.hpp"

namespace boutique::net::api {

namespace {

/// A change that asks for the current password, sent without it (nothing is verified, nothing counted).
http_response current_password_required() {
  return problem(422, "Unprocessable Content", "the current password is required",
                 {{"current", domain::english({"required"})}});
}

}  // namespace

void get_me(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  with_customer(b, request, p, respond, [respond](self_ptr, user_record user, std::optional<customer_record> c) {
    respond(ok_json(200, {{"user", user_json(user)}, {"customer", c ? json(c->details) : json(nullptr)}}));
  });
}

void put_my_customer(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, contact_field_names());
  auto details = contact_field(body);
  if (body.error) return respond(*body.error);
  with_customer(b, request, p, respond,
                [b, respond, details](self_ptr self, user_record user, std::optional<customer_record> c) mutable {
                  if (!c) return respond(problem(404, "Not Found", "no customer account is attached to this user yet"));
                  auto edit = domain::edit_of_account(details, c->details.email);
                  if (!edit.errors.empty())
                    return respond(problem(422, "Unprocessable Content", domain::english({"contact_invalid"}), in_english(edit.errors)));
                  self->request(b->accounts, patience(self), due(self), atoms::deposit_atom_v, edit.details,
                                std::optional{user.id})
                    .then([respond](customer_record& updated) { respond(ok_json(200, {{"customer", updated.details}})); },
                          fail_with(respond));
                });
}

void change_my_password(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"current", "password"});
  auto current = string_field(body, "current");
  auto password = string_field(body, "password");
  if (body.error) return respond(*body.error);
  if (current.empty()) return respond(current_password_required());
  auto token = pages::cookie_jar(request.secure).value(request, auth_cookie);
  with_user(b, request, p, respond, [b, respond, token, current, password](self_ptr self, user_record user) {
    self->request(b->identity, patience(self), due(self), atoms::password_atom_v, user, token, current, password)
      .then([respond](caf::ok_atom) { respond(ok_json(200, {{"status", "password changed"}})); }, fail_with(respond));
  });
}

void change_my_email(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"email", "current"});
  auto email = string_field(body, "email");
  auto current = string_field(body, "current");
  if (body.error) return respond(*body.error);
  if (current.empty()) return respond(current_password_required());
  auto token = pages::cookie_jar(request.secure).value(request, auth_cookie);
  with_user(b, request, p, respond, [b, respond, email, current, token](self_ptr self, user_record user) {
    if (auto wrong = domain::new_email_problem(email, user.email))
      return respond(problem(422, "Unprocessable Content", "the new address is not valid",
                             {{"email", domain::english(*wrong)}}));
    self->request(b->identity, patience(self), due(self), atoms::email_atom_v, user, token, current, email)
      .then([respond](caf::ok_atom) { respond(ok_json(202, {{"status", "sent"}})); }, fail_with(respond));
  });
}

void get_my_bills(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  with_customer(b, request, p, respond, [b, respond](self_ptr self, user_record, std::optional<customer_record> c) {
    if (!c) return respond(ok_json(200, {{"bills", json::array()}}));
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::bills_atom_v, c->id)
      .then(
        [respond](bill_list& bills) {
          json list = json::array();
          for (const auto& bill : bills) list.push_back(bill_json(bill));
          respond(ok_json(200, {{"bills", list}}));
        },
        fail_with(respond));
  });
}

namespace {

/// One of the user's own bill documents as a PDF (net/pages/invoice_pdf.hpp); 404 for a bill not theirs.
void my_bill_document(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond,
                      pages::bill_document which) {
  auto lang = pages::choose_language(request, query_value(request.query, "lang"));
  with_customer(b, request, p, respond,
                [b, respond, lang, which, transid = p.get("transid")](self_ptr self, user_record,
                                                                      std::optional<customer_record> c) {
                  auto not_found = problem(404, "Not Found", "no bill " + transid + " in this support space");
                  if (!c) return respond(not_found);
                  read_own_bill(
                    self, b, c->id, transid,
                    [b, respond, lang, which](const bill_record& bill) {
                      pages::respond_with_invoice_pdf(b->sys, b->pdfs, bill, b->seller, lang, respond, which);
                    },
                    [respond, not_found] { respond(not_found); }, fail_with(respond));
                });
}

}  // namespace

void get_my_invoice_pdf(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  my_bill_document(b, request, p, respond, pages::bill_document::invoice);
}

void get_my_credit_note_pdf(const backend_ptr& b, http_request& request, const route_params& p,
                            const responder& respond) {
  my_bill_document(b, request, p, respond, pages::bill_document::credit_note);
}

void get_my_products(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  with_customer(b, request, p, respond, [b, respond](self_ptr self, user_record, std::optional<customer_record> c) {
    if (!c) return respond(ok_json(200, {{"products", json::array()}}));
    self->request(b->readers.next(), patience(self), caf::get_atom_v, atoms::products_atom_v, c->id)
      .then([respond](product_list& products) { respond(ok_json(200, {{"products", products_json(products, now_s(), true)}})); },
            fail_with(respond));
  });
}

void get_my_export(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  with_user(b, request, p, respond, [b, respond](self_ptr self, user_record user) {
    privacy_subject subject{user.id, std::nullopt, domain::privacy_requester::customer, now_s()};
    export_person(self, b, subject,
                  [respond](personal_export& e) { respond(ok_json(200, personal_export_json(e, now_s()))); },
                  fail_with(respond));
  });
}

void erase_me(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"current"});
  auto current = string_field(body, "current");
  if (body.error) return respond(*body.error);
  if (current.empty()) return respond(current_password_required());
  auto cleared = pages::cookie_jar(request.secure).header(auth_cookie, "", 0);
  with_user(b, request, p, respond, [b, respond, cleared, current](self_ptr self, user_record user) {
    erase_self(self, b, user, current,
                 [respond, cleared](erasure_outcome& o) {
                   auto response = ok_json(202, {{"status", "erased"}, {"invoices_kept", o.invoices_kept}});
                   response.headers.emplace_back("Set-Cookie", cleared);
                   respond(response);
                 },
                 fail_with(respond));
  });
}

}  // namespace boutique::net::api
