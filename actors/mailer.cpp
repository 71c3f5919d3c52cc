#include "actors/mailer.hpp"

#include "config/logging.hpp"
#include "domain/clock.hpp"

#include <caf/all.hpp>

namespace boutique::actors {

namespace {

struct mailer_state {
  mailer_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  actors::storage_actor storage;
  actors::reader_pool readers;
  mailer_settings settings;
  int unreachable_rounds = 0;       ///< rounds in a row that found the relay unreachable
  std::int64_t wait_until = 0;      ///< no round before this time while the relay is unreachable
  /// Outcomes not yet stored (the write failed): stored before anything else is sent, so that a mail the relay
  /// took is never read as due, and sent, again.
  domain::mail_outcome_list unstored;
  int store_failures = 0;           ///< failed writes of those in a row
  bool next_round_queued = false;   ///< a round found a full batch: the next one is queued (pending_atom)
  std::shared_ptr<spdlog::logger> log = config::logger("mailer");
  static inline const char* name = "mailer";
};

using pointer = mailer_actor::stateful_pointer<mailer_state>;

/// Hands the due mails to the transport until it cannot be reached, or the round has taken its time (so that a stop
/// waits for one mail at most, not a whole batch); returns what became of each one tried.
domain::mail_outcome_list attempt_all(pointer self, const std::vector<outbox_mail>& due) {
  auto& st = self->state;
  auto& counters = *st.settings.counters;
  domain::mail_outcome_list outcomes;
  auto round_ends = std::chrono::steady_clock::now() + st.settings.round_time;
  for (const auto& mail : due) {
    if (std::chrono::steady_clock::now() > round_ends) break;
    std::optional<outbox_mail> ready;
    try {
      ready = domain::rendered(mail);
    } catch (const std::invalid_argument&) {
      // A body that cannot be read never will be: the mail fails for good, and the round goes on. The parser's words
      // are not kept: they quote the body, which may hold a one-time link.
    }
    auto tried = ready ? st.settings.transport->deliver(*ready)
                       : mail::attempt{domain::delivery::refused, "the queued body cannot be read"};
    auto now = domain::now_s();
    auto outcome = domain::after_attempt(mail, tried.result, tried.detail, now, st.settings.retry);
    if (!outcome) {
      ++counters.unreachable;
      ++st.unreachable_rounds;
      auto wait = domain::retry_delay_s(st.unreachable_rounds, st.settings.retry);
      st.wait_until = now + wait;
      st.log->warn("event=mail_transport_unreachable transport={} rounds={} retry_in_s={} error=\"{}\"",
                   st.settings.transport->kind(), st.unreachable_rounds, wait, config::log_text(tried.detail));
      break;
    }
    if (st.unreachable_rounds > 0)
      st.log->info("event=mail_transport_back transport={} after_rounds={}", st.settings.transport->kind(),
                   st.unreachable_rounds);
    st.unreachable_rounds = 0;
    using state = domain::mail_outcome::state;
    switch (outcome->after) {
      case state::sent:
        ++counters.sent;
        st.log->info("event=mail_sent id={} transport={} attempts={}", mail.id, st.settings.transport->kind(),
                     outcome->attempts);
        break;
      case state::waiting:
        ++counters.deferred;
        st.log->warn("event=mail_deferred id={} attempts={} retry_at={} answer=\"{}\"", mail.id, outcome->attempts,
                     outcome->at, config::log_text(outcome->error));
        break;
      case state::failed:
        ++counters.failed;
        st.log->error("event=mail_failed id={} attempts={} answer=\"{}\"", mail.id, outcome->attempts,
                      config::log_text(outcome->error));
        break;
    }
    outcomes.push_back(std::move(*outcome));
  }
  st.settings.transport->end_round();
  return outcomes;
}

/// Stores `outcomes`; on failure keeps them for the next round (and pauses), so that nothing is sent meanwhile.
void store(pointer self, domain::mail_outcome_list outcomes) {
  auto& st = self->state;
  self->request(st.storage, st.settings.timeout, atoms::sent_atom_v, outcomes)
    .await(
      [self](caf::ok_atom) {
        self->state.unstored.clear();
        self->state.store_failures = 0;
      },
      [self, outcomes](caf::error& err) {
        auto& st = self->state;
        st.unstored = outcomes;
        ++st.store_failures;
        st.wait_until = domain::now_s() + domain::retry_delay_s(st.store_failures, st.settings.retry);
        st.log->error("event=mail_outcomes_not_stored mails={} retry_in_s={} error=\"{}\"", outcomes.size(),
                      st.wait_until - domain::now_s(), error_detail(err));
      });
}

void deliver(pointer self) {
  auto& st = self->state;
  if (domain::now_s() < st.wait_until) return;
  if (!st.unstored.empty()) return store(self, st.unstored);
  // await: one round at a time, so that a mail is never handed over twice.
  auto round = [self](outbox_batch& batch) {
    auto& st = self->state;
    auto outcomes = attempt_all(self, batch.due);
    auto done = std::count_if(outcomes.begin(), outcomes.end(), [](const domain::mail_outcome& o) {
      return o.after != domain::mail_outcome::state::waiting;
    });
    st.settings.counters->queued = batch.queued - done;
    st.settings.counters->oldest_queued_at = batch.queued - done > 0 ? batch.oldest_queued_at : 0;
    auto tried = outcomes.size();
    if (!outcomes.empty()) store(self, std::move(outcomes));
    // A full batch, all of it tried, and some of it gone (sent or failed, not all deferred by a relay asking to
    // slow down): more mail is likely due. The next round starts now (after the marks are stored: store
    // awaits), not at the next poll, so that the outbox drains at the transport's pace: one batch per poll is
    // 500 mails a second, fewer than a busy shop queues. One such round queued at a time.
    bool full = st.settings.batch > 0 && batch.due.size() >= static_cast<std::size_t>(st.settings.batch);
    if (full && tried == batch.due.size() && done > 0 && !st.next_round_queued) {
      st.next_round_queued = true;
      self->send(self, caf::pending_atom_v);
    }
  };
  auto failed = [self](caf::error& err) {
    self->state.log->warn("event=outbox_read_failed error=\"{}\"", error_detail(err));
  };
  auto now = domain::now_s();
  if (st.settings.claim.count() > 0)
    self->request(st.storage, st.settings.timeout, deadline::in(st.settings.timeout), atoms::outbox_atom_v,
                  st.settings.batch, now, now + st.settings.claim.count())
      .await(round, failed);
  else
    self->request(st.readers.next(), st.settings.timeout, caf::get_atom_v, atoms::outbox_atom_v, st.settings.batch, now)
      .await(round, failed);
}

mailer_actor::behavior_type mailer(pointer self, actors::storage_actor storage, actors::reader_pool readers,
                                   mailer_settings settings) {
  self->state.storage = std::move(storage);
  self->state.readers = std::move(readers);
  self->state.settings = std::move(settings);
  self->send(self, caf::tick_atom_v);
  return {
    [self](caf::tick_atom) {
      if (!self->state.next_round_queued) deliver(self);  // else that round is next anyway
      self->delayed_send(self, self->state.settings.poll_every, caf::tick_atom_v);
    },
    [self](caf::pending_atom) {
      self->state.next_round_queued = false;
      deliver(self);
    },
  };
}

}  // namespace

mailer_actor spawn_mailer(caf::actor_system& sys, actors::storage_actor storage, actors::reader_pool readers,
                          mailer_settings settings) {
  return sys.spawn<caf::detached>(mailer, std::move(storage), std::move(readers), std::move(settings));
}

}  // namespace boutique::actors
