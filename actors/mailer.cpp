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
  std::shared_ptr<spdlog::logger> log = config::logger("mailer");
  static inline const char* name = "mailer";
};

using pointer = mailer_actor::stateful_pointer<mailer_state>;

/// Hands the due mails to the transport until it cannot be reached; returns what became of each one tried.
domain::mail_outcome_list attempt_all(pointer self, const std::vector<outbox_mail>& due) {
  auto& st = self->state;
  auto& counters = *st.settings.counters;
  domain::mail_outcome_list outcomes;
  for (const auto& mail : due) {
    auto tried = st.settings.transport->deliver(mail);
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

void deliver(pointer self) {
  auto& st = self->state;
  if (domain::now_s() < st.wait_until) return;
  // await: one round at a time, so that a mail is never handed over twice.
  self->request(st.readers.next(), st.settings.timeout, caf::get_atom_v, atoms::outbox_atom_v, st.settings.batch,
                domain::now_s())
    .await(
      [self](outbox_batch& batch) {
        auto& st = self->state;
        auto outcomes = attempt_all(self, batch.due);
        auto done = std::count_if(outcomes.begin(), outcomes.end(), [](const domain::mail_outcome& o) {
          return o.after != domain::mail_outcome::state::waiting;
        });
        st.settings.counters->queued = batch.queued - done;
        st.settings.counters->oldest_queued_at = batch.queued - done > 0 ? batch.oldest_queued_at : 0;
        if (outcomes.empty()) return;
        self->request(st.storage, st.settings.timeout, atoms::sent_atom_v, std::move(outcomes))
          .await([](caf::ok_atom) {},
                 [self](caf::error& err) {
                   self->state.log->error("event=mail_outcomes_not_stored error=\"{}\"", error_detail(err));
                 });
      },
      [self](caf::error& err) { self->state.log->warn("event=outbox_read_failed error=\"{}\"", error_detail(err)); });
}

mailer_actor::behavior_type mailer(pointer self, actors::storage_actor storage, actors::reader_pool readers,
                                   mailer_settings settings) {
  self->state.storage = std::move(storage);
  self->state.readers = std::move(readers);
  self->state.settings = std::move(settings);
  self->send(self, caf::tick_atom_v);
  return {
    [self](caf::tick_atom) {
      deliver(self);
      self->delayed_send(self, self->state.settings.poll_every, caf::tick_atom_v);
    },
  };
}

}  // namespace

mailer_actor spawn_mailer(caf::actor_system& sys, actors::storage_actor storage, actors::reader_pool readers,
                          mailer_settings settings) {
  return sys.spawn<caf::detached>(mailer, std::move(storage), std::move(readers), std::move(settings));
}

}  // namespace boutique::actors
