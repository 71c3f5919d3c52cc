#include "domain/privacy.hpp"

#include <chrono>

namespace boutique::domain {

namespace {
constexpr const char* erased_domain = "@erased.invalid";
}

std::string to_string(privacy_requester who) { return who == privacy_requester::staff ? "staff" : "customer"; }

std::string erased_customer_email(std::int64_t customer_id) {
  return "erased-" + std::to_string(customer_id) + erased_domain;
}

std::string erased_user_login(std::int64_t user_id) { return "erased-user-" + std::to_string(user_id) + erased_domain; }

contact erased_contact(std::int64_t customer_id) {
  contact c;
  c.email = erased_customer_email(customer_id);
  return c;
}

std::optional<std::string> erasure_refusal(const std::vector<std::pair<std::string, bill_status>>& bills) {
  std::string payable;
  for (const auto& [transid, status] : bills)
    if (can_transition(status, bill_status::soldout) && can_transition(status, bill_status::cancelled))
      payable += (payable.empty() ? "" : ", ") + transid;
  if (payable.empty()) return std::nullopt;
  return "an order can still be paid (" + payable + "): cancel it first, then ask again";
}

std::int64_t invoice_kept_until(std::int64_t issued_at, int years) {
  using namespace std::chrono;
  sys_seconds at{seconds{issued_at}};
  auto day = floor<days>(at);
  auto later = year_month_day{day} + std::chrono::years{years};
  if (!later.ok()) later = later.year() / later.month() / std::chrono::last;  // 29 February, in a common year
  return duration_cast<seconds>((sys_days{later} + (at - day)).time_since_epoch()).count();
}

}  // namespace boutique::domain
