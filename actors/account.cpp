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
    log->debug("event=passivated customer_id={}", id);
  }
  /// The email whose deposits waited for this actor to be down, if any.
  std::optional<std::string> down(const gone& g) {
    if (!g.passivated) {  // a crash of the live actor
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

void forward(directory_pointer self, std::int64_t id, waiting_deposit w) {
  auto* target = self->state.live.route(id);
  if (!target) {  // passivated meanwhile: the deposit loads the account again, in turn with others of its email
    auto email = domain::normalize_email(w.details.email);
    if (self->state.wait(email, std::move(w))) load(self, email);
    return;
  }
  self->request(target->handle, w.due.patience(), account_route{id, target->generation, w.due}, atoms::deposit_atom_v,
                std::move(w.details), w.acting_user)
    .then([p = w.promise](customer_record& r) mutable { p.deliver(std::move(r)); },
          [p = w.promise](caf::error& err) mutable { p.deliver(err); });
}

void activate(directory_pointer self, const customer_record& record, const std::string& email_norm) {
  auto& st = self->state;
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
  admit(self, record.id, handle, generation);
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
        for (auto& next : self->state.take(email)) forward(self, record.id, std::move(next));
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
  if (st.wait(email, std::move(w))) load(self, email);
  return rp;
}

account_directory_actor::behavior_type account_directory(directory_pointer self, actors::storage_actor storage,
                                                         account_settings settings) {
  self->state.storage = std::move(storage);
  start_directory(self, settings.max_live, settings.idle, [self](const std::string& email) { load(self, email); });
  return directory_behavior<account_vitals>(
    self,  //
    [self](deadline due, atoms::deposit_atom, domain::contact& details, std::optional<std::int64_t> acting_user) {
      return deposit(self, due, details, acting_user);
    },
    [self](atoms::refresh_atom, std::int64_t customer_id) { passivate(self, customer_id); });
}

}  // namespace

account_directory_actor spawn_account_directory(caf::actor_system& sys, actors::storage_actor storage,
                                                account_settings settings) {
  return sys.spawn(account_directory, std::move(storage), settings);
}

}  // namespace boutique::actors
