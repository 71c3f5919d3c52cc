#include "app/service.hpp"
#include "config/config.hpp"
#include "config/logging.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

namespace {

/// Blocks SIGINT and SIGTERM in every thread (they inherit the mask) and returns the set to wait on.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << boutique::config::usage();
    return 0;
  }
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
  sigwait(&signals, &received);
  log->info("event=stopping signal={}", received == SIGINT ? "SIGINT" : "SIGTERM");
  service.stop();
  spdlog::shutdown();
  return 0;
}
