#pragma once

#include "actors/messages.hpp"
#include "actors/reader.hpp"
#include "actors/storage_actor.hpp"

#include <chrono>
#include <filesystem>

namespace boutique::actors {

/// Delivers the transactional outbox: every mail committed with the event that needed it is written, once,
/// as an RFC 5322 .eml file into the mail-drop folder, then marked sent.
using mailer_actor = caf::typed_actor<caf::reacts_to<caf::tick_atom>>;

struct mailer_settings {
  std::filesystem::path drop_dir;
  std::chrono::milliseconds poll_every{200};
  std::chrono::milliseconds timeout{10000};
  /// Mails read from the outbox per round; one round at a time, so at most this many are held in memory
  /// however long the outbox grows.
  std::int32_t batch = 100;
};

mailer_actor spawn_mailer(caf::actor_system& sys, actors::storage_actor storage, actors::reader_pool readers,
                          mailer_settings settings);

/// The RFC 5322 text of a mail (CRLF line ends, UTF-8 body, RFC 2047 subject when not ASCII).
std::string render_eml(const outbox_mail& mail);

}  // namespace boutique::actors
