#pragma once

// The browser front's files: Mustache templates, the style sheet and the support documents, read once from the
// web/ folder at start-up.

#include "net/pages/kit.hpp"

#include <kainjow/mustache.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace boutique::net::pages {

/// One support document listed in web/documents.json and served from web/docs/.
struct document {
  std::string file;
  std::string title_en;
  std::string title_fr;
  std::string body;
};

/// The whole content of a file of the web/ folder; throws std::runtime_error("web: cannot read ...").
std::string read_web_file(const std::filesystem::path& path);

class site {
 public:
  /// Reads every *.mustache, style.css, favicon.svg, documents.json and the documents of `web_dir`. Throws std::runtime_error.
  static std::shared_ptr<const site> load(const std::filesystem::path& web_dir);

  /// The web/ folder: the one `use()` named (web.dir), else $BOUTIQUE_WEB_DIR, else ./web, else share/boutique/web
  /// beside the running executable's bin/ (an installed copy: cmake --install), else the source tree's web/.
  static std::filesystem::path locate();
  /// Names the web/ folder for every later locate() (the service does it at start from web.dir; empty: no change).
  static void use(const std::filesystem::path& web_dir);

  /// Renders template `name` with `data`; templates whose name starts with '_' are its partials ({{>_header}}).
  std::string render(const std::string& name, kainjow::mustache::data data) const;

  const std::string& style_sheet() const { return style_sheet_; }
  const std::string& favicon() const { return favicon_; }
  const std::vector<document>& documents() const { return documents_; }
  /// The document served as `file`, or nullptr.
  const document* find_document(const std::string& file) const;

 private:
  std::map<std::string, std::string> templates_;
  std::string style_sheet_;
  std::string favicon_;  ///< an SVG
  std::vector<document> documents_;
};

}  // namespace boutique::net::pages
