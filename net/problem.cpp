#include "net/problem.hpp"

#include <nlohmann/json.hpp>

namespace boutique::net {

namespace {

const char* title_of(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

}  // namespace

http_response problem(int status, std::string title, std::string detail,
                      const std::map<std::string, std::string>& field_errors) {
  nlohmann::json body = {{"type", "about:blank"}, {"title", std::move(title)}, {"status", status},
                         {"detail", std::move(detail)}};
  if (!field_errors.empty()) body["errors"] = field_errors;
  http_response response;
  response.status = status;
  response.content_type = "application/problem+json";
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

int status_of(domain::error_code code) {
  using domain::error_code;
  switch (code) {
    case error_code::none: return 200;
    case error_code::malformed: return 400;
    case error_code::unauthenticated: return 401;
    case error_code::forbidden: return 403;
    case error_code::not_found: return 404;
    case error_code::conflict: return 409;
    case error_code::validation: return 422;
    case error_code::throttled: return 429;
    case error_code::overloaded: return 503;
    case error_code::storage_failure: return 503;
    case error_code::moved: return 503;
    case error_code::internal: return 500;
  }
  return 500;
}

http_response problem_for(domain::error_code code, std::string detail,
                          const std::map<std::string, std::string>& field_errors) {
  auto status = status_of(code);
  if (code == domain::error_code::storage_failure) {  // the detail is SQLite's own message: for the log only
    auto response = problem(status, title_of(status), "the database is unavailable, try again later");
    response.log_detail = std::move(detail);
    return response;
  }
  if (code == domain::error_code::moved) {  // the detail is the owner node's address: for the cluster front only
    auto response = problem(status, title_of(status), "this checkout is served by another node; retry");
    response.headers.emplace_back("Retry-After", "1");
    if (!detail.empty()) response.headers.emplace_back(std::string(owner_header), std::move(detail));
    return response;
  }
  return problem(status, title_of(status), std::move(detail), field_errors);
}

std::map<std::string, std::string> in_english(const domain::field_errors& field_errors) {
  std::map<std::string, std::string> english;
  for (const auto& [field, message] : field_errors) english.emplace(field, domain::english(message));
  return english;
}

responder hiding_internal_errors(std::string request_id, responder respond) {
  return [request_id = std::move(request_id), respond = std::move(respond)](http_response response) {
    if (response.status == 500 && response.content_type == "application/problem+json") {
      auto original = nlohmann::json::parse(response.body, nullptr, false);
      if (response.log_detail.empty() && original.is_object() && original.contains("detail"))
        response.log_detail = original["detail"].is_string() ? original["detail"].get<std::string>() : "";
      nlohmann::json body = {{"type", "about:blank"},
                             {"title", title_of(500)},
                             {"status", 500},
                             {"detail", "internal error (request id " + request_id + ")"},
                             {"request_id", request_id}};
      response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    respond(std::move(response));
  };
}

http_response json_response(int status, std::string body) {
  http_response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace boutique::net
