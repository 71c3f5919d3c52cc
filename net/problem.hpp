#pragma once

#include "domain/contact.hpp"
#include "domain/errors.hpp"
#include "net/http_types.hpp"

#include <map>
#include <string>

namespace boutique::net {

/// The header a response names the node owning the request's actor with (error_code::moved): the cluster front
/// (net/forward.hpp) forwards the request there, and never lets the header reach a client.
inline constexpr std::string_view owner_header = "X-Boutique-Owner";

/// An RFC 9457 problem+json response. `field_errors` go to the "errors" member (field -> message).
http_response problem(int status, std::string title, std::string detail,
                      const std::map<std::string, std::string>& field_errors = {});

/// The HTTP status answering a domain error.
int status_of(domain::error_code code);

/// The problem response for a domain error with its detail.
http_response problem_for(domain::error_code code, std::string detail,
                          const std::map<std::string, std::string>& field_errors = {});

/// The domain's messages by field, in English (the API's language).
std::map<std::string, std::string> in_english(const domain::field_errors& field_errors);

/// Wraps `respond` so that a 500 shows no internals: a problem body becomes "internal error" with the request id,
/// and its original detail moves to `log_detail`, which only the access log prints.
responder hiding_internal_errors(std::string request_id, responder respond);

/// A JSON response with `status` and an already serialised body.
http_response json_response(int status, std::string body);

}  // namespace boutique::net
