// The debug trace (PUT /admin/log-level debug): each message a checkout session handles is logged, printed as
// actors/printing.hpp says, and no log line carries the session id or the shopper's personal data.
#include "config/logging.hpp"
#include "support/shop.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace boutique::testing;

TEST(debug_log, a_session_logs_each_message_it_handles_without_its_id_or_the_shoppers_data) {
  test_service svc;
  ASSERT_TRUE(boutique::config::set_log_level("debug"));
  ::testing::internal::CaptureStdout();
  checkout c(svc.port());
  auto form = contact_form("trace-me@example.org", "Besançon");
  form["lastname"] = "Tracedname";
  auto cart = c.cart(nlohmann::json::array({{{"code", "A51-11236-F"}, {"quantity", 1}}}));
  auto contact = c.contact(form);
  auto output = ::testing::internal::GetCapturedStdout();
  boutique::config::set_log_level("info");
  ASSERT_EQ(cart.status, 200);
  ASSERT_EQ(contact.status, 200);

  auto traced = "event=handles session=" + boutique::config::log_id(c.id());
  EXPECT_NE(output.find(traced), std::string::npos) << output;
  EXPECT_NE(output.find("'put', 'customer', contact{"), std::string::npos) << "the deposit is traced:\n" << output;
  EXPECT_NE(output.find("email=<personal>"), std::string::npos) << output;
  for (const auto& secret : {c.id(), std::string("trace-me@"), std::string("Tracedname"), std::string("Besan")})
    EXPECT_EQ(output.find(secret), std::string::npos) << secret << " is in the debug log:\n" << output;
}
