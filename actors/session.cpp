// Over 500 lines for now: the session actor, its snapshot codec and its directory live together until the split
// into actors/session/{codec,state,actor}.cpp planned in issue 13 (the directory's bookkeeping already moved to
// actors/directory.hpp).
#include "actors/session.hpp"

#include "actors/directory.hpp"
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

/// A placed session keeps its bill's lines as sold (the same as the bill row, written in one transaction), so
/// that reloading it does not price them again against the catalog of the day.
boost::json::object bill_object(const domain::priced_cart& bill, boost::json::storage_ptr sp) {
  boost::json::array lines(sp);
  for (const auto& l : bill.lines)
    lines.push_back(boost::json::object({{"code", l.code}, {"name", l.name}, {"quantity", l.quantity},
                                         {"unit_price", l.unit_price}, {"untaxed", l.untaxed}, {"taxes", l.taxes},
                                         {"total", l.total}, {"tax_rate_bp", optional_value(l.tax_rate_bp, sp)},
                                         {"duration_days", optional_value(l.duration_days, sp)}},
                                        sp));
  return boost::json::object({{"lines", std::move(lines)}, {"untaxed", bill.untaxed}, {"taxes", bill.taxes},
                              {"total", bill.total}, {"currency", bill.currency}},
                             sp);
}

