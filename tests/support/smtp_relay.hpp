#pragma once

#include "support/child_process.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace boutique::testing {

/// A real SMTP server on 127.0.0.1:`port` (tests/support/smtp_relay.py, Debian's python3-aiosmtpd), running from
/// construction (once it accepts connections) to destruction. It refuses (550) recipients whose local part starts
/// with "refused" and defers (451) the first two RCPT TO of those starting with "later"; it refuses every mail from a
/// sender starting with "blocked" (530, log in first).
class smtp_relay {
 public:
  smtp_relay(std::uint16_t port, std::filesystem::path folder);
  ~smtp_relay();

  /// The messages it accepted, in order, as received (headers and body).
  std::vector<std::string> messages() const;
  /// One line per RCPT TO it answered: "<address> <code>".
  std::vector<std::string> recipients_answered() const;

 private:
  std::filesystem::path folder_;
  std::unique_ptr<child_process> process_;
};

/// The value of the header `name` in a mail's text ("" when absent).
std::string mail_header(const std::string& mail, const std::string& name);

}  // namespace boutique::testing
