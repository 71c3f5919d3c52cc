// The boutique executable as an operator runs it: exit codes, messages, signals.
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/storage.hpp"
#include "support/test_service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

using namespace boutique::testing;

namespace {

/// The service's arguments, its database given as `storage` ("--storage.url=..." of a test_store, on either backend)
/// and its mail folder as `mail` (test_store::mail_option), if any.
std::vector<std::string> base_args(const std::string& storage, const std::string& mail = "") {
  std::vector<std::string> args{"--http.port=0", "--admin.port=0", storage,
                                "--catalog.path=" BOUTIQUE_SOURCE_DIR "/config/catalog.json",
                                "--storage.synchronous=normal"};
  if (!mail.empty()) args.push_back(mail);
  return args;
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

TEST(cli, a_trusted_proxy_that_is_no_ip_address_exits_non_zero_naming_it) {
  child_process p({"--http.trusted_proxies=10.0.0.5,not-an-ip"});
  EXPECT_NE(p.wait_exit(), 0);
  EXPECT_NE(p.output().find("'not-an-ip' is not an IP address"), std::string::npos) << p.output();
}

TEST(cli, unwritable_database_path_fails_clearly) {
  auto args = base_args("--storage.path=/proc/boutique-no-such-dir/boutique.db");
  child_process p(args);
  EXPECT_EQ(p.wait_exit(), 1);
  EXPECT_NE(p.output().find("cannot start"), std::string::npos) << p.output();
  EXPECT_NE(p.output().find("/proc/boutique-no-such-dir"), std::string::npos) << p.output();
}

TEST(cli, port_zero_logs_the_bound_port_and_sigterm_under_load_exits_0_within_5_seconds) {
  temp_dir dir;
  test_store store{(dir.path() / "b.db").string()};
  child_process p(base_args(store.option(), store.mail_option()));
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

TEST(cli, off_loopback_the_placeholder_secret_or_test_payments_refuse_to_start) {
  temp_dir dir;
  test_store store{(dir.path() / "b.db").string()};
  // Exit 2 naming the reason; a service that starts anyway is stopped and fails the test (rather than hang it).
  auto refused = [](std::vector<std::string> args, const std::string& reason) {
    child_process p(args);
    if (!p.wait_for_line(std::regex("event=listening")).empty()) {
      p.signal(SIGTERM);
      p.wait_exit();
      ADD_FAILURE() << "started off loopback; expected a refusal naming " << reason;
      return;
    }
    EXPECT_EQ(p.wait_exit(), 2) << p.output();
    EXPECT_NE(p.output().find(reason), std::string::npos) << p.output();
  };
  auto args = base_args(store.option(), store.mail_option());
  args.insert(args.end(), {"--http.address=0.0.0.0", "--payments.secret=change-me-in-production",
                           "--payments.test_mode=false"});
  refused(args, "BOUTIQUE_PAYMENT_SECRET");
  args = base_args(store.option(), store.mail_option());
  args.insert(args.end(), {"--http.address=0.0.0.0", "--payments.secret=a-real-secret-0123456789",
                           "--payments.test_mode=true"});
  refused(args, "payments.test_mode");
}

TEST(cli, on_loopback_the_placeholder_secret_starts_and_the_log_says_notifications_are_refused) {
  temp_dir dir;
  test_store store{(dir.path() / "b.db").string()};
  auto args = base_args(store.option(), store.mail_option());
  args.push_back("--payments.secret=change-me-in-production");
  child_process p(args);
  ASSERT_FALSE(p.wait_for_line(std::regex("info http event=listening address=\\S+ port=(\\d+)")).empty()) << p.output();
  EXPECT_NE(p.output().find("warning app event=payment_notifications_refused reason=\"no payment secret configured: "
                            "set BOUTIQUE_PAYMENT_SECRET"),
            std::string::npos)
    << "the start-up log says why notifications are refused:\n" << p.output();
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(), 0) << p.output();
}

TEST(cli, sighup_reloads_the_catalog_while_the_service_keeps_serving) {
  temp_dir dir;
  test_store store{(dir.path() / "b.db").string()};
  auto catalog = dir.path() / "catalog.json";
  auto items = nlohmann::json::parse(std::ifstream(BOUTIQUE_SOURCE_DIR "/config/catalog.json"));
  std::ofstream(catalog) << items.dump();
  auto args = base_args(store.option(), store.mail_option());
  args.push_back("--catalog.path=" + catalog.string());
  child_process p(args);
  auto port_text = p.wait_for_line(std::regex("info http event=listening address=\\S+ port=(\\d+)"));
  ASSERT_FALSE(port_text.empty()) << p.output();
  http_client client(static_cast<std::uint16_t>(std::stoi(port_text)));
  auto before = client.get("/api/v1/catalog").json()["items"].size();

  auto added = items["items"][0];
  added["code"] = "Z99-99999-Z";
  items["items"].push_back(added);
  std::ofstream(catalog, std::ios::trunc) << items.dump();
  p.signal(SIGHUP);
  auto reloaded = p.wait_for_line(std::regex("event=catalog_reloaded .*items=(\\d+)"));
  EXPECT_EQ(reloaded, std::to_string(before + 1)) << p.output();
  EXPECT_EQ(client.get("/api/v1/catalog").json()["items"].size(), before + 1);
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(), 0) << p.output();
}
