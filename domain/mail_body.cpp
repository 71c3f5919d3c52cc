#include "domain/mail_body.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace boutique::domain {

namespace {

/// The characters of UTF-8 `text` (continuation bytes not counted): the width of a cell in a plain-text table.
std::size_t width_of(const std::string& text) {
  return static_cast<std::size_t>(
    std::count_if(text.begin(), text.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

std::string padded(const std::string& cell, std::size_t width, bool right) {
  std::string room(width - std::min(width, width_of(cell)), ' ');
  return right ? room + cell : cell + room;
}

/// A table as aligned lines of text, each cell as wide as the widest of its column.
std::string text_table(const std::vector<mail_row>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (widths.size() <= c) widths.push_back(0);
      widths[c] = std::max(widths[c], width_of(row[c]));
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) line += "  " + padded(row[c], widths[c], c > 0);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string html_row(const mail_row& row, const char* cell) {
  std::string out = "<tr>";
  for (std::size_t c = 0; c < row.size(); ++c)
    out += std::string("<") + cell + (c > 0 ? " style=\"text-align:right\"" : " style=\"text-align:left\"") + ">" +
           html_escape(row[c]) + "</" + cell + ">";
  return out + "</tr>\n";
}

/// Escaped `text` with its line breaks as <br>.
std::string html_lines(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos; start = end + 1, end = text.find('\n', start))
    out += html_escape(text.substr(start, end - start)) + "<br>\n";
  return out + html_escape(text.substr(start));
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

mail_body& mail_body::paragraph(std::string text) {
  blocks_.push_back({block::kind::paragraph, std::move(text), {}, {}});
  return *this;
}

mail_body& mail_body::link(std::string label, std::string url) {
  blocks_.push_back({block::kind::link, std::move(label), std::move(url), {}});
  return *this;
}

mail_body& mail_body::table(mail_row head, std::vector<mail_row> rows, mail_row foot) {
  rows.insert(rows.begin(), std::move(head));
  rows.push_back(std::move(foot));
  blocks_.push_back({block::kind::table, {}, {}, std::move(rows)});
  return *this;
}

std::string mail_body::text() const {
  std::string out;
  for (const auto& b : blocks_) {
    if (!out.empty()) out += "\n";
    switch (b.what) {
      case block::kind::paragraph: out += b.text + "\n"; break;
      case block::kind::link: out += (b.text.empty() ? "" : b.text + "\n") + b.url + "\n"; break;
      case block::kind::table: out += text_table(b.rows); break;
    }
  }
  return out;
}

std::string mail_body::html(const std::string& subject) const {
  std::string out = "<!DOCTYPE html>\n<html lang=\"" + std::string(code_of(lang_)) +
                    "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_escape(subject) +
                    "</title>\n</head>\n<body style=\"font-family:sans-serif\">\n";
  for (const auto& b : blocks_) {
    switch (b.what) {
      case block::kind::paragraph: out += "<p>" + html_lines(b.text) + "</p>\n"; break;
      case block::kind::link:
        if (!b.text.empty()) out += "<p>" + html_lines(b.text) + "</p>\n";
        out += "<p><a href=\"" + html_escape(b.url) + "\">" + html_escape(b.url) + "</a></p>\n";
        break;
      case block::kind::table: {
        out += "<table cellpadding=\"4\" style=\"border-collapse:collapse\">\n<thead>\n";
        out += html_row(b.rows.front(), "th") + "</thead>\n<tbody>\n";
        for (std::size_t r = 1; r + 1 < b.rows.size(); ++r) out += html_row(b.rows[r], "td");
        out += "</tbody>\n<tfoot>\n" + html_row(b.rows.back(), "th") + "</tfoot>\n</table>\n";
        break;
      }
    }
  }
  return out + "</body>\n</html>\n";
}

composed_mail mail_body::finish(std::string recipient, std::string subject) const {
  return {std::move(recipient), std::move(subject), *this};
}

// {"lang":"fr","blocks":[{"p":TEXT} | {"link":LABEL,"url":URL} | {"table":[[CELL,...],...]}]}: one key names the
// kind of each block, so that the JSON stays about as long as the text itself.
std::string mail_body::to_json() const {
  auto blocks = nlohmann::json::array();
  for (const auto& b : blocks_) {
    switch (b.what) {
      case block::kind::paragraph: blocks.push_back({{"p", b.text}}); break;
      case block::kind::link: blocks.push_back({{"link", b.text}, {"url", b.url}}); break;
      case block::kind::table: blocks.push_back({{"table", b.rows}}); break;
    }
  }
  // Invalid UTF-8 (from a row stored before the text rules) becomes U+FFFD rather than failing the transaction.
  return nlohmann::json{{"lang", code_of(lang_)}, {"blocks", std::move(blocks)}}.dump(
    -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

mail_body mail_body::from_json(std::string_view json) {
  try {
    auto j = nlohmann::json::parse(json);
    auto lang = parse_language(j.at("lang").get<std::string>());
    if (!lang) throw std::invalid_argument("unknown language");
    mail_body body(*lang);
    const auto& blocks = j.at("blocks");
    if (!blocks.is_array()) throw std::invalid_argument("blocks are not a list");
    for (const auto& b : blocks) {
      if (!b.is_object()) throw std::invalid_argument("a block is not an object");
      if (b.contains("p")) body.paragraph(b.at("p").get<std::string>());
      else if (b.contains("link")) body.link(b.at("link").get<std::string>(), b.at("url").get<std::string>());
      else if (b.contains("table")) {
        auto rows = b.at("table").get<std::vector<mail_row>>();
        if (rows.size() < 2) throw std::invalid_argument("a table without its head and foot");
        body.blocks_.push_back({block::kind::table, {}, {}, std::move(rows)});
      } else {
        throw std::invalid_argument("a block of no known kind");
      }
    }
    return body;
  } catch (const nlohmann::json::exception&) {
    // Not the parser's words: they quote the text, which may hold a one-time link.
    throw std::invalid_argument("not a mail body: not JSON of the expected shape");
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("not a mail body: ") + e.what());
  }
}

}  // namespace boutique::domain
