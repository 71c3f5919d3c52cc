#include "login_pool.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace bench {

namespace fs = std::filesystem;

namespace {

constexpr auto mail_poll_every = std::chrono::milliseconds(200);

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The text between `open` and the next `close` after it, or empty.
std::string between(const std::string& text, const std::string& open, const std::string& close) {
  auto at = text.find(open);
  if (at == std::string::npos) return {};
  at += open.size();
  auto end = text.find(close, at);
  return end == std::string::npos ? std::string{} : text.substr(at, end - at);
}

/// The token of the password-set link in a mail (`.../account/password?token=<base62>`), or empty.
std::string password_token(const std::string& mail) {
  constexpr std::string_view link = "/account/password?token=";
  auto at = mail.find(link);
  if (at == std::string::npos) return {};
  auto start = at + link.size(), end = start;
  auto in_token = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_'; };
  while (end < mail.size() && in_token(mail[end])) ++end;
  return mail.substr(start, end - start);
}

/// True when the mail file's name (`<unix seconds>-<id>.eml`) says it was written at or after `since`.
bool written_since(const fs::path& file, std::int64_t since) {
  if (file.extension() != ".eml") return false;
  try {
    return std::stoll(file.filename().string()) >= since;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::size_t read_password_tokens(const std::string& mail_dir, std::vector<login_user>& users, std::int64_t since,
                                 std::chrono::seconds wait) {
  std::unordered_map<std::string, login_user*> waiting;  // by lower-case email
  for (auto& user : users) waiting[lowercase(user.email)] = &user;
  std::unordered_set<std::string> read;
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(mail_dir, ec)) {
      const auto& file = entry.path();
      if (!written_since(file, since - 1) || !read.insert(file.filename().string()).second) continue;
      auto mail = file_text(file);
      auto user = waiting.find(lowercase(between(mail, "\r\nTo: <", ">")));
      auto token = password_token(mail);
      if (user == waiting.end() || token.empty()) continue;
      user->second->token = token;
      waiting.erase(user);
    }
    if (waiting.empty() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(mail_poll_every);  // polling the folder the service's mailer writes to
  }
  if (!waiting.empty())
    std::cerr << "boutique-load: no password-set mail in " << mail_dir << " for " << waiting.size()
              << " login user(s) after " << wait.count() << " s\n";
  return users.size() - waiting.size();
}

std::vector<login_user> read_login_pool(const std::string& path) {
  std::vector<login_user> users;
  std::ifstream in(path);
  login_user user;
  while (in >> user.email >> user.password) {
    user.ready = true;
    users.push_back(user);
  }
  return users;
}

void write_login_pool(const std::string& path, const std::vector<login_user>& users) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& user : users) out << user.email << ' ' << user.password << '\n';
}

}  // namespace bench
