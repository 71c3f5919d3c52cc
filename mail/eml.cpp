#include "domain/clock.hpp"
#include "mail/transport.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace boutique::mail {

namespace {

bool plain_ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
}

std::string base64(std::string_view bytes) {
  std::string b64(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return b64;
}

/// A header value as RFC 2047 wants it: as is when plain ASCII, else UTF-8 encoded-words of at most 75 characters
/// (45 bytes each, never cut inside a character), folded one to a line.
std::string encode_header(const std::string& text) {
  if (plain_ascii(text)) return text;
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = std::min(text.size(), start + 45);
    while (end < text.size() && end > start + 1 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(std::string_view(text).substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += "\r\n";
    else if (c != '\r') out += c;
  }
  return out;
}

/// A display name as RFC 5322 wants it: as is when it is plain words, quoted when it holds a special character
/// ("Shop, Lyon" would otherwise read as two addresses), encoded when it is not ASCII.
std::string display_name(const std::string& name) {
  auto encoded = encode_header(name);
  if (encoded != name) return encoded;
  if (name.find_first_of("()<>[]:;@\\,.\"") == std::string::npos) return name;
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

/// `text` (CRLF line ends) as quoted-printable (RFC 2045 6.7): lines of at most 76 characters, soft breaks between.
std::string quoted_printable(const std::string& text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t column = 0;
  auto put = [&out, &column](const std::string& piece) {
    if (column + piece.size() > 75) {
      out += "=\r\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      out += "\r\n";
      column = 0;
      ++i;
      continue;
    }
    bool line_end = i + 1 == text.size() || text[i + 1] == '\r';
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end);
    put(literal ? std::string(1, static_cast<char>(c)) : std::string{'=', hex[c >> 4], hex[c & 15]});
  }
  return out;
}

/// One part of the message: its body as sent and its Content-Transfer-Encoding. 7bit or 8bit as written when every
/// line fits in 998 octets (RFC 5322 2.1.1) and holds no NUL; quoted-printable otherwise.
struct encoded_part {
  std::string encoding;
  std::string body;
};

encoded_part encode_part(const std::string& text) {
  auto body = crlf(text);
  std::size_t longest = 0;
  for (std::size_t start = 0; start <= body.size();) {
    auto end = std::min(body.find("\r\n", start), body.size());
    longest = std::max(longest, end - start);
    start = end + 2;
  }
  if (longest > 998 || body.find('\0') != std::string::npos) return {"quoted-printable", quoted_printable(body)};
  bool ascii = std::all_of(body.begin(), body.end(), [](unsigned char c) { return c < 0x80; });
  return {ascii ? "7bit" : "8bit", std::move(body)};
}

std::string part_headers(const char* type, const encoded_part& part) {
  return std::string("Content-Type: ") + type + "; charset=utf-8\r\nContent-Transfer-Encoding: " + part.encoding +
         "\r\n";
}

/// A boundary found in neither part: "=_" never occurs in quoted-printable, and a 7bit or 8bit part holding the
/// first choice (a customer can type anything) gets the next one. The same mail gets the same boundary each time.
std::string boundary_for(const outbox_mail& mail, const encoded_part& text, const encoded_part& html) {
  for (int n = 0;; ++n) {
    auto b = "=_boutique_" + std::to_string(mail.id) + "_" + std::to_string(n);
    if (text.body.find("--" + b) == std::string::npos && html.body.find("--" + b) == std::string::npos) return b;
  }
}

}  // namespace

std::string sender::domain() const {
  auto at = address.rfind('@');
  return at == std::string::npos ? address : address.substr(at + 1);
}

std::string render_eml(const outbox_mail& mail, const sender& from) {
  std::string text;
  text += "From: " + display_name(from.name) + " <" + from.address + ">\r\n";
  text += "To: <" + mail.recipient + ">\r\n";
  text += "Subject: " + encode_header(mail.subject) + "\r\n";
  text += "Date: " + domain::utc_text(mail.created_at, "%a, %d %b %Y %H:%M:%S +0000") + "\r\n";
  text += "Message-ID: <outbox-" + std::to_string(mail.id) + "-" + std::to_string(mail.created_at) + "@" +
          from.domain() + ">\r\n";
  text += "MIME-Version: 1.0\r\n";
  auto plain = encode_part(mail.body);
  if (mail.html.empty())  // queued before mails had an HTML alternative
    return text + part_headers("text/plain", plain) + "\r\n" + plain.body;
  auto html = encode_part(mail.html);
  auto boundary = boundary_for(mail, plain, html);
  text += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  text += "--" + boundary + "\r\n" + part_headers("text/plain", plain) + "\r\n" + plain.body + "\r\n";
  text += "--" + boundary + "\r\n" + part_headers("text/html", html) + "\r\n" + html.body + "\r\n";
  return text + "--" + boundary + "--\r\n";
}

}  // namespace boutique::mail
