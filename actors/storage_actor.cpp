#include "actors/storage_writer.hpp"

#include "config/logging.hpp"
#include "storage/catalog_queries.hpp"
#include "storage/database.hpp"
#include "storage/queries.hpp"
#include "domain/clock.hpp"

#include <caf/all.hpp>

#include <ctime>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

namespace boutique::actors::writer {

using namespace storage;  // the SQL this actor runs

namespace {

constexpr const char* sql_ping = "SELECT 1";

/// The answer to a write that threw `e`. A rule's refusal keeps its words; SQLite's own (a constraint, which the rules
/// should have refused first) is logged, and answered as a conflict in words that name no table, column or SQL.
caf::error to_error(const std::exception& e, spdlog::logger& log) {
  if (auto refused = dynamic_cast<const write_refused*>(&e)) {
    if (!refused->fields().empty()) return make_validation_error(refused->detail(), refused->fields());
    if (refused->code() == domain::error_code::overloaded) return make_overloaded_error(e.what(), 1);
    return make_domain_error(refused->code(), e.what());
  }
  if (auto failed = dynamic_cast<const storage_error*>(&e); failed && failed->constraint()) {
    log.error("event=write_refused_by_constraint error=\"{}\"", config::log_text(e.what()));
    return make_domain_error(domain::error_code::conflict,
                             "the change conflicts with what is stored; nothing of it was written");
  }
  return make_domain_error(domain::error_code::storage_failure, e.what());
}

/// How long a statement waits for a lock held elsewhere unless a write's deadline asks for less (PostgreSQL's
/// lock_timeout, set by storage/postgres_database.cpp; SQLite's busy timeout).
constexpr std::chrono::milliseconds lock_wait_default{5000};

/// Applies `write`. On PostgreSQL other writers (the nodes of a cluster) commit beside this one: a write that read
/// "no such row" and then met the row another writer committed meanwhile (a UNIQUE index: the same email deposited,
/// the same user created at completion) is undone and run again once, and then sees that row, as it would have had
/// the two writes come one after the other. (SQLite has one writer: a constraint there is not a race.)
void apply_once_more_after_a_race(database& db, pending_write& write) {
  if (db.backend() != storage::backend::postgresql) return write.apply(db);
  {
    transaction first(db);
    try {
      write.apply(db);
      first.commit();
      return;
    } catch (const storage_error& e) {
      if (!e.constraint()) throw;
    }
  }
  write.apply(db);
}

/// Runs every pending write in one transaction, each in its own savepoint, then answers them all.
void flush(pointer self) {
  auto& st = self->state;
  st.flush_scheduled = false;
  if (st.batch.empty()) return;
  auto batch = std::move(st.batch);
  st.batch.clear();
  std::vector<caf::error> outcomes(batch.size());
  std::vector<bool> dropped(batch.size());  // past their deadline: neither written nor failed
  auto started = std::chrono::steady_clock::now();
  struct busy_mark {  // for the heartbeat (writer_limits::busy_since_ms)
    std::atomic<std::int64_t>& since;
    explicit busy_mark(std::atomic<std::int64_t>& s) : since(s) { since = steady_ms(); }
    ~busy_mark() { since = 0; }
  } busy{*st.limits.busy_since_ms};
  try {
    st.db->begin_batch();
    // The earliest time by which a write kept in this batch must be answered (its deadline plus half the grace):
    // no later write may wait on a lock past it, or the kept write's answer would come after its requester left.
    auto settle_by = deadline::clock::time_point::max();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].due.passed()) {
        outcomes[i] = past_deadline();
        dropped[i] = true;
        continue;
      }
      try {
        transaction write(*st.db);
        auto own = batch[i].due.limited() ? batch[i].due.at + deadline::settle_grace / 2 : settle_by;
        auto budget = std::min(settle_by, own) - deadline::clock::now();
        if (budget < lock_wait_default)
          st.db->limit_lock_waits(std::chrono::duration_cast<std::chrono::milliseconds>(budget));
        apply_once_more_after_a_race(*st.db, batch[i]);
        // Begun in time but finished so late that its requester (who waits settle_grace past the deadline) would
        // have given up before the commit's answer: undone, as if never begun. On SQLite the writer waits for the
        // database's one write lock before its batch begins; on PostgreSQL a write waits on the rows it writes, so
        // a write can begin in time and end long after.
        if (batch[i].due.limited() && deadline::clock::now() > batch[i].due.at + deadline::settle_grace / 2) {
          outcomes[i] = past_deadline();
          dropped[i] = true;
          continue;  // `write` rolls back
        }
        write.commit();
        settle_by = std::min(settle_by, own);
      } catch (const std::exception& e) {
        outcomes[i] = to_error(e, *st.log);
      }
    }
    st.db->reset_all();
    st.db->commit_batch();
  } catch (const std::exception& e) {
    st.log->error("event=commit_failed writes={} error=\"{}\"", batch.size(), config::log_text(e.what()));
    try {
      st.db->rollback_batch();
    } catch (const std::exception&) {
    }
    for (auto& outcome : outcomes) outcome = make_domain_error(domain::error_code::storage_failure, e.what());
  }
  auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  st.stats.batches++;
  st.stats.batch_sizes.observe(static_cast<double>(batch.size()));
  st.stats.commit_seconds.observe(elapsed / 1000.0);
  st.stats.largest_batch = std::max<std::uint64_t>(st.stats.largest_batch, batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (dropped[i]) st.stats.writes_dropped_past_deadline++;
    else if (outcomes[i]) st.stats.failed_writes++;
    else st.stats.writes++;
    batch[i].settle(std::move(outcomes[i]));
  }
  st.log->debug("event=commit writes={} ms={:.3f}", batch.size(), elapsed);
}

}  // namespace

