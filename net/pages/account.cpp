// Login, logout, the password link, and the customer support space (account, products, invoices).
#include "net/pages/front.hpp"
#include "net/privacy.hpp"

#include "domain/clock.hpp"
#include "domain/reminder.hpp"
#include "domain/tokens.hpp"
#include "net/json_codec.hpp"

#include <algorithm>
#include <charconv>

namespace boutique::net::pages {

// -- login, logout, password -----------------------------------------------------------------------------------

http_response login_page(const front& f, const visitor& v, int status, const std::string& login, const std::string& next,
                         const std::string& alert, const std::string& notice = "") {
  data d;
  d.set("nav_account", true);
  d.set("login", login);
  d.set("next", next);
  set_if(d, "alert", alert);
  set_if(d, "notice", notice);
  return page(f, v, status, "login", text(v.lang, "title_login"), std::move(d));
}

void show_login(const front_ptr& f, const http_request& request, const route_params&, const visitor& v,
                const responder& respond) {
  auto query = parse_query(request.query).value_or(form_values{});
  auto notice = query.count("ended") > 0    ? text(v.lang, "logged_out_everywhere")
               : query.count("erased") > 0 ? text(v.lang, "account_erased")
                                           : "";
  respond(login_page(*f, v, 200, "", value_of(query, "next"), "", notice));
}

void log_in(const front_ptr& f, const http_request&, const visitor& v, const form_values& form,
            const responder& respond) {
  auto login = value_of(form, "login");
  auto password = value_of(form, "password");
  auto next = value_of(form, "next");
  run_flow(f->b->sys, v.due, respond, [f, v, respond, login, password, next](flow_self self) {
    self->request(f->b->identity, patience(self), due(self), atoms::login_atom_v, login, password)
      .then(
        [self, f, v, respond, next](user_record& user) {
          self->request(f->b->identity, patience(self), due(self), atoms::auth_atom_v, user.id,
                        std::optional<language>(v.lang))
            .then(
              [f, v, respond, next](std::string& token) {
                respond(see_other(after_login(next), v.cookies.header(auth_cookie, token, f->b->login_ttl_s)));
              },
              fail_page(f, v, respond));
        },
        [f, v, respond, login, next](caf::error& err) {
          auto code = domain_code(err);
          if (code == domain::error_code::unauthenticated)
            return respond(login_page(*f, v, 401, login, next, text(v.lang, "login_failed")));
          respond(error_page(*f, v, err, "/login"));
        });
  });
}

/// The "Forgot your password?" page: its form, or once sent, the same words whatever the name given.
http_response forgot_page(const front& f, const visitor& v, int status, const std::string& login, bool sent,
                          const std::string& alert) {
  data d;
  d.set("nav_account", true);
  d.set("login", login);
  d.set("sent", sent);
  set_if(d, "notice", sent ? text(v.lang, "forgot_sent") : "");
  set_if(d, "alert", alert);
  return page(f, v, status, "forgot", text(v.lang, "title_forgot"), std::move(d));
}

void show_forgot(const front_ptr& f, const http_request&, const route_params&, const visitor& v,
                 const responder& respond) {
  respond(forgot_page(*f, v, 200, "", false, ""));
}

/// Sends the link when the name is a user's (storage decides, after the answer: the answer and its time are the
/// same whether or not the account exists).
void forgot_password(const front_ptr& f, const http_request&, const visitor& v, const form_values& form,
                     const responder& respond) {
  auto login = value_of(form, "login");
  if (login.empty() || login.size() > 254)
    return respond(forgot_page(*f, v, 422, login.substr(0, 254), false, text(v.lang, "forgot_login_missing")));
  respond(forgot_page(*f, v, 200, "", true, ""));
  send_password_link(f->b, v.due, login);
}

/// Ends the login and forgets the checkout session too: one login for the shop, one logout (a shared computer
/// keeps neither the account nor the cart of the person who left).
void log_out(const front_ptr& f, const http_request& request, const visitor& v, const form_values&,
             const responder& respond) {
  auto token = v.cookies.value(request, auth_cookie);
  auto cleared = see_other("/", v.cookies.header(auth_cookie, "", 0));
  cleared.headers.emplace_back("Set-Cookie", v.cookies.header(checkout_cookie, "", 0));
  if (token.empty() || token.size() > 64) return respond(cleared);
  run_flow(f->b->sys, v.due, respond, [f, v, token, cleared, respond](flow_self self) {
    self->request(f->b->identity, patience(self), due(self), atoms::logout_atom_v, token)
      .then([cleared, respond](caf::ok_atom) { respond(cleared); }, fail_page(f, v, respond));
  });
}

/// The new password, twice (the password link's page, the account page's password change).
void add_new_password_fields(data& fields, language l, const domain::field_errors& errors) {
  fields.push_back(field(l, "password", "", errors, "password", "new-password", true));
  fields.push_back(field(l, "password_confirm", "", errors, "password", "new-password", true));
}

http_response password_page(const front& f, const visitor& v, int status, const std::string& token,
                            const domain::field_errors& errors) {
  data d;
  d.set("token", token);
  auto fields = list_of();
  add_new_password_fields(fields, v.lang, errors);
  d.set("fields", fields);
  return page(f, v, status, "password", text(v.lang, "title_password"), std::move(d));
}

void show_password(const front_ptr& f, const http_request& request, const route_params&, const visitor& v,
                   const responder& respond) {
  auto token = value_of(parse_query(request.query).value_or(form_values{}), "token");
  auto unknown = message_page(*f, v, 404, text(v.lang, "title_password"), text(v.lang, "link_unknown"));
  if (token.empty() || token.size() > 64) return respond(unknown);
  // A used or expired link says so at once, not after the new password is typed. Looking a token up is an
  // attempt at a secret: an unknown one counts against the address, as when the form is sent.
  as_attempt(f->b, v.due, request.remote_address, respond, [f, v](caf::error& err) { return error_page(*f, v, err); },
             [f, v, token, unknown](responder settle) {
               run_flow(f->b->sys, v.due, settle, [f, v, settle, token, unknown](flow_self self) {
                 self->request(f->b->readers.next(), patience(self), caf::get_atom_v, atoms::password_atom_v,
                               domain::sha256_hex(token), domain::now_s())
                   .then([f, v, settle, token, unknown](bool usable) {
                           settle(usable ? password_page(*f, v, 200, token, {}) : unknown);
                         },
                         fail_page(f, v, settle));
               });
             });
}

void set_password(const front_ptr& f, const http_request&, const visitor& given, const form_values& form,
                  const responder& respond) {
  auto token = value_of(form, "token");
  auto password = value_of(form, "password");
  auto v = given;
  v.query = "token=" + percent_encode(token);
  if (token.empty() || token.size() > 64)
    return respond(message_page(*f, v, 404, text(v.lang, "title_password"), text(v.lang, "link_unknown")));
  if (password != value_of(form, "password_confirm"))
    return respond(password_page(*f, v, 422, token, {{"password_confirm", {"passwords_differ"}}}));
  run_flow(f->b->sys, v.due, respond, [f, v, respond, token, password](flow_self self) {
    self->request(f->b->identity, patience(self), due(self), atoms::password_atom_v, token, password)
      .then(
        [f, v, respond](caf::ok_atom) {
          data d;
          d.set("done", true);
          respond(page(*f, v, 200, "password", text(v.lang, "title_password"), std::move(d)));
        },
        [f, v, respond, token](caf::error& err) {
          auto code = domain_code(err);
          if (code == domain::error_code::not_found)
            return respond(message_page(*f, v, 404, text(v.lang, "title_password"), text(v.lang, "link_unknown")));
          if (code != domain::error_code::validation) return respond(error_page(*f, v, err));
          respond(password_page(*f, v, 422, token, error_fields(err)));
        });
  });
}

// -- the customer support space --------------------------------------------------------------------------------

struct account_view {
  std::optional<domain::contact> typed;  ///< values typed into the details form (when they were refused)
  domain::field_errors errors;
  bool saved = false;
  domain::field_errors password_errors;  ///< the password change form's (nothing typed is shown again)
  bool password_changed = false;
  std::string new_email;  ///< the email change form's address (when it was refused)
  domain::field_errors email_errors;
  bool email_sent = false;
  domain::field_errors erase_errors;  ///< the erasure form's (its password is not shown again)
};

data user_data(const user_record& user) {
  data d;
  d.set("username", user.username);
  if (user.email != user.username) d.set("email", user.email);
  return d;
}

data products_data(language l, const product_list& products) {
  auto list = list_of();
  auto now = now_s();
  for (const auto& p : products) {
    auto state = domain::product_state(now, p.start, p.end, p.bill_complete, p.refunded);
    data d;
    d.set("reference", p.reference);
    d.set("start", date_of(p.start, l));
    d.set("end", p.end ? date_of(*p.end, l) : text(l, "no_end"));
    d.set("code", p.code);
    d.set("name", p.name);
    d.set("state", state);
    d.set("state_label", state_label(state, l));
    d.set("renewable", domain::offers_renewal(p.renewable, p.bill_complete, p.refunded));
    list.push_back(d);
  }
  return list;
}

data bills_data(language l, const bill_list& bills) {
  auto list = list_of();
  for (const auto& b : bills) {
    data d;
    d.set("transid", b.transid);
    d.set("number", b.invoice_number.empty() ? b.transid : b.invoice_number);
    d.set("date", date_of(b.emitted_at, l));
    d.set("status_label", bill_status_label(b.status, l));
    set_if(d, "credit_note", b.credit_note_number);
    d.set("total", money(b.total, b.currency, l));
    list.push_back(d);
  }
  return list;
}

data documents_data(const site& site, language l) {
  auto list = list_of();
  for (const auto& doc : site.documents()) {
    data d;
    d.set("file", doc.file);
    d.set("title", l == language::fr ? doc.title_fr : doc.title_en);
    list.push_back(d);
  }
  return list;
}

http_response account_page(const front& f, const visitor& v, const account_view& view, const user_record& user,
                           const std::optional<customer_record>& customer, const bill_list& bills,
                           const product_list& products) {
  data d;
  d.set("nav_account", true);
  d.set("user", user_data(user));
  d.set("has_customer", customer.has_value());
  if (customer)
    d.set("fields", contact_fields(v.lang, view.typed.value_or(customer->details), view.errors, true));
  d.set("has_products", !products.empty());
  d.set("products", products_data(v.lang, products));
  d.set("has_bills", !bills.empty());
  d.set("bills", bills_data(v.lang, bills));
  d.set("documents", documents_data(*f.site, v.lang));
  auto password_fields = list_of();
  password_fields.push_back(field(v.lang, "current", "", view.password_errors, "password", "current-password", true));
  add_new_password_fields(password_fields, v.lang, view.password_errors);
  d.set("password_fields", password_fields);
  auto email_fields = list_of();
  email_fields.push_back(field(v.lang, "new_email", view.new_email, view.email_errors, "email", "email", true));
  email_fields.push_back(
    field(v.lang, "password_for_email", "", view.email_errors, "password", "current-password", true));
  d.set("email_fields", email_fields);
  auto erase_fields = list_of();
  erase_fields.push_back(
    field(v.lang, "password_for_erase", "", view.erase_errors, "password", "current-password", true));
  d.set("erase_fields", erase_fields);
  auto erase_hint = text(v.lang, "erase_account_hint");
  if (auto at = erase_hint.find("{years}"); at != std::string::npos)
    erase_hint.replace(at, 7, std::to_string(f.b->invoice_years));
  d.set("erase_hint", erase_hint);
  if (view.saved) d.set("notice", text(v.lang, "saved"));
  if (view.password_changed) d.set("notice", text(v.lang, "password_changed"));
  if (view.email_sent) d.set("notice", text(v.lang, "email_link_sent"));
  bool refused = !view.errors.empty() || !view.password_errors.empty() || !view.email_errors.empty() ||
                 !view.erase_errors.empty();
  if (refused) d.set("alert", text(v.lang, "form_has_errors"));
  return page(f, v, refused ? 422 : 200, "account", text(v.lang, "title_account"), std::move(d));
}

/// Reads the bills and products of `customer` and answers the account page.
void answer_account(flow_self self, const front_ptr& f, const visitor& v, const responder& respond,
                    const account_view& view, const user_record& user, const std::optional<customer_record>& customer) {
  if (!customer) return respond(account_page(*f, v, view, user, customer, {}, {}));
  auto& b = *f->b;
  self->request(b.readers.next(), b.timeout, caf::get_atom_v, atoms::bills_atom_v, customer->id)
    .then(
      [self, f, v, respond, view, user, customer](bill_list& bills) {
        self->request(f->b->readers.next(), patience(self), caf::get_atom_v, atoms::products_atom_v, customer->id)
          .then(
            [f, v, respond, view, user, customer, bills](product_list& products) {
              respond(account_page(*f, v, view, user, customer, bills, products));
            },
            fail_page(f, v, respond));
      },
      fail_page(f, v, respond));
}

void show_account(const front_ptr& f, const http_request& request, const route_params&, const visitor& v,
                  const responder& respond) {
  account_view view;
  auto query = parse_query(request.query).value_or(form_values{});
  view.saved = query.count("saved") > 0;
  view.password_changed = query.count("password_changed") > 0;
  view.email_sent = query.count("email_sent") > 0;
  with_customer(f, request, v, respond,
                [f, v, respond, view](flow_self self, user_record user, std::optional<customer_record> c) {
                  answer_account(self, f, v, respond, view, user, c);
                });
}

/// Edits the customer account attached to the user, as PUT /api/v1/me/customer does.
void save_account(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                  const responder& respond) {
  auto typed = contact_from(form);
  with_customer(
    f, request, v, respond,
    [f, v, respond, typed](flow_self self, user_record user, std::optional<customer_record> c) mutable {
      if (!c) return respond(message_page(*f, v, 404, text(v.lang, "title_account"), text(v.lang, "no_customer")));
      auto edit = domain::edit_of_account(typed, c->details.email);  // the rule of PUT /api/v1/me/customer
      if (!edit.errors.empty()) {
        typed.email = c->details.email;
        account_view view;
        view.typed = typed;
        view.errors = edit.errors;
        return answer_account(self, f, v, respond, view, user, c);
      }
      self->request(f->b->accounts, patience(self), due(self), atoms::deposit_atom_v, edit.details,
                    std::optional{user.id})
        .then([respond](customer_record&) { respond(see_other("/account?saved=1")); }, fail_page(f, v, respond, "/account"));
    });
}

/// Changes the password, as PUT /api/v1/me/password does: this login stays, the others end.
void change_password(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                     const responder& respond) {
  auto current = value_of(form, "current");
  auto password = value_of(form, "password");
  auto confirmed = password == value_of(form, "password_confirm");
  auto token = v.cookies.value(request, auth_cookie);
  with_customer(
    f, request, v, respond,
    [f, v, respond, token, current, password, confirmed](flow_self self, user_record user,
                                                         std::optional<customer_record> c) {
      auto refused = [self, f, v, respond, user, c](domain::field_errors errors) {
        account_view view;
        view.password_errors = std::move(errors);
        answer_account(self, f, v, respond, view, user, c);
      };
      if (!confirmed) return refused({{"password_confirm", {"passwords_differ"}}});
      self->request(f->b->identity, patience(self), due(self), atoms::password_atom_v, user, token, current, password)
        .then([respond](caf::ok_atom) { respond(see_other("/account?password_changed=1#security-title")); },
              [f, v, respond, refused](caf::error& err) {
                if (domain_code(err) == domain::error_code::validation) return refused(error_fields(err));
                respond(error_page(*f, v, err, "/account"));
              });
    });
}

/// Asks for an email change, as POST /api/v1/me/email does: the password first, then a link to the new address.
void request_email_change(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                          const responder& respond) {
  auto email = value_of(form, "new_email");
  auto current = value_of(form, "password_for_email");
  auto token = v.cookies.value(request, auth_cookie);
  with_customer(
    f, request, v, respond,
    [f, v, respond, email, current, token](flow_self self, user_record user, std::optional<customer_record> c) {
      auto refused = [self, f, v, respond, user, c, email](domain::field_errors errors) {
        account_view view;
        view.new_email = email.substr(0, 254);
        view.email_errors = std::move(errors);
        answer_account(self, f, v, respond, view, user, c);
      };
      if (auto wrong = domain::new_email_problem(email, user.email)) return refused({{"new_email", *wrong}});
      self->request(f->b->identity, patience(self), due(self), atoms::email_atom_v, user, token, current, email)
        .then([respond](caf::ok_atom) { respond(see_other("/account?email_sent=1#security-title")); },
              [f, v, respond, refused](caf::error& err) {
                if (domain_code(err) != domain::error_code::validation)
                  return respond(error_page(*f, v, err, "/account"));
                domain::field_errors errors;  // the API's "current" is this form's "password_for_email"
                for (auto& [name, message] : error_fields(err))
                  errors[name == "current" ? "password_for_email" : name] = message;
                refused(std::move(errors));
              });
    });
}

/// Everything held about the logged-in person, as a JSON file to keep (GET /api/v1/me/export's body).
void download_my_data(const front_ptr& f, const http_request& request, const route_params&, const visitor& v,
                      const responder& respond) {
  with_customer(f, request, v, respond,
                [f, v, respond](flow_self self, user_record user, std::optional<customer_record>) {
    privacy_subject subject{user.id, std::nullopt, domain::privacy_requester::customer, now_s()};
    export_person(self, f->b, subject,
                  [respond](personal_export& e) {
                    auto response = json_response(200, personal_export_json(e, now_s()).dump(1));
                    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"my-data.json\"");
                    respond(response);
                  },
                  fail_page(f, v, respond, "/account"));
  });
}

