// HTTPS behind a TLS-ending proxy: HAProxy runs deploy/haproxy.cfg, and nginx deploy/nginx.conf, each with a
// self-signed certificate this test makes, and a TLS client (libcurl, verifying that certificate) checks what a shopper's browser gets: Secure,
// __Host- named cookies and Strict-Transport-Security; what a client reaching Boutique directly gets, even one that
// claims HTTPS in X-Forwarded-Proto: neither.
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/test_service.hpp"
#include "support/wait.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>

#include <strings.h>

using namespace boutique;
using namespace boutique::testing;
using namespace std::chrono_literals;

namespace {

struct tls_answer {
  long status = 0;
  std::vector<std::string> headers;  ///< "name: value" lines as received
  std::string error;                 ///< libcurl's words when the request failed
};

std::size_t keep_header(char* data, std::size_t size, std::size_t count, void* user) {
  std::string line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (!line.empty()) static_cast<tls_answer*>(user)->headers.push_back(line);
  return size * count;
}

std::size_t drop_body(char*, std::size_t size, std::size_t count, void*) { return size * count; }

/// GET `url` over TLS, trusting only the certificate in `ca_file` (peer and host name verified).
tls_answer tls_get(const std::string& url, const std::string& ca_file) {
  tls_answer answer;
  CURL* h = curl_easy_init();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CAINFO, ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, keep_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &answer);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, drop_body);
  auto status = curl_easy_perform(h);
  if (status == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &answer.status);
  else answer.error = curl_easy_strerror(status);
  curl_easy_cleanup(h);
  return answer;
}

/// The first header line starting with `prefix` (case-insensitive name), or "".
std::string header_line(const std::vector<std::string>& headers, const std::string& prefix) {
  for (const auto& h : headers)
    if (h.size() >= prefix.size() && strncasecmp(h.c_str(), prefix.c_str(), prefix.size()) == 0) return h;
  return {};
}

