#pragma once

#include "domain/catalog.hpp"

#include <string>

namespace boutique::config {

/// Reads and validates the catalog JSON file; throws config_error naming the file, the item and the problem.
domain::catalog load_catalog(const std::string& path);

}  // namespace boutique::config