caf::error past_deadline() {
  return make_overloaded_error("the request's time ran out before its write began; nothing was written", 1);
}

bool overloaded(pointer self) {
  auto bound = self->state.limits.queue_max;
  return bound > 0 && self->mailbox().size() > bound;
}

void schedule_flush(pointer self) {
  if (self->state.batch.size() >= self->state.batch_max) {
    flush(self);
  } else if (!self->state.flush_scheduled) {
    self->state.flush_scheduled = true;
    self->send(caf::actor_cast<storage_actor>(self), caf::flush_atom_v);
  }
}

namespace {

/// The write applying payment `event`, counted.
auto payment_write(pointer self, payment_event event) {
  return [self, event = std::move(event)](database& db) {
    auto outcome = apply_payment(db, event, self->state.mail);
    auto& stats = self->state.stats;
    if (!outcome.refusal.empty()) ++stats.payments_refused;
    else if (outcome.replay) ++stats.payments_replayed;
    else ++stats.payments_applied;
    if (outcome.completed_now) ++stats.checkouts_completed;
    return outcome;
  };
}

void add_rows(std::vector<std::pair<std::string, std::uint64_t>>& into, const std::string& kind, std::uint64_t n) {
  for (auto& [k, total] : into)
    if (k == kind) {
      total += n;
      return;
    }
  into.emplace_back(kind, n);
}

void finish_retention(pointer self, caf::error failure) {
  auto& st = self->state;
  auto run = std::move(*st.retention);
  st.retention.reset();
  if (failure) {
    for (auto& promise : run.waiting) promise.deliver(failure);
    return;
  }
  auto& report = run.report;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run.started).count();
  std::string counts;
  for (const auto& [kind, n] : report.rows) {
    add_rows(st.stats.retention_rows, kind, n);
    counts += kind + "=" + std::to_string(n) + " ";
  }
  ++st.stats.retention_runs;
  st.stats.last_retention = report;
  st.log->info("event=retention {}total={} ms={:.1f}", counts, report.total(), report.seconds * 1000);
  for (auto& promise : run.waiting) promise.deliver(report);
}

/// Runs the next batch of the retention run in progress, in its own transaction after the writes already queued.
void retention_batch(pointer self) {
  auto& st = self->state;
  if (!st.retention) return;
  flush(self);
  auto& run = *st.retention;
  const auto& steps = retention_steps();
  const auto& step = steps[run.step];
  try {
    auto rows = run_retention_batch(*st.db, step, run.report.now, st.limits.retention);
    if (run.report.rows.size() == run.step) run.report.rows.emplace_back(step.kind, 0);
    run.report.rows[run.step].second += static_cast<std::uint64_t>(rows);
    if (rows < st.limits.retention.batch_rows) ++run.step;
  } catch (const std::exception& e) {
    st.log->error("event=retention_failed kind={} error=\"{}\"", step.kind, e.what());
    finish_retention(self, make_domain_error(domain::error_code::storage_failure, "retention failed"));
    return;
  }
  if (run.step == steps.size()) finish_retention(self, {});
  else self->send(caf::actor_cast<storage_actor>(self), atoms::retention_atom_v, caf::pending_atom_v);
}

