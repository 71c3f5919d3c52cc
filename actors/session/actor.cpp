// The session actor: one checkout session, its changes persisted before they are answered.
#include "actors/session/actor.hpp"

#include "actors/directory.hpp"
#include "actors/printing.hpp"
#include "actors/session/codec.hpp"
#include "config/logging.hpp"
#include "domain/tokens.hpp"
#include "domain/clock.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <ctime>

namespace boutique::actors {

namespace {

using domain::now_s;

caf::error failure(domain::error_code code, std::string detail) { return make_domain_error(code, std::move(detail)); }

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
  /// The activation messages must be routed under, with the session's id (kept once, in `s`): its route.
  std::uint64_t generation = 0;
  /// The deadline of the message being handled (messages are handled one at a time, awaiting their requests):
  /// every request it causes goes out under it.
  deadline due;
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
  auto due = self->state.due;
  self->request(ctx.storage, due.patience(), due, caf::put_atom_v, atoms::session_atom_v, next.id, to_json(next),
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
  auto priced = domain::price_cart(lines, *self->state.ctx->catalog->get());
  if (!priced.errors.empty())
    return make_validation_error({"cart_invalid"}, priced.errors);
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
    return make_validation_error({"contact_invalid"}, errors);
  auto rp = self->make_response_promise<session_snapshot>();
  auto user = self->state.s.whole() ? self->state.s.whole()->user_id : std::nullopt;
  auto due = self->state.due;
  self->request(self->state.ctx->accounts, due.patience(), due, atoms::deposit_atom_v, details, user)
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
  next.updated_at = now_s();
  next.id = domain::new_signed_id(ctx.id_key, next.updated_at);
  next.expires_at = next.updated_at + ctx.settings.ttl.count();
  session_rekey rekey{self->state.s.id(), next.id,          to_json(next), next.expires_at,
                      next.transid,     logged_in_customer, next.updated_at};
  auto due = self->state.due;
  self->request(ctx.storage, due.patience(), due, atoms::rekey_atom_v, std::move(rekey))
    .await(
      [self, rp, next = std::move(next)](caf::ok_atom) mutable {
        auto old_id = self->state.s.id();
        self->state.s.set(std::move(next));
        auto directory = caf::actor_cast<session_directory_actor>(self->state.directory);
        if (!directory) {
          rp.deliver(failure(domain::error_code::internal, "the session directory is gone"));
          return self->quit();
        }
        // Messages routed under the old id that waited meanwhile are refused from now on: the route changed (the
        // id with `s` above, the generation here until the directory gives the new one).
        self->state.generation = 0;
        self->request(directory, self->state.ctx->settings.timeout, atoms::rekey_atom_v, old_id, self->state.s.id())
          .await([self, rp](std::uint64_t generation) mutable {
                   self->state.generation = generation;
                   rp.deliver(self->state.s.get());
                 },
                 [self, rp](caf::error& err) mutable {
                   // Stored under the new id but routed under the old one: stop, the next request reloads it.
                   session_log()->error("event=rekey_failed error=\"{}\"", error_detail(err));
                   rp.deliver(err);
                   self->quit();
                 });
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
}

/// Logs the session in as `user`: the session moves to a new id (rotate) and its contact becomes the user's
/// customer account, or the user's name and email when they have none yet.
void adopt(pointer self, const user_record& user, caf::typed_response_promise<session_snapshot> rp) {
  auto due = self->state.due;
  self->request(self->state.ctx->readers.next(), due.patience(), caf::get_atom_v, atoms::customer_atom_v, user.id)
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
}

caf::result<session_snapshot> login(pointer self, std::string& login_name, std::string& password) {
  auto rp = self->make_response_promise<session_snapshot>();
  auto due = self->state.due;
  self->request(self->state.ctx->identity, due.patience(), due, atoms::login_atom_v, login_name, password)
    .await([self, rp](user_record& user) mutable { adopt(self, user, rp); },
           [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<session_snapshot> order(pointer self, const std::string& paymode, domain::language lang) {
  const auto* s = self->state.s.whole();  // null while the session is blank: no cart
  const auto& settings = self->state.ctx->settings;
  if (paymode != "test" || !settings.test_payments)
    return make_validation_error({"paymode_invalid"}, {{"paymode", {"bad_paymode"}}});
  if (s && s->transid) return *s;
  if (!s || s->cart.empty()) return failure(domain::error_code::conflict, "the cart is empty");
  if (!s->contact_given || !s->customer_id)
    return failure(domain::error_code::conflict, "contact details must be given before ordering");
  auto rp = self->make_response_promise<session_snapshot>();
  auto placed = *s;
  placed.transid = domain::new_secret_id();
  placed.bill_status = "PLACED";
  placed.paymode = paymode;
  placed.lang = lang;
  placed.stage = "placed";
  placed.updated_at = now_s();
  placed.expires_at = placed.updated_at + settings.ttl.count();
  bill_draft draft{*placed.transid,   placed.id,       *placed.customer_id, paymode, placed.priced,
                   contact_json(placed.contact), placed.updated_at, to_json(placed),     placed.expires_at, lang};
  auto due = self->state.due;
  self->request(self->state.ctx->storage, due.patience(), due, atoms::order_atom_v, std::move(draft))
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
    auto again = done->second;  // as storage answers a delivery seen before: a replay, which changed nothing
    again.replay = true;
    again.completed_now = again.refunded_now = false;
    return again;
  }
  auto rp = self->make_response_promise<payment_outcome>();
  if (auto whole = self->state.s.whole()) event.session_user_id = whole->user_id;
  event.now = now_s();
  auto due = self->state.due;
  self->request(self->state.ctx->storage, due.patience(), due, atoms::payment_atom_v, event, self->state.s.id())
    .await(
      [self, rp, key](payment_outcome& outcome) mutable {
        self->state.payments.emplace_back(key, outcome);
        if (!outcome.refusal.empty()) { rp.deliver(failure(domain::error_code::validation, outcome.refusal)); return; }
        auto s = self->state.s.get();
        if (s.transid == outcome.transid) {  // not a bill this session cancelled before placing another
          s.bill_status = outcome.status;
          if (outcome.status == "COMPLETE") s.stage = "completed";
          self->state.s.set(std::move(s));
        }
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

/// Cancels the session's placed order (`transid`: the order the caller means, empty for "the session's own"),
/// before it is paid: the bill becomes CANCELLED and leaves the session, which keeps its cart (priced again against
/// today's catalog) and contact, back at the contact step, so that the shopper can change the order and place it
/// again. Handled in turn with the session's payments: a payment handled first makes this a 409, and one handled
/// after finds the bill cancelled.
caf::result<bill_change> cancel(pointer self, const std::string& transid, domain::canceller by) {
  const auto* s = self->state.s.whole();
  if (!s || !s->transid) return failure(domain::error_code::conflict, "no order is placed in this checkout session");
  if (!transid.empty() && transid != *s->transid)  // a stale page: that order was cancelled and another placed
    return failure(domain::error_code::conflict, "this order is no longer the one of this checkout session");
  if (s->stage == "completed") return failure(domain::error_code::conflict, *domain::cancel_refusal(domain::bill_status::complete));
  auto rp = self->make_response_promise<bill_change>();
  const auto& ctx = *self->state.ctx;
  auto next = *s;
  bill_cancel request{*next.transid, by, next.id, {}, 0, now_s()};
  next.transid.reset();
  next.bill_status.reset();
  next.paymode.clear();
  next.priced = domain::price_cart(next.cart, *ctx.catalog->get()).cart;
  next.stage = next.contact_given ? "contact" : "browsing";
  next.updated_at = request.now;
  next.expires_at = next.updated_at + ctx.settings.ttl.count();
  request.session_snapshot_json = to_json(next);
  request.session_expires_at = next.expires_at;
  auto due = self->state.due;
  self->request(ctx.storage, due.patience(), due, atoms::cancel_atom_v, std::move(request))
    .await(
      [self, rp, next = std::move(next)](bill_change& change) mutable {
        self->state.s.set(std::move(next));
        self->send(self->state.ctx->accounts, atoms::refresh_atom_v, change.customer_id);
        rp.deliver(std::move(change));
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

/// Counts a handled message and its time, for the management endpoint.
void touch(pointer self) {
  ++self->state.messages;
  self->state.last_active = now_s();
  // At debug level (PUT /admin/log-level), each message a session handles, printed as actors/printing.hpp says:
  // ids as log ids, bare strings by size, personal data left out. Nothing is printed at other levels.
  if (session_log()->should_log(spdlog::level::debug))
    session_log()->debug("event=handles session={} message=\"{}\"", config::log_id(self->state.s.id()),
                         config::log_text(printing::current_message(self), 2048));
}

/// The refusal of a message routed under another id or activation than this one's (the session was renamed at
/// login while the message waited, or it is meant for another activation); nothing when it is this session's.
std::optional<caf::error> misaddressed(pointer self, const session_route& to) {
  if (to.key == self->state.s.id() && to.generation == self->state.generation) {
    self->state.due = to.due;
    touch(self);
    return std::nullopt;
  }
  return misrouted("no such checkout session");
}

session_actor::behavior_type session(pointer self, session_snapshot snapshot, std::shared_ptr<const session_context> ctx,
                                     caf::actor_addr directory, std::uint64_t generation) {
  self->state.generation = generation;
  self->state.s.set(std::move(snapshot));
  self->state.ctx = std::move(ctx);
  self->state.directory = std::move(directory);
  self->state.last_active = now_s();
  return {
    [self](const session_route& to, caf::get_atom) -> caf::result<session_snapshot> {
      if (auto refused = misaddressed(self, to)) return *refused;
      return self->state.s.get();
    },
    [self](const session_route& to, caf::put_atom, atoms::cart_atom, cart_request& lines) -> caf::result<session_snapshot> {
      if (auto refused = misaddressed(self, to)) return *refused;
      return put_cart(self, lines);
    },
    [self](const session_route& to, caf::put_atom, atoms::customer_atom,
           domain::contact& c) -> caf::result<session_snapshot> {
      if (auto refused = misaddressed(self, to)) return *refused;
      return put_contact(self, c);
    },
    [self](const session_route& to, atoms::login_atom, std::string& l, std::string& p) -> caf::result<session_snapshot> {
      if (auto refused = misaddressed(self, to)) return *refused;
      return login(self, l, p);
    },
    [self](const session_route& to, atoms::login_atom, const user_record& user) -> caf::result<session_snapshot> {
      if (auto refused = misaddressed(self, to)) return *refused;
      auto rp = self->make_response_promise<session_snapshot>();
      adopt(self, user, rp);
      return rp;
    },
    [self](const session_route& to, atoms::order_atom, const std::string& paymode,
           domain::language lang) -> caf::result<session_snapshot> {
      if (auto refused = misaddressed(self, to)) return *refused;
      return order(self, paymode, lang);
    },
    [self](const session_route& to, atoms::pay_atom) -> caf::result<payment_outcome> {
      if (auto refused = misaddressed(self, to)) return *refused;
      return pay(self);
    },
    [self](const session_route& to, atoms::payment_atom, payment_event& e) -> caf::result<payment_outcome> {
      if (auto refused = misaddressed(self, to)) return *refused;
      return apply_payment(self, std::move(e));
    },
    [self](const session_route& to, atoms::cancel_atom, const std::string& transid,
           domain::canceller by) -> caf::result<bill_change> {
      if (auto refused = misaddressed(self, to)) return *refused;
      return cancel(self, transid, by);
    },
    [self](caf::get_atom, atoms::vitals_atom) {
      return session_vitals{self->state.s.get(),
                            {self->state.messages, self->mailbox().size(), self->state.last_active}};
    },
    [self](atoms::passivate_atom) {
      // After this actor's own writes (one sender, one order): their lease check still finds the lease.
      if (self->state.ctx->settings.clustered)
        self->send(self->state.ctx->storage, atoms::lease_atom_v, caf::delete_atom_v,
                   std::string{storage::session_lease}, self->state.s.id());
      self->quit();
    },
  };
}

}  // namespace

session_actor spawn_session(caf::local_actor* directory, session_snapshot snapshot,
                            std::shared_ptr<const session_context> ctx, std::uint64_t generation) {
  auto handle = directory->spawn(session, std::move(snapshot), std::move(ctx), directory->address(), generation);
  directory->monitor(handle);
  return handle;
}

}  // namespace boutique::actors
