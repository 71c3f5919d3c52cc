#include "actors/messages.hpp"

#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace boutique {

caf::error make_domain_error(domain::error_code code, std::string detail) {
  return caf::make_error(code, std::move(detail));
}

caf::error make_validation_error(domain::message detail, domain::field_errors fields) {
  auto text = domain::english(detail);
  return caf::make_error(domain::error_code::validation, std::move(text), std::move(fields), std::move(detail));
}

caf::error make_throttled_error(std::string detail, std::int64_t retry_after_s) {
  return caf::make_error(domain::error_code::throttled, std::move(detail), retry_after_s);
}

caf::error make_overloaded_error(std::string detail, std::int64_t retry_after_s) {
  return caf::make_error(domain::error_code::overloaded, std::move(detail), retry_after_s);
}

std::int64_t error_retry_after(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.size() == 2 && ctx.match_element<std::int64_t>(1)) return ctx.get_as<std::int64_t>(1);
  return 0;
}

domain::field_errors error_fields(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.size() == 3 && ctx.match_element<domain::field_errors>(1)) return ctx.get_as<domain::field_errors>(1);
  return {};
}

std::optional<domain::message> error_message(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.size() == 3 && ctx.match_element<domain::message>(2)) return ctx.get_as<domain::message>(2);
  return std::nullopt;
}

domain::error_code domain_code(const caf::error& err) {
  if (!err) return domain::error_code::none;  // no error (CAF's category() of an empty error dereferences null)
  if (err.category() == caf::atom("boutique")) return static_cast<domain::error_code>(err.code());
  if (err == caf::sec::request_timeout) return domain::error_code::overloaded;
  // The actor was passivated between routing and delivery: nothing ran, a retry reaches its next activation.
  if (err == caf::sec::request_receiver_down) return domain::error_code::overloaded;
  return domain::error_code::internal;
}

std::string error_detail(const caf::error& err) {
  if (!err) return "";
  const auto& ctx = err.context();
  if (ctx.size() >= 1 && ctx.match_element<std::string>(0)) return ctx.get_as<std::string>(0);
  if (err.category() == caf::atom("boutique")) return std::string(domain::to_string(domain_code(err)));
  return "internal error (" + std::to_string(err.code()) + ")";
}

}  // namespace boutique
