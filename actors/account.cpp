#include "actors/account.hpp"

#include "actors/directory_page.hpp"
#include "config/logging.hpp"

#include <caf/all.hpp>

#include <ctime>
#include <unordered_map>

namespace boutique::actors {

namespace {

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

// -- account actor ---------------------------------------------------------------------------------------------

struct account_state {
  account_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  customer_record record;
  storage::storage_actor storage;
  std::chrono::milliseconds timeout{10000};
  std::uint64_t messages = 0;
  std::int64_t last_active = 0;
  static inline const char* name = "account";
};

account_actor::behavior_type account(account_actor::stateful_pointer<account_state> self, customer_record record,
                                     storage::storage_actor storage, std::chrono::milliseconds timeout) {
  self->state.record = std::move(record);
  self->state.storage = std::move(storage);
  self->state.timeout = timeout;
  self->state.last_active = now_s();
  return {
    [self](atoms::deposit_atom, domain::contact& details,
           std::optional<std::int64_t> acting_user) -> caf::result<customer_record> {
      ++self->state.messages;
      self->state.last_active = now_s();
      auto rp = self->make_response_promise<customer_record>();
      // await: the account handles nothing else until this change is committed.
      self->request(self->state.storage, self->state.timeout, atoms::deposit_atom_v, details, acting_user, now_s())
        .await(
          [self, rp](customer_record& updated) mutable {
            self->state.record = updated;
            rp.deliver(std::move(updated));
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [self](caf::get_atom) { return self->state.record; },
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
  domain::contact details;
  std::optional<std::int64_t> acting_user;
};

struct directory_state {
  directory_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  storage::storage_actor storage;
  account_settings settings;
  std::unordered_map<std::string, std::int64_t> id_by_email;
  std::map<std::int64_t, live_entry<account_actor>> live;
  std::unordered_map<std::int64_t, std::string> email_of;
  std::uint64_t activations = 0;
  std::uint64_t passivations = 0;
  std::unordered_map<std::string, std::vector<waiting_deposit>> loading;
  std::shared_ptr<spdlog::logger> log = config::logger("accounts");
  static inline const char* name = "account_directory";
};

using directory_pointer = account_directory_actor::stateful_pointer<directory_state>;

void forward(directory_pointer self, live_entry<account_actor>& target, waiting_deposit w) {
  target.touch();
  self->request(target.handle, self->state.settings.timeout, atoms::deposit_atom_v, std::move(w.details), w.acting_user)
    .then([p = w.promise](customer_record& r) mutable { p.deliver(std::move(r)); },
          [p = w.promise](caf::error& err) mutable { p.deliver(err); });
}

void activate(directory_pointer self, const customer_record& record, const std::string& email_norm) {
  auto& st = self->state;
  // Monitored, not linked: an account actor that crashes is forgotten (and reloaded by the next deposit) instead
  // of taking the directory, and every other account with it, down.
  auto handle = self->spawn<caf::monitored>(account, record, st.storage, st.settings.timeout);
  st.id_by_email[email_norm] = record.id;
  st.email_of[record.id] = email_norm;
  auto& entry = st.live[record.id];
  entry.handle = handle;
  entry.touch();
  ++st.activations;
  st.log->debug("event=activated customer_id={}", record.id);
}

void passivate(directory_pointer self, std::int64_t id) {
  auto& st = self->state;
  auto it = st.live.find(id);
  if (it == st.live.end()) return;
  self->send(it->second.handle, atoms::passivate_atom_v);
  st.id_by_email.erase(st.email_of[id]);
  st.email_of.erase(id);
  st.live.erase(it);
  ++st.passivations;
  st.log->debug("event=passivated customer_id={}", id);
}

account_directory_actor::behavior_type account_directory(directory_pointer self, storage::storage_actor storage,
                                                         account_settings settings) {
  self->state.storage = std::move(storage);
  self->state.settings = settings;
  self->delayed_send(self, settings.idle / 4 + std::chrono::seconds(1), caf::tick_atom_v);
  stop_live_actors_on_exit(self);
  self->set_down_handler([self](caf::down_msg& down) {
    if (down.reason == caf::exit_reason::normal) return;  // passivated: already forgotten
    auto& st = self->state;
    if (auto id = key_of(st.live, down.source)) {
      st.id_by_email.erase(st.email_of[*id]);
      st.email_of.erase(*id);
      st.live.erase(*id);
      st.log->error("event=account_crashed customer_id={} reason=\"{}\"", *id, caf::to_string(down.reason));
    }
  });
  return {
    [self](atoms::deposit_atom, domain::contact& details,
           std::optional<std::int64_t> acting_user) -> caf::result<customer_record> {
      auto& st = self->state;
      auto email = domain::normalize_email(details.email);
      auto rp = self->make_response_promise<customer_record>();
      waiting_deposit w{rp, std::move(details), acting_user};
      if (auto id = st.id_by_email.find(email); id != st.id_by_email.end()) {
        forward(self, st.live.at(id->second), std::move(w));
        return rp;
      }
      if (auto queue = st.loading.find(email); queue != st.loading.end()) {
        queue->second.push_back(std::move(w));
        return rp;
      }
      // First deposit of an email with no live account: storage finds or creates it atomically (UNIQUE email);
      // deposits of the same email arriving meanwhile wait for it, then go to the one live account actor.
      st.loading[email];
      self->request(st.storage, st.settings.timeout, atoms::deposit_atom_v, w.details, acting_user, now_s())
        .then(
          [self, email, rp](customer_record& record) mutable {
            activate(self, record, email);
            auto waiting = std::move(self->state.loading[email]);
            self->state.loading.erase(email);
            for (auto& next : waiting) forward(self, self->state.live.at(record.id), std::move(next));
            rp.deliver(std::move(record));
          },
          [self, email, rp](caf::error& err) mutable {
            auto waiting = std::move(self->state.loading[email]);
            self->state.loading.erase(email);
            for (auto& next : waiting) next.promise.deliver(err);
            rp.deliver(err);
          });
      return rp;
    },
    [self](atoms::refresh_atom, std::int64_t customer_id) { passivate(self, customer_id); },
    [self](caf::get_atom, atoms::stats_atom) {
      auto& st = self->state;
      return directory_stats{st.live.size(), st.activations, st.passivations, self->mailbox().size()};
    },
    [self](caf::get_atom, atoms::actors_atom, std::int32_t limit, const std::string& after) {
      std::optional<std::int64_t> cursor;
      if (!after.empty()) cursor = std::strtoll(after.c_str(), nullptr, 10);
      return page_of(self->state.live, "account", limit, cursor, [](std::int64_t k) { return std::to_string(k); });
    },
    [self](caf::get_atom, atoms::vitals_atom, std::int64_t id) -> caf::result<account_vitals> {
      auto it = self->state.live.find(id);
      if (it == self->state.live.end())
        return make_domain_error(domain::error_code::not_found,
                                 "account actor not active (passivated or unknown); see GET /admin/customers/" +
                                   std::to_string(id));
      return self->delegate(it->second.handle, caf::get_atom_v, atoms::vitals_atom_v);
    },
    [self](caf::tick_atom) {
      auto& st = self->state;
      auto cutoff = std::chrono::steady_clock::now() - st.settings.idle;
      std::vector<std::int64_t> idle;
      for (const auto& [id, entry] : st.live)
        if (entry.last_active < cutoff) idle.push_back(id);
      for (auto id : idle) passivate(self, id);
      self->delayed_send(self, st.settings.idle / 4 + std::chrono::seconds(1), caf::tick_atom_v);
    },
  };
}

}  // namespace

account_directory_actor spawn_account_directory(caf::actor_system& sys, storage::storage_actor storage,
                                                account_settings settings) {
  return sys.spawn(account_directory, std::move(storage), settings);
}

}  // namespace boutique::actors
