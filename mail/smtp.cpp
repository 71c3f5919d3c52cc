// SMTP through libcurl (Debian's libcurl4-openssl-dev): one easy handle per round of deliveries, so that the
// relay's connection is reused from one mail to the next. libcurl reports a refused command as a generic error
// with the relay's code; which command it answered (the session's own or the mail's) decides what became of the
// mail, so the handle's protocol trace keeps the last command sent and the last answer received.
#include "mail/transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace boutique::mail {

namespace {

/// The protocol as libcurl spoke it: the command each answer replied to, and the first refusal (4xx or 5xx) with
/// the command it answered (libcurl quits after a refusal: the last command and answer are then QUIT and 221).
struct trace {
  std::string last_command;    ///< "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "QUIT", ...
  std::string refused_command; ///< the command of the first 4xx or 5xx answer ("" when none)
  std::string refusal;         ///< that answer
  long refusal_code = 0;

  /// The refusal is about this mail: it answered the mail's recipient or its data. A refusal of MAIL FROM (the
  /// same sender for every mail), a 421 (closing), a 530 (log in first) or an x.7.x status (security or policy:
  /// relaying denied, authentication) is about the relay's session, and every mail would get it.
  bool mail_refused() const {
    bool session_wide = refusal_code == 421 || refusal_code == 530 || refusal.find(" 5.7.") != std::string::npos ||
                        refusal.find(" 4.7.") != std::string::npos;
    return !session_wide && (refused_command == "RCPT" || refused_command == "DATA");
  }
  /// The connection broke (a timeout, a reset) while this mail's recipient or data was under way: counted as a
  /// deferral of this mail, so that a mail that always breaks the connection cannot hold the queue up forever.
  bool broke_during_mail() const {
    return refusal.empty() && (last_command == "RCPT" || last_command == "DATA");
  }
};

std::string printable_line(const char* data, std::size_t size) {
  std::string line;
  for (std::size_t i = 0; i < size && line.size() < 300; ++i) {
    unsigned char c = data[i];
    if (c == '\r' || c == '\n') break;
    line += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  return line;
}

int on_trace(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  auto* t = static_cast<trace*>(user);
  if (type == CURLINFO_HEADER_OUT) {
    auto line = printable_line(data, size);
    auto word = line.substr(0, line.find_first_of(" :"));
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::toupper(c); });
    t->last_command = word;
  } else if (type == CURLINFO_HEADER_IN) {
    auto a = printable_line(data, size);
    bool coded = a.size() >= 3 && (a[0] == '4' || a[0] == '5') && std::isdigit(static_cast<unsigned char>(a[1])) &&
                 std::isdigit(static_cast<unsigned char>(a[2]));
    if (coded && t->refusal.empty()) {
      t->refused_command = t->last_command;
      t->refusal = a;
      t->refusal_code = std::stol(a.substr(0, 3));
    }
  }
  return 0;
}

struct upload {
  std::string text;
  std::size_t sent = 0;
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* u = static_cast<upload*>(user);
  auto n = std::min(size * count, u->text.size() - u->sent);
  std::copy_n(u->text.data() + u->sent, n, buffer);
  u->sent += n;
  return n;
}

class smtp_transport final : public transport {
 public:
  smtp_transport(smtp_settings settings, sender from) : settings_(std::move(settings)), from_(std::move(from)) {}
  ~smtp_transport() override { end_round(); }

  attempt deliver(const outbox_mail& mail) override {
    if (!handle_) handle_ = curl_easy_init();
    if (!handle_) return {domain::delivery::unreachable, "libcurl could not start"};
    CURL* h = handle_;
    curl_easy_reset(h);
    upload body{render_eml(mail, from_)};
    trace seen;
    char error[CURL_ERROR_SIZE] = {};
    auto envelope_from = "<" + from_.address + ">";
    auto recipient = "<" + mail.recipient + ">";
    curl_slist* recipients = curl_slist_append(nullptr, recipient.c_str());
    curl_easy_setopt(h, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USE_SSL, settings_.starttls == "off"   ? static_cast<long>(CURLUSESSL_NONE)
                                         : settings_.starttls == "try" ? static_cast<long>(CURLUSESSL_TRY)
                                                                       : static_cast<long>(CURLUSESSL_ALL));
    if (!settings_.user.empty()) {
      curl_easy_setopt(h, CURLOPT_USERNAME, settings_.user.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, envelope_from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &body);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // the trace below, never printed
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_trace);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &seen);
    CURLcode status = curl_easy_perform(h);
    // The handle outlives this call (its connection is reused): nothing it keeps may point into this frame.
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, nullptr);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, nullptr);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 0L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(h, CURLOPT_READDATA, nullptr);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, nullptr);
    curl_slist_free_all(recipients);
    if (status == CURLE_OK) return {domain::delivery::accepted, {}};
    end_round();  // nothing more goes over a connection that failed
    if (seen.mail_refused())
      return {seen.refusal_code < 500 ? domain::delivery::deferred : domain::delivery::refused, seen.refusal};
    std::string detail = error[0] ? error : curl_easy_strerror(status);
    if (!seen.refusal.empty()) detail += " (relay: " + seen.refusal + ")";
    if (seen.broke_during_mail()) return {domain::delivery::deferred, detail};
    return {domain::delivery::unreachable, detail};
  }

  void end_round() override {
    if (handle_) curl_easy_cleanup(handle_);
    handle_ = nullptr;
  }

  const char* kind() const override { return "smtp"; }

 private:
  smtp_settings settings_;
  sender from_;
  CURL* handle_ = nullptr;
};

}  // namespace

std::unique_ptr<transport> smtp(smtp_settings settings, sender from) {
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::make_unique<smtp_transport>(std::move(settings), std::move(from));
}

}  // namespace boutique::mail
