#include "net/json_codec.hpp"

#include <nlohmann/json.hpp>

namespace boutique::domain {

void to_json(nlohmann::json& j, const catalog_item& item) {
  j = {{"code", item.code},
       {"name", item.name},
       {"price", item.price},
       {"currency", item.currency},
       {"tax_rate_bp", item.tax_rate_bp},
       {"duration_days", item.duration_days ? nlohmann::json(*item.duration_days) : nlohmann::json(nullptr)},
       {"renewable", item.renewable}};
}

}  // namespace boutique::domain
