// The responses and view data every page uses.
#include "net/pages/front.hpp"

#include "domain/schema.hpp"

#include <algorithm>

namespace boutique::net::pages {

/// The query `query` without its `lang` parameter, re-encoded.
std::string query_without_lang(const std::string& query) {
  std::string out;
  for (const auto& [key, value] : parse_query(query).value_or(form_values{})) {
    if (key == "lang") continue;
    out += (out.empty() ? "" : "&") + percent_encode(key) + "=" + percent_encode(value);
  }
  return out;
}

/// The page a POST falls back to when it answers with a page (its GET twin), for the language switch.
std::string page_of(const http_request& request) {
  if (request.method == "GET") return request.path;
  static const std::map<std::string, std::string> twins = {
    {"/cart/add", "/cart"},           {"/cart/update", "/cart"}, {"/checkout/login", "/checkout/contact"},
    {"/checkout/order", "/checkout/confirm"}, {"/account/details", "/account"}, {"/logout", "/"}};
  auto twin = twins.find(request.path);
  return twin == twins.end() ? request.path : twin->second;
}

visitor visitor_of(const front& f, const http_request& request, const route_params& p) {
  visitor v;
  v.due = p.due();
  v.cookies = cookie_jar(request.secure);
  v.lang = choose_language(request, v.cookies.value(request, lang_cookie));
  v.binding = v.cookies.value(request, csrf_cookie);
  if (v.binding.size() != 22) {
    v.binding = domain::new_secret_id();
    v.new_binding = true;
  }
  v.csrf = domain::csrf_token(f.b->csrf_secret, v.binding);
  v.page = page_of(request);
  v.query = request.method == "GET" ? query_without_lang(request.query) : "";
  return v;
}

// -- responses -------------------------------------------------------------------------------------------------

/// Pages hold personal data: by default nothing is cached.
void add_security_headers(http_response& response, const char* cache_control) {
  response.headers.emplace_back("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Cache-Control", cache_control);
}

http_response static_file(std::string content_type, std::string body) {
  http_response response;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  add_security_headers(response, "public, max-age=3600");
  return response;
}

/// Renders `tmpl` as a full page; with the page's binding cookie when it is new (the HTTP layer sends every
/// Set-Cookie a response holds).
http_response page(const front& f, const visitor& v, int status, const std::string& tmpl, const std::string& title,
                   data d) {
  auto other = v.lang == language::fr ? language::en : language::fr;
  d.set("t", texts(v.lang));
  d.set("lang", std::string(code_of(v.lang)));
  d.set("csrf", v.csrf);
  d.set("page_title", title);
  // A path of this site only: the path asked for may be "//elsewhere/x" (an unknown page answers it too).
  d.set("switch_href", local_redirect_target(v.page + "?" + (v.query.empty() ? "" : v.query + "&") + "lang=" +
                                             std::string(code_of(other))));
  d.set("switch_lang", std::string(code_of(other)));
  d.set("switch_label", text(v.lang, "switch_label"));
  d.set("test_mode", f.b->test_mode);
  http_response response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = f.site->render(tmpl, std::move(d));
  add_security_headers(response);
  if (v.new_binding) response.headers.emplace_back("Set-Cookie", v.cookies.header(csrf_cookie, v.binding, one_year_s));
  return response;
}

std::string login_page_for(const http_request& request) {
  if (request.method != "GET") return "/login";
  return "/login?next=" + percent_encode(request.target);
}

std::string after_login(const std::string& next) {
  // A path of this site only: "//host" or "/\\host" would leave it, and the login pages would loop.
  if (next.size() < 2 || next.size() > 512 || next.front() != '/' || next[1] == '/' || next[1] == '\\' ||
      next.rfind("/login", 0) == 0)
    return "/account";
  return local_redirect_target(next);
}

/// A 303 to `location`, always a path of this site (local_redirect_target): "//cart" would name a host "cart".
http_response see_other(const std::string& location, std::optional<std::string> cookie) {
  http_response response;
  response.status = 303;
  response.content_type = "text/plain; charset=utf-8";
  response.headers.emplace_back("Location", local_redirect_target(location));
  add_security_headers(response);
  if (cookie) response.headers.emplace_back("Set-Cookie", *cookie);
  return response;
}

http_response message_page(const front& f, const visitor& v, int status, const std::string& title,
                           const std::string& message, const std::string& back_href,
                           const char* back_key) {
  data d;
  d.set("alert", message);
  d.set("back_href", back_href);
  d.set("back_label", text(v.lang, back_key));
  return page(f, v, status, "error", title, std::move(d));
}

std::string problem_text(const caf::error& err, language l) {
  auto detail = error_message(err);
  auto out = detail ? field_message(*detail, l) : error_detail(err);
  auto fields = error_fields(err);
  for (auto it = fields.begin(); it != fields.end(); ++it)
    out += (it == fields.begin() ? ": " : "; ") + field_message(it->second, l);
  return out;
}

/// The page answering an actor's error.
http_response error_page(const front& f, const visitor& v, const caf::error& err, const std::string& back_href) {
  auto status = status_of(domain_code(err));
  switch (status) {
    case 404: return message_page(f, v, 404, text(v.lang, "title_not_found"), text(v.lang, "not_found"), back_href);
    case 409: return message_page(f, v, 409, text(v.lang, "title_error"), text(v.lang, "conflict"), back_href, "back");
    case 422:
    case 400: return message_page(f, v, status, text(v.lang, "title_error"), problem_text(err, v.lang), back_href, "back");
    case 429:
    case 503: {
      auto why = text(v.lang, status == 429 ? "too_many_attempts" : "unavailable");
      auto response = message_page(f, v, status, text(v.lang, "title_error"), why, back_href, "back");
      if (auto wait = error_retry_after(err); wait > 0) response.headers.emplace_back("Retry-After", std::to_string(wait));
      // The checkout lives on another node of the cluster: the front forwards the request there (net/forward.hpp),
      // and this page is shown only when that fails.
      if (domain_code(err) == domain::error_code::moved && !error_detail(err).empty())
        response.headers.emplace_back(std::string(owner_header), error_detail(err));
      return response;
    }
    default: {
      auto response = message_page(f, v, status, text(v.lang, "title_error"), text(v.lang, "failed"), back_href, "back");
      response.log_detail = error_detail(err);  // for the access log only
      return response;
    }
  }
}

// -- view data -------------------------------------------------------------------------------------------------

data list_of() { return data{data::type::list}; }

/// Sets `key` only for a non-empty value: in Mustache an empty string still opens a {{#section}}.
void set_if(data& d, const std::string& key, const std::string& value) {
  if (!value.empty()) d.set(key, value);
}

data contact_data(const domain::contact& c, language l) {
  data d;
  domain::for_each_field(c, [&](const char* name, const std::string& value) { set_if(d, name, value); });
  set_if(d, "country", country_name(l, c.country));
  return d;
}

namespace {

/// How a form asks for a contact field (HTML input type and autocomplete token); other fields: a plain text input.
struct field_input {
  const char* type = "text";
  const char* autocomplete = "on";
};

field_input input_of(std::string_view name) {
  static const std::map<std::string_view, field_input> inputs = {
    {"firstname", {"text", "given-name"}},     {"lastname", {"text", "family-name"}},
    {"email", {"email", "email"}},             {"organisation", {"text", "organization"}},
    {"address", {"text", "street-address"}},   {"zip", {"text", "postal-code"}},
    {"city", {"text", "address-level2"}},      {"country", {"text", "country"}},
    {"invoiceinfo", {"text", "off"}}};
  auto it = inputs.find(name);
  return it == inputs.end() ? field_input{} : it->second;
}

}  // namespace

data field(language l, const std::string& name, const std::string& value, const domain::field_errors& errors,
           const char* type, const char* autocomplete, bool required) {
  data d;
  d.set("name", name);
  d.set("label", text(l, "field_" + name));
  d.set("value", value);
  d.set("type", type);
  d.set("autocomplete", autocomplete);
  d.set("required", required);
  if (auto e = errors.find(name); e != errors.end()) d.set("error", field_message(e->second, l));
  return d;
}

/// The contact form's fields with their values and errors. `account_email` makes the email read-only.
data contact_fields(language l, const domain::contact& c, const domain::field_errors& errors, bool account_email) {
  auto fields = list_of();
  domain::for_each_field(c, [&](const char* name, const std::string& value) {
    const auto& rule = domain::rule_of(name);
    auto input = input_of(name);
    auto d = field(l, name, value, errors, input.type, input.autocomplete, rule.required);
    d.set("multiline", rule.multiline);
    if (std::string_view(name) == "country") {
      d.set("options", country_options(l, value));
      d.set("choose", text(l, "choose_country"));
    }
    if (account_email && std::string_view(name) == "email") {
      d.set("readonly", true);
      d.set("hint", text(l, "email_is_login"));
    }
    fields.push_back(d);
  });
  return fields;
}

domain::contact contact_from(const form_values& form) {
  domain::contact c;
  domain::for_each_field(c, [&](const char* name, std::string& value) {
    if (auto it = form.find(name); it != form.end()) value = it->second;
  });
  return c;
}

std::string value_of(const form_values& form, const std::string& key) {
  auto it = form.find(key);
  return it == form.end() ? std::string() : it->second;
}

data lines_data(language l, const std::vector<domain::bill_line>& lines, const std::string& currency) {
  auto list = list_of();
  for (const auto& line : lines) {
    data d;
    d.set("code", line.code);
    d.set("name", line.name);
    d.set("quantity", std::to_string(line.quantity));
    d.set("unit_price", money(line.unit_price, currency, l));
    d.set("taxes", money(line.taxes, currency, l));
    d.set("total", money(line.total, currency, l));
    list.push_back(d);
  }
  return list;
}

data totals_data(language l, std::int64_t untaxed, std::int64_t taxes, std::int64_t total, const std::string& currency) {
  data d;
  d.set("untaxed", money(untaxed, currency, l));
  d.set("taxes", money(taxes, currency, l));
  d.set("total", money(total, currency, l));
  return d;
}

void set_cart(data& d, language l, const domain::priced_cart& cart) {
  d.set("lines", lines_data(l, cart.lines, cart.currency));
  d.set("totals", totals_data(l, cart.untaxed, cart.taxes, cart.total, cart.currency));
}

/// The checkout steps, `current` being 0 (cart) to 4 (done).
void set_steps(data& d, language l, int current) {
  static const char* keys[] = {"step_cart", "step_details", "step_confirm", "step_pay", "step_done"};
  auto steps = list_of();
  for (int i = 0; i < 5; ++i) {
    data step;
    step.set("label", text(l, keys[i]));
    step.set("class", i < current ? "done" : i == current ? "current" : "todo");
    step.set("current", i == current);
    steps.push_back(step);
  }
  d.set("has_steps", true);
  d.set("steps", steps);
}

data seller_data(const domain::seller& seller) {
  data d;
  d.set("name", seller.name);
  auto lines = list_of();
  for (const auto& line : seller.address) lines.push_back(data("line", line));
  d.set("address", lines);
  set_if(d, "tax_id", seller.tax_id);
  set_if(d, "registration", seller.registration);
  set_if(d, "email", seller.email);
  set_if(d, "legal_notice", seller.legal_notice);
  return d;
}

data invoice_data(language l, const std::string& transid, const std::string& status, std::int64_t at,
                  const domain::contact& contact, const std::vector<domain::bill_line>& lines, std::int64_t untaxed,
                  std::int64_t taxes, std::int64_t total, const std::string& currency) {
  data d;
  d.set("transid", transid);
  d.set("status_label", bill_status_label(status, l));
  d.set("date", date_of(at, l));
  d.set("contact", contact_data(contact, l));
  d.set("lines", lines_data(l, lines, currency));
  d.set("totals", totals_data(l, untaxed, taxes, total, currency));
  return d;
}

}  // namespace boutique::net::pages
