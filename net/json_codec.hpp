#pragma once

#include "domain/catalog.hpp"

#include <nlohmann/json_fwd.hpp>

namespace boutique::domain {

void to_json(nlohmann::json& j, const catalog_item& item);

}  // namespace boutique::domain
