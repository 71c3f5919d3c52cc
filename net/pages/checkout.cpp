// The checkout pages: catalog, cart, contact (with login), confirmation, payment, done.
#include "net/pages/front.hpp"

#include <algorithm>
#include <charconv>

namespace boutique::net::pages {

// -- catalog and cart ------------------------------------------------------------------------------------------

void show_catalog(const front_ptr& f, const http_request&, const route_params&, const visitor& v,
                  const responder& respond) {
  run_flow(f->b->sys, v.due, respond, [f, v, respond](flow_self self) {
    self->request(f->b->readers.next(), patience(self), caf::get_atom_v, atoms::catalog_atom_v)
      .then(
        [f, v, respond](domain::catalog& items) {
          auto list = list_of();
          for (const auto& item : items) {
            data d;
            d.set("code", item.code);
            d.set("name", item.name);
            d.set("price", money(item.price, item.currency, v.lang));
            auto duration = item.duration_days ? text(v.lang, "duration_days") : text(v.lang, "duration_unlimited");
            if (auto at = duration.find("{}"); at != std::string::npos && item.duration_days)
              duration.replace(at, 2, std::to_string(*item.duration_days));
            d.set("duration", duration);
            list.push_back(d);
          }
          data d;
          d.set("items", list);
          d.set("nav_catalog", true);
          respond(page(*f, v, 200, "catalog", text(v.lang, "title_catalog"), std::move(d)));
        },
        fail_page(f, v, respond));
  });
}

/// The cart page of `snap` (none: an empty cart), with `alert` above it when a change was refused, or `notice`.
http_response cart_page(const front& f, const visitor& v, int status, const session_snapshot* snap,
                        const std::string& alert = {}, const std::string& notice = {}) {
  data d;
  d.set("nav_cart", true);
  set_steps(d, v.lang, 0);
  bool empty = !snap || snap->priced.lines.empty() || snap->stage == "completed" || snap->stage == "cancelled";
  d.set("empty", empty);
  if (!empty) set_cart(d, v.lang, snap->priced);
  set_if(d, "alert", alert);
  set_if(d, "notice", notice);
  return page(f, v, status, "cart", text(v.lang, "title_cart"), std::move(d));
}

/// "Added to your cart: [code] name" when the cart holds the product `code` just added (/cart?added=code).
std::string added_notice(const visitor& v, const session_snapshot* snap, const std::string& code) {
  if (!snap || code.empty()) return {};
  for (const auto& line : snap->priced.lines)
    if (line.code == code) return text(v.lang, "added_to_cart") + " [" + line.code + "] " + line.name;
  return {};
}

void show_cart(const front_ptr& f, const http_request& request, const route_params&, const visitor& v,
               const responder& respond) {
  auto query = parse_query(request.query).value_or(form_values{});
  auto added = value_of(query, "added");
  bool cancelled = value_of(query, "cancelled") == "1";  // after /checkout/cancel
  auto render = [f, v, respond, added, cancelled](const session_snapshot* snap) {
    // "Cancelled" only where no order waits (a link to /cart?cancelled=1 cannot make the words up).
    bool shown = cancelled && snap && !snap->transid && !snap->priced.lines.empty();
    auto notice = shown ? text(v.lang, "order_cancelled") : added_notice(v, snap, added);
    respond(cart_page(*f, v, 200, snap, {}, notice));
  };
  with_snapshot(
    f, request, v, respond,
    [respond, render](flow_self, const actors::session_ref&, const session_snapshot& snap) {
      if (snap.stage == "placed") return respond(see_other("/checkout/pay"));
      render(&snap);
    },
    [render](flow_self) { render(nullptr); });
}

/// The requested quantity; -1 (refused by the session's rules) when it is not a number.
std::int32_t quantity_of(const std::string& text) {
  std::int32_t quantity = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), quantity);
  if (ec != std::errc() || end != text.data() + text.size()) return -1;
  return std::clamp<std::int32_t>(quantity, -1, 1000);
}

/// Replaces the cart of `s` and sends the browser to the cart page (with `cookie` when the session is new).
void store_cart(flow_self self, const front_ptr& f, const visitor& v, const responder& respond,
                actors::session_ref s, const cart_request& lines, std::optional<std::string> cookie,
                const std::string& landing) {
  self->request(s.actor, patience(self), s.route.under(due(self)), caf::put_atom_v, atoms::cart_atom_v, lines)
    .then([respond, cookie, landing](session_snapshot&) { respond(see_other(landing, cookie)); },
          [self, f, v, respond, s, cookie, lines](caf::error& err) {
            if (domain_code(err) != domain::error_code::validation) return fail_session(f, v, respond, "/cart")(err);
            // A refused change (e.g. more than 100 of a product) leaves the cart as it was: shown with the reason.
            bool too_many = std::any_of(lines.begin(), lines.end(), [](const auto& l) { return l.quantity > 100; });
            auto why = too_many ? text(v.lang, "cart_quantity_limit") : problem_text(err, v.lang);
            self->request(s.actor, patience(self), s.route.under(due(self)), caf::get_atom_v)
              .then(
                [f, v, respond, why, cookie](session_snapshot& snap) {
                  auto refused = cart_page(*f, v, 422, &snap, why);
                  if (cookie) refused.headers.emplace_back("Set-Cookie", *cookie);
                  respond(std::move(refused));
                },
                fail_page(f, v, respond, "/cart"));
          });
}

