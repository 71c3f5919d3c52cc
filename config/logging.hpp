#pragma once

#include <spdlog/logger.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace boutique::config {

/// The named logger of one module ("http", "storage", "actors", ...). All loggers write one line per event
/// to standard output through one shared sink, so lines never interleave.
std::shared_ptr<spdlog::logger> logger(const std::string& name);

/// Text a client sent, made safe for one log line: printable ASCII and valid UTF-8 stay; control characters,
/// C1 controls, quotes, backslashes and bytes of invalid UTF-8 become `\xNN`. Beyond `max_bytes` of input the
/// rest is cut and `...` marks the cut.
std::string log_text(std::string_view client_text, std::size_t max_bytes = 512);

/// A short digest of a secret (session id, token) that an operator can correlate without holding the secret:
/// the first 8 hex digits of its SHA-256 (`printf %s ID | sha256sum | cut -c1-8`).
std::string log_id(std::string_view secret);

/// A request path for the access log: every segment shaped like a secret id (16 or more of [A-Za-z0-9_-])
/// becomes `~` and its log_id, then the whole goes through log_text.
std::string log_path(std::string_view path);

/// Writes every event, from now on, as text (`time level logger key=value ...`) or as one JSON object per line
/// (`{"time","level","logger", key: value, ...}`; a line that is not all key=value keeps its text in "msg").
/// Returns false for another format name.
bool set_log_format(const std::string& format);

/// The JSON object of one event's text (what set_log_format("json") writes, without time, level and logger).
std::string event_json(std::string_view text);

/// Sets the level of every logger, present and future. Returns false for an unknown level name.
bool set_log_level(const std::string& level);

}  // namespace boutique::config
