#pragma once

// A mail's words written once and shown twice: as plain text and as HTML, the two alternatives of the message
// (mail/eml.cpp). Every text and value goes into the HTML part escaped; links become anchors.

#include "domain/language.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace boutique::domain {

/// A mail as sent: its recipient, subject, and its body as text/plain and as text/html.
struct mail_text {
  std::string recipient;
  std::string subject;
  std::string body;  ///< text/plain
  std::string html;  ///< text/html, a whole document: the same words as `body`
};

/// `text` with & < > " ' as HTML character references.
std::string html_escape(std::string_view text);

struct composed_mail;

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
  composed_mail finish(std::string recipient, std::string subject) const;

  /// The body as text/plain.
  std::string text() const;
  /// The body as text/html, a whole document titled `subject`.
  std::string html(const std::string& subject) const;

  /// The blocks and language as JSON: what the outbox keeps until the mail is sent (a third of the text and HTML).
  std::string to_json() const;
  /// The body `to_json` wrote; std::invalid_argument when `json` is not one.
  static mail_body from_json(std::string_view json);

 private:
  struct block {
    enum class kind { paragraph, link, table } what;
    std::string text;
    std::string url;
    std::vector<mail_row> rows;  ///< a table's head, rows and foot
  };
  language lang_;
  std::vector<block> blocks_;
};

/// A mail as composed: its recipient, subject and body blocks. Queued as such (mail_body::to_json), and rendered to
/// text and HTML by the mailer when it is sent.
struct composed_mail {
  std::string recipient;
  std::string subject;
  mail_body content;
  /// The mail as sent: its body as text/plain and text/html.
  mail_text rendered() const { return {recipient, subject, content.text(), content.html(subject)}; }
};

/// `english` or `french`, by `l`: the two wordings of one text, side by side where a mail is composed.
inline std::string in(language l, std::string_view english, std::string_view french) {
  return std::string(l == language::fr ? french : english);
}

}  // namespace boutique::domain
