// Text rules: UTF-8 and email checks, normalisation, percent-decoding, payment signature parsing.
#include "domain/contact.hpp"
#include "domain/signature.hpp"
#include "net/query.hpp"

using namespace boutique;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  bool clean = domain::is_clean_text(text);
  if (clean && text.find('\0') != std::string::npos) __builtin_trap();
  auto norm = domain::normalize_email(text);
  if (domain::normalize_email(norm) != norm) __builtin_trap();  // idempotent
  domain::is_valid_email(text);
  net::percent_decode(text);
  net::parse_query(text);
  auto split = text.find('\n');
  auto header = text.substr(0, split);
  auto body = split == std::string::npos ? std::string() : text.substr(split + 1);
  if (domain::signature_problem(header, body, "fuzz-secret", 1'800'000'000).empty() &&
      domain::signature_problem(domain::sign_notification(body, "fuzz-secret", 1'800'000'000), body, "fuzz-secret",
                                1'800'000'000) != "")
    __builtin_trap();
  return 0;
}
