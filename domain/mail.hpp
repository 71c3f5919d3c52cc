#pragma once

// What becomes of an outbox mail after one attempt to hand it to the mail transport.

#include "domain/records.hpp"

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace boutique::domain {

/// What the transport said of one attempt.
enum class delivery {
  accepted,     ///< handed over: the relay answered 250 to the end of the data, or the .eml file is written
  deferred,     ///< the relay answered 4xx to this mail (its sender, recipient or data): try it again later
  refused,      ///< the relay answered 5xx to this mail: never retried
  unreachable,  ///< nothing was handed over (no connection, TLS, login, 421, a full disk): the mail is not at fault
};

/// How often a deferred mail is tried again, and how long the mailer waits while the relay is unreachable.
struct retry_policy {
  int max_attempts = 20;          ///< a mail deferred this many times fails
  std::int64_t first_delay_s = 5; ///< the wait after the first failure, doubled after each next one
  std::int64_t max_delay_s = 600; ///< the longest wait
};

/// The wait after `failures` failures in a row (at least 1): first_delay_s, doubled each time, at most max_delay_s.
std::int64_t retry_delay_s(int failures, const retry_policy& policy);

/// What an attempt made of a mail, for the outbox.
struct mail_outcome {
  enum class state { sent, waiting, failed };
  BOOST_DESCRIBE_NESTED_ENUM(state, sent, waiting, failed)
  std::int64_t id = 0;
  state after = state::waiting;
  int attempts = 0;           ///< attempts that reached the relay, this one included
  std::int64_t at = 0;        ///< sent or failed at, or the earliest next attempt while waiting
  std::string error;          ///< the relay's last answer when it did not accept the mail
};
BOOST_DESCRIBE_STRUCT(mail_outcome, (), (id, after, attempts, at, error))

using mail_outcome_list = std::vector<mail_outcome>;

/// `mail` ready for the transport: its queued blocks (if any) rendered to its text and HTML body. std::invalid_argument
/// when the blocks cannot be read.
outbox_mail rendered(outbox_mail mail);

/// The outcome of an attempt at `now` that ended as `result` (`detail`: the relay's answer): accepted → sent;
/// refused → failed; deferred → waiting for retry_delay_s(attempts), or failed after max_attempts. An unreachable
/// relay is not an attempt on the mail: the mailer waits, and the mail stays as it is (nullopt).
std::optional<mail_outcome> after_attempt(const outbox_mail& mail, delivery result, std::string detail,
                                          std::int64_t now, const retry_policy& policy);

}  // namespace boutique::domain
