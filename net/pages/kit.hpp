#pragma once

// Small, framework-free helpers of the browser front: language choice, cookies, number and date display.

#include "net/http_types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boutique::net::pages {

enum class language { en, fr };

/// "en" or "fr".
std::string_view code_of(language l);

/// "en" / "fr" (case-insensitive) -> the language; nullopt for anything else.
std::optional<language> parse_language(std::string_view text);

/// The page language: the `boutique_lang` cookie when set, else the best of Accept-Language, else English.
language choose_language(const http_request& request);

/// The value of cookie `name`, or an empty string.
std::string cookie_value(const http_request& request, std::string_view name);

/// A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/. Max-Age 0 deletes the cookie; without one the cookie
/// lasts as long as the browser session.
std::string cookie_header(std::string_view name, std::string_view value, std::optional<std::int64_t> max_age);

/// `minor` units of `currency` as people read them: "€120.00" in English, "120,00 €" in French.
std::string money(std::int64_t minor, const std::string& currency, language l);

/// A UTC date, "2026-11-29".
std::string date_of(std::int64_t unix_seconds);

/// Percent-encodes a query component.
std::string percent_encode(std::string_view text);

}  // namespace boutique::net::pages