void start_retention(pointer self, std::int64_t now) {
  auto& st = self->state;
  if (st.retention) return;
  st.retention.emplace();
  st.retention->report.now = now;
  st.retention->started = std::chrono::steady_clock::now();
  self->send(caf::actor_cast<storage_actor>(self), atoms::retention_atom_v, caf::pending_atom_v);
}

storage_actor::behavior_type storage_behavior(pointer self, std::shared_ptr<database> db, int batch_max,
                                              mail_settings mail, writer_limits limits) {
  self->state.db = std::move(db);
  // Whatever ran on the connection before (migrations, catalog) must not keep a read snapshot open: a write on
  // top of a stale snapshot fails (SQLITE_BUSY_SNAPSHOT) once another connection has committed.
  self->state.db->reset_all();
  self->state.batch_max = static_cast<std::size_t>(batch_max);
  self->state.mail = std::move(mail);
  self->state.limits = limits;
  if (limits.retention_every.count() > 0)
    self->delayed_send(caf::actor_cast<storage_actor>(self), limits.retention_every, atoms::retention_atom_v,
                       caf::tick_atom_v);
  if (limits.node) {  // joined already (storage::join_cluster): its generation is given
    auto& st = self->state;
    st.node = limits.node;
    st.log->info("event=cluster_joined node={} advertise={} generation={} lease_s={}", st.node->node_id,
                 st.node->advertise, st.node->generation, st.node->lease_s);
  }
  return {
    [self](caf::ping_atom) {
      try {
        auto alive = self->state.db->prepare(sql_ping).step();
        self->state.db->reset_all();
        return alive;
      } catch (const std::exception& e) {  // a lost connection: not ready, and the actor goes on (it reconnects)
        self->state.log->error("event=ping_failed error=\"{}\"", config::log_text(e.what()));
        return false;
      }
    },
    [self](deadline due, caf::put_atom, atoms::session_atom, std::string& id, std::string& snapshot,
           std::int64_t expires_at) {
      auto session = id;
      auto write = [id = std::move(id), snapshot = std::move(snapshot), expires_at](database& db) {
        save_session(db, id, snapshot, expires_at);
        return caf::ok_atom_v;
      };
      return enqueue_fenced<caf::ok_atom>(self, due, session_lease_of(std::move(session)), std::move(write));
    },
    [self](deadline due, atoms::rekey_atom, session_rekey& rekey) {
      auto session = rekey.old_id;
      auto epoch = std::make_shared<std::int64_t>(0);
      auto moved = [self, epoch, old_id = rekey.old_id, new_id = rekey.new_id] {
        lease_moved(self, old_id, new_id, *epoch);
      };
      return enqueue_fenced<caf::ok_atom>(
        self, due, session_lease_of(std::move(session)),
        [self, epoch, rekey = std::move(rekey)](database& db) {
          rekey_session(db, rekey);
          if (self->state.node) *epoch = move_lease(self, db, rekey.old_id, rekey.new_id);
          return caf::ok_atom_v;
        },
        std::move(moved));
    },
    [self](deadline due, atoms::deposit_atom, domain::contact& details, std::optional<std::int64_t> acting_user,
           std::int64_t now) {
      // In a cluster, the write of the account's actor: fenced by the lease of its email (actors/account.cpp).
      lease_key lease{account_lease, account_lease_key(details.email)};
      return enqueue_fenced<customer_record>(self, due, std::move(lease),
                                             [details = std::move(details), acting_user, now](database& db) {
                                               return deposit_contact(db, details, acting_user, now);
                                             });
    },
    [self](deadline due, atoms::order_atom, bill_draft& draft) {
      auto session = draft.session_id;
      return enqueue_fenced<caf::ok_atom>(self, due, session_lease_of(std::move(session)),
                                          [draft = std::move(draft)](database& db) {
        place_bill(db, draft);
        return caf::ok_atom_v;
      });
    },
    [self](deadline due, atoms::payment_atom, payment_event& event) {
      return enqueue<payment_outcome>(self, due, payment_write(self, std::move(event)));
    },
    [self](deadline due, atoms::payment_atom, payment_event& event, std::string& session) {
      return enqueue_fenced<payment_outcome>(self, due, session_lease_of(std::move(session)),
                                             payment_write(self, std::move(event)));
    },
    [self](deadline due, atoms::cancel_atom, bill_cancel& cancel) {
      auto write = [self, cancel](database& db) { return cancel_bill(db, cancel, self->state.mail); };
      if (!cancel.session_id) return enqueue<bill_change>(self, due, std::move(write));
      return enqueue_fenced<bill_change>(self, due, session_lease_of(*cancel.session_id), std::move(write));
    },
    [self](deadline due, atoms::export_atom, privacy_subject& subject) {
      return enqueue<personal_export>(self, due, [subject](database& db) { return export_personal_data(db, subject); });
    },
    [self](deadline due, atoms::erase_atom, privacy_subject& subject) {
      return enqueue<erasure_outcome>(self, due, [subject](database& db) { return erase_personal_data(db, subject); });
    },
    [self](deadline due, atoms::idempotency_atom, idempotency_claim& claim) {
      return enqueue<idempotency_verdict>(self, due, [claim = std::move(claim)](database& db) {
        return claim_idempotency(db, claim);
      });
    },
    [self](atoms::idempotency_atom, idempotency_outcome& outcome) {
      return enqueue<caf::ok_atom>(self, deadline::none(), [outcome = std::move(outcome)](database& db) {
        settle_idempotency(db, outcome);
        return caf::ok_atom_v;
      });
    },
    [self](deadline due, atoms::password_atom, std::string& token_hash, std::string& password_hash, std::int64_t now) {
      auto write = [token_hash = std::move(token_hash), password_hash = std::move(password_hash), now](database& db) {
        set_password_with_token(db, token_hash, password_hash, now);
        return caf::ok_atom_v;
      };
      return enqueue<caf::ok_atom>(self, due, std::move(write));
    },
    [self](deadline due, atoms::forgot_atom, std::string& login, std::string& token, std::int64_t now) {
      auto write = [self, login = std::move(login), token = std::move(token), now](database& db) {
        request_password_reset(db, login, token, now, self->state.mail);
        return caf::ok_atom_v;
      };
      return enqueue<caf::ok_atom>(self, due, std::move(write));
    },
    [self](deadline due, atoms::auth_atom, std::string& token_hash, std::int64_t user_id, std::int64_t expires_at,
           std::optional<domain::language> lang) {
      auto write = [token_hash = std::move(token_hash), user_id, expires_at, lang](database& db) {
        open_auth_session(db, token_hash, user_id, expires_at, lang);
        return caf::ok_atom_v;
      };
      return enqueue<caf::ok_atom>(self, due, std::move(write));
    },
    [self](deadline due, atoms::logout_atom, std::string& token_hash) {
      return enqueue<caf::ok_atom>(self, due, [token_hash = std::move(token_hash)](database& db) {
        close_auth_session(db, token_hash);
        return caf::ok_atom_v;
      });
    },
    [self](deadline due, atoms::email_atom, std::int64_t user_id, std::string& email, std::string& token,
           std::string& login_hash, std::int64_t now) {
      auto write = [self, user_id, email = std::move(email), token = std::move(token),
                    login_hash = std::move(login_hash), now](database& db) {
        request_email_change(db, user_id, email, token, login_hash, now, self->state.mail);
        return caf::ok_atom_v;
      };
      return enqueue<caf::ok_atom>(self, due, std::move(write));
    },
    [self](deadline due, atoms::email_atom, std::string& token_hash, std::int64_t now) {
      return enqueue<user_record>(
        self, due, [token_hash = std::move(token_hash), now](database& db) { return confirm_email_change(db, token_hash, now); });
    },
    [self](deadline due, atoms::logout_atom, std::int64_t user_id, std::string& keep_hash, std::int64_t now) {
      return enqueue<caf::ok_atom>(self, due, [user_id, keep_hash = std::move(keep_hash), now](database& db) {
        end_logins(db, user_id, keep_hash, "logged_out_everywhere", now);
        return caf::ok_atom_v;
      });
    },
    [self](deadline due, atoms::password_atom, std::int64_t user_id, std::string& password_hash,
           std::string& keep_hash, std::int64_t now) {
      auto write = [self, user_id, password_hash = std::move(password_hash), keep_hash = std::move(keep_hash),
                    now](database& db) {
        change_password(db, user_id, password_hash, keep_hash, now, self->state.mail);
        return caf::ok_atom_v;
      };
      return enqueue<caf::ok_atom>(self, due, std::move(write));
    },
    [self](atoms::login_atom, std::int64_t customer_id, std::int64_t now) {
      return enqueue<caf::ok_atom>(self, deadline::none(), [customer_id, now](database& db) {
        record_event(db, customer_id, "logged_in", "", now);
        return caf::ok_atom_v;
      });
    },
    [self](atoms::catalog_atom, domain::catalog& items) {
      return enqueue<caf::ok_atom>(self, deadline::none(), [items = std::move(items)](database& db) {
        replace_catalog(db, items);
        return caf::ok_atom_v;
      });
    },
    [self](atoms::sent_atom, domain::mail_outcome_list& outcomes) {
      return enqueue<caf::ok_atom>(self, deadline::none(), [outcomes = std::move(outcomes)](database& db) {
        record_mail_outcomes(db, outcomes);
        return caf::ok_atom_v;
      });
    },
    [self](caf::get_atom, atoms::stats_atom) {
      auto stats = self->state.stats;
      stats.mailbox = self->mailbox().size();
      return stats;
    },
    [self](atoms::retention_atom, std::int64_t now) {
      auto promise = self->make_response_promise<retention_report>();
      start_retention(self, now);
      self->state.retention->waiting.push_back(promise);
      return promise;
    },
    [self](atoms::reminder_atom, std::int64_t now) {
      return enqueue<std::int64_t>(self, deadline::none(), [self, now](database& db) {
        return send_reminders(db, now, self->state.limits.retention);
      });
    },
    [self](atoms::retention_atom, caf::tick_atom) {
      start_retention(self, domain::now_s());
      self->delayed_send(caf::actor_cast<storage_actor>(self), self->state.limits.retention_every,
                         atoms::retention_atom_v, caf::tick_atom_v);
    },
    [self](atoms::retention_atom, caf::pending_atom) { retention_batch(self); },
    [self](caf::flush_atom) { flush(self); },
    [self](deadline due, atoms::lease_atom, std::string& kind, std::string& key) {
      return take(self, due, {std::move(kind), std::move(key)});
    },
    [self](atoms::lease_atom, caf::delete_atom, std::string& kind, std::string& key) {
      release(self, {std::move(kind), std::move(key)});
    },
    [self](caf::get_atom, atoms::cluster_atom) { return cluster_view(self); },
    [self](deadline due, atoms::outbox_atom, std::int32_t limit, std::int64_t now, std::int64_t until) {
      return enqueue<outbox_batch>(self, due, [limit, now, until](database& db) {
        return claim_due_mail(db, now, limit, until);
      });
    },
    [self](atoms::cluster_atom, caf::update_atom, std::int64_t generation, std::uint64_t heartbeats) {
      heard(self, generation, heartbeats);
    },
    [self](atoms::cluster_atom, caf::leave_atom) { return leave(self); },
    [self](atoms::cluster_atom, caf::subscribe_atom, caf::actor& listener) {
      self->state.listeners.push_back(std::move(listener));
    },
  };
}

}  // namespace

}  // namespace boutique::actors::writer

namespace boutique::actors {

storage_actor spawn_storage(caf::actor_system& sys, std::unique_ptr<storage::database> db, int batch_max,
                            const storage::mail_settings& mail, writer_limits limits) {
  return sys.spawn<caf::detached>(writer::storage_behavior, std::shared_ptr<storage::database>(std::move(db)),
                                  batch_max, mail, limits);
}

}  // namespace boutique::actors
