#pragma once

// Users with a password for the login share of the checkouts: their password-set links, read from the mails the
// service drops as .eml files, and a file that keeps them for a later run against the same service.

#include "scenarios.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

/// Fills login_user::token from the password-set links mailed to `users`: the .eml files of `mail_dir` written
/// since `since` (unix seconds; the file names start with it). Polls the folder until every user has a token or
/// `wait` has passed. Returns how many users have one.
std::size_t read_password_tokens(const std::string& mail_dir, std::vector<login_user>& users, std::int64_t since,
                                 std::chrono::seconds wait);

/// The pool file: one `email password` a line.
std::vector<login_user> read_login_pool(const std::string& path);
void write_login_pool(const std::string& path, const std::vector<login_user>& users);

}  // namespace bench
