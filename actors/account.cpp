#include "actors/account.hpp"

#include "actors/directory.hpp"
#include "config/logging.hpp"
#include "domain/clock.hpp"

#include <caf/all.hpp>

#include <ctime>
#include <unordered_map>

namespace boutique::actors {

namespace {

using domain::now_s;

// -- account actor ---------------------------------------------------------------------------------------------

struct account_state {
  account_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  customer_record record;
  account_route route;
  actors::storage_actor storage;
  std::uint64_t messages = 0;
  std::int64_t last_active = 0;
  static inline const char* name = "account";
};

using account_pointer = account_actor::stateful_pointer<account_state>;

/// The refusal of a message routed to another activation; nothing when it is this one's.
std::optional<caf::error> misaddressed(account_pointer self, const account_route& to) {
  if (to == self->state.route) return std::nullopt;
  return misrouted("no such customer account");
}

account_actor::behavior_type account(account_pointer self, customer_record record, std::uint64_t generation,
                                     actors::storage_actor storage) {
  self->state.route = {record.id, generation};
  self->state.record = std::move(record);
  self->state.storage = std::move(storage);
  self->state.last_active = now_s();
  return {
    [self](const account_route& to, atoms::deposit_atom, domain::contact& details,
           std::optional<std::int64_t> acting_user) -> caf::result<customer_record> {
      if (auto refused = misaddressed(self, to)) return *refused;
      ++self->state.messages;
      self->state.last_active = now_s();
      auto rp = self->make_response_promise<customer_record>();
      // await: the account handles nothing else until this change is committed.
      self->request(self->state.storage, to.due.patience(), to.due, atoms::deposit_atom_v, details, acting_user,
                    now_s())
        .await(
          [self, rp](customer_record& updated) mutable {
            self->state.record = updated;
            rp.deliver(std::move(updated));
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [self](const account_route& to, caf::get_atom) -> caf::result<customer_record> {
      if (auto refused = misaddressed(self, to)) return *refused;
      return self->state.record;
    },
    [self](caf::get_atom, atoms::vitals_atom) {
      return account_vitals{self->state.record, {self->state.messages, self->mailbox().size(), self->state.last_active}};
    },
    [self](atoms::passivate_atom) { self->quit(); },
  };
}

// -- directory -------------------------------------------------------------------------------------------------

/// A deposit waiting for the account of its email to be loaded or created.
struct waiting_deposit {
  caf::typed_response_promise<customer_record> promise;
  deadline due;
  domain::contact details;
  std::optional<std::int64_t> acting_user;
};

struct directory_state {
  directory_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  actors::storage_actor storage;
  account_settings settings;
  live_actors<std::int64_t, account_actor> live;
  std::unordered_map<std::string, std::int64_t> id_by_email;
  std::unordered_map<std::int64_t, std::string> email_of;
  /// Deposits waiting, by normalised email, for the account to be found or created, or for the passivated actor
  /// of that email to be down first (so that its last write and the next one never overlap).
  std::unordered_map<std::string, std::vector<waiting_deposit>> waiting;
  std::shared_ptr<spdlog::logger> log = config::logger("accounts");
  static inline const char* name = "account_directory";
};

using directory_pointer = account_directory_actor::stateful_pointer<directory_state>;

void forward(directory_pointer self, std::int64_t id, waiting_deposit w) {
  auto* target = self->state.live.route(id);
  self->request(target->handle, w.due.patience(), account_route{id, target->generation, w.due}, atoms::deposit_atom_v,
                std::move(w.details), w.acting_user)
    .then([p = w.promise](customer_record& r) mutable { p.deliver(std::move(r)); },
          [p = w.promise](caf::error& err) mutable { p.deliver(err); });
}

void passivate(directory_pointer self, std::int64_t id) {
  auto& st = self->state;
  auto handle = st.live.stop(id);
  if (!handle) return;
  self->send(*handle, atoms::passivate_atom_v);
  // Deposits of this email wait until the actor is down (the entry marks it).
  const auto& email = st.email_of[id];
  st.id_by_email.erase(email);
  st.waiting.try_emplace(email);
  st.log->debug("event=passivated customer_id={}", id);
}

void activate(directory_pointer self, const customer_record& record, const std::string& email_norm) {
  auto& st = self->state;
  auto generation = st.live.next_generation();
  // Monitored, not linked: an account actor that crashes is forgotten (and reloaded by the next deposit) instead
  // of taking the directory, and every other account with it, down.
  auto handle = self->spawn<caf::monitored>(account, record, generation, st.storage);
  st.id_by_email[email_norm] = record.id;
  st.email_of[record.id] = email_norm;
  st.live.add(record.id, handle, generation);
  st.log->debug("event=activated customer_id={}", record.id);
  for (auto evicted : st.live.over_cap()) passivate(self, evicted);
}

/// The first deposit of an email with no live account: storage finds or creates it atomically (UNIQUE email);
/// deposits of the same email arriving meanwhile wait for it, then go to the one live account actor.
void load(directory_pointer self, const std::string& email) {
  auto& st = self->state;
  auto& queue = st.waiting[email];
  auto first = std::move(queue.front());
  queue.erase(queue.begin());
  self->request(st.storage, first.due.patience(), first.due, atoms::deposit_atom_v, first.details, first.acting_user,
                now_s())
    .then(
      [self, email, rp = first.promise](customer_record& record) mutable {
        activate(self, record, email);
        auto waiting = std::move(self->state.waiting[email]);
        self->state.waiting.erase(email);
        for (auto& next : waiting) forward(self, record.id, std::move(next));
        rp.deliver(std::move(record));
      },
      [self, email, rp = first.promise](caf::error& err) mutable {
        rp.deliver(err);
        // The others are tried on their own: one deposit's refusal need not be theirs.
        auto queue = self->state.waiting.find(email);
        if (queue->second.empty()) self->state.waiting.erase(queue);
        else load(self, email);
      });
}

caf::result<customer_record> deposit(directory_pointer self, deadline due, domain::contact& details,
                                     std::optional<std::int64_t> acting_user) {
  auto& st = self->state;
  auto email = domain::normalize_email(details.email);
  auto rp = self->make_response_promise<customer_record>();
  waiting_deposit w{rp, due, std::move(details), acting_user};
  if (auto id = st.id_by_email.find(email); id != st.id_by_email.end()) {
    forward(self, id->second, std::move(w));
    return rp;
  }
  // A queue already there: a load is under way, or the email's passivated actor is not down yet.
  auto [queue, first] = st.waiting.try_emplace(email);
  queue->second.push_back(std::move(w));
  if (first) load(self, email);
  return rp;
}

account_directory_actor::behavior_type account_directory(directory_pointer self, actors::storage_actor storage,
                                                         account_settings settings) {
  self->state.storage = std::move(storage);
  self->state.settings = settings;
  self->state.live.set_cap(settings.max_live);
  self->delayed_send(self, settings.idle / 4 + std::chrono::seconds(1), caf::tick_atom_v);
  stop_live_actors_on_exit(self);
  self->set_down_handler([self](caf::down_msg& down) {
    auto& st = self->state;
    auto gone = st.live.down(down.source);
    if (!gone) return;
    auto email = st.email_of[gone->key];
    st.email_of.erase(gone->key);
    if (!gone->passivated) {
      st.id_by_email.erase(email);
      st.log->error("event=account_crashed customer_id={} reason=\"{}\"", gone->key, caf::to_string(down.reason));
      return;
    }
    auto queue = st.waiting.find(email);
    if (queue == st.waiting.end()) return;
    if (queue->second.empty()) st.waiting.erase(queue);
    else load(self, email);
  });
  return {
    [self](deadline due, atoms::deposit_atom, domain::contact& details, std::optional<std::int64_t> acting_user) {
      return deposit(self, due, details, acting_user);
    },
    [self](atoms::refresh_atom, std::int64_t customer_id) { passivate(self, customer_id); },
    [self](caf::get_atom, atoms::stats_atom) { return self->state.live.stats(self->mailbox().size()); },
    [self](caf::get_atom, atoms::actors_atom, std::int32_t limit, const std::string& after) {
      std::optional<std::int64_t> cursor;
      if (!after.empty()) cursor = std::strtoll(after.c_str(), nullptr, 10);
      return self->state.live.page("account", limit, cursor, [](std::int64_t k) { return std::to_string(k); });
    },
    [self](caf::get_atom, atoms::vitals_atom, std::int64_t id) -> caf::result<account_vitals> {
      const auto* live = self->state.live.peek(id);
      if (!live)
        return make_domain_error(domain::error_code::not_found,
                                 "account actor not active (passivated or unknown); see GET /admin/customers/" +
                                   std::to_string(id));
      return self->delegate(live->handle, caf::get_atom_v, atoms::vitals_atom_v);
    },
    [self](caf::tick_atom) {
      auto& st = self->state;
      for (auto id : st.live.idle_since(std::chrono::steady_clock::now() - st.settings.idle)) passivate(self, id);
      self->delayed_send(self, st.settings.idle / 4 + std::chrono::seconds(1), caf::tick_atom_v);
    },
  };
}

}  // namespace

account_directory_actor spawn_account_directory(caf::actor_system& sys, actors::storage_actor storage,
                                                account_settings settings) {
  return sys.spawn(account_directory, std::move(storage), settings);
}

}  // namespace boutique::actors
