#pragma once

// A mail's words written once and shown twice: as plain text and as HTML, the two alternatives of the message
// (mail/eml.cpp). Every text and value goes into the HTML part escaped; links become anchors.

#include "domain/language.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace boutique::domain {

/// A mail as composed: its recipient, subject, and its body as text/plain and as text/html.
struct mail_text {
  std::string recipient;
  std::string subject;
  std::string body;  ///< text/plain
  std::string html;  ///< text/html, a whole document: the same words as `body`
};

/// `text` with & < > " ' as HTML character references.
std::string html_escape(std::string_view text);

/// One row of a mail's table, by column.
using mail_row = std::vector<std::string>;

/// A mail body built block by block, in language `l` (the HTML document's lang).
class mail_body {
 public:
  explicit mail_body(language l) : lang_(l) {}
  /// A paragraph; its line breaks are kept.
  mail_body& paragraph(std::string text);
  /// A link on a line of its own, after a paragraph `label` (may be empty).
  mail_body& link(std::string label, std::string url);
  /// A table: `head`, then `rows`, then `foot` (e.g. the total); the columns after the first align right.
  mail_body& table(mail_row head, std::vector<mail_row> rows, mail_row foot);
  /// The mail to `recipient` under `subject`.
  mail_text finish(std::string recipient, std::string subject) const;

 private:
  struct block {
    enum class kind { paragraph, link, table } what;
    std::string text;
    std::string url;
    std::vector<mail_row> rows;  ///< a table's head, rows and foot
  };
  std::string text() const;
  std::string html(const std::string& subject) const;
  language lang_;
  std::vector<block> blocks_;
};

/// `english` or `french`, by `l`: the two wordings of one text, side by side where a mail is composed.
inline std::string in(language l, std::string_view english, std::string_view french) {
  return std::string(l == language::fr ? french : english);
}

}  // namespace boutique::domain
