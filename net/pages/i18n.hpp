#pragma once

// The words of the browser front in English and French, kept in web/texts.json beside the templates. Templates
// read them as {{t.key}}.

#include "domain/messages.hpp"
#include "net/pages/kit.hpp"

#include <kainjow/mustache.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace boutique::net::pages {

/// Reads `web_dir`/texts.json; throws std::runtime_error when it is missing or malformed (checked at start-up).
void check_texts(const std::filesystem::path& web_dir);

/// Every text of `l`, as the mustache object `t`.
kainjow::mustache::data texts(language l);

/// One text; the key itself when it is unknown (a missing translation shows, it does not break the page).
std::string text(language l, std::string_view key);

/// The name of the country `code` (ISO 3166-1 alpha-2) in `l`; the code itself when unknown.
std::string country_name(language l, const std::string& code);

/// Every country as {code, name, selected}, by name in `l` (accents ignored): the options of the country list.
kainjow::mustache::data country_options(language l, const std::string& selected);

/// A product state (available, running, expiring, expired, pending) as shown to customers.
std::string state_label(const std::string& state, language l);

/// A bill status (PLACED, COMPLETE, ...) as shown to customers ("Paid").
std::string bill_status_label(const std::string& status, language l);

/// A message of the domain (its code, e.g. "required") in `l`; in English when `l` has no text for it.
std::string field_message(const domain::message& m, language l);

}  // namespace boutique::net::pages
