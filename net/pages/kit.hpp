#pragma once

// Small, framework-free helpers of the browser front: language choice, cookies, number and date display.

#include "domain/language.hpp"
#include "net/http_types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boutique::net::pages {

using domain::code_of;
using domain::date_of;
using domain::language;
using domain::money;
using domain::parse_language;

/// The page language: `chosen` (the language cookie) when it names one, else the best of Accept-Language, else
/// English.
language choose_language(const http_request& request, std::string_view chosen);

/// The language `request` states: as choose_language, but none when neither `chosen` names a language nor the
/// request has an Accept-Language header (an API client that says nothing leaves a user's language as it was).
std::optional<language> stated_language(const http_request& request, std::string_view chosen);

/// The value of cookie `name`, or an empty string.
std::string cookie_value(const http_request& request, std::string_view name);

/// A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/, and Secure when `secure`. Max-Age 0 deletes the cookie;
/// without one the cookie lasts as long as the browser session.
std::string cookie_header(std::string_view name, std::string_view value, std::optional<std::int64_t> max_age,
                          bool secure = false);

/// The service's cookies by base name ("boutique_auth"). When the shop is served over HTTPS (`secure`), names take
/// the `__Host-` prefix and cookies are Secure: a browser then accepts them only from this very origin over HTTPS,
/// so a sibling subdomain or a plain-HTTP port of the same host can neither set nor overwrite them.
class cookie_jar {
 public:
  explicit cookie_jar(bool secure) : secure_(secure) {}
  std::string name(std::string_view base) const { return (secure_ ? "__Host-" : "") + std::string(base); }
  std::string value(const http_request& request, std::string_view base) const {
    return cookie_value(request, name(base));
  }
  std::string header(std::string_view base, std::string_view value, std::optional<std::int64_t> max_age) const {
    return cookie_header(name(base), value, max_age, secure_);
  }

 private:
  bool secure_;
};

/// Percent-encodes a query component.
std::string percent_encode(std::string_view text);

}  // namespace boutique::net::pages
