// Installed like a service: cmake --install into a fresh prefix, then the installed executable started from another
// folder with only --config=<prefix>/etc/boutique/boutique.ini: it finds its catalog from the file's folder and its
// pages under share/boutique/web, and serves.
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/test_service.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <regex>

using namespace boutique::testing;

TEST(install, the_installed_service_runs_from_any_folder_with_its_configuration_file_alone) {
  temp_dir prefix, data;
  child_process install(BOUTIQUE_CMAKE, {"--install", BOUTIQUE_BUILD_DIR, "--prefix", prefix.path().string()});
  ASSERT_EQ(install.wait_exit(), 0) << install.output();
  for (const char* file : {"bin/boutique", "etc/boutique/boutique.ini", "etc/boutique/catalog.json",
                           "share/boutique/web/style.css", "share/boutique/web/admin/dashboard.js",
                           "share/boutique/deploy/haproxy.cfg", "share/boutique/deploy/boutique.service"})
    EXPECT_TRUE(std::filesystem::exists(prefix.path() / file)) << file;

  // From / with the installed file (config/production.ini); what a test machine lacks is overridden: ports, the
  // database's folder, the mail relay.
  auto command = "cd / && exec " + (prefix.path() / "bin/boutique").string() +
                 " --config=" + (prefix.path() / "etc/boutique/boutique.ini").string() +
                 " --http.port=0 --admin.port=0 --storage.path=" + (data.path() / "b.db").string() +
                 " --mail.transport=maildir --mail.smtp_url= --storage.synchronous=normal";
  child_process service("/bin/sh", {"-c", command},
                        {"BOUTIQUE_PAYMENT_SECRET=installed-test-secret-0123456789", "BOUTIQUE_WEB_DIR="});
  EXPECT_EQ(service.wait_for_line(std::regex("event=pages dir=(\\S+)")),
            (prefix.path() / "share/boutique/web").string())
    << "the pages installed beside bin/, not the source tree's";
  auto port = service.wait_for_line(std::regex("info http event=listening address=\\S+ port=(\\d+)"));
  ASSERT_FALSE(port.empty()) << service.output();
  auto page = http_client(static_cast<std::uint16_t>(std::stoi(port))).get("/");
  EXPECT_EQ(page.status, 200) << service.output();
  EXPECT_NE(page.body.find("<html"), std::string::npos) << "the page templates were found under share/";
  EXPECT_NE(page.body.find("A51-11236-F"), std::string::npos) << "the catalog beside the configuration file";
  service.signal(SIGTERM);
  EXPECT_EQ(service.wait_exit(), 0) << service.output();
}

/// The systemd unit names the files `cmake --install` lays out: systemd's own checker, run on the installed unit with
/// /usr/local replaced by the test's prefix, finds every program it starts and no unknown setting.
TEST(install, the_systemd_unit_passes_systemd_analyze_verify_against_the_installed_files) {
  temp_dir prefix, units;
  child_process install(BOUTIQUE_CMAKE, {"--install", BOUTIQUE_BUILD_DIR, "--prefix", prefix.path().string()});
  ASSERT_EQ(install.wait_exit(), 0) << install.output();
  auto unit = file_text(prefix.path() / "share/boutique/deploy/boutique.service");
  ASSERT_NE(unit.find("ExecStart=/usr/local/bin/boutique --config=/usr/local/etc/boutique/boutique.ini"),
            std::string::npos) << unit;
  auto placed = std::regex_replace(unit, std::regex("/usr/local"), prefix.path().string());
  {
    std::ofstream out(units.path() / "boutique.service");
    out << placed;
  }
  child_process verify("/usr/bin/systemd-analyze", {"verify", (units.path() / "boutique.service").string()});
  EXPECT_EQ(verify.wait_exit(), 0) << verify.output();
  EXPECT_EQ(verify.output().find("boutique.service:"), std::string::npos) << verify.output();
}
