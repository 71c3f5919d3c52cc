// The boutique executable as an operator runs it: exit codes, messages, signals.
#include "support/http_client.hpp"
#include "support/test_service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <chrono>
#include <csignal>
#include <regex>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

using namespace boutique::testing;

namespace {

/// A running boutique process. A thread keeps reading its standard output and error (one pipe), so the
/// child never blocks on a full pipe.
class child_process {
 public:
  explicit child_process(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    args.insert(args.begin(), BOUTIQUE_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, BOUTIQUE_BINARY, &actions, nullptr, argv.data(), environ) != 0)
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

  ~child_process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    reader_.join();
  }

  /// Waits until a complete output line matches `pattern`; returns its first capture group ("" at end of output).
  std::string wait_for_line(const std::regex& pattern) {
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

  /// Waits for the exit and the end of its output; returns the exit code (or -signal).
  int wait_exit() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return eof_; });
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  void signal(int sig) { kill(pid_, sig); }
  std::string output() {
    std::lock_guard lock(mutex_);
    return output_;
  }

 private:
  pid_t pid_ = -1;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  bool eof_ = false;
};

std::vector<std::string> base_args(const temp_dir& dir) {
  return {"--http.port=0", "--admin.port=0", "--storage.path=" + (dir.path() / "b.db").string(),
          "--catalog.path=" BOUTIQUE_SOURCE_DIR "/config/catalog.json", "--storage.synchronous=normal"};
}

}  // namespace

TEST(cli, unknown_option_exits_2_naming_it) {
  child_process p({"--http.prot=9"});
  EXPECT_EQ(p.wait_exit(), 2);
  EXPECT_NE(p.output().find("http.prot"), std::string::npos) << p.output();
}

TEST(cli, invalid_value_exits_non_zero_saying_which_and_why) {
  child_process p({"--http.port=-3"});
  EXPECT_NE(p.wait_exit(), 0);
  EXPECT_NE(p.output().find("http.port"), std::string::npos) << p.output();
  EXPECT_NE(p.output().find("0..65535"), std::string::npos) << p.output();
}

TEST(cli, unwritable_database_path_fails_clearly) {
  temp_dir dir;
  auto args = base_args(dir);
  args.push_back("--storage.path=/proc/boutique-no-such-dir/boutique.db");
  child_process p(args);
  EXPECT_EQ(p.wait_exit(), 1);
  EXPECT_NE(p.output().find("cannot start"), std::string::npos) << p.output();
  EXPECT_NE(p.output().find("/proc/boutique-no-such-dir"), std::string::npos) << p.output();
}

TEST(cli, port_zero_logs_the_bound_port_and_sigterm_under_load_exits_0_within_5_seconds) {
  temp_dir dir;
  child_process p(base_args(dir));
  auto port_text = p.wait_for_line(std::regex("info http event=listening address=\\S+ port=(\\d+)"));
  ASSERT_FALSE(port_text.empty()) << p.output();
  auto port = static_cast<std::uint16_t>(std::stoi(port_text));
  ASSERT_NE(port, 0);

  std::atomic<int> served{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i)
    clients.emplace_back([&] {
      http_client client(port);
      while (!done) {
        try {
          if (client.get("/api/v1/catalog").status == 200) ++served;
        } catch (const std::exception&) {
          return;  // the server closed: shutting down
        }
      }
    });
  while (served < 200) std::this_thread::yield();
  auto signalled = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  int code = p.wait_exit();
  auto elapsed = std::chrono::steady_clock::now() - signalled;
  done = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(code, 0) << p.output();
  EXPECT_LT(elapsed, std::chrono::seconds(5)) << p.output();
}
