#pragma once

#include <condition_variable>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace boutique::testing {

/// A program running as a child process: the boutique executable unless said otherwise. A thread keeps reading its
/// standard output and error (one pipe), so the child never blocks on a full pipe.
class child_process {
 public:
  /// The boutique executable with `args`.
  explicit child_process(std::vector<std::string> args);
  /// `program` (a path) with `args`, and `env` ("NAME=value") added to this process's environment.
  child_process(std::string program, std::vector<std::string> args, std::vector<std::string> env = {});
  ~child_process();

  /// Waits until a complete output line matches `pattern`; returns its first capture group ("" at end of output).
  std::string wait_for_line(const std::regex& pattern);
  /// Waits for the exit and the end of its output; returns the exit code (or -signal).
  int wait_exit();
  void signal(int sig);
  std::string output();

 private:
  pid_t pid_ = -1;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  bool eof_ = false;
};

}  // namespace boutique::testing
