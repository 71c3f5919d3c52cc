#pragma once

// The two languages of the shop, and amounts as people of each read them: shared by the pages (net/pages) and the
// mails (domain/mail_body.hpp), which speak to the customer in the language of their checkout or account.

#include <boost/describe/enum.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boutique::domain {

enum class language { en, fr };
BOOST_DESCRIBE_ENUM(language, en, fr)

/// "en" or "fr".
std::string_view code_of(language l);

/// "en" / "fr" (case-insensitive) -> the language; nullopt for anything else.
std::optional<language> parse_language(std::string_view text);

/// A stored language code as a language; English for anything else (a row written before languages were kept).
language language_or_english(std::string_view code);

/// `minor` units of `currency` as people read them: "€120.00" in English, "120,00 €" in French.
std::string money(std::int64_t minor, const std::string& currency, language l);

/// A UTC date as people read it: "29 Nov 2026" in English, "29 nov. 2026" in French (pages and mails).
std::string date_of(std::int64_t unix_seconds, language l);

}  // namespace boutique::domain
