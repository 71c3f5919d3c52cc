#include "config/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using boutique::config::config_error;
using boutique::config::load;

namespace {

std::string write_file(const std::string& name, const std::string& text) {
  auto path = std::string(::testing::TempDir()) + name;
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::vector<std::string>& args) {
  try {
    load(args);
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(config, command_line_overrides_the_file) {
  auto file = write_file("a.ini", "[http]\nport = 9000\naddress = 127.0.0.2\n[storage]\npath = x.db\n");
  auto s = load({"--config=" + file, "--http.port=0", "--storage.path=/tmp/y.db"});
  EXPECT_EQ(s.http.port, 0);
  EXPECT_EQ(s.http.address, "127.0.0.2");
  EXPECT_EQ(s.storage.path, "/tmp/y.db");
  EXPECT_EQ(s.admin.port, 8081);
}

TEST(config, the_shipped_file_lists_every_default) {
  auto shipped = load({"--config=" BOUTIQUE_SOURCE_DIR "/config/boutique.ini"});
  boutique::config::settings defaults;
  EXPECT_EQ(shipped.http.port, defaults.http.port);
  EXPECT_EQ(shipped.admin.port, defaults.admin.port);
  // Its paths are taken from its own folder, config/: the same files as the defaults from the source tree.
  EXPECT_EQ(shipped.storage.path, BOUTIQUE_SOURCE_DIR "/" + defaults.storage.path);
  EXPECT_EQ(shipped.catalog_path, BOUTIQUE_SOURCE_DIR "/" + defaults.catalog_path);
  EXPECT_EQ(shipped.http.body_limit, defaults.http.body_limit);
  EXPECT_EQ(shipped.http.header_limit, defaults.http.header_limit);
  EXPECT_EQ(shipped.payments.test_mode, defaults.payments.test_mode);
  EXPECT_EQ(shipped.http.max_connections_per_address, defaults.http.max_connections_per_address);
  EXPECT_EQ(shipped.http.first_byte_timeout_s, defaults.http.first_byte_timeout_s);
  EXPECT_EQ(shipped.http.trusted_proxies, defaults.http.trusted_proxies);
  EXPECT_EQ(shipped.cluster.lease_s, defaults.cluster.lease_s);
  EXPECT_EQ(shipped.cluster.forward_timeout_ms, defaults.cluster.forward_timeout_ms);
  EXPECT_EQ(shipped.cluster.forward_max, defaults.cluster.forward_max);
  EXPECT_FALSE(shipped.cluster.enabled());
}

TEST(config, a_cluster_node_needs_postgresql_an_address_a_shared_csrf_secret_and_a_long_enough_forward_timeout) {
  auto validated = [](std::vector<std::string> args) {
    try {
      boutique::config::validate(load(args));
    } catch (const config_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string pg = "--storage.url=postgresql://boutique@127.0.0.1:5432/boutique";
  const std::string csrf = "--shop.csrf_secret=" + std::string(32, 'k');
  EXPECT_NE(validated({pg}).find("shop.mail_dir"), std::string::npos) << "maildir with no database folder";
  EXPECT_EQ(validated({pg, "--shop.mail_dir=/var/spool/boutique"}), "");
  EXPECT_NE(validated({csrf, "--cluster.node_id=n1", "--cluster.advertise=127.0.0.1:8080"}).find("postgresql://"),
            std::string::npos);
  EXPECT_NE(validated({pg, csrf, "--cluster.node_id=n1"}).find("cluster.advertise"), std::string::npos);
  EXPECT_NE(validated({pg, "--cluster.node_id=n1", "--cluster.advertise=127.0.0.1:8080"}).find("CSRF"),
            std::string::npos);
  EXPECT_NE(validated({pg, csrf, "--cluster.node_id=n1", "--cluster.advertise=127.0.0.1:8080",
                       "--cluster.forward_timeout_ms=5000"})
              .find("must exceed"),
            std::string::npos);
  EXPECT_EQ(validated({pg, csrf, "--cluster.node_id=n1", "--cluster.advertise=127.0.0.1:8080",
                       "--shop.mail_dir=/var/spool/boutique"}),
            "");
  EXPECT_NE(error_of({"--cluster.node_id=n 1"}).find("letters, digits"), std::string::npos);
  EXPECT_NE(error_of({"--cluster.node_id=" + std::string(65, 'a')}).find("letters, digits"), std::string::npos);
  EXPECT_NE(error_of({"--cluster.advertise=127.0.0.1"}).find("host:port"), std::string::npos);
  EXPECT_NE(error_of({"--cluster.advertise=127.0.0.1:99999"}).find("host:port"), std::string::npos);
  EXPECT_NE(error_of({"--cluster.advertise=a b:80"}).find("host:port"), std::string::npos);
  EXPECT_NE(error_of({"--cluster.advertise=0.0.0.0:8080"}).find("its own address"), std::string::npos);
}

TEST(config, relative_paths_in_a_file_are_taken_from_its_folder_and_on_the_command_line_from_the_working_one) {
  auto folder = std::filesystem::path(::testing::TempDir()) / "etc-boutique";
  std::filesystem::create_directories(folder);
  auto file = (folder / "boutique.ini").string();
  std::ofstream(file) << "[storage]\npath = ../lib/boutique.db\nbackup_dir = /srv/backups\n[catalog]\npath = catalog.json\n"
                         "[web]\ndir = ../../share/boutique/web\n[shop]\nmail_dir = mail\n";
  auto s = load({"--config=" + file});
  EXPECT_EQ(s.storage.path, (folder.parent_path() / "lib/boutique.db").string());
  EXPECT_EQ(s.catalog_path, (folder / "catalog.json").string());
  EXPECT_EQ(s.web_dir, (folder.parent_path().parent_path() / "share/boutique/web").string());
  EXPECT_EQ(s.shop.mail_dir, (folder / "mail").string());
  EXPECT_EQ(s.storage.backup_dir, "/srv/backups") << "an absolute path stays as it is";
  EXPECT_EQ(load({"--config=" + file, "--catalog.path=here.json"}).catalog_path, "here.json")
    << "the command line's own paths are the working folder's";
}

TEST(config, unknown_option_on_the_command_line_is_named) {
  EXPECT_NE(error_of({"--http.prot=1"}).find("http.prot"), std::string::npos);
  EXPECT_NE(error_of({"stray"}).find("stray"), std::string::npos);
}

TEST(config, unknown_key_in_the_file_is_named) {
  auto file = write_file("b.ini", "[storage]\npaht = x.db\n");
  EXPECT_NE(error_of({"--config=" + file}).find("storage.paht"), std::string::npos);
}

TEST(config, invalid_values_say_which_and_why) {
  auto message = error_of({"--http.port=70000"});
  EXPECT_NE(message.find("http.port"), std::string::npos);
  EXPECT_NE(message.find("0..65535"), std::string::npos);
  EXPECT_NE(error_of({"--http.port=abc"}).find("integer"), std::string::npos);
  EXPECT_NE(error_of({"--storage.synchronous=sometimes"}).find("full"), std::string::npos);
  EXPECT_NE(error_of({"--payments.test_mode=maybe"}).find("true or false"), std::string::npos);
  auto format = error_of({"--log.format=xml"});
  EXPECT_NE(format.find("log.format"), std::string::npos) << format;
  EXPECT_NE(format.find("json"), std::string::npos) << format;
  EXPECT_EQ(load({"--log.format=json"}).log_format, "json");
  EXPECT_NE(error_of({"--config=/nonexistent/boutique.ini"}).find("does not exist"), std::string::npos);
}

TEST(config, trusted_proxies_are_ip_addresses_and_a_bad_one_is_named) {
  auto s = load({"--http.trusted_proxies= 10.0.0.5, ::ffff:10.0.0.6,2001:DB8::1"});
  EXPECT_EQ(s.http.trusted_proxies, (std::vector<std::string>{"10.0.0.5", "10.0.0.6", "2001:db8::1"}));
  EXPECT_TRUE(load({"--http.trusted_proxies="}).http.trusted_proxies.empty());
  const boutique::config::settings defaults;
  EXPECT_TRUE(defaults.http.trusted_proxies.empty()) << "nobody is trusted by default";
  auto message = error_of({"--http.trusted_proxies=10.0.0.5,10.0.0.300"});
  EXPECT_NE(message.find("http.trusted_proxies"), std::string::npos) << message;
  EXPECT_NE(message.find("'10.0.0.300' is not an IP address"), std::string::npos) << message;
  EXPECT_NE(error_of({"--http.trusted_proxies=proxy.local"}).find("'proxy.local'"), std::string::npos);
  EXPECT_NE(error_of({"--http.trusted_proxies=10.0.0.0/8"}).find("'10.0.0.0/8'"), std::string::npos);
  EXPECT_NE(error_of({"--http.max_connections_per_address=0"}).find("http.max_connections_per_address"),
            std::string::npos);
}

TEST(config, secrets_come_from_the_environment) {
  setenv("BOUTIQUE_ADMIN_TOKEN", "from-environment", 1);
  auto s = load({});
  unsetenv("BOUTIQUE_ADMIN_TOKEN");
  EXPECT_EQ(s.admin.token, "from-environment");
}

TEST(config, off_loopback_the_placeholder_payment_secret_is_refused) {
  auto message = error_of({"--http.address=0.0.0.0", "--payments.test_mode=false",
                           "--payments.secret=change-me-in-production"});
  EXPECT_NE(message.find("BOUTIQUE_PAYMENT_SECRET"), std::string::npos) << message;
  EXPECT_NE(message.find("0.0.0.0"), std::string::npos) << message;
}

TEST(config, off_loopback_test_payments_are_refused) {
  auto message = error_of({"--http.address=0.0.0.0", "--payments.secret=a-real-secret-from-the-operator"});
  EXPECT_NE(message.find("payments.test_mode"), std::string::npos) << message;
  auto s = load({"--http.address=0.0.0.0", "--payments.secret=a-real-secret-from-the-operator",
                 "--payments.test_mode=false"});
  EXPECT_TRUE(s.payments.has_secret());
  EXPECT_EQ(error_of({"--http.address=127.0.0.1"}), "") << "on loopback the development defaults still start";
}

TEST(config, the_production_file_takes_its_secrets_from_the_environment) {
  const std::string production = "--config=" BOUTIQUE_SOURCE_DIR "/config/production.ini";
  unsetenv("BOUTIQUE_PAYMENT_SECRET");
  EXPECT_NE(error_of({production}).find("BOUTIQUE_PAYMENT_SECRET"), std::string::npos);
  setenv("BOUTIQUE_PAYMENT_SECRET", "from-the-environment-0123456789", 1);
  setenv("BOUTIQUE_CSRF_SECRET", "csrf-from-the-environment-0123456789", 1);
  auto s = load({production});
  unsetenv("BOUTIQUE_PAYMENT_SECRET");
  unsetenv("BOUTIQUE_CSRF_SECRET");
  EXPECT_EQ(s.payments.secret, "from-the-environment-0123456789");
  EXPECT_EQ(s.shop.csrf_secret, "csrf-from-the-environment-0123456789");
  EXPECT_FALSE(s.payments.test_mode);
  EXPECT_TRUE(boutique::config::secure_cookies(s)) << "production serves HTTPS: __Host- cookies";
  EXPECT_EQ(s.mail.transport, "smtp") << "production mails through a relay";
  EXPECT_EQ(s.mail.smtp_starttls, "required");
}

TEST(config, a_short_csrf_secret_is_refused) {
  EXPECT_NE(error_of({"--shop.csrf_secret=short"}).find("shop.csrf_secret"), std::string::npos);
  EXPECT_EQ(error_of({"--shop.csrf_secret=" + std::string(32, 'k')}), "");
}

TEST(config, storage_url_names_a_postgresql_database_or_an_sqlite_file) {
  auto folder = std::filesystem::path(::testing::TempDir()) / "etc-boutique-url";
  std::filesystem::create_directories(folder);
  auto file = (folder / "boutique.ini").string();
  std::ofstream(file) << "[storage]\nurl = sqlite:../lib/shop.db\n";
  auto s = load({"--config=" + file});
  EXPECT_EQ(s.storage.path, (folder.parent_path() / "lib/shop.db").string()) << "sqlite:PATH, from the file's folder";
  EXPECT_EQ(s.storage.url, "");
  auto pg = load({"--storage.url=postgresql://shop@db.internal:5432/boutique", "--shop.mail_dir=/var/mail/shop"});
  EXPECT_EQ(pg.storage.url, "postgresql://shop@db.internal:5432/boutique");
  EXPECT_EQ(load({"--storage.url=/srv/b.db"}).storage.path, "/srv/b.db") << "a plain path is an SQLite file";
  EXPECT_EQ(load({"--storage.url=/srv/b.db"}).storage.url, "");
  EXPECT_EQ(load({"--config=" + file, "--storage.path=/tmp/z.db"}).storage.path, "/tmp/z.db")
    << "the command line's storage.path overrides the file's storage.url";
  EXPECT_EQ(load({"--config=" + file, "--storage.url=postgres://a@h/d", "--shop.mail_dir=/m"}).storage.url,
            "postgres://a@h/d");
}

TEST(config, storage_path_and_url_together_are_refused_and_a_url_password_is_never_quoted) {
  auto file = write_file("both.ini", "[storage]\npath = x.db\nurl = postgresql://a@h/d\n");
  auto both = error_of({"--config=" + file});
  EXPECT_NE(both.find("storage.path and storage.url"), std::string::npos) << both;
  EXPECT_NE(error_of({"--storage.path=a.db", "--storage.url=sqlite:b.db"}).find("both given on the command line"),
            std::string::npos);
  auto bad = error_of({"--storage.url=mysql://shop:s3cret@h/d"});
  EXPECT_NE(bad.find("PostgreSQL"), std::string::npos) << bad;
  EXPECT_EQ(bad.find("s3cret"), std::string::npos) << bad;
  for (const char* with_password : {"postgresql://shop:s3cret@h/d",
                                    "postgresql://shop@h/d?sslmode=require&password=s3cret",
                                    "postgres://shop:p@ss:s3cret@h/d"}) {
    auto refused = error_of({std::string("--storage.url=") + with_password});
    EXPECT_NE(refused.find("PGPASSWORD"), std::string::npos) << refused;
    EXPECT_EQ(refused.find("s3cret"), std::string::npos) << refused;
  }
  for (const char* mistyped : {"postgresql:/shop:s3cret@h/d", "host=h dbname=d password=s3cret"}) {
    auto refused = error_of({std::string("--storage.url=") + mistyped});
    EXPECT_NE(refused.find("postgresql://USER@HOST:PORT/DB"), std::string::npos) << refused;
    EXPECT_EQ(refused.find("s3cret"), std::string::npos) << refused;
  }
  auto spaced = error_of({"--storage.url=postgresql://shop@h/d x"});
  EXPECT_NE(spaced.find("storage.url"), std::string::npos) << spaced;
  EXPECT_NE(error_of({"--storage.url=sqlite:"}).find("storage.url"), std::string::npos);
}