/// Erases the logged-in person, as DELETE /api/v1/me does: the password first; then every login ends here too.
void erase_account(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                   const responder& respond) {
  auto current = value_of(form, "password_for_erase");
  auto erased = see_other("/login?erased=1", v.cookies.header(auth_cookie, "", 0));
  erased.headers.emplace_back("Set-Cookie", v.cookies.header(checkout_cookie, "", 0));
  with_customer(
    f, request, v, respond,
    [f, v, respond, current, erased](flow_self self, user_record user, std::optional<customer_record> c) {
      auto refused = [self, f, v, respond, user, c](domain::field_errors errors) {
        account_view view;
        view.erase_errors = std::move(errors);
        answer_account(self, f, v, respond, view, user, c);
      };
      if (current.empty()) return refused({{"password_for_erase", {"required"}}});
      erase_self(self, f->b, user, current, [respond, erased](erasure_outcome&) { respond(erased); },
                 [f, v, respond, refused](caf::error& err) {
                   auto code = domain_code(err);
                   if (code == domain::error_code::validation)
                     return refused({{"password_for_erase", {"wrong_password"}}});
                   if (code == domain::error_code::conflict)
                     return respond(message_page(*f, v, 409, text(v.lang, "title_erase"),
                                                 text(v.lang, "erase_open_order"), "/account", "back_to_account"));
                   respond(error_page(*f, v, err, "/account"));
                 });
    });
}

/// Ends every login of the user, this one too, and forgets the checkout session (as log_out does).
void log_out_everywhere(const front_ptr& f, const http_request& request, const visitor& v, const form_values&,
                        const responder& respond) {
  auto ended = see_other("/login?ended=1", v.cookies.header(auth_cookie, "", 0));
  ended.headers.emplace_back("Set-Cookie", v.cookies.header(checkout_cookie, "", 0));
  with_customer(f, request, v, respond,
                [f, v, respond, ended](flow_self self, user_record user, std::optional<customer_record>) {
                  self->request(f->b->identity, patience(self), due(self), atoms::logout_atom_v, user.id, std::string{})
                    .then([respond, ended](caf::ok_atom) { respond(ended); }, fail_page(f, v, respond, "/account"));
                });
}

}  // namespace boutique::net::pages
