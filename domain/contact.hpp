#pragma once

#include "domain/messages.hpp"

#include <boost/describe/class.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace boutique::domain {

/// The customer-information form: what a shopper deposits at the contact step.
struct contact {
  std::string firstname;
  std::string lastname;
  std::string email;
  std::string organisation;
  std::string address;
  std::string zip;
  std::string city;
  std::string country;  ///< ISO 3166-1 alpha-2, upper case
  std::string invoiceinfo;

  friend bool operator==(const contact&, const contact&) = default;
};
// The one list of the contact's fields (domain/schema.hpp): the API and snapshot JSON, the forms, the SQL columns
// and the validation all follow it.
BOOST_DESCRIBE_STRUCT(contact, (), (firstname, lastname, email, organisation, address, zip, city, country, invoiceinfo))

/// How a contact field is checked: a field not named in contact.cpp's table takes these defaults.
struct field_rule {
  std::size_t max_bytes = 200;
  bool required = false;
  bool multiline = false;  ///< newlines and tabs allowed
};
/// The rule of contact field `name`.
const field_rule& rule_of(std::string_view name);

/// Field name -> message, for every invalid field (empty when the contact is valid).

/// The email as compared: trimmed and lower-cased (ASCII).
std::string normalize_email(const std::string& email);

/// Trims every field, upper-cases the country code; the form as it will be stored.
contact tidy(contact c);

/// Validates a tidied contact: required firstname, lastname, email, country; a plausible email; a known
/// ISO 3166-1 alpha-2 country; length limits; valid UTF-8 without control characters.
field_errors validate(const contact& c);

/// A user's edit of their attached customer account: the email stays the account's; the rest is tidied and
/// validated like a deposit.
struct account_edit {
  contact details;
  field_errors errors;
};
account_edit edit_of_account(contact submitted, const std::string& account_email);

/// True for a well-formed email address (one '@', non-empty local part, a dotted domain, no spaces).
bool is_valid_email(const std::string& email);

/// What is wrong with `email` as the new address of an account whose address is now `current_norm` (normalised):
/// missing, not an address, or the same address.
std::optional<message> new_email_problem(const std::string& email, const std::string& current_norm);

/// True for an assigned ISO 3166-1 alpha-2 code.
bool is_country_code(const std::string& code);
/// How many codes is_country_code accepts (every ISO 3166-1 alpha-2 code).
std::size_t country_code_count();

/// True when `text` is valid UTF-8 and contains no control characters (tab and newline allowed when `multiline`),
/// layout controls included (is_layout_control).
bool is_clean_text(const std::string& text, bool multiline = false);

/// Bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069) and the line and paragraph
/// separators (U+2028, U+2029): text holding one is shown in another order, or on more lines, than it reads when
/// stored (a name on an invoice, a city in a PDF, a path in a log line).
bool is_layout_control(std::uint32_t code_point);

}  // namespace boutique::domain
