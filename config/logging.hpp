#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace boutique::config {

/// The named logger of one module ("http", "storage", "actors", ...). All loggers write one line per event
/// to standard output through one shared sink, so lines never interleave.
std::shared_ptr<spdlog::logger> logger(const std::string& name);

/// Sets the level of every logger, present and future. Returns false for an unknown level name.
bool set_log_level(const std::string& level);

}  // namespace boutique::config
