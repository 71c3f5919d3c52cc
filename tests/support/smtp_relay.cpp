#include "support/smtp_relay.hpp"
#include "support/test_service.hpp"

#include <algorithm>
#include <csignal>
#include <regex>
#include <sstream>
#include <stdexcept>


namespace boutique::testing {


smtp_relay::smtp_relay(std::uint16_t port, std::filesystem::path folder) : folder_(std::move(folder)) {
  process_ = std::make_unique<child_process>(
    "/usr/bin/python3",
    std::vector<std::string>{BOUTIQUE_SOURCE_DIR "/tests/support/smtp_relay.py", std::to_string(port), folder_.string()});
  if (process_->wait_for_line(std::regex("listening ([0-9]+)")).empty())
    throw std::runtime_error("the SMTP relay did not start: " + process_->output());
}

smtp_relay::~smtp_relay() {
  process_->signal(SIGTERM);
  process_->wait_exit();
}

std::vector<std::string> smtp_relay::messages() const {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::exists(folder_))
    for (const auto& entry : std::filesystem::directory_iterator(folder_))
      if (entry.path().extension() == ".eml" && entry.path().filename().string()[0] != '.')
        files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> texts;
  for (const auto& file : files) texts.push_back(file_text(file));
  return texts;
}

std::vector<std::string> smtp_relay::recipients_answered() const {
  std::vector<std::string> lines;
  std::istringstream log(file_text(folder_ / "rcpt.log"));
  for (std::string line; std::getline(log, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string mail_header(const std::string& mail, const std::string& name) {
  std::istringstream lines(mail);
  for (std::string line; std::getline(lines, line) && line != "\r" && !line.empty();) {
    if (line.rfind(name + ": ", 0) != 0) continue;
    auto value = line.substr(name.size() + 2);
    if (!value.empty() && value.back() == '\r') value.pop_back();
    return value;
  }
  return {};
}

}  // namespace boutique::testing
