#pragma once

#include "actors/messages.hpp"
#include "actors/reader.hpp"
#include "actors/storage_actor.hpp"
#include "domain/mail.hpp"
#include "mail/transport.hpp"

#include <atomic>
#include <chrono>
#include <memory>

namespace boutique::actors {

/// Delivers the transactional outbox: every mail committed with the event that needed it is handed, in rounds, to
/// the transport (a mail-drop folder, or an SMTP relay), and marked sent only once the transport took it. A mail
/// the relay defers is tried again later, one it refuses fails for good; while the relay cannot be reached the
/// mailer waits, longer each time (domain/mail.hpp). A crash between the relay's acceptance and the mark sends that
/// mail again, with the same Message-ID.
/// tick: the periodic poll; pending: another round right away (the last one found a full batch).
using mailer_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>, caf::reacts_to<caf::pending_atom>>;

/// What the management endpoint shows of the mailer (/admin/metrics); written by the mailer only.
struct mail_counters {
  std::atomic<std::uint64_t> sent{0};         ///< mails the transport took, since the start
  std::atomic<std::uint64_t> deferred{0};     ///< attempts the relay deferred (4xx)
  std::atomic<std::uint64_t> failed{0};       ///< mails that failed for good
  std::atomic<std::uint64_t> unreachable{0};  ///< rounds stopped because the relay could not be reached
  std::atomic<std::int64_t> queued{0};        ///< mails neither sent nor failed, after the last round
  std::atomic<std::int64_t> oldest_queued_at{0};  ///< when the oldest of them was queued (0: none)
};

struct mailer_settings {
  std::shared_ptr<mail::transport> transport;
  domain::retry_policy retry;
  std::chrono::milliseconds poll_every{200};
  std::chrono::milliseconds timeout{10000};
  /// Mails read from the outbox per round; one round at a time, so at most this many are held in memory
  /// however long the outbox grows.
  std::int32_t batch = 100;
  /// A round tries no further mail once it has lasted this long (the rest waits for the next round).
  std::chrono::milliseconds round_time{5000};
  std::shared_ptr<mail_counters> counters = std::make_shared<mail_counters>();
  /// In a cluster, where every node's mailer sends: each round first takes its mails (a write) for this long, so
  /// that no other node sends them too; 0 (one node): a round reads them.
  std::chrono::seconds claim{0};
};

mailer_actor spawn_mailer(caf::actor_system& sys, actors::storage_actor storage, actors::reader_pool readers,
                          mailer_settings settings);

}  // namespace boutique::actors
