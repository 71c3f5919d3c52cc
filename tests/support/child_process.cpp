#include "support/child_process.hpp"

#include <algorithm>
#include <string_view>

#include <csignal>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace boutique::testing {

child_process::child_process(std::vector<std::string> args) : child_process(BOUTIQUE_BINARY, std::move(args)) {}

child_process::child_process(std::string program, std::vector<std::string> args, std::vector<std::string> env) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  args.insert(args.begin(), program);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;  // `env`, then what is inherited under other names: a name given in `env` wins
  for (auto& e : env) envp.push_back(e.data());
  auto given = [&](std::string_view inherited) {
    auto name = inherited.substr(0, inherited.find('=') + 1);
    return std::any_of(env.begin(), env.end(), [&](const std::string& e) { return e.rfind(name, 0) == 0; });
  };
  for (char** e = environ; *e; ++e)
    if (!given(*e)) envp.push_back(*e);
  envp.push_back(nullptr);
  if (posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0)
    throw std::runtime_error("spawn");
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  reader_ = std::thread([this, fd = fds[0]] {
    char chunk[4096];
    for (;;) {
      auto n = read(fd, chunk, sizeof chunk);
      std::lock_guard lock(mutex_);
      if (n <= 0) {
        eof_ = true;
        changed_.notify_all();
        break;
      }
      output_.append(chunk, static_cast<std::size_t>(n));
      changed_.notify_all();
    }
    close(fd);
  });
}

child_process::~child_process() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  reader_.join();
}

std::string child_process::wait_for_line(const std::regex& pattern) {
  std::unique_lock lock(mutex_);
  std::size_t scanned = 0;
  for (;;) {
    for (auto nl = output_.find('\n', scanned); nl != std::string::npos; nl = output_.find('\n', scanned)) {
      auto line = output_.substr(scanned, nl - scanned);
      scanned = nl + 1;
      std::smatch m;
      if (std::regex_search(line, m, pattern)) return m.size() > 1 ? m[1].str() : line;
    }
    if (eof_) return "";
    changed_.wait(lock);
  }
}

int child_process::wait_exit() {
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return eof_; });
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

void child_process::signal(int sig) { kill(pid_, sig); }

std::string child_process::output() {
  std::lock_guard lock(mutex_);
  return output_;
}

}  // namespace boutique::testing