domain::priced_cart bill_from(const json& j) {
  domain::priced_cart bill;
  for (const auto& l : j.at("lines"))
    bill.lines.push_back({l.at("code"), l.at("name"), l.at("quantity"), l.at("unit_price"), l.at("untaxed"),
                          l.at("taxes"), l.at("total"), optional_from<std::int32_t>(l, "tax_rate_bp"),
                          optional_from<std::int32_t>(l, "duration_days")});
  bill.untaxed = j.at("untaxed");
  bill.taxes = j.at("taxes");
  bill.total = j.at("total");
  bill.currency = j.at("currency");
  return bill;
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
  session_route route;        ///< the id and generation messages must be routed under
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
        // Messages routed under the old id that waited meanwhile are refused from now on: the route changed.
        self->state.route = {self->state.s.id(), 0};
        self->request(directory, self->state.ctx->settings.timeout, atoms::rekey_atom_v, old_id, self->state.s.id())
          .await([self, rp](std::uint64_t generation) mutable {
                   self->state.route.generation = generation;
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

caf::result<session_snapshot> login(pointer self, std::string& login_name, std::string& password) {
  auto rp = self->make_response_promise<session_snapshot>();
  auto due = self->state.due;
  self->request(self->state.ctx->identity, due.patience(), due, atoms::login_atom_v, login_name, password)
    .await(
      [self, rp, due](user_record& user) mutable {
        self->request(self->state.ctx->readers, due.patience(), caf::get_atom_v, atoms::customer_atom_v, user.id)
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
    return done->second;
  }
  auto rp = self->make_response_promise<payment_outcome>();
  if (auto whole = self->state.s.whole()) event.session_user_id = whole->user_id;
  event.now = now_s();
  auto due = self->state.due;
  self->request(self->state.ctx->storage, due.patience(), due, atoms::payment_atom_v, event)
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

/// The refusal of a message routed under another id or activation than this one's (the session was renamed at
/// login while the message waited, or it is meant for another activation); nothing when it is this session's.
std::optional<caf::error> misaddressed(pointer self, const session_route& to) {
  if (to == self->state.route) {
    self->state.due = to.due;
    touch(self);
    return std::nullopt;
  }
  return misrouted("no such checkout session");
}

session_actor::behavior_type session(pointer self, session_snapshot snapshot, std::shared_ptr<const session_context> ctx,
                                     caf::actor_addr directory, std::uint64_t generation) {
  self->state.route = {snapshot.id, generation};
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
    [self](const session_route& to, atoms::order_atom, const std::string& paymode) -> caf::result<session_snapshot> {
      if (auto refused = misaddressed(self, to)) return *refused;
      return order(self, paymode);
    },
    [self](const session_route& to, atoms::pay_atom) -> caf::result<payment_outcome> {
      if (auto refused = misaddressed(self, to)) return *refused;
      return pay(self);
    },
    [self](const session_route& to, atoms::payment_atom, payment_event& e) -> caf::result<payment_outcome> {
      if (auto refused = misaddressed(self, to)) return *refused;
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
  live_actors<std::string, session_actor> live;
  /// Resolves waiting for a session to be loaded, or for its passivated actor to be down first.
  std::unordered_map<std::string, std::vector<caf::typed_response_promise<session_ref>>> waiting;
  std::shared_ptr<spdlog::logger> log = config::logger("sessions");
  static inline const char* name = "session_directory";
};

using directory_pointer = session_directory_actor::stateful_pointer<directory_state>;

void passivate(directory_pointer self, const std::string& id) {
  if (auto handle = self->state.live.stop(id)) self->send(*handle, atoms::passivate_atom_v);
}

session_ref activate(directory_pointer self, session_snapshot snapshot) {
  auto& st = self->state;
  auto id = snapshot.id;
  auto generation = st.live.next_generation();
  // Monitored, not linked: a session that crashes is forgotten (and reloaded from storage by the next request)
  // instead of taking the directory, and every other session with it, down.
  auto handle = self->spawn<caf::monitored>(session, std::move(snapshot), st.ctx, self->address(), generation);
  st.live.add(id, handle, generation);
  for (const auto& evicted : st.live.over_cap()) passivate(self, evicted);
  return {handle, {id, generation}};
}

/// Answers every waiting resolve of `id` with `result`.
template <class Result>
void settle(directory_pointer self, const std::string& id, const Result& result) {
  auto it = self->state.waiting.find(id);
  if (it == self->state.waiting.end()) return;
  auto waiting = std::move(it->second);
  self->state.waiting.erase(it);
  for (auto& p : waiting) p.deliver(result);
}

/// A session that holds nothing has no row: its signed id alone restores it, blank, until it expires.
std::optional<session_snapshot> blank_session(const session_context& ctx, const std::string& id, std::int64_t now) {
  auto created = domain::signed_id_time(ctx.id_key, id);
  if (!created || *created + ctx.settings.ttl.count() <= now) return std::nullopt;
  session_snapshot s;
  s.id = id;
  s.created_at = s.updated_at = *created;
  s.expires_at = *created + ctx.settings.ttl.count();
  return s;
}

/// Loads session `id` from storage (or from its signed id) and answers the resolves waiting for it.
void load(directory_pointer self, const std::string& id) {
  auto& st = self->state;
  auto now = now_s();
  self->request(st.ctx->readers, st.ctx->settings.timeout, caf::get_atom_v, atoms::session_atom_v, id, now)
    .then(
      [self, id, now](std::optional<std::string>& stored) {
        const auto& ctx = *self->state.ctx;
        if (!stored) {
          if (auto blank = blank_session(ctx, id, now)) return settle(self, id, activate(self, std::move(*blank)));
          return settle(self, id, failure(domain::error_code::not_found, "no such checkout session"));
        }
        // An empty snapshot marks an id retired at login: it never answers again.
        if (stored->empty()) return settle(self, id, failure(domain::error_code::not_found, "no such checkout session"));
        try {
          auto snapshot = session_from_json(*stored);
          if (!snapshot.transid) snapshot.priced = domain::price_cart(snapshot.cart, *ctx.catalog).cart;
          settle(self, id, activate(self, std::move(snapshot)));
        } catch (const std::exception& e) {
          self->state.log->error("event=corrupt_snapshot session={} error=\"{}\"", config::log_id(id), e.what());
          settle(self, id, failure(domain::error_code::internal, "the session cannot be restored"));
        }
      },
      [self, id](caf::error& err) { settle(self, id, err); });
}

caf::result<session_ref> resolve(directory_pointer self, const std::string& id) {
  auto& st = self->state;
  if (auto* live = st.live.route(id)) return session_ref{live->handle, {id, live->generation}};
  auto rp = self->make_response_promise<session_ref>();
  auto [queue, first] = st.waiting.try_emplace(id);
  queue->second.push_back(rp);
  // A session being passivated is loaded again once its actor is down (see the down handler).
  if (first && !st.live.stopping(id)) load(self, id);
  return rp;
}

caf::result<std::string> create(directory_pointer self) {
  auto& st = self->state;
  session_snapshot s;
  s.created_at = s.updated_at = now_s();
  s.id = domain::new_signed_id(st.ctx->id_key, s.created_at);
  s.expires_at = s.created_at + st.ctx->settings.ttl.count();
  // Not stored: a session that holds nothing gets its row with its first change.
  return activate(self, std::move(s)).route.key;
}

caf::result<payment_outcome> route_payment(directory_pointer self, deadline due, payment_event& event) {
  auto rp = self->make_response_promise<payment_outcome>();
  self->request(self->state.ctx->readers, due.patience(), caf::get_atom_v, atoms::payment_atom_v, event.transid)
    .then(
      [self, rp, event, due](std::optional<std::string>& session_id) mutable {
        if (!session_id) { rp.deliver(failure(domain::error_code::not_found, "unknown transid")); return; }
        auto directory = caf::actor_cast<session_directory_actor>(self);
        self->request(directory, due.patience(), atoms::resolve_atom_v, *session_id)
          .then(
            [self, rp, event, due](session_ref& target) mutable {
              self->request(target.actor, due.patience(), target.route.under(due), atoms::payment_atom_v, event)
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
  self->state.live.set_cap(self->state.ctx->settings.max_live);
  auto sweep_every = self->state.ctx->settings.idle / 4 + std::chrono::seconds(1);
  self->delayed_send(self, sweep_every, caf::tick_atom_v);
  stop_live_actors_on_exit(self);
  self->set_down_handler([self](caf::down_msg& down) {
    auto gone = self->state.live.down(down.source);
    if (!gone) return;
    if (!gone->passivated)
      self->state.log->error("event=session_crashed session={} reason=\"{}\"", config::log_id(gone->key),
                             caf::to_string(down.reason));
    if (self->state.waiting.count(gone->key)) load(self, gone->key);
  });
  return {
    [self](caf::put_atom) { return create(self); },
    [self](atoms::resolve_atom, const std::string& id) { return resolve(self, id); },
    [self](atoms::rekey_atom, const std::string& old_id, const std::string& new_id) {
      auto* renamed = self->state.live.rename(old_id, new_id);
      // Not live: it is being passivated, and answers nothing more.
      return renamed ? renamed->generation : std::uint64_t{0};
    },
    [self](deadline due, atoms::payment_atom, payment_event& event) { return route_payment(self, due, event); },
    [self](caf::get_atom, atoms::stats_atom) { return self->state.live.stats(self->mailbox().size()); },
    [self](caf::get_atom, atoms::actors_atom, std::int32_t limit, const std::string& after) {
      std::optional<std::string> cursor;
      if (!after.empty()) cursor = after;
      return self->state.live.page("session", limit, cursor, [](const std::string& k) { return k; });
    },
    [self](caf::get_atom, atoms::vitals_atom, const std::string& id) -> caf::result<session_vitals> {
      const auto* live = self->state.live.peek(id);
      if (!live)
        return failure(domain::error_code::not_found,
                       "session actor not active (passivated or unknown); its last state is in the sessions table");
      return self->delegate(live->handle, caf::get_atom_v, atoms::vitals_atom_v);
    },
    [self, sweep_every](caf::tick_atom) {
      auto cutoff = std::chrono::steady_clock::now() - self->state.ctx->settings.idle;
      for (const auto& id : self->state.live.idle_since(cutoff)) passivate(self, id);
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
  if (s.transid) j.emplace("bill", bill_object(s.priced, sp));
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
  if (auto bill = j.find("bill"); bill != j.end()) s.priced = bill_from(*bill);
  return s;
}

session_directory_actor spawn_session_directory(caf::actor_system& sys, std::shared_ptr<const session_context> ctx) {
  return sys.spawn(session_directory, std::move(ctx));
}

}  // namespace boutique::actors
