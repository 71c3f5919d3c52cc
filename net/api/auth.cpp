// Authentication: login, logout, password set by a single-use link.
#include "net/api/kit.hpp"

#include "domain/tokens.hpp"
#include "net/attempts.hpp"
#include "net/email_change.hpp"
#include "net/password_reset.hpp"

namespace boutique::net::api {

namespace {

/// 204, and the login cookie cleared.
http_response logged_out(const http_request& request) {
  http_response response;
  response.status = 204;
  response.headers.emplace_back("Set-Cookie", pages::cookie_jar(request.secure).header(auth_cookie, "", 0));
  return response;
}

}  // namespace

void auth_login(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"login", "password"});
  auto login = string_field(body, "login");
  auto password = string_field(body, "password");
  if (body.error) return respond(*body.error);
  auto cookies = pages::cookie_jar(request.secure);
  auto lang = pages::stated_language(request, "");
  run(b, p.due(), respond, [b, respond, login, password, cookies, lang](self_ptr self) {
    self->request(b->identity, patience(self), due(self), atoms::login_atom_v, login, password)
      .then(
        [self, b, respond, cookies, lang](user_record& user) {
          self->request(b->identity, patience(self), due(self), atoms::auth_atom_v, user.id, lang)
            .then(
              [b, respond, user, cookies](std::string& token) {
                auto response = ok_json(200, {{"user", user_json(user)}});
                response.headers.emplace_back("Set-Cookie", cookies.header(auth_cookie, token, b->login_ttl_s));
                respond(std::move(response));
              },
              fail_with(respond));
        },
        fail_with(respond));
  });
}

void auth_logout(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto token = pages::cookie_jar(request.secure).value(request, auth_cookie);
  auto cleared = [respond, response = logged_out(request)] { respond(response); };
  if (token.empty()) return cleared();
  run(b, p.due(), respond, [b, token, cleared, respond](self_ptr self) {
    self->request(b->identity, patience(self), due(self), atoms::logout_atom_v, token)
      .then([cleared](caf::ok_atom) { cleared(); }, fail_with(respond));
  });
}

void logout_everywhere(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto cleared = [respond, response = logged_out(request)] { respond(response); };
  with_user(b, request, p, respond, [b, respond, cleared](self_ptr self, user_record user) {
    self->request(b->identity, patience(self), due(self), atoms::logout_atom_v, user.id, std::string{})
      .then([cleared](caf::ok_atom) { cleared(); }, fail_with(respond));
  });
}

void confirm_email(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"token"});
  auto token = string_field(body, "token");
  if (body.error) return respond(*body.error);
  if (token.empty() || token.size() > 64)
    return respond(problem(404, "Not Found", "this email link is unknown, used or expired"));
  run(b, p.due(), respond, [b, respond, token](self_ptr self) {
    confirm_email_change(
      self, b, token,
      [respond](const user_record& user) {
        respond(ok_json(200, {{"status", "email changed"}, {"user", user_json(user)}}));
      },
      fail_with(respond));
  });
}

void set_password(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"token", "password"});
  auto token = string_field(body, "token");
  auto password = string_field(body, "password");
  if (body.error) return respond(*body.error);
  if (token.empty() || token.size() > 64) return respond(problem(404, "Not Found", "this password link is unknown, used or expired"));
  run(b, p.due(), respond, [b, respond, token, password](self_ptr self) {
    self->request(b->identity, patience(self), due(self), atoms::password_atom_v, token, password)
      .then([respond](caf::ok_atom) { respond(ok_json(200, {{"status", "password set"}})); }, fail_with(respond));
  });
}

void forgot_password(const backend_ptr& b, http_request& request, const route_params& p, const responder& respond) {
  auto body = parse_body(request, {"login"});
  auto login = string_field(body, "login");
  if (body.error) return respond(*body.error);
  if (login.empty() || login.size() > 254)
    return respond(problem(422, "Unprocessable Content", "'login' must be 1 to 254 characters",
                           {{"login", "1 to 254 characters"}}));
  // Decided after the answer: the answer and its time are the same whether or not the account exists.
  respond(ok_json(202, {{"status", "sent"}}));
  send_password_link(b, p.due(), login);
}

route_handler limited_by_address(const backend_ptr& b, route_handler handler) {
  return [b, handler = std::move(handler)](http_request& request, const route_params& p, responder respond) {
    auto address = request.remote_address;
    as_attempt(b, p.due(), std::move(address), respond, problem_from,
               [request, p, handler](responder settle) mutable { handler(request, p, settle); });
  };
}

}  // namespace boutique::net::api
