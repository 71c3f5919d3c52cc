#include "actors/printing.hpp"

#include "config/logging.hpp"

#include <caf/local_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message.hpp>

#include <array>
#include <utility>

namespace boutique::printing {

namespace {

// Members are named alike across records, so one table says how each prints wherever it stands.
constexpr std::array<std::pair<std::string_view, exposure>, 33> exposures{{
  // A session id is a bearer secret: it prints as the log_id an operator can grep for.
  {"id", exposure::digest}, {"session_id", exposure::digest}, {"old_id", exposure::digest},
  {"new_id", exposure::digest}, {"key", exposure::digest}, {"next", exposure::digest},
  // Secrets and whole documents (snapshots and mail bodies hold ids, links and personal data).
  {"password", exposure::withheld}, {"password_hash", exposure::withheld}, {"current", exposure::withheld},
  {"token", exposure::withheld}, {"hash", exposure::withheld}, {"key_hash", exposure::withheld},
  {"fingerprint", exposure::withheld}, {"body", exposure::withheld}, {"html", exposure::withheld},
  {"contact_json", exposure::withheld},
  {"snapshot_json", exposure::withheld}, {"session_snapshot_json", exposure::withheld},
  // Personal data: logs outlive an erasure.
  {"email", exposure::personal}, {"username", exposure::personal}, {"firstname", exposure::personal},
  {"lastname", exposure::personal}, {"organisation", exposure::personal}, {"address", exposure::personal},
  {"zip", exposure::personal}, {"city", exposure::personal}, {"country", exposure::personal},
  {"invoiceinfo", exposure::personal}, {"recipient", exposure::personal}, {"subject", exposure::personal},
  {"q", exposure::personal}, {"detail", exposure::personal}, {"error", exposure::personal},
}};

}  // namespace

exposure exposure_of(std::string_view name) {
  for (const auto& [member, how] : exposures)
    if (member == name) return how;
  return exposure::shown;
}

void append_text(std::string& out, std::string_view text, exposure how) {
  switch (how) {
    case exposure::shown:
      out.append("\"").append(config::log_text(text, 120)).append("\"");
      return;
    case exposure::digest:
      if (text.empty()) out += "\"\"";
      else out.append("~").append(config::log_id(text));
      return;
    case exposure::withheld:
      out.append("<").append(std::to_string(text.size())).append(" bytes>");
      return;
    case exposure::personal:
      out += text.empty() ? "\"\"" : "<personal>";
      return;
  }
}

std::string print_message(const caf::message& msg) {
  std::string out = "(";
  for (std::size_t i = 0; i < msg.size(); ++i) {
    if (i > 0) out += ", ";
    if (msg.match_element<std::string>(i)) append_text(out, msg.get_as<std::string>(i), exposure::withheld);
    else out += msg.stringify(i);
  }
  return out + ')';
}

std::string current_message(caf::local_actor* self) {
  auto* handling = self->current_mailbox_element();
  return handling ? print_message(handling->copy_content_to_message()) : "";
}

std::string_view short_name(std::string_view qualified) {
  auto colon = qualified.rfind("::");
  return colon == std::string_view::npos ? qualified : qualified.substr(colon + 2);
}

void append_deadline(std::string& out, const deadline& d) {
  if (!d.limited()) out += "none";
  else out.append(std::to_string(d.left().count())).append("ms");
}

}  // namespace boutique::printing

namespace boutique {

std::string to_string(const deadline& d) {
  std::string out;
  printing::append_deadline(out, d);
  return out;
}

namespace domain {

std::string to_string(const catalog_item& item) {
  std::string out = "catalog_item{code=";
  printing::append_text(out, item.code, printing::exposure::shown);
  return out + '}';
}

}  // namespace domain

}  // namespace boutique