/// Creates a checkout session (as POST /api/v1/sessions does) holding `lines`; its id goes to the cookie.
void start_checkout(flow_self self, const front_ptr& f, const visitor& v, const responder& respond,
                    const cart_request& lines, const std::string& landing) {
  self->request(f->b->sessions, patience(self), caf::put_atom_v)
    .then(
      [self, f, v, respond, lines, landing](std::string& sid) {
        self->request(f->b->sessions, patience(self), atoms::resolve_atom_v, sid)
          .then(
            [self, f, v, respond, lines, sid, landing](actors::session_ref& s) {
              store_cart(self, f, v, respond, s, lines, v.cookies.header(checkout_cookie, sid, std::nullopt), landing);
            },
            fail_page(f, v, respond));
      },
      fail_page(f, v, respond));
}

namespace {

/// "Add to cart" (`add`) or a cart's quantities changed.
void change_cart(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                 const responder& respond, bool add) {
  auto code = value_of(form, "code");
  auto quantity = quantity_of(value_of(form, "quantity").empty() ? "1" : value_of(form, "quantity"));
  // After "Add to cart" the cart page says what was added.
  auto landing = add ? "/cart?added=" + percent_encode(code) : std::string("/cart");
  with_snapshot(
    f, request, v, respond,
    [f, v, respond, code, quantity, add, landing](flow_self self, actors::session_ref s, const session_snapshot& snap) {
      // A placed order's cart is closed: the payment page says so, and how to change it (cancel the order).
      if (snap.stage == "placed") return respond(see_other("/checkout/pay?held=1"));
      if (snap.stage == "completed" || snap.stage == "cancelled")
        return start_checkout(self, f, v, respond, domain::change_cart({}, code, quantity, add), landing);
      store_cart(self, f, v, respond, s, domain::change_cart(snap.cart, code, quantity, add), std::nullopt, landing);
    },
    [f, v, respond, code, quantity, add, landing](flow_self self) {
      start_checkout(self, f, v, respond, domain::change_cart({}, code, quantity, add), landing);
    });
}

}  // namespace

void add_to_cart(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                 const responder& respond) {
  change_cart(f, request, v, form, respond, true);
}

void update_cart(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                 const responder& respond) {
  change_cart(f, request, v, form, respond, false);
}

// -- checkout steps --------------------------------------------------------------------------------------------

/// Where a session in `snap`'s stage belongs when it asks for another step; empty when `step` fits.
std::string misplaced(const session_snapshot& snap, const std::string& step) {
  if (snap.stage == "completed") return step == "done" ? "" : "/checkout/done";
  if (snap.stage == "placed") return step == "pay" ? "" : "/checkout/pay";
  if (snap.priced.lines.empty() || snap.stage == "cancelled") return "/cart";
  if (step == "confirm" && !snap.contact_given) return "/checkout/contact";
  if (step == "pay" || step == "done") return "/checkout/confirm";
  return "";
}

struct contact_view {
  domain::contact values;
  domain::field_errors errors;
  bool authenticated = false;
  std::string login;
  std::string login_error;
};

http_response contact_page(const front& f, const visitor& v, int status, const contact_view& view) {
  data d;
  set_steps(d, v.lang, 1);
  d.set("fields", contact_fields(v.lang, view.values, view.errors, false));
  d.set("authenticated", view.authenticated);
  d.set("switch_form", std::string("contact-form"));  // the language switch keeps what was typed
  d.set("login", view.login);
  set_if(d, "login_error", view.login_error);
  if (!view.errors.empty()) d.set("alert", text(v.lang, "form_has_errors"));
  return page(f, v, status, "contact", text(v.lang, "title_contact"), std::move(d));
}

