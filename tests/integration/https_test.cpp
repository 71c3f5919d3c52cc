// HTTPS behind a TLS-ending proxy: HAProxy runs deploy/haproxy.cfg itself, with a self-signed certificate this test
// makes, and a TLS client (libcurl, verifying that certificate) checks what a shopper's browser gets: Secure,
// __Host- named cookies and Strict-Transport-Security; what a client reaching Boutique directly gets, even one that
// claims HTTPS in X-Forwarded-Proto: neither.
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/test_service.hpp"
#include "support/wait.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
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

}  // namespace

TEST(https, behind_the_proxy_cookies_are_secure_and_hsts_is_sent_and_nobody_else_can_claim_https) {
  temp_dir dir;
  auto cert = dir.path() / "cert.pem", pem = dir.path() / "haproxy.pem";
  make_certificate(cert, pem);
  auto settings = test_settings();
  settings.http.trusted_proxies = {"127.0.0.1"};  // the proxy; shoppers come from elsewhere
  test_service svc(settings);
  auto https_port = free_port(), http_port = free_port();
  child_process haproxy("/usr/sbin/haproxy", {"-f", BOUTIQUE_SOURCE_DIR "/deploy/haproxy.cfg", "-db"},
                        {"HTTPS_BIND=127.0.0.1:" + std::to_string(https_port),
                         "HTTP_BIND=127.0.0.1:" + std::to_string(http_port), "BOUTIQUE_TLS_PEM=" + pem.string(),
                         "BOUTIQUE_UPSTREAM=127.0.0.1:" + std::to_string(svc.port()),
                         "BOUTIQUE_ADMIN_PORT=" + std::to_string(svc.admin_port())});

  // HAProxy says nothing once it listens: the first TLS answer tells (within 10 s).
  auto url = "https://127.0.0.1:" + std::to_string(https_port) + "/login";
  tls_answer page;
  within(10s, [&] { return (page = tls_get(url, cert.string())).status != 0; }, 50ms);
  ASSERT_EQ(page.status, 200) << page.error << "\n" << haproxy.output();
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
