#include "config/logging.hpp"

#include "domain/clock.hpp"
#include "domain/contact.hpp"
#include "domain/tokens.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <mutex>

namespace boutique::config {

namespace {

std::mutex creation_mutex;
std::atomic<bool> json_lines{false};
constexpr const char* text_pattern = "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %n %v";

/// The key=value pairs of an event's text into `out` (values in quotes may hold spaces; log_text() escapes any
/// quote inside them). An unquoted number becomes a JSON number, except under a key ending in "id" (ids stay
/// text whatever they look like). A key `out` already holds (time, level, logger) gets a trailing '_' instead of
/// replacing it. False when some part is not key=value.
bool parse_fields(std::string_view text, nlohmann::ordered_json& out) {
  while (!text.empty()) {
    if (text.front() == ' ') {
      text.remove_prefix(1);
      continue;
    }
    auto eq = text.find('=');
    auto space = text.find(' ');
    if (eq == std::string_view::npos || eq == 0 || (space != std::string_view::npos && space < eq)) return false;
    auto key = std::string(text.substr(0, eq));
    while (out.contains(key)) key += '_';
    text.remove_prefix(eq + 1);
    std::string_view value;
    bool quoted = !text.empty() && text.front() == '"';
    if (quoted) {
      auto close = text.find('"', 1);
      if (close == std::string_view::npos) return false;
      value = text.substr(1, close - 1);
      text.remove_prefix(close + 1);
    } else {
      value = text.substr(0, text.find(' '));
      text.remove_prefix(value.size());
    }
    bool id = key.size() >= 2 && key.compare(key.size() - 2, 2, "id") == 0;
    std::int64_t integer = 0;
    double decimal = 0;
    auto whole = [&](auto result) { return result.ec == std::errc() && result.ptr == value.data() + value.size(); };
    if (quoted || id || value.empty()) out[key] = std::string(value);
    else if (whole(std::from_chars(value.data(), value.data() + value.size(), integer))) out[key] = integer;
    else if (whole(std::from_chars(value.data(), value.data() + value.size(), decimal))) out[key] = decimal;
    else out[key] = std::string(value);
  }
  return true;
}

/// One JSON object per event: time, level, logger, then the event's own fields.
class json_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
    auto time = domain::utc_text(ms / 1000, "%Y-%m-%dT%H:%M:%S") + millis;
    nlohmann::ordered_json line = {{"time", time},
                           {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                                 spdlog::level::to_string_view(msg.level).size())},
                           {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())}};
    std::string_view text(msg.payload.data(), msg.payload.size());
    if (!parse_fields(text, line)) line["msg"] = std::string(text);
    auto out = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    out += '\n';
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<json_formatter>(); }
};

void apply_format(spdlog::logger& l) {
  if (json_lines) l.set_formatter(std::make_unique<json_formatter>());
  else l.set_pattern(text_pattern, spdlog::pattern_time_type::utc);
}

spdlog::sink_ptr shared_sink() {
  static auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  return sink;
}

void append_hex_byte(std::string& out, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  out += "\\x";
  out += hex[c >> 4];
  out += hex[c & 15];
}

/// The length of the valid UTF-8 sequence starting `text` (1 to 4), or 0 when it is not one. Overlong forms,
/// surrogates and code points beyond U+10FFFF are invalid.
std::size_t utf8_length(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  auto c = byte(0);
  std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || text.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i)
    if ((byte(i) & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && byte(1) < 0xA0) return 0;  // overlong
  if (c == 0xED && byte(1) >= 0xA0) return 0;  // surrogate
  if (c == 0xF0 && byte(1) < 0x90) return 0;  // overlong
  if (c == 0xF4 && byte(1) >= 0x90) return 0;  // beyond U+10FFFF
  return n;
}

bool id_shaped(std::string_view segment) {
  if (segment.size() < 16) return false;
  for (unsigned char c : segment)
    if (!std::isalnum(c) && c != '-' && c != '_') return false;
  return true;
}

}  // namespace

std::string log_text(std::string_view client_text, std::size_t max_bytes) {
  auto text = client_text.substr(0, max_bytes);
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    auto c = static_cast<unsigned char>(text.front());
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') append_hex_byte(out, c);
      else out += static_cast<char>(c);
      text.remove_prefix(1);
      continue;
    }
    auto n = utf8_length(text);
    bool c1_control = n == 2 && c == 0xC2 && static_cast<unsigned char>(text[1]) < 0xA0;
    bool layout = n == 3 && domain::is_layout_control(((c & 0x0Fu) << 12) |
                                                      ((static_cast<unsigned char>(text[1]) & 0x3Fu) << 6) |
                                                      (static_cast<unsigned char>(text[2]) & 0x3Fu));
    if (n == 0 || c1_control || layout) {
      for (std::size_t i = 0; i < std::max<std::size_t>(n, 1); ++i) append_hex_byte(out, static_cast<unsigned char>(text[i]));
      text.remove_prefix(std::max<std::size_t>(n, 1));
      continue;
    }
    out.append(text.substr(0, n));
    text.remove_prefix(n);
  }
  if (client_text.size() > max_bytes) out += "...";
  return out;
}

std::string log_id(std::string_view secret) { return domain::sha256_hex(std::string(secret)).substr(0, 8); }

std::string log_path(std::string_view path) {
  std::string masked;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto segment = path.substr(start, end - start);
    masked += id_shaped(segment) ? "~" + log_id(segment) : std::string(segment);
    if (end == path.size()) break;
    masked += '/';
    start = end + 1;
  }
  return log_text(masked);
}

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  if (auto existing = spdlog::get(name)) return existing;
  std::lock_guard lock(creation_mutex);
  if (auto existing = spdlog::get(name)) return existing;
  auto created = std::make_shared<spdlog::logger>(name, shared_sink());
  apply_format(*created);
  created->set_level(spdlog::get_level());
  created->flush_on(spdlog::level::warn);
  spdlog::register_logger(created);
  return created;
}

bool set_log_format(const std::string& format) {
  if (format != "text" && format != "json") return false;
  std::lock_guard lock(creation_mutex);
  json_lines = format == "json";
  // Every logger writes through the one shared sink: its formatter is the format of every line.
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { apply_format(*l); });
  return true;
}

std::string event_json(std::string_view text) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  if (!parse_fields(text, fields)) fields = {{"msg", std::string(text)}};
  return fields.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

bool set_log_level(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") return false;
  spdlog::set_level(parsed);
  return true;
}

}  // namespace boutique::config
