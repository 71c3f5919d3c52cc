#include "actors/account.hpp"

#include "actors/directory.hpp"
#include "config/logging.hpp"
#include "domain/clock.hpp"

#include <caf/all.hpp>

#include <algorithm>
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
  self->state.route = {record.id, generation, {}};
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

struct account_directory_state : directory_state<std::int64_t, account_actor, waiting_deposit, std::string> {
  account_directory_state() { log = config::logger("accounts"); }
  actors::storage_actor storage;
  account_settings settings;
  /// In a cluster: the emails whose leases each live (or stopping) account holds, given back once its actor is
  /// down (its last write answered); and the deposits sent to each live actor and not answered yet.
  std::unordered_map<std::int64_t, std::vector<std::string>> leases_of;
  struct flight {
    std::uint64_t generation = 0;
    int deposits = 0;
    std::chrono::steady_clock::time_point since;  ///< its activation
  };
  std::unordered_map<std::int64_t, flight> flights;
  std::unordered_map<std::string, std::int64_t> id_by_email;
  std::unordered_map<std::int64_t, std::string> email_of;    ///< of the live actors
  std::unordered_map<std::int64_t, std::string> stopping_email;  ///< of the actors passivated, until down

  /// Forgets that `email` leads to account `id` (and only that: the email may lead to another account by now).
  void unmap(const std::string& email, std::int64_t id) {
    if (auto it = id_by_email.find(email); it != id_by_email.end() && it->second == id) id_by_email.erase(it);
  }
  /// Deposits of a passivated account's email wait until its actor is down (the queue marks it), so that its last
  /// write and the next one never overlap.
  void stopped(std::int64_t id) {
    auto email = std::move(email_of[id]);
    email_of.erase(id);
    unmap(email, id);
    waiting.try_emplace(email);
    stopping_email[id] = std::move(email);
    flights.erase(id);
    log->debug("event=passivated customer_id={}", id);
  }
  /// In a cluster: when this node last gave each email's lease back (bounded: old entries go once it is large).
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> given_back;
  /// Gives this node's lease of `email`'s account back (in a cluster).
  void release(const std::string& email) {
    if (!settings.clustered) return;
    caf::anon_send(storage, atoms::lease_atom_v, caf::delete_atom_v, std::string{storage::account_lease},
                   storage::account_lease_key(email));
    auto now = std::chrono::steady_clock::now();
    if (given_back.size() >= 4096)
      std::erase_if(given_back, [&](const auto& e) { return now - e.second > 2 * settings.lease_retry; });
    given_back[email] = now;
  }
  void release_leases(std::int64_t id) {
    auto it = leases_of.find(id);
    if (it == leases_of.end()) return;
    for (const auto& email : it->second) release(email);
    leases_of.erase(it);
  }
  /// The email whose deposits waited for this actor to be down, if any.
  std::optional<std::string> down(const gone& g) {
    release_leases(g.key);
    if (!g.passivated) {  // a crash of the live actor
      flights.erase(g.key);
      if (auto it = email_of.find(g.key); it != email_of.end()) {
        unmap(it->second, g.key);
        email_of.erase(it);
      }
      return std::nullopt;
    }
    auto email = std::move(stopping_email[g.key]);
    stopping_email.erase(g.key);
    auto queue = waiting.find(email);
    if (queue == waiting.end()) return std::nullopt;
    if (!queue->second.empty()) return email;
    waiting.erase(queue);
    return std::nullopt;
  }
  static std::string key_text(std::int64_t id) { return std::to_string(id); }
  static std::optional<std::int64_t> key_of(const std::string& text) { return std::strtoll(text.c_str(), nullptr, 10); }
  static std::string logged(std::int64_t id) { return std::to_string(id); }
  static std::string not_active(std::int64_t id) {
    return "account actor not active (passivated or unknown); see GET /admin/customers/" + std::to_string(id);
  }
  static inline const char* kind = "account";
  static inline const char* name = "account_directory";
};

using directory_pointer = account_directory_actor::stateful_pointer<account_directory_state>;

void load(directory_pointer self, const std::string& email);

/// In a cluster: a deposit to account `id`'s actor (activation `generation`) was answered. The actor passivates,
/// giving its lease back, once it has no more deposits in hand.
void landed(directory_pointer self, std::int64_t id, std::uint64_t generation) {
  auto& flights = self->state.flights;
  auto it = flights.find(id);
  if (it == flights.end() || it->second.generation != generation || --it->second.deposits > 0) return;
  passivate(self, id);
}

