// Request bodies -> strict JSON decoding -> contact tidy/validation, and the cart decoding of PUT .../cart
// (net::cart_field, the route's own) -> cart pricing.
#include "domain/bill.hpp"
#include "domain/contact.hpp"
#include "net/json_codec.hpp"

#include <nlohmann/json.hpp>

using namespace boutique;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  net::http_request request;
  request.headers.emplace_back("content-type", "application/json");
  request.body.assign(reinterpret_cast<const char*>(data), size);
  auto body = net::parse_body(request, {"firstname", "lastname", "email", "organisation", "address", "zip", "city",
                                        "country", "invoiceinfo", "items"});
  auto cart_body = net::parse_body(request, {"items"});  // as PUT /api/v1/sessions/{sid}/cart reads it
  auto lines = net::cart_field(cart_body);
  if (cart_body.error) {
    auto status = cart_body.error->status;
    if (status != 400 && status != 415 && status != 422) __builtin_trap();
  } else {
    if (lines.size() > 50) __builtin_trap();
    for (const auto& line : lines)
      if (line.quantity < -1 || line.quantity > 1000) __builtin_trap();
    domain::catalog catalog = {{"A51-11236-F", "Formation", 12000, "EUR", 2000, 365, false}};
    auto priced = domain::price_cart(lines, catalog);
    if (priced.cart.total != priced.cart.untaxed + priced.cart.taxes) __builtin_trap();
  }
  auto contact = net::contact_field(body);
  if (body.error) {
    if (body.error->status != 400 && body.error->status != 415) __builtin_trap();
    return 0;
  }
  auto tidy = domain::tidy(contact);
  auto errors = domain::validate(tidy);
  if (errors.empty() && (!domain::is_valid_email(tidy.email) || !domain::is_country_code(tidy.country)))
    __builtin_trap();
  nlohmann::json echoed = tidy;  // what the service answers must serialise
  (void)echoed.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  return 0;
}
