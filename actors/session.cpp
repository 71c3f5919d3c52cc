#include "actors/session.hpp"

#include "actors/directory_page.hpp"
#include "config/logging.hpp"
#include "domain/tokens.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <unordered_map>

namespace boutique::actors {

namespace {

using nlohmann::json;

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

caf::error failure(domain::error_code code, std::string detail) { return make_domain_error(code, std::move(detail)); }

// Snapshots are written at every change of every session: Boost.JSON builds them in a stack buffer and serialises
// them several times faster than nlohmann::json (which still reads them back, once per activation).
boost::json::object contact_object(const domain::contact& c, boost::json::storage_ptr sp) {
  boost::json::object j(std::move(sp));
  j.reserve(9);
  j.emplace("firstname", c.firstname);
  j.emplace("lastname", c.lastname);
  j.emplace("email", c.email);
  j.emplace("organisation", c.organisation);
  j.emplace("address", c.address);
  j.emplace("zip", c.zip);
  j.emplace("city", c.city);
  j.emplace("country", c.country);
  j.emplace("invoiceinfo", c.invoiceinfo);
  return j;
}

std::string contact_json(const domain::contact& c) {
  unsigned char buffer[2048];
  boost::json::monotonic_resource memory(buffer);
  return boost::json::serialize(contact_object(c, &memory));
}

domain::contact contact_from(const json& j) {
  domain::contact c;
  c.firstname = j.value("firstname", "");
  c.lastname = j.value("lastname", "");
  c.email = j.value("email", "");
  c.organisation = j.value("organisation", "");
  c.address = j.value("address", "");
  c.zip = j.value("zip", "");
  c.city = j.value("city", "");
  c.country = j.value("country", "");
  c.invoiceinfo = j.value("invoiceinfo", "");
  return c;
}

template <class T>
boost::json::value optional_value(const std::optional<T>& v, boost::json::storage_ptr sp) {
  if (!v) return boost::json::value(nullptr, std::move(sp));
  return boost::json::value(*v, std::move(sp));
}

template <class T>
std::optional<T> optional_from(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

// -- session actor ---------------------------------------------------------------------------------------------

/// True when a session holds nothing yet: no cart, no contact, no login, no order (a shopper who only opened the
/// shop, the common case among idle live sessions).
bool is_blank(const session_snapshot& s) {
  static const domain::priced_cart nothing_priced;
  return s.stage == "browsing" && s.cart.empty() && s.priced.lines.empty() && s.priced.total == 0 &&
         s.priced.currency == nothing_priced.currency && !s.contact_given && s.contact == domain::contact{} &&
         !s.customer_id && !s.user_id && !s.transid && !s.bill_status && s.paymode.empty();
}

/// A session's state in memory. A blank session keeps only its id and times (about 600 bytes less than a whole
/// snapshot, for each of the many idle live sessions); a session holding anything keeps its whole snapshot.
class held_session {
 public:
  void set(session_snapshot s) {
    if (!is_blank(s)) {
      whole_ = std::make_unique<session_snapshot>(std::move(s));
      return;
    }
    whole_.reset();
    id_ = std::move(s.id);
    created_at_ = s.created_at;
    updated_at_ = s.updated_at;
    expires_at_ = s.expires_at;
  }
  /// The session as it is.
  session_snapshot get() const {
    if (whole_) return *whole_;
    session_snapshot s;
    s.id = id_;
    s.created_at = created_at_;
    s.updated_at = updated_at_;
    s.expires_at = expires_at_;
    return s;
  }
  const std::string& id() const { return whole_ ? whole_->id : id_; }
  /// The whole snapshot, or null while the session is blank.
  const session_snapshot* whole() const { return whole_.get(); }

 private:
  std::unique_ptr<session_snapshot> whole_;
  std::string id_;
  std::int64_t created_at_ = 0;
  std::int64_t updated_at_ = 0;
  std::int64_t expires_at_ = 0;
};

const std::shared_ptr<spdlog::logger>& session_log() {
  static const auto log = config::logger("session");
  return log;
}

struct session_state {
  session_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  held_session s;
  std::shared_ptr<const session_context> ctx;
  caf::actor_addr directory;  ///< weak: the directory owns its sessions, not the other way round
  /// Outcomes already answered, by provider/txn_id (one or two per session: a vector is the smallest).
  std::vector<std::pair<std::string, payment_outcome>> payments;
  std::uint64_t messages = 0;
  std::int64_t last_active = 0;
  static inline const char* name = "session";
};

using pointer = session_actor::stateful_pointer<session_state>;

/// Persists `next` as the session's new state, then makes it the actor's state and calls `done`; when the write
/// fails, the actor keeps its previous state and `rp` gets the error, so nothing is half-applied. The actor
/// handles nothing else meanwhile (await), so that changes of one session never interleave.
template <class Promise, class Done>
void commit(pointer self, session_snapshot next, Promise rp, Done done) {
  const auto& ctx = *self->state.ctx;
  next.updated_at = now_s();
  next.expires_at = next.updated_at + ctx.settings.ttl.count();
  self->request(ctx.storage, ctx.settings.timeout, caf::put_atom_v, atoms::session_atom_v, next.id, to_json(next),
                next.expires_at)
    .await(
      [self, next = std::move(next), done](caf::ok_atom) mutable {
        self->state.s.set(std::move(next));
        done();
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
}

bool is_placed(const held_session& s) { return s.whole() && s.whole()->transid; }

caf::result<session_snapshot> put_cart(pointer self, cart_request& lines) {
  const auto& s = self->state.s;
  if (is_placed(s)) return failure(domain::error_code::conflict, "the order is already placed; the cart is closed");
  auto priced = domain::price_cart(lines, *self->state.ctx->catalog);
  if (!priced.errors.empty())
    return make_validation_error("the cart is not valid", priced.errors);
  auto rp = self->make_response_promise<session_snapshot>();
  auto next = s.get();
  next.cart = std::move(lines);
  next.priced = std::move(priced.cart);
  commit(self, std::move(next), rp, [self, rp]() mutable { rp.deliver(self->state.s.get()); });
  return rp;
}

caf::result<session_snapshot> put_contact(pointer self, domain::contact& given) {
  if (is_placed(self->state.s)) return failure(domain::error_code::conflict, "the order is already placed");
  auto details = domain::tidy(std::move(given));
  if (auto errors = domain::validate(details); !errors.empty())
    return make_validation_error("the contact details are not valid", errors);
  auto rp = self->make_response_promise<session_snapshot>();
  auto user = self->state.s.whole() ? self->state.s.whole()->user_id : std::nullopt;
  self->request(self->state.ctx->accounts, self->state.ctx->settings.timeout, atoms::deposit_atom_v, details, user)
    .await(
      [self, rp, details](customer_record& account) mutable {
        auto next = self->state.s.get();
        next.contact = details;
        next.contact_given = true;
        next.customer_id = account.id;
        if (next.stage == "browsing") next.stage = "contact";
        commit(self, std::move(next), rp, [self, rp]() mutable { rp.deliver(self->state.s.get()); });
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

/// Gives the session of a shopper who just logged in a new id (the old one stops working: whoever knew it
/// cannot follow the shopper into their account), in storage first, then in the directory.
void rotate(pointer self, session_snapshot next, std::optional<std::int64_t> logged_in_customer,
            caf::typed_response_promise<session_snapshot> rp) {
  const auto& ctx = *self->state.ctx;
  next.id = domain::new_secret_id();
  next.updated_at = now_s();
  next.expires_at = next.updated_at + ctx.settings.ttl.count();
  session_rekey rekey{self->state.s.id(), next.id,          to_json(next), next.expires_at,
                      next.transid,     logged_in_customer, next.updated_at};
  self->request(ctx.storage, ctx.settings.timeout, atoms::rekey_atom_v, std::move(rekey))
    .await(
      [self, rp, next = std::move(next)](caf::ok_atom) mutable {
        auto old_id = self->state.s.id();
        self->state.s.set(std::move(next));
        auto directory = caf::actor_cast<session_directory_actor>(self->state.directory);
        if (!directory) {
          rp.deliver(failure(domain::error_code::internal, "the session directory is gone"));
          return self->quit();
        }
        self->request(directory, self->state.ctx->settings.timeout, atoms::rekey_atom_v, old_id, self->state.s.id())
          .await([self, rp](caf::ok_atom) mutable { rp.deliver(self->state.s.get()); },
                 [self, rp](caf::error& err) mutable {
                   // Stored under the new id but routed under the old one: stop, the next request reloads it.
                   session_log()->error("event=rekey_failed error=\"{}\"", error_detail(err));
                   rp.deliver(err);
                   self->quit();
                 });
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
}

caf::result<session_snapshot> login(pointer self, std::string& login_name, std::string& password) {
  auto rp = self->make_response_promise<session_snapshot>();
  auto timeout = self->state.ctx->settings.timeout;
  self->request(self->state.ctx->identity, timeout, atoms::login_atom_v, login_name, password)
    .await(
      [self, rp, timeout](user_record& user) mutable {
        self->request(self->state.ctx->readers, timeout, caf::get_atom_v, atoms::customer_atom_v, user.id)
          .await(
            [self, rp, user](std::optional<customer_record>& account) mutable {
              auto next = self->state.s.get();
              next.user_id = user.id;
              std::optional<std::int64_t> logged_in_customer;
              if (account) {
                // The session's contact becomes the user's customer account.
                logged_in_customer = account->id;
                next.contact = account->details;
                next.contact_given = true;
                next.customer_id = account->id;
                if (next.stage == "browsing") next.stage = "contact";
              } else {
                next.contact = domain::contact{};
                next.contact.firstname = user.firstname;
                next.contact.lastname = user.lastname;
                next.contact.email = user.email;
                next.contact_given = false;
                next.customer_id.reset();
                if (next.stage == "contact") next.stage = "browsing";
              }
              rotate(self, std::move(next), logged_in_customer, rp);
            },
            [rp](caf::error& err) mutable { rp.deliver(err); });
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<session_snapshot> order(pointer self, const std::string& paymode) {
  const auto* s = self->state.s.whole();  // null while the session is blank: no cart
  const auto& settings = self->state.ctx->settings;
  if (paymode != "test" || !settings.test_payments)
    return make_validation_error("this payment mode is not available", {{"paymode", "not an available payment mode"}});
  if (s && s->transid) return *s;
  if (!s || s->cart.empty()) return failure(domain::error_code::conflict, "the cart is empty");
  if (!s->contact_given || !s->customer_id)
    return failure(domain::error_code::conflict, "contact details must be given before ordering");
  auto rp = self->make_response_promise<session_snapshot>();
  auto placed = *s;
  placed.transid = domain::new_secret_id();
  placed.bill_status = "PLACED";
  placed.paymode = paymode;
  placed.stage = "placed";
  placed.updated_at = now_s();
  placed.expires_at = placed.updated_at + settings.ttl.count();
  bill_draft draft{*placed.transid,   placed.id,       *placed.customer_id, paymode, placed.priced,
                   contact_json(placed.contact), placed.updated_at, to_json(placed),     placed.expires_at};
  self->request(self->state.ctx->storage, settings.timeout, atoms::order_atom_v, std::move(draft))
    .await(
      [self, rp, placed = std::move(placed)](caf::ok_atom) mutable {
        rp.deliver(placed);
        self->state.s.set(std::move(placed));
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<payment_outcome> apply_payment(pointer self, payment_event event) {
  auto key = event.provider + "/" + event.txn_id;
  auto& payments = self->state.payments;
  auto done = std::find_if(payments.begin(), payments.end(), [&key](const auto& p) { return p.first == key; });
  if (done != payments.end()) {
    if (!done->second.refusal.empty()) return failure(domain::error_code::validation, done->second.refusal);
    return done->second;
  }
  auto rp = self->make_response_promise<payment_outcome>();
  if (auto whole = self->state.s.whole()) event.session_user_id = whole->user_id;
  event.now = now_s();
  self->request(self->state.ctx->storage, self->state.ctx->settings.timeout, atoms::payment_atom_v, event)
    .await(
      [self, rp, key](payment_outcome& outcome) mutable {
        self->state.payments.emplace_back(key, outcome);
        if (!outcome.refusal.empty()) { rp.deliver(failure(domain::error_code::validation, outcome.refusal)); return; }
        auto s = self->state.s.get();
        s.bill_status = outcome.status;
        if (outcome.status == "COMPLETE") s.stage = "completed";
        self->state.s.set(std::move(s));
        self->send(self->state.ctx->accounts, atoms::refresh_atom_v, outcome.customer_id);
        rp.deliver(std::move(outcome));
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<payment_outcome> pay(pointer self) {
  if (!self->state.ctx->settings.test_payments) return failure(domain::error_code::not_found, "no test payments here");
  if (!is_placed(self->state.s)) return failure(domain::error_code::conflict, "no order is placed yet");
  const auto& s = *self->state.s.whole();
  if (s.paymode != "test") return failure(domain::error_code::conflict, "this order is not paid by the test mode");
  payment_event event;
  event.provider = "test";
  event.txn_id = "test-" + *s.transid;
  event.transid = *s.transid;
  event.status = "completed";
  event.amount = s.priced.total;
  event.currency = s.priced.currency;
  return apply_payment(self, std::move(event));
}

/// Counts a handled message and its time, for the management endpoint.
void touch(pointer self) {
  ++self->state.messages;
  self->state.last_active = now_s();
}

session_actor::behavior_type session(pointer self, session_snapshot snapshot, std::shared_ptr<const session_context> ctx,
                                     caf::actor_addr directory) {
  self->state.s.set(std::move(snapshot));
  self->state.ctx = std::move(ctx);
  self->state.directory = std::move(directory);
  self->state.last_active = now_s();
  return {
    [self](caf::get_atom) {
      touch(self);
      return self->state.s.get();
    },
    [self](caf::put_atom, atoms::cart_atom, cart_request& lines) {
      touch(self);
      return put_cart(self, lines);
    },
    [self](caf::put_atom, atoms::customer_atom, domain::contact& c) {
      touch(self);
      return put_contact(self, c);
    },
    [self](atoms::login_atom, std::string& l, std::string& p) {
      touch(self);
      return login(self, l, p);
    },
    [self](atoms::order_atom, const std::string& paymode) {
      touch(self);
      return order(self, paymode);
    },
    [self](atoms::pay_atom) {
      touch(self);
      return pay(self);
    },
    [self](atoms::payment_atom, payment_event& e) {
      touch(self);
      return apply_payment(self, std::move(e));
    },
    [self](caf::get_atom, atoms::vitals_atom) {
      return session_vitals{self->state.s.get(),
                            {self->state.messages, self->mailbox().size(), self->state.last_active}};
    },
    [self](atoms::passivate_atom) { self->quit(); },
  };
}

// -- directory -------------------------------------------------------------------------------------------------

struct directory_state {
  directory_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  std::shared_ptr<const session_context> ctx;
  std::map<std::string, live_entry<session_actor>> live;
  std::uint64_t activations = 0;
  std::uint64_t passivations = 0;
  std::unordered_map<std::string, std::vector<caf::typed_response_promise<session_actor>>> loading;
  std::shared_ptr<spdlog::logger> log = config::logger("sessions");
  static inline const char* name = "session_directory";
};

using directory_pointer = session_directory_actor::stateful_pointer<directory_state>;

session_actor activate(directory_pointer self, session_snapshot snapshot) {
  auto& st = self->state;
  auto id = snapshot.id;
  // Monitored, not linked: a session that crashes is forgotten (and reloaded from storage by the next request)
  // instead of taking the directory, and every other session with it, down.
  auto handle = self->spawn<caf::monitored>(session, std::move(snapshot), st.ctx, self->address());
  auto& entry = st.live[id];
  entry.handle = handle;
  entry.touch();
  ++st.activations;
  return handle;
}

/// Answers every waiting resolve of `id` with `result`.
template <class Result>
void settle(directory_pointer self, const std::string& id, const Result& result) {
  auto waiting = std::move(self->state.loading[id]);
  self->state.loading.erase(id);
  for (auto& p : waiting) p.deliver(result);
}

caf::result<session_actor> resolve(directory_pointer self, const std::string& id) {
  auto& st = self->state;
  if (auto it = st.live.find(id); it != st.live.end()) {
    it->second.touch();
    return it->second.handle;
  }
  auto rp = self->make_response_promise<session_actor>();
  auto [queue, first] = st.loading.try_emplace(id);
  queue->second.push_back(rp);
  if (!first) return rp;
  self->request(st.ctx->readers, st.ctx->settings.timeout, caf::get_atom_v, atoms::session_atom_v, id, now_s())
    .then(
      [self, id](std::optional<std::string>& stored) {
        if (!stored) return settle(self, id, failure(domain::error_code::not_found, "no such checkout session"));
        try {
          auto snapshot = session_from_json(*stored);
          snapshot.priced = domain::price_cart(snapshot.cart, *self->state.ctx->catalog).cart;
          settle(self, id, activate(self, std::move(snapshot)));
        } catch (const std::exception& e) {
          self->state.log->error("event=corrupt_snapshot session={} error=\"{}\"", config::log_id(id), e.what());
          settle(self, id, failure(domain::error_code::internal, "the session cannot be restored"));
        }
      },
      [self, id](caf::error& err) { settle(self, id, err); });
  return rp;
}

caf::result<std::string> create(directory_pointer self) {
  auto& st = self->state;
  session_snapshot s;
  s.id = domain::new_secret_id();
  s.created_at = s.updated_at = now_s();
  s.expires_at = s.created_at + st.ctx->settings.ttl.count();
  auto rp = self->make_response_promise<std::string>();
  self->request(st.ctx->storage, st.ctx->settings.timeout, caf::put_atom_v, atoms::session_atom_v, s.id, to_json(s),
                s.expires_at)
    .then(
      [self, rp, s](caf::ok_atom) mutable {
        activate(self, s);
        rp.deliver(s.id);
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<payment_outcome> route_payment(directory_pointer self, payment_event& event) {
  auto rp = self->make_response_promise<payment_outcome>();
  auto timeout = self->state.ctx->settings.timeout;
  self->request(self->state.ctx->readers, timeout, caf::get_atom_v, atoms::payment_atom_v, event.transid)
    .then(
      [self, rp, event, timeout](std::optional<std::string>& session_id) mutable {
        if (!session_id) { rp.deliver(failure(domain::error_code::not_found, "unknown transid")); return; }
        self->request(caf::actor_cast<session_directory_actor>(self), timeout, atoms::resolve_atom_v, *session_id)
          .then(
            [self, rp, event, timeout](session_actor& target) mutable {
              self->request(target, timeout, atoms::payment_atom_v, event)
                .then([rp](payment_outcome& o) mutable { rp.deliver(std::move(o)); },
                      [rp](caf::error& err) mutable { rp.deliver(err); });
            },
            [rp](caf::error& err) mutable { rp.deliver(err); });
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

session_directory_actor::behavior_type session_directory(directory_pointer self,
                                                         std::shared_ptr<const session_context> ctx) {
  self->state.ctx = std::move(ctx);
  auto sweep_every = self->state.ctx->settings.idle / 4 + std::chrono::seconds(1);
  self->delayed_send(self, sweep_every, caf::tick_atom_v);
  stop_live_actors_on_exit(self);
  self->set_down_handler([self](caf::down_msg& down) {
    if (down.reason == caf::exit_reason::normal) return;  // passivated: already forgotten
    auto& live = self->state.live;
    if (auto id = key_of(live, down.source)) {
      live.erase(*id);
      self->state.log->error("event=session_crashed session={} reason=\"{}\"", config::log_id(*id),
                             caf::to_string(down.reason));
    }
  });
  return {
    [self](caf::put_atom) { return create(self); },
    [self](atoms::resolve_atom, const std::string& id) { return resolve(self, id); },
    [self](atoms::rekey_atom, const std::string& old_id, const std::string& new_id) {
      auto& live = self->state.live;
      if (auto it = live.find(old_id); it != live.end()) {
        auto entry = std::move(it->second);
        live.erase(it);
        entry.touch();
        live.insert_or_assign(new_id, std::move(entry));
      }
      return caf::ok_atom_v;
    },
    [self](atoms::payment_atom, payment_event& event) { return route_payment(self, event); },
    [self](caf::get_atom, atoms::stats_atom) {
      auto& st = self->state;
      return directory_stats{st.live.size(), st.activations, st.passivations, self->mailbox().size()};
    },
    [self](caf::get_atom, atoms::actors_atom, std::int32_t limit, const std::string& after) {
      std::optional<std::string> cursor;
      if (!after.empty()) cursor = after;
      return page_of(self->state.live, "session", limit, cursor, [](const std::string& k) { return k; });
    },
    [self](caf::get_atom, atoms::vitals_atom, const std::string& id) -> caf::result<session_vitals> {
      auto it = self->state.live.find(id);
      if (it == self->state.live.end())
        return failure(domain::error_code::not_found,
                       "session actor not active (passivated or unknown); its last state is in the sessions table");
      return self->delegate(it->second.handle, caf::get_atom_v, atoms::vitals_atom_v);
    },
    [self, sweep_every](caf::tick_atom) {
      auto& st = self->state;
      auto cutoff = std::chrono::steady_clock::now() - st.ctx->settings.idle;
      for (auto it = st.live.begin(); it != st.live.end();) {
        if (it->second.last_active < cutoff) {
          self->send(it->second.handle, atoms::passivate_atom_v);
          it = st.live.erase(it);
          ++st.passivations;
        } else {
          ++it;
        }
      }
      self->delayed_send(self, sweep_every, caf::tick_atom_v);
    },
  };
}

}  // namespace

std::string to_json(const session_snapshot& s) {
  unsigned char buffer[4096];
  boost::json::monotonic_resource memory(buffer);
  boost::json::storage_ptr sp(&memory);
  boost::json::array cart(sp);
  for (const auto& line : s.cart) cart.push_back(boost::json::object({{"code", line.code}, {"quantity", line.quantity}}, sp));
  boost::json::object j(sp);
  j.reserve(13);
  j.emplace("id", s.id);
  j.emplace("stage", s.stage);
  j.emplace("cart", std::move(cart));
  j.emplace("contact", contact_object(s.contact, sp));
  j.emplace("contact_given", s.contact_given);
  j.emplace("customer_id", optional_value(s.customer_id, sp));
  j.emplace("user_id", optional_value(s.user_id, sp));
  j.emplace("transid", optional_value(s.transid, sp));
  j.emplace("bill_status", optional_value(s.bill_status, sp));
  j.emplace("paymode", s.paymode);
  j.emplace("created_at", s.created_at);
  j.emplace("updated_at", s.updated_at);
  j.emplace("expires_at", s.expires_at);
  return boost::json::serialize(j);
}

session_snapshot session_from_json(const std::string& text) {
  auto j = json::parse(text);
  session_snapshot s;
  s.id = j.at("id").get<std::string>();
  s.stage = j.at("stage").get<std::string>();
  for (const auto& line : j.at("cart")) s.cart.push_back({line.at("code"), line.at("quantity")});
  s.contact = contact_from(j.at("contact"));
  s.contact_given = j.value("contact_given", false);
  s.customer_id = optional_from<std::int64_t>(j, "customer_id");
  s.user_id = optional_from<std::int64_t>(j, "user_id");
  s.transid = optional_from<std::string>(j, "transid");
  s.bill_status = optional_from<std::string>(j, "bill_status");
  s.paymode = j.value("paymode", "");
  s.created_at = j.value("created_at", std::int64_t{0});
  s.updated_at = j.value("updated_at", std::int64_t{0});
  s.expires_at = j.value("expires_at", std::int64_t{0});
  return s;
}

session_directory_actor spawn_session_directory(caf::actor_system& sys, std::shared_ptr<const session_context> ctx) {
  return sys.spawn(session_directory, std::move(ctx));
}

}  // namespace boutique::actors