void forward(directory_pointer self, std::int64_t id, waiting_deposit w) {
  auto& st = self->state;
  auto* target = st.live.route(id);
  if (!target) {  // passivated meanwhile: the deposit loads the account again, in turn with others of its email
    auto email = domain::normalize_email(w.details.email);
    if (st.wait(email, std::move(w))) load(self, email);
    return;
  }
  auto generation = target->generation;
  self->request(target->handle, w.due.patience(), account_route{id, generation, w.due}, atoms::deposit_atom_v,
                std::move(w.details), w.acting_user)
    .then(
      [self, id, generation, p = w.promise](customer_record& r) mutable {
        p.deliver(std::move(r));
        landed(self, id, generation);
      },
      [self, id, generation, p = w.promise](caf::error& err) mutable {
        p.deliver(err);
        landed(self, id, generation);
      });
  if (!st.settings.clustered) return;
  auto& flight = st.flights[id];
  ++flight.deposits;
  // Held long enough while deposits keep coming: the deposits already sent are answered, then the lease goes back,
  // and the next ones take it again, here or on the node that waited for it.
  if (std::chrono::steady_clock::now() - flight.since > st.settings.hold) passivate(self, id);
}

void activate(directory_pointer self, const customer_record& record, const std::string& email_norm) {
  auto& st = self->state;
  if (st.settings.clustered) {
    auto& leases = st.leases_of[record.id];
    if (std::find(leases.begin(), leases.end(), email_norm) == leases.end()) leases.push_back(email_norm);
  }
  if (st.live.peek(record.id)) {
    // The account is live under another email: its email changed (an email change confirmed, its refresh still
    // on the way). One actor per account: the live one answers to the new email from now on.
    if (auto old = st.email_of.find(record.id); old != st.email_of.end()) st.unmap(old->second, record.id);
    st.id_by_email[email_norm] = record.id;
    st.email_of[record.id] = email_norm;
    return;
  }
  auto generation = st.live.next_generation();
  // Monitored, not linked: an account actor that crashes is forgotten (and reloaded by the next deposit) instead
  // of taking the directory, and every other account with it, down.
  auto handle = self->spawn<caf::monitored>(account, record, generation, st.storage);
  st.id_by_email[email_norm] = record.id;
  st.email_of[record.id] = email_norm;
  st.log->debug("event=activated customer_id={}", record.id);
  if (st.settings.clustered) st.flights[record.id] = {generation, 0, std::chrono::steady_clock::now()};
  admit(self, record.id, handle, generation);
}

/// The first deposit of an email with no live account (under its lease, in a cluster): storage finds or creates it
/// atomically (UNIQUE email); deposits of the same email arriving meanwhile wait for it, then go to the one live
/// account actor.
void deposit_first(directory_pointer self, const std::string& email) {
  auto& st = self->state;
  auto& queue = st.waiting[email];
  auto first = std::move(queue.front());
  queue.erase(queue.begin());
  self->request(st.storage, first.due.patience(), first.due, atoms::deposit_atom_v, first.details, first.acting_user,
                now_s())
    .then(
      [self, email, rp = first.promise](customer_record& record) mutable {
        auto& st = self->state;
        auto id = record.id;
        if (st.live.stopping(id)) {
          // The account's previous activation (under its former email: an email change) is still finishing its
          // deposits: no second one beside it. The others of this email load it again shortly.
          rp.deliver(std::move(record));
          st.release(email);
          if (st.waiting.count(email)) self->delayed_send(self, st.settings.lease_retry, atoms::lease_atom_v, email);
          return;
        }
        activate(self, record, email);
        for (auto& next : st.take(email)) forward(self, id, std::move(next));
        rp.deliver(std::move(record));
        if (auto it = st.flights.find(id); it != st.flights.end() && it->second.deposits == 0)
          passivate(self, id);  // in a cluster, nothing more in hand: the lease goes back now
      },
      [self, email, rp = first.promise](caf::error& err) mutable {
        rp.deliver(err);
        // The others are tried on their own (under the same lease): one deposit's refusal need not be theirs.
        auto queue = self->state.waiting.find(email);
        if (queue != self->state.waiting.end() && !queue->second.empty()) return deposit_first(self, email);
        if (queue != self->state.waiting.end()) self->state.waiting.erase(queue);
        self->state.release(email);
      });
}

