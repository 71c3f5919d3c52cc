#pragma once

#include "domain/contact.hpp"
#include "domain/records.hpp"

#include <string>

namespace boutique::actors {

/// The contact as JSON (the form a bill keeps it in).
std::string contact_json(const domain::contact& c);

// to_json and session_from_json, the session's persisted form, are declared in actors/session.hpp.

}  // namespace boutique::actors
