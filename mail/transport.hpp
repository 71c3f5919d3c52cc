#pragma once

// How the mailer hands an outbox mail over: as a file into a mail-drop folder (maildir, a laptop's default) or to
// an SMTP relay (libcurl). No actors here: the mailer (actors/mailer.cpp) calls a transport from its own thread.

#include "domain/mail.hpp"
#include "domain/records.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace boutique::mail {

/// Who the mails are from: the From header, the SMTP envelope sender and the domain of every Message-ID.
struct sender {
  std::string address = "no-reply@boutique.invalid";
  std::string name = "Boutique";
  std::string domain() const;
};

/// The RFC 5322 text of a mail: CRLF line ends, RFC 2047 subject when not ASCII, a Message-ID made of the outbox id
/// and the time it was queued, so that a mail sent again is recognisable as the same one (and is the same bytes), and
/// the body as multipart/alternative: text/plain then text/html, UTF-8, each 7bit or 8bit when its lines fit in 998
/// octets, quoted-printable otherwise. A mail without HTML (queued before mails had one) is text/plain alone.
std::string render_eml(const outbox_mail& mail, const sender& from);

/// The answer of one attempt: what became of it, and the relay's last answer (or the error) in words.
struct attempt {
  domain::delivery result = domain::delivery::unreachable;
  std::string detail;
};

class transport {
 public:
  virtual ~transport() = default;
  /// Hands one mail over; blocks until the relay has answered, or the timeout.
  virtual attempt deliver(const outbox_mail& mail) = 0;
  /// Ends a round of deliveries (closes the relay connection kept open across the round).
  virtual void end_round() {}
  /// For logs: "maildir" or "smtp".
  virtual const char* kind() const = 0;
};

/// Writes each mail as `<queued at>-<id>.eml` into `dir` (created when missing), atomically (a temporary file
/// renamed into place). A write that fails is `unreachable`: the folder is at fault, not the mail.
std::unique_ptr<transport> maildir(std::filesystem::path dir, sender from);

struct smtp_settings {
  std::string url;               ///< smtp://host:port (STARTTLS as below) or smtps://host:port (TLS from the start)
  std::string user;              ///< login, when the relay wants one
  std::string password;
  std::string starttls = "required";  ///< off, try or required (smtp:// only)
  std::chrono::milliseconds timeout{30000};  ///< for the connection, and for each mail
};

/// Sends each mail to the relay at `settings.url` (libcurl), keeping one connection per round. 250 after the data
/// is `accepted`; a 4xx answer to the mail's recipient or data `deferred` (so is a connection broken then), a 5xx
/// `refused`; anything else `unreachable`: no connection, TLS, the greeting, EHLO, login, a refused MAIL FROM (the
/// same for every mail), 421, 530, and x.7.x answers (relaying denied, authentication).
std::unique_ptr<transport> smtp(smtp_settings settings, sender from);

}  // namespace boutique::mail