/// Answers the deposits of `email` whose deadline passed while its lease was held elsewhere; false when none waits
/// any longer.
bool drop_expired(directory_pointer self, const std::string& email) {
  auto queue = self->state.waiting.find(email);
  if (queue == self->state.waiting.end()) return false;
  auto& waiting = queue->second;
  auto expired = std::stable_partition(waiting.begin(), waiting.end(), [](auto& w) { return !w.due.passed(); });
  for (auto it = expired; it != waiting.end(); ++it)
    it->promise.deliver(make_overloaded_error("the customer account is busy; retry shortly", 1));
  waiting.erase(expired, waiting.end());
  if (!waiting.empty()) return true;
  self->state.waiting.erase(queue);
  return false;
}

/// Loads the account of `email` for the deposits waiting for it; in a cluster, its lease first.
void load(directory_pointer self, const std::string& email) {
  auto& st = self->state;
  if (!st.settings.clustered) return deposit_first(self, email);
  if (!drop_expired(self, email)) return;
  if (auto given = st.given_back.find(email); given != st.given_back.end()) {
    // Given back by this node a moment ago: a node that waited for it gets a turn first (this one, asking at once,
    // would always win: its take would follow its release in one batch).
    auto turn = std::chrono::ceil<std::chrono::milliseconds>(2 * st.settings.lease_retry -
                                                              (std::chrono::steady_clock::now() - given->second));
    st.given_back.erase(given);
    if (turn.count() > 0) return self->delayed_send(self, turn, atoms::lease_atom_v, email);
  }
  auto due = st.waiting[email].front().due;
  self->request(st.storage, due.patience(), due, atoms::lease_atom_v, std::string{storage::account_lease},
                storage::account_lease_key(email))
    .then(
      [self, email](lease_grant& grant) {
        if (grant.taken) return deposit_first(self, email);
        // Held by another live node, which gives it back once its deposits are answered (within `hold`).
        self->delayed_send(self, self->state.settings.lease_retry, atoms::lease_atom_v, email);
      },
      [self, email](caf::error& err) {
        for (auto& w : self->state.take(email)) w.promise.deliver(err);
        // Taken all the same when the answer came too late (a slow commit): given back, or kept for nobody.
        self->state.release(email);
      });
}

/// Asks again for the lease of `email`, held elsewhere a moment ago, if deposits still wait for it.
void ask_again(directory_pointer self, const std::string& email) {
  auto& st = self->state;
  if (auto id = st.id_by_email.find(email); id != st.id_by_email.end()) {  // live here meanwhile (an email change)
    for (auto& w : st.take(email)) forward(self, id->second, std::move(w));
    return;
  }
  load(self, email);
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
  if (st.wait(email, std::move(w))) load(self, email);
  return rp;
}

/// In a cluster: this node no longer holds the lease `key` of an account (one of its writes was fenced): the
/// account's actor here passivates.
void lease_lost(directory_pointer self, const std::string& key) {
  std::vector<std::int64_t> lost;
  for (const auto& [id, emails] : self->state.leases_of)
    for (const auto& email : emails)
      if (storage::account_lease_key(email) == key) lost.push_back(id);
  for (auto id : lost) passivate(self, id);
}

account_directory_actor::behavior_type account_directory(directory_pointer self, actors::storage_actor storage,
                                                         account_settings settings) {
  self->state.storage = std::move(storage);
  self->state.settings = settings;
  // Deposits that came while an account passivated load it again once it is down (in a cluster, after the turn of
  // a node that waited for its lease: load).
  start_directory(self, settings.max_live, settings.idle, [self](const std::string& email) { load(self, email); });
  if (settings.clustered)
    self->send(self->state.storage, atoms::cluster_atom_v, caf::subscribe_atom_v, caf::actor_cast<caf::actor>(self));
  return directory_behavior<account_vitals>(
    self,  //
    [self](deadline due, atoms::deposit_atom, domain::contact& details, std::optional<std::int64_t> acting_user) {
      return deposit(self, due, details, acting_user);
    },
    [self](atoms::refresh_atom, std::int64_t customer_id) { passivate(self, customer_id); },
    [self](atoms::lease_atom, const std::string& email) { ask_again(self, email); },
    [self](atoms::lease_atom, const std::string& kind, const std::string& key) {
      if (kind == storage::account_lease) lease_lost(self, key);
    },
    [self](atoms::cluster_atom, std::int64_t generation) { passivate_on_rejoin(self, generation); });
}

}  // namespace

account_directory_actor spawn_account_directory(caf::actor_system& sys, actors::storage_actor storage,
                                                account_settings settings) {
  return sys.spawn(account_directory, std::move(storage), settings);
}

}  // namespace boutique::actors
