#pragma once

// How a message prints in logs and admin views: `caf::to_string(message)` (CAF's deep_to_string) finds the
// `to_string` below for every payload, which prints a record by its one description (domain/schema.hpp) as
// `name{member=value, ...}`. What must never be written down is decided here, by member name, for the whole service:
// secrets that identify (session ids) print as their log_id, secrets and whole documents (passwords, hashes, mail
// bodies, snapshots) print only their size, personal data (names, emails, addresses) prints as `<personal>`.

#include "domain/catalog.hpp"
#include "domain/deadline.hpp"
#include "domain/schema.hpp"

#include <caf/fwd.hpp>

#include <boost/core/type_name.hpp>
#include <boost/describe/enum_to_string.hpp>
#include <boost/describe/enumerators.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace boutique {
template <class Key>
struct route;  // actors/messages.hpp
}  // namespace boutique

namespace boutique::printing {

enum class exposure {
  shown,     ///< the value, made safe for one log line
  digest,    ///< a secret that identifies (a session id): `~` and its log_id
  withheld,  ///< a secret or a whole document: `<N bytes>`
  personal,  ///< personal data: `<personal>` (or `""` when empty)
};

/// How a member called `name` prints (one table for every record).
exposure exposure_of(std::string_view name);

/// `text` as `how` says.
void append_text(std::string& out, std::string_view text, exposure how);

/// A whole message as logs show it: atoms, numbers, deadlines and routes as they are, every record by its
/// description (below), and every bare string only by its size: a string argument may be a session id, a token,
/// a password hash or a snapshot (deny by default; a record's members are named, a bare string is not).
std::string print_message(const caf::message& msg);

/// The message `self` is handling, printed (print_message), for a debug line; "" when it handles none.
std::string current_message(caf::local_actor* self);

/// "bill_draft" of "boutique::bill_draft".
std::string_view short_name(std::string_view qualified);

/// `d` as the time left ("5000ms") or "none".
void append_deadline(std::string& out, const deadline& d);

template <class T>
void append(std::string& out, const T& value, exposure how = exposure::shown);

template <class T>
void append_range(std::string& out, const T& values, exposure how) {
  out += '[';
  bool first = true;
  for (const auto& v : values) {
    if (!first) out += ", ";
    first = false;
    append(out, v, how);
  }
  out += ']';
}

template <class T>
void append(std::string& out, const T& value, exposure how) {
  using V = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<V, bool>) {
    out += value ? "true" : "false";
  } else if constexpr (std::is_convertible_v<const V&, std::string_view>) {
    append_text(out, value, how);
  } else if constexpr (std::is_arithmetic_v<V>) {
    if (how == exposure::shown || how == exposure::digest) out += std::to_string(value);
    else out += "<withheld>";
  } else if constexpr (std::is_enum_v<V>) {
    if constexpr (requires { to_string(value); }) out += std::string(to_string(value));
    else if constexpr (boost::describe::has_describe_enumerators<V>::value)
      out += boost::describe::enum_to_string(value, "?");
    else out += std::to_string(static_cast<std::underlying_type_t<V>>(value));
  } else if constexpr (std::is_same_v<V, deadline>) {
    append_deadline(out, value);
  } else if constexpr (requires { value.has_value(); *value; }) {
    if (value) append(out, *value, how);
    else out += "none";
  } else if constexpr (requires { value.first; value.second; }) {
    out += '(';
    append(out, value.first, how);
    out += ", ";
    append(out, value.second, how);
    out += ')';
  } else if constexpr (requires { value.key; value.generation; value.due; }) {  // a route
    out += "route{key=";
    append(out, value.key, exposure::digest);
    out += ", generation=" + std::to_string(value.generation) + '}';
  } else if constexpr (domain::described<V>) {
    out += short_name(boost::core::type_name<V>());
    out += '{';
    bool first = true;
    domain::for_each_field(value, [&](const char* name, const auto& member) {
      if (!first) out += ", ";
      first = false;
      out.append(name).append("=");
      append(out, member, how == exposure::shown ? exposure_of(name) : how);
    });
    out += '}';
  } else if constexpr (requires { value.begin(); value.end(); }) {
    append_range(out, value, how);
  } else {
    static_assert(sizeof(V) == 0, "describe this record (BOOST_DESCRIBE_STRUCT) to print it");
  }
}

}  // namespace boutique::printing

namespace boutique {

/// Every described record, printed (CAF's deep_to_string finds these by argument-dependent lookup).
template <domain::described T>
std::string to_string(const T& record) {
  std::string out;
  printing::append(out, record);
  return out;
}

/// A route, an optional record, a deadline: the same printing.
template <class Key>
std::string to_string(const route<Key>& r) {
  std::string out;
  printing::append(out, r);
  return out;
}

template <class T>
  requires domain::described<T>
std::string to_string(const std::optional<T>& x) {
  std::string out;
  printing::append(out, x);
  return out;
}

std::string to_string(const deadline& d);

namespace domain {
using boutique::to_string;  // the records of domain/ print the same way
std::string to_string(const catalog_item& item);  // its code (its JSON is the API's, not a description)
}  // namespace domain

}  // namespace boutique