/// One login for the shop: a shopper logged in to the support space (its cookie) reaches the contact step of a
/// session that is not logged in yet; the session is logged in as them and moves to a new id, as at a login with
/// a password. A cookie that no longer holds a login changes nothing.
void adopt_login(flow_self self, const front_ptr& f, const visitor& v, const responder& respond,
                 const actors::session_ref& s, const std::string& token, const session_snapshot& snap) {
  auto as_is = [f, v, respond, snap](caf::error&) {
    respond(contact_page(*f, v, 200, {snap.contact, {}, false, "", ""}));
  };
  self->request(f->b->identity, patience(self), caf::get_atom_v, atoms::auth_atom_v, token)
    .then(
      [self, f, v, respond, s, as_is](user_record& user) {
        self->request(s.actor, patience(self), s.route.under(due(self)), atoms::login_atom_v, user)
          .then(
            [v, respond](session_snapshot& renamed) {
              respond(see_other("/checkout/contact", v.cookies.header(checkout_cookie, renamed.id, std::nullopt)));
            },
            fail_session(f, v, respond, "/checkout/contact"));
      },
      as_is);
}

void show_contact(const front_ptr& f, const http_request& request, const route_params&, const visitor& v,
                  const responder& respond) {
  auto token = v.cookies.value(request, auth_cookie);
  with_snapshot(
    f, request, v, respond,
    [f, v, respond, token](flow_self self, const actors::session_ref& s, const session_snapshot& snap) {
      if (auto elsewhere = misplaced(snap, "contact"); !elsewhere.empty()) return respond(see_other(elsewhere));
      if (!snap.user_id && !token.empty() && token.size() <= 64) return adopt_login(self, f, v, respond, s, token, snap);
      respond(contact_page(*f, v, 200, {snap.contact, {}, snap.user_id.has_value(), "", ""}));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void deposit_contact(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                     const responder& respond) {
  auto typed = contact_from(form);
  if (auto lang = parse_language(value_of(form, "lang"))) {
    // The language switch: the same step in the other language with what was typed, nothing checked or saved.
    auto switched = v;
    switched.lang = *lang;
    return with_snapshot(
      f, request, v, respond,
      [f, switched, respond, typed, request](flow_self, const actors::session_ref&, const session_snapshot& snap) {
        auto response = contact_page(*f, switched, 200, {typed, {}, snap.user_id.has_value(), "", ""});
        response.headers.emplace_back("Set-Cookie",
                                      cookie_jar(request.secure).header(lang_cookie, code_of(switched.lang), one_year_s));
        respond(std::move(response));
      },
      [respond](flow_self) { respond(see_other("/cart")); });
  }
  with_checkout(
    f, request, v, respond,
    [f, v, respond, typed](flow_self self, actors::session_ref s) {
      self->request(s.actor, patience(self), s.route.under(due(self)), caf::put_atom_v, atoms::customer_atom_v, typed)
        .then([respond](session_snapshot&) { respond(see_other("/checkout/confirm")); },
              [self, f, v, respond, typed, s](caf::error& err) {
                if (domain_code(err) != domain::error_code::validation)
                  return fail_session(f, v, respond, "/checkout/contact")(err);
                self->request(s.actor, patience(self), s.route.under(due(self)), caf::get_atom_v)
                  .then(
                    [f, v, respond, typed, errors = error_fields(err)](session_snapshot& snap) {
                      respond(contact_page(*f, v, 422, {typed, errors, snap.user_id.has_value(), "", ""}));
                    },
                    fail_page(f, v, respond));
              });
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void checkout_login(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                    const responder& respond) {
  auto login = value_of(form, "login");
  auto password = value_of(form, "password");
  with_checkout(
    f, request, v, respond,
    [f, v, respond, login, password](flow_self self, actors::session_ref s) {
      self->request(s.actor, patience(self), s.route.under(due(self)), atoms::login_atom_v, login, password)
        .then(
          [self, f, v, respond](session_snapshot& snap) {
            // The session has a new id from now on: the browser gets it, the old one no longer works. The login
            // holds for the support space too (its own cookie).
            auto renamed = see_other("/checkout/contact", v.cookies.header(checkout_cookie, snap.id, std::nullopt));
            self->request(f->b->identity, patience(self), due(self), atoms::auth_atom_v, *snap.user_id,
                          std::optional<language>(v.lang))
              .then(
                [f, v, respond, renamed](std::string& token) mutable {
                  renamed.headers.emplace_back("Set-Cookie", v.cookies.header(auth_cookie, token, f->b->login_ttl_s));
                  respond(std::move(renamed));
                },
                [respond, renamed](caf::error&) { respond(renamed); });
          },
              [self, f, v, respond, login, s](caf::error& err) {
                auto code = domain_code(err);
                if (code != domain::error_code::unauthenticated && code != domain::error_code::throttled)
                  return fail_session(f, v, respond, "/checkout/contact")(err);
                auto why = code == domain::error_code::throttled ? text(v.lang, "too_many_attempts")
                                                                 : text(v.lang, "login_failed");
                self->request(s.actor, patience(self), s.route.under(due(self)), caf::get_atom_v)
                  .then(
                    [f, v, respond, login, why, status = status_of(code), wait = error_retry_after(err)](
                      session_snapshot& snap) {
                      auto response = contact_page(*f, v, status, {snap.contact, {}, false, login, why});
                      if (wait > 0) response.headers.emplace_back("Retry-After", std::to_string(wait));
                      respond(std::move(response));
                    },
                    fail_page(f, v, respond));
              });
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void show_confirm(const front_ptr& f, const http_request& request, const route_params&, const visitor& v,
                  const responder& respond) {
  with_snapshot(
    f, request, v, respond,
    [f, v, respond](flow_self, const actors::session_ref&, const session_snapshot& snap) {
      if (auto elsewhere = misplaced(snap, "confirm"); !elsewhere.empty()) return respond(see_other(elsewhere));
      data d;
      set_steps(d, v.lang, 2);
      set_cart(d, v.lang, snap.priced);
      d.set("contact", contact_data(snap.contact, v.lang));
      respond(page(*f, v, 200, "confirm", text(v.lang, "title_confirm"), std::move(d)));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void place_order(const front_ptr& f, const http_request& request, const visitor& v, const form_values&,
                 const responder& respond) {
  with_checkout(
    f, request, v, respond,
    [f, v, respond](flow_self self, actors::session_ref s) {
      self->request(s.actor, patience(self), s.route.under(due(self)), atoms::order_atom_v, std::string("test"), v.lang)
        .then([respond](session_snapshot&) { respond(see_other("/checkout/pay")); },
              fail_session(f, v, respond, "/checkout/confirm"));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void show_pay(const front_ptr& f, const http_request& request, const route_params&, const visitor& v,
              const responder& respond) {
  // After a cart change refused because the order is placed (/checkout/pay?held=1).
  bool held = value_of(parse_query(request.query).value_or(form_values{}), "held") == "1";
  with_snapshot(
    f, request, v, respond,
    [f, v, respond, held](flow_self, const actors::session_ref&, const session_snapshot& snap) {
      if (auto elsewhere = misplaced(snap, "pay"); !elsewhere.empty()) return respond(see_other(elsewhere));
      data d;
      set_steps(d, v.lang, 3);
      if (held) d.set("alert", text(v.lang, "order_waits_for_payment"));
      d.set("transid", snap.transid.value_or(""));
      d.set("totals", totals_data(v.lang, snap.priced.untaxed, snap.priced.taxes, snap.priced.total, snap.priced.currency));
      respond(page(*f, v, 200, "pay", text(v.lang, "title_pay"), std::move(d)));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void pay(const front_ptr& f, const http_request& request, const visitor& v, const form_values&,
         const responder& respond) {
  with_checkout(
    f, request, v, respond,
    [f, v, respond](flow_self self, actors::session_ref s) {
      self->request(s.actor, patience(self), s.route.under(due(self)), atoms::pay_atom_v)
        .then([respond](payment_outcome&) { respond(see_other("/checkout/done")); },
              fail_session(f, v, respond, "/checkout/pay"));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

/// Cancels the placed order, not paid yet: back to the cart, as it was, to change it and order again.
/// The form names the order its page showed: a stale page (another tab cancelled it and placed another) cancels
/// nothing.
void cancel_order(const front_ptr& f, const http_request& request, const visitor& v, const form_values& form,
                  const responder& respond) {
  auto transid = value_of(form, "transid");
  if (transid.empty()) return respond(see_other("/checkout/pay"));
  with_checkout(
    f, request, v, respond,
    [f, v, respond, transid](flow_self self, actors::session_ref s) {
      self->request(s.actor, patience(self), s.route.under(due(self)), atoms::cancel_atom_v, transid,
                    domain::canceller::customer)
        .then([respond](bill_change&) { respond(see_other("/cart?cancelled=1")); },
              fail_session(f, v, respond, "/checkout/pay"));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

void show_done(const front_ptr& f, const http_request& request, const route_params&, const visitor& v,
               const responder& respond) {
  with_snapshot(
    f, request, v, respond,
    [f, v, respond](flow_self, const actors::session_ref&, const session_snapshot& snap) {
      if (auto elsewhere = misplaced(snap, "done"); !elsewhere.empty()) return respond(see_other(elsewhere));
      const auto& cart = snap.priced;
      data d;
      set_steps(d, v.lang, 4);
      auto invoice = invoice_data(v.lang, snap.transid.value_or(""), snap.bill_status.value_or(""), snap.updated_at,
                                  snap.contact, cart.lines, cart.untaxed, cart.taxes, cart.total, cart.currency);
      invoice.set("heading", true);  // the invoice page has it as its title
      invoice.set("seller", seller_data(f->b->seller));
      d.set("invoice", invoice);
      respond(page(*f, v, 200, "done", text(v.lang, "title_done"), std::move(d)));
    },
    [respond](flow_self) { respond(see_other("/cart")); });
}

}  // namespace boutique::net::pages
