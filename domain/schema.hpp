#pragma once

// One schema per record: a record is described once (BOOST_DESCRIBE_STRUCT beside its definition) and every layer
// derives what it needs from that description: the JSON of the API and of the snapshots (domain/json.hpp), the
// form fields of the pages, the SQL columns and binds. Adding a field to a described record adds it everywhere.

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace boutique::domain {

template <class T>
using described_members = boost::describe::describe_members<std::remove_const_t<T>, boost::describe::mod_public>;

template <class T>
concept described = boost::describe::has_describe_members<std::remove_const_t<T>>::value;

/// Calls `f(name, member)` for every described member of `record`, in declaration order.
template <described T, class F>
void for_each_field(T& record, F&& f) {
  boost::mp11::mp_for_each<described_members<T>>([&](auto m) { f(m.name, record.*m.pointer); });
}

/// The names of T's described members, in declaration order.
template <described T>
const std::vector<std::string>& field_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    boost::mp11::mp_for_each<described_members<T>>([&](auto m) { all.emplace_back(m.name); });
    return all;
  }();
  return names;
}

}  // namespace boutique::domain
