// The page of the link confirming a new email address (GET /account/email?token=, POST /account/email/confirm).
// The request itself is a form of the account page (account.cpp).
#include "net/pages/front.hpp"

#include "net/email_change.hpp"

namespace boutique::net::pages {

namespace {

/// `key`'s text with the address in place of "{email}" (escaped by the template like any value).
std::string with_email(language l, const char* key, const std::string& email) {
  auto out = text(l, key);
  if (auto at = out.find("{email}"); at != std::string::npos) out.replace(at, 7, email);
  return out;
}

http_response link_unknown(const front& f, const visitor& v) {
  return message_page(f, v, 404, text(v.lang, "title_email"), text(v.lang, "link_unknown"), "/account",
                      "back_to_account");
}

}  // namespace

void show_email_confirm(const front_ptr& f, const http_request& request, const route_params&, const visitor& v,
                        const responder& respond) {
  auto token = value_of(parse_query(request.query).value_or(form_values{}), "token");
  if (token.empty() || token.size() > 64) return respond(link_unknown(*f, v));
  // Nothing changes on GET (a mail scanner may follow the link): the page asks for a click. A used or expired link
  // says so at once; looking a token up is an attempt at a secret, counted against the address when unknown.
  as_attempt(f->b, v.due, request.remote_address, respond, [f, v](caf::error& err) { return error_page(*f, v, err); },
             [f, v, token](responder settle) {
               run_flow(f->b->sys, v.due, settle, [f, v, settle, token](flow_self self) {
                 self->request(f->b->readers.next(), patience(self), caf::get_atom_v, atoms::email_atom_v,
                               domain::sha256_hex(token), domain::now_s())
                   .then(
                     [f, v, settle, token](std::string& email) {
                       if (email.empty()) return settle(link_unknown(*f, v));
                       data d;
                       d.set("token", token);
                       d.set("question", with_email(v.lang, "email_confirm_question", email));
                       settle(page(*f, v, 200, "email", text(v.lang, "title_email"), std::move(d)));
                     },
                     fail_page(f, v, settle));
               });
             });
}

void confirm_email(const front_ptr& f, const http_request&, const visitor& v, const form_values& form,
                   const responder& respond) {
  auto token = value_of(form, "token");
  if (token.empty() || token.size() > 64) return respond(link_unknown(*f, v));
  run_flow(f->b->sys, v.due, respond, [f, v, respond, token](flow_self self) {
    confirm_email_change(
      self, f->b, token,
      [f, v, respond](const user_record& user) {
        data d;
        d.set("done", with_email(v.lang, "email_changed", user.email));
        respond(page(*f, v, 200, "email", text(v.lang, "title_email"), std::move(d)));
      },
      [f, v, respond](caf::error& err) {
        auto code = domain_code(err);
        if (code == domain::error_code::not_found) return respond(link_unknown(*f, v));
        if (code == domain::error_code::conflict)
          return respond(message_page(*f, v, 409, text(v.lang, "title_email"), text(v.lang, "email_taken_now"),
                                      "/account", "back_to_account"));
        respond(error_page(*f, v, err, "/account"));
      });
  });
}

}  // namespace boutique::net::pages
