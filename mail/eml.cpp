#include "domain/clock.hpp"
#include "mail/transport.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace boutique::mail {

namespace {

std::string encode_header(const std::string& text) {
  bool ascii = std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
  if (ascii) return text;
  std::string b64(sodium_base64_ENCODED_LEN(text.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return "=?UTF-8?B?" + b64 + "?=";
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
  text += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  text += crlf(mail.body);
  return text;
}

}  // namespace boutique::mail
