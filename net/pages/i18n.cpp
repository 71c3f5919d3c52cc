#include "net/pages/i18n.hpp"

#include "net/pages/site.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <stdexcept>

namespace boutique::net::pages {

namespace {

struct entry {
  std::string en;
  std::string fr;
};

/// The words of the front, read once from web/texts.json: page texts by key, and the French of the domain's
/// messages by their code (domain/messages.hpp).
struct words {
  std::map<std::string, entry, std::less<>> texts;
  std::map<std::string, std::string, std::less<>> french_messages;
};

words read_words(const std::filesystem::path& web_dir) {
  auto path = web_dir / "texts.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("web: cannot read " + path.string());
  try {
    auto j = nlohmann::json::parse(in);
    words w;
    for (const auto& [key, e] : j.at("texts").items())
      w.texts.emplace(key, entry{e.at("en").get<std::string>(), e.at("fr").get<std::string>()});
    for (const auto& [code, french] : j.at("messages_fr").items())
      w.french_messages.emplace(code, french.get<std::string>());
    for (auto code : domain::message_codes())
      if (!w.french_messages.count(code))
        throw std::runtime_error("web: " + path.string() + ": messages_fr has no text for the code " + std::string(code));
    return w;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("web: " + path.string() + ": " + e.what());
  }
}

const words& all() {
  static const words w = read_words(site::locate());
  return w;
}

const std::map<std::string, entry, std::less<>>& table() { return all().texts; }
const std::map<std::string, std::string, std::less<>>& french_messages() { return all().french_messages; }

}  // namespace

void check_texts(const std::filesystem::path& web_dir) { read_words(web_dir); }

kainjow::mustache::data texts(language l) {
  kainjow::mustache::data t;
  for (const auto& [key, e] : table()) t.set(key, l == language::fr ? e.fr : e.en);
  return t;
}

std::string text(language l, std::string_view key) {
  auto it = table().find(key);
  if (it == table().end()) return std::string(key);
  return l == language::fr ? it->second.fr : it->second.en;
}

std::string state_label(const std::string& state, language l) { return text(l, "state_" + state); }

std::string bill_status_label(const std::string& status, language l) { return text(l, "bill_" + status); }

std::string field_message(const domain::message& m, language l) {
  if (l == language::en) return domain::english(m);
  auto it = french_messages().find(m.code);
  return it == french_messages().end() ? domain::english(m) : domain::with_number(it->second, m);
}

}  // namespace boutique::net::pages
