#include "net/pages/site.hpp"

#include "net/pages/i18n.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

namespace boutique::net::pages {

namespace {

namespace fs = std::filesystem;

}  // namespace

std::string read_web_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("web: cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

namespace {

bool safe_file_name(const std::string& name) {
  if (name.empty() || name.front() == '.') return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

std::vector<document> read_documents(const fs::path& web_dir) {
  std::vector<document> docs;
  auto list = nlohmann::json::parse(read_web_file(web_dir / "documents.json"));
  for (const auto& item : list.at("documents")) {
    document d{item.at("file").get<std::string>(), item.at("title").at("en").get<std::string>(),
               item.at("title").at("fr").get<std::string>(), ""};
    if (!safe_file_name(d.file)) throw std::runtime_error("web: bad document file name " + d.file);
    d.body = read_web_file(web_dir / "docs" / d.file);
    docs.push_back(std::move(d));
  }
  return docs;
}

}  // namespace

std::shared_ptr<const site> site::load(const fs::path& web_dir) {
  auto s = std::make_shared<site>();
  for (const auto& entry : fs::directory_iterator(web_dir))
    if (entry.path().extension() == ".mustache") s->templates_[entry.path().stem().string()] = read_web_file(entry.path());
  if (s->templates_.empty()) throw std::runtime_error("web: no templates in " + web_dir.string());
  s->style_sheet_ = read_web_file(web_dir / "style.css");
  s->favicon_ = read_web_file(web_dir / "favicon.svg");
  check_texts(web_dir);
  try {
    s->documents_ = read_documents(web_dir);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("web: documents.json: ") + e.what());
  }
  return s;
}

namespace {
std::mutex chosen_mutex;
fs::path chosen;  ///< web.dir, once the service named it
}  // namespace

void site::use(const fs::path& web_dir) {
  std::lock_guard lock(chosen_mutex);
  chosen = web_dir;
}

fs::path site::locate() {
  {
    std::lock_guard lock(chosen_mutex);
    if (!chosen.empty()) return chosen;
  }
  if (const char* dir = std::getenv("BOUTIQUE_WEB_DIR"); dir && *dir) return dir;
  if (fs::exists("web/style.css")) return "web";
  std::error_code ec;
  auto installed = fs::read_symlink("/proc/self/exe", ec).parent_path().parent_path() / "share" / "boutique" / "web";
  if (!ec && fs::exists(installed / "style.css")) return installed;
  // This file is net/pages/site.cpp in the source tree: web/ is three levels up.
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "web";
}

std::string site::render(const std::string& name, kainjow::mustache::data data) const {
  for (const auto& [partial_name, text] : templates_)
    if (partial_name.front() == '_')
      data.set(partial_name, kainjow::mustache::partial([&text = text] { return text; }));
  kainjow::mustache::mustache tmpl{templates_.at(name)};
  auto html = tmpl.render(data);
  if (!tmpl.is_valid()) throw std::runtime_error("template " + name + ": " + tmpl.error_message());
  return html;
}

const document* site::find_document(const std::string& file) const {
  for (const auto& d : documents_)
    if (d.file == file) return &d;
  return nullptr;
}

}  // namespace boutique::net::pages
