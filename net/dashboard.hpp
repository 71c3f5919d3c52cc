#pragma once

// The admins' dashboard on the management listener (API.md, "Additions"; docs/API-NOTES.md, "Admin dashboard"):
// a page that takes the admin token once and keeps a signed pass in an HttpOnly, SameSite=Strict cookie, and the
// script and style sheet it loads from web/admin/.

#include "net/backend.hpp"
#include "net/http_types.hpp"
#include "net/router.hpp"

#include <memory>

namespace boutique::net {

/// Whether `request` carries an unexpired dashboard pass made under the current admin token. The management
/// routes accept it in place of the bearer token for reading (GET) only.
bool has_dashboard_pass(const backend& b, const http_request& request);

/// Registers GET and POST /admin/dashboard, POST /admin/dashboard/logout and the page's two files.
/// Throws std::runtime_error when web/admin/ is incomplete.
void add_dashboard_routes(router& r, std::shared_ptr<backend> b);

}  // namespace boutique::net
