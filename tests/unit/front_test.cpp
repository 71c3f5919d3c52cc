// The HTTP front's pure rules: which address a request comes from, where a redirect may lead, which JSON bodies
// are refused.
#include "config/config.hpp"
#include "net/client_address.hpp"
#include "net/json_codec.hpp"
#include "net/query.hpp"

#include <gtest/gtest.h>

using namespace boutique::net;

namespace {

header_list forwarded(std::initializer_list<std::string> values) {
  header_list headers{{"host", "shop.example"}};
  for (const auto& v : values) headers.emplace_back("x-forwarded-for", v);
  return headers;
}

const std::vector<std::string> proxies = {"10.0.0.5", "10.0.0.6", "2001:db8::1"};

json_body parse(const std::string& text) {
  http_request request;
  request.headers.emplace_back("content-type", "application/json");
  request.body = text;
  return parse_body(request, {"items", "code", "quantity", "amount"});
}

}  // namespace

TEST(client_address, an_untrusted_peer_is_the_client_whatever_it_forwards) {
  EXPECT_EQ(client_address("192.0.2.1", forwarded({"203.0.113.7"}), proxies), "192.0.2.1");
  EXPECT_EQ(client_address("192.0.2.1", forwarded({"203.0.113.7"}), {}), "192.0.2.1");
}

TEST(client_address, behind_a_trusted_proxy_the_right_most_untrusted_entry_is_the_client) {
  EXPECT_EQ(client_address("10.0.0.5", forwarded({"203.0.113.7"}), proxies), "203.0.113.7");
  // The client wrote "198.51.100.9" itself; the proxy appended the address it saw.
  EXPECT_EQ(client_address("10.0.0.5", forwarded({"198.51.100.9, 203.0.113.7"}), proxies), "203.0.113.7");
  // Two proxies in a row: each trusted entry is skipped; several headers form one list.
  EXPECT_EQ(client_address("10.0.0.5", forwarded({"198.51.100.9, 203.0.113.7", "10.0.0.6"}), proxies),
            "203.0.113.7");
  EXPECT_EQ(client_address("10.0.0.5", forwarded({"2001:DB8::1,  2001:db8::bad:1 ,2001:db8::1"}), proxies),
            "2001:db8::bad:1");
}

TEST(client_address, without_a_usable_entry_the_proxy_itself_is_the_client) {
  EXPECT_EQ(client_address("10.0.0.5", forwarded({}), proxies), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", forwarded({"10.0.0.6"}), proxies), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", forwarded({"203.0.113.7, unknown"}), proxies), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", forwarded({"203.0.113.7:443"}), proxies), "10.0.0.5");
}

TEST(forwarded_https, only_a_trusted_proxy_saying_https_makes_a_request_https) {
  auto proto = [](std::initializer_list<std::string> values) {
    header_list headers{{"host", "shop.example"}};
    for (const auto& v : values) headers.emplace_back("x-forwarded-proto", v);
    return headers;
  };
  EXPECT_TRUE(forwarded_https("10.0.0.5", proto({"https"}), proxies));
  EXPECT_TRUE(forwarded_https("10.0.0.5", proto({"HTTPS"}), proxies));
  EXPECT_TRUE(forwarded_https("10.0.0.5", proto({"http, https"}), proxies)) << "the nearest proxy's value is the last";
  EXPECT_FALSE(forwarded_https("10.0.0.5", proto({"https, http"}), proxies));
  EXPECT_FALSE(forwarded_https("10.0.0.5", proto({"https", "http"}), proxies));
  EXPECT_FALSE(forwarded_https("10.0.0.5", proto({}), proxies));
  EXPECT_FALSE(forwarded_https("10.0.0.5", proto({"httpsx"}), proxies));
  EXPECT_FALSE(forwarded_https("192.0.2.1", proto({"https"}), proxies)) << "a client's own claim";
  EXPECT_FALSE(forwarded_https("10.0.0.5", proto({"https"}), {})) << "no trusted proxy: never";
}

TEST(canonical_ip, maps_ipv4_in_ipv6_and_refuses_names) {
  EXPECT_EQ(boutique::config::canonical_ip("::ffff:10.0.0.5"), "10.0.0.5");
  EXPECT_EQ(boutique::config::canonical_ip("2001:DB8:0:0::1"), "2001:db8::1");
  EXPECT_FALSE(boutique::config::canonical_ip("proxy.local"));
  EXPECT_FALSE(boutique::config::canonical_ip("10.0.0.256"));
}

TEST(local_redirect_target, keeps_a_plain_local_path_and_its_query) {
  EXPECT_EQ(local_redirect_target("/cart"), "/cart");
  EXPECT_EQ(local_redirect_target("/account?saved=1"), "/account?saved=1");
  EXPECT_EQ(local_redirect_target("/checkout/contact"), "/checkout/contact");
}

TEST(local_redirect_target, never_names_another_host) {
  EXPECT_EQ(local_redirect_target("//cart"), "/cart");
  EXPECT_EQ(local_redirect_target("//evil.example/x?lang=fr"), "/evil.example/x?lang=fr");
  EXPECT_EQ(local_redirect_target("/\\evil.example"), "/evil.example");
  EXPECT_EQ(local_redirect_target("\\\\evil.example"), "/evil.example");
  EXPECT_EQ(local_redirect_target("/cart//x"), "/cart/x");
  EXPECT_EQ(local_redirect_target("https://evil.example/"), "/");
  EXPECT_EQ(local_redirect_target("javascript:alert(1)"), "/");
  EXPECT_EQ(local_redirect_target("cart"), "/");
  EXPECT_EQ(local_redirect_target(""), "/");
}

TEST(local_redirect_target, encodes_what_could_split_a_header) {
  EXPECT_EQ(local_redirect_target("/cart\r\nSet-Cookie: x=1"), "/cart%0D%0ASet-Cookie:%20x=1");
  EXPECT_EQ(local_redirect_target("/cart?a=\r\n"), "/cart?a=%0D%0A");
  EXPECT_EQ(local_redirect_target("/\t/evil.example"), "/%09/evil.example");
  EXPECT_EQ(local_redirect_target("/caf\xC3\xA9#top"), "/caf%C3%A9");
}

TEST(parse_body, a_key_repeated_at_any_depth_is_a_400) {
  EXPECT_FALSE(parse(R"({"items":[],"code":"a"})").error);
  EXPECT_FALSE(parse(R"({"items":[{"code":"a","quantity":1},{"code":"a","quantity":2}]})").error)
    << "the same key in two objects is no repeat";
  for (const auto* text : {R"({"amount":1,"amount":2})", R"({"items":[{"code":"a","quantity":1,"quantity":2}]})",
                           R"({"items":[{"code":{"x":1,"y":{"z":1,"z":1}}}]})", R"({"items":[],"items":[]})"}) {
    auto body = parse(text);
    ASSERT_TRUE(body.error) << text;
    EXPECT_EQ(body.error->status, 400) << text;
  }
}
