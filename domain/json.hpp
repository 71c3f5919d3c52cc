#pragma once

// The JSON of every described record (domain/schema.hpp), with nlohmann::json, the project's one JSON library:
// an object with one key per member, in declaration order; an empty optional is null; reading ignores unknown
// keys and keeps a member's default when its key is missing or null.

#include "domain/schema.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace nlohmann {

template <class T>
struct adl_serializer<T, std::enable_if_t<boutique::domain::described<T>>> {
  template <class V>
  static void put(json& j, const char* name, const V& value) {
    if constexpr (requires { value.has_value(); *value; }) {
      if (value) j[name] = *value;
      else j[name] = nullptr;
    } else {
      j[name] = value;
    }
  }
  template <class V>
  static void take(const json& value, V& into) {
    if constexpr (requires { into.has_value(); into.emplace(); }) into.emplace(value.get<typename V::value_type>());
    else value.get_to(into);
  }
  static void to_json(json& j, const T& record) {
    j = json::object();
    boutique::domain::for_each_field(record, [&](const char* name, const auto& value) { put(j, name, value); });
  }
  static void from_json(const json& j, T& record) {
    boutique::domain::for_each_field(record, [&](const char* name, auto& value) {
      if (auto it = j.find(name); it != j.end() && !it->is_null()) take(*it, value);
    });
  }
};

}  // namespace nlohmann
