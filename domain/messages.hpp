#pragma once

// What the domain says to a person about their input, as a code and at most one number. The API shows its English
// text (english()); the pages show it in the visitor's language, looked up by its code in web/texts.json.

#include <boost/describe/class.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace boutique::domain {

struct message {
  std::string code;  ///< one of message_codes()
  std::int64_t n = 0;  ///< the number some messages carry ("must be at most {n} bytes")
  friend bool operator==(const message&, const message&) = default;
};
BOOST_DESCRIBE_STRUCT(message, (), (code, n))

/// Messages by field ("email" -> {"bad_email"}).
using field_errors = std::map<std::string, message>;

/// `m` in English, its number in place of "{n}"; an unknown code is shown as it is.
std::string english(const message& m);

/// `m`'s text `pattern` (in any language) with its number in place of "{n}".
std::string with_number(std::string pattern, const message& m);

/// Every code the domain uses (the pages check at start-up that each has its translations).
std::vector<std::string_view> message_codes();

}  // namespace boutique::domain