/// A self-signed certificate for 127.0.0.1 (openssl), its key beside it in `pem` as HAProxy wants them.
void make_certificate(const std::filesystem::path& cert, const std::filesystem::path& pem) {
  auto key = cert.parent_path() / "key.pem";
  child_process openssl("/usr/bin/openssl",
                        {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days",
                         "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                         key.string(), "-out", cert.string()});
  ASSERT_EQ(openssl.wait_exit(), 0) << openssl.output();
  std::ofstream(pem) << std::ifstream(cert).rdbuf() << std::ifstream(key).rdbuf();
}

/// What a shopper gets through the proxy listening on `https_port` (TLS) and `http_port`, and what a client
/// reaching Boutique directly gets, even one claiming HTTPS in X-Forwarded-Proto.
void check_behind_proxy(const test_service& svc, std::uint16_t https_port, std::uint16_t http_port,
                        const std::filesystem::path& cert, child_process& proxy) {
  // The proxy says nothing once it listens: the first TLS answer tells (within 10 s).
  auto url = "https://127.0.0.1:" + std::to_string(https_port) + "/login";
  tls_answer page;
  within(10s, [&] { return (page = tls_get(url, cert.string())).status != 0; }, 50ms);
  ASSERT_EQ(page.status, 200) << page.error << "\n" << proxy.output();
  EXPECT_EQ(header_line(page.headers, "strict-transport-security:"), "strict-transport-security: max-age=31536000");
  auto cookie = header_line(page.headers, "set-cookie: __Host-boutique_csrf=");
  EXPECT_NE(cookie, "") << "the CSRF cookie takes the __Host- prefix over HTTPS";
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;

  // Plain HTTP at the proxy: sent to HTTPS.
  auto plain = http_client(http_port).get("/login");
  EXPECT_EQ(plain.status, 301);
  EXPECT_EQ(plain.header("location"), "https://127.0.0.1/login") << "the same host, on HTTPS's own port";

  // Straight to Boutique, from an address that is not the proxy, claiming HTTPS: not believed.
  for (const std::string claim : {"", "https"}) {
    auto direct = http_client(svc.port(), "127.0.0.5").get("/login", claim.empty() ? std::map<std::string, std::string>{}
                                                                                     : std::map<std::string, std::string>{{"X-Forwarded-Proto", claim}});
    ASSERT_EQ(direct.status, 200);
    EXPECT_EQ(direct.header("strict-transport-security"), "") << "claim: " << claim;
    auto direct_cookie = direct.header("set-cookie");
    EXPECT_EQ(direct_cookie.rfind("boutique_csrf=", 0), 0u) << direct_cookie;
    EXPECT_EQ(direct_cookie.find("Secure"), std::string::npos) << direct_cookie;
  }
}

config::settings behind_a_local_proxy() {
  auto settings = test_settings();
  settings.http.trusted_proxies = {"127.0.0.1"};  // the proxy; shoppers come from elsewhere
  return settings;
}

/// A certificate, the service behind a proxy on loopback, and the two ports the proxy is to listen on.
struct https : ::testing::Test {
  temp_dir dir;
  std::filesystem::path cert = dir.path() / "cert.pem", pem = dir.path() / "haproxy.pem";
  test_service svc{behind_a_local_proxy()};
  std::uint16_t https_port = free_port(), http_port = free_port();
  void SetUp() override { make_certificate(cert, pem); }
};

/// `text` with every `from` replaced by `to`; fails the test when `from` is not there (the example changed).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  EXPECT_NE(text.find(from), std::string::npos) << from;
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST_F(https, behind_haproxy_cookies_are_secure_and_hsts_is_sent_and_nobody_else_can_claim_https) {
  child_process haproxy("/usr/sbin/haproxy", {"-f", BOUTIQUE_SOURCE_DIR "/deploy/haproxy.cfg", "-db"},
                        {"HTTPS_BIND=127.0.0.1:" + std::to_string(https_port),
                         "HTTP_BIND=127.0.0.1:" + std::to_string(http_port), "BOUTIQUE_TLS_PEM=" + pem.string(),
                         "BOUTIQUE_UPSTREAM=127.0.0.1:" + std::to_string(svc.port()),
                         "BOUTIQUE_ADMIN_PORT=" + std::to_string(svc.admin_port())});
  check_behind_proxy(svc, https_port, http_port, cert, haproxy);
}

/// deploy/nginx.conf is a server block: the test puts it in a minimal nginx.conf, with its ports, names and paths
/// replaced by the test's, and runs nginx in the foreground.
TEST_F(https, behind_nginx_cookies_are_secure_and_hsts_is_sent_and_nobody_else_can_claim_https) {
  auto site = file_text(BOUTIQUE_SOURCE_DIR "/deploy/nginx.conf");
  site = replaced(site, "    listen [::]:80;\n", "");
  site = replaced(site, "    listen [::]:443 ssl http2;\n", "");
  site = replaced(site, "listen 80;", "listen 127.0.0.1:" + std::to_string(http_port) + ";");
  site = replaced(site, "listen 443 ssl", "listen 127.0.0.1:" + std::to_string(https_port) + " ssl");
  site = replaced(site, "server_name shop.example.com;", "server_name 127.0.0.1;");
  site = replaced(site, "/etc/ssl/certs/shop.example.com.pem", cert.string());
  site = replaced(site, "/etc/ssl/private/shop.example.com.key", (dir.path() / "key.pem").string());
  site = replaced(site, "server 127.0.0.1:8080;", "server 127.0.0.1:" + std::to_string(svc.port()) + ";");
  std::ofstream(dir.path() / "site.conf") << site;
  auto d = dir.path().string();
  std::ofstream(dir.path() / "nginx.conf")
    << "user root;\nmaster_process off;\npid " << d << "/nginx.pid;\nerror_log stderr warn;\n"
    << "events { worker_connections 64; }\n"
    << "http {\n  access_log off;\n  client_body_temp_path " << d << "/body;\n  proxy_temp_path " << d
    << "/proxy;\n  fastcgi_temp_path " << d << "/fastcgi;\n  uwsgi_temp_path " << d << "/uwsgi;\n  scgi_temp_path " << d
    << "/scgi;\n  include " << d << "/site.conf;\n}\n";
  child_process nginx("/usr/sbin/nginx", {"-p", d, "-c", d + "/nginx.conf", "-g", "daemon off;"});
  check_behind_proxy(svc, https_port, http_port, cert, nginx);
  nginx.signal(SIGTERM);
  nginx.wait_exit();
}
