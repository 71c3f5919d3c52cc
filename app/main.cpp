#include "app/service.hpp"
#include "config/config.hpp"
#include "config/logging.hpp"
#include "storage/sqlite_database.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <iostream>

namespace {

/// Blocks SIGINT, SIGTERM (stop) and SIGHUP (reload the catalog) in every thread (they inherit the mask) and
/// returns the set to wait on.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

namespace {

/// `boutique backup --to=FILE [options]`: an online copy of the database the options name (docs/OPERATIONS.md).
int backup(std::vector<std::string> args) {
  std::string to;
  for (auto it = args.begin(); it != args.end();) {
    if (it->rfind("--to=", 0) == 0) {
      to = it->substr(5);
      it = args.erase(it);
    } else {
      ++it;
    }
  }
  if (to.empty()) {
    std::cerr << "boutique backup: --to=FILE is required\n";
    return 2;
  }
  boutique::config::settings settings;
  try {
    settings = boutique::config::load(args);
  } catch (const boutique::config::config_error& e) {
    std::cerr << "boutique backup: " << e.what() << "\n";
    return 2;
  }
  if (!settings.storage.url.empty()) {
    std::cerr << "boutique backup: the database is PostgreSQL's (storage.url): back it up with pg_dump or "
                 "pg_basebackup\n";
    return 2;
  }
  try {
    auto started = std::chrono::steady_clock::now();
    auto copied = boutique::storage::backup_database(settings.storage.path, to);
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "backup: " << settings.storage.path << " -> " << to << ": " << copied.pages << " pages, "
              << copied.bytes << " bytes in " << seconds << " s\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "boutique backup: " << e.what() << "\n";
    return 1;
  }
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << boutique::config::usage();
    return 0;
  }
  if (!args.empty() && args[0] == "backup") return backup({args.begin() + 1, args.end()});
  boutique::config::settings settings;
  try {
    settings = boutique::config::load(args);
  } catch (const boutique::config::config_error& e) {
    std::cerr << "boutique: " << e.what() << "\n" << "run 'boutique --help' for the list of options\n";
    return 2;
  }
  auto signals = block_stop_signals();
  auto log = boutique::config::logger("app");
  boutique::app::service service(settings);
  try {
    service.start();
  } catch (const boutique::app::startup_error& e) {
    log->critical("event=startup_failed error=\"{}\"", e.what());
    std::cerr << "boutique: cannot start: " << e.what() << "\n";
    return 1;
  }
  log->info("event=started http_port={} admin_port={}", service.http_port(), service.admin_port());
  int received = 0;
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) service.reload_catalog();
  log->info("event=stopping signal={}", received == SIGINT ? "SIGINT" : "SIGTERM");
  service.stop();
  spdlog::shutdown();
  return 0;
}
