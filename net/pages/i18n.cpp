#include "net/pages/i18n.hpp"

#include "domain/contact.hpp"
#include "net/pages/site.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
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
  std::map<std::string, entry, std::less<>> countries;  ///< by ISO 3166-1 alpha-2 code
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
    for (const auto& [code, e] : j.at("countries").items()) {
      if (!domain::is_country_code(code)) throw std::runtime_error("web: " + path.string() + ": no country " + code);
      w.countries.emplace(code, entry{e.at("en").get<std::string>(), e.at("fr").get<std::string>()});
    }
    if (w.countries.size() != domain::country_code_count())
      throw std::runtime_error("web: " + path.string() + ": countries must name every ISO 3166-1 code");
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

std::string country_name(language l, const std::string& code) {
  auto it = all().countries.find(code);
  if (it == all().countries.end()) return code;
  return l == language::fr ? it->second.fr : it->second.en;
}

namespace {

/// `name` for sorting: lower case, the accents of Latin letters dropped ("Égypte" sorts with "Egypte").
std::string sort_key(const std::string& name) {
  static const std::pair<std::string_view, char> folds[] = {
    {"à", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"å", 'a'}, {"ç", 'c'}, {"é", 'e'}, {"è", 'e'}, {"ê", 'e'}, {"ë", 'e'},
    {"î", 'i'}, {"ï", 'i'}, {"ô", 'o'}, {"ö", 'o'}, {"ù", 'u'}, {"û", 'u'}, {"ü", 'u'}, {"É", 'e'}, {"Î", 'i'},
    {"Å", 'a'}, {"Ô", 'o'}};
  std::string key;
  for (std::size_t i = 0; i < name.size();) {
    bool folded = false;
    for (const auto& [from, to] : folds)
      if (name.compare(i, from.size(), from) == 0) {
        key += to;
        i += from.size();
        folded = true;
        break;
      }
    if (!folded) key += static_cast<char>(std::tolower(static_cast<unsigned char>(name[i++])));
  }
  return key;
}

}  // namespace

kainjow::mustache::data country_options(language l, const std::string& selected) {
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> sorted;
  for (const auto& [code, e] : all().countries) {
    const auto& name = l == language::fr ? e.fr : e.en;
    sorted.push_back({sort_key(name), {code, name}});
  }
  std::sort(sorted.begin(), sorted.end());
  kainjow::mustache::data options{kainjow::mustache::data::type::list};
  for (const auto& [key, country] : sorted) {
    kainjow::mustache::data option;
    option.set("code", country.first);
    option.set("name", country.second);
    option.set("selected", country.first == selected);
    options.push_back(option);
  }
  return options;
}

std::string state_label(const std::string& state, language l) { return text(l, "state_" + state); }

std::string bill_status_label(const std::string& status, language l) { return text(l, "bill_" + status); }

std::string field_message(const domain::message& m, language l) {
  if (l == language::en) return domain::english(m);
  auto it = french_messages().find(m.code);
  return it == french_messages().end() ? domain::english(m) : domain::with_number(it->second, m);
}

}  // namespace boutique::net::pages
