#include "net/server.hpp"

#include "config/config.hpp"
#include "config/logging.hpp"
#include "net/beast_request.hpp"
#include "net/client_address.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace boutique::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string make_request_id() {
  static const std::string prefix = [] {
    std::random_device rd;
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", rd());
    return std::string(buf);
  }();
  static std::atomic<std::uint64_t> counter{0};
  return prefix + "-" + std::to_string(++counter);
}

/// A client-supplied request id is echoed only when it is short and made of safe characters.
bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  return true;
}

std::string problem_body(int status, std::string_view title, std::string_view detail) {
  std::string body = R"({"type":"about:blank","title":")";
  body += title;
  body += R"(","status":)";
  body += std::to_string(status);
  body += R"(,"detail":")";
  body += detail;
  body += "\"}";
  return body;
}

/// Why a request's framing is refused (RFC 9112 §6.1, §6.3), or nullptr when it is acceptable. Beast reads a body
/// whose Transfer-Encoding does not end in "chunked" as empty and would take the bytes that follow for the next
/// request: the framing a proxy in front may read otherwise, the building block of request smuggling. Only a
/// single "chunked" on HTTP/1.1 without Content-Length is accepted.
const char* framing_refusal(const http::request_parser<http::string_body>& parser) {
  const auto& req = parser.get();
  auto codings = req.equal_range(http::field::transfer_encoding);
  auto count = std::distance(codings.first, codings.second);
  if (count == 0) return nullptr;
  if (req.version() < 11) return "Transfer-Encoding is not allowed on HTTP/1.0";
  if (req.count(http::field::content_length) > 0) return "Transfer-Encoding and Content-Length together";
  beast::string_view coding = codings.first->value();
  while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
  while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
  if (count > 1 || !beast::iequals(coding, "chunked")) return "the only Transfer-Encoding accepted is chunked";
  return nullptr;
}

}  // namespace

struct http_server::impl : std::enable_shared_from_this<http_server::impl> {
  class connection;

  server_options options;
  request_handler handler;
  std::shared_ptr<spdlog::logger> log;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::uint16_t bound_port = 0;
  std::atomic<bool> stopping{false};
  bool stopped = false;

  mutable std::mutex connections_mutex;
  std::condition_variable connections_changed;
  std::unordered_set<std::shared_ptr<connection>> connections;
  /// Open connections per TCP peer address (canonical text), under connections_mutex.
  std::unordered_map<std::string, std::size_t> per_address;
  /// Connections refused since the last connection_refused log line, and when that line was written.
  std::atomic<std::uint64_t> refused_unlogged{0};
  std::atomic<std::int64_t> last_refusal_logged_ms{std::numeric_limits<std::int64_t>::min() / 2};
  /// Set under connections_mutex once stop() ran the last queued handlers: nothing runs the io_context again.
  bool handlers_flushed = false;

  impl(server_options opts, request_handler h)
      : options(std::move(opts)), handler(std::move(h)), log(config::logger(options.name)) {}

  void fail(beast::error_code ec, const char* what) {
    if (ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == asio::error::eof ||
        ec == http::error::end_of_stream || ec == asio::error::connection_reset)
      return;
    log->debug("event=io_error what={} error=\"{}\"", what, ec.message());
  }

  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void flush_queued_handlers();
  void refuse_overloaded(tcp::socket socket, const char* reason, std::size_t limit);
  void forget(const std::shared_ptr<connection>& c);
  bool is_trusted_proxy(const std::string& address) const {
    return std::find(options.trusted_proxies.begin(), options.trusted_proxies.end(), address) !=
           options.trusted_proxies.end();
  }
};

class http_server::impl::connection : public std::enable_shared_from_this<connection> {
 public:
  /// `remote`: the TCP peer's canonical address. `hurried`: the server was over half full when it accepted this
  /// connection, which must then send its first byte within first_byte_timeout_s.
  connection(std::shared_ptr<impl> server, tcp::socket&& socket, std::string remote, bool hurried)
      : server_(std::move(server)), stream_(std::move(socket)), remote_(std::move(remote)), hurried_(hurried) {}

  const std::string& remote() const { return remote_; }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
  }

  /// Closes the connection when it waits for a request; otherwise it closes after the current response.
  void drain() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->draining_ = true;
      if (!self->busy_) self->close();
    });
  }

  /// Only once the server's threads have stopped: closes the socket, so that the operations pending on it
  /// complete (with an error) at the next run of the io_context.
  void abort() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  /// Called from any thread, once per request. After stop() flushed the server's queue, a handler queued would
  /// never run and, holding this connection, would keep the server alive for ever: the response is dropped.
  void respond(http_response response) {
    std::lock_guard lock(server_->connections_mutex);
    if (server_->handlers_flushed) return;
    asio::post(stream_.get_executor(), [self = shared_from_this(), response = std::move(response)]() mutable {
      self->write(std::move(response));
    });
  }

 private:
  void read_request() {
    if (draining_) return close();
    busy_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.header_limit));
    parser_->body_limit(server_->options.body_limit);
    if (served_ == 0 && hurried_) return await_first_byte();
    auto timeout = served_ == 0 ? server_->options.read_timeout_s : server_->options.idle_timeout_s;
    read_header(timeout);
  }

  void read_header(int timeout_s) {
    stream_.expires_after(std::chrono::seconds(timeout_s));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  /// Under pressure, a silent connection holds its slot first_byte_timeout_s only, not the whole read timeout.
  void await_first_byte() {
    hurried_ = false;
    stream_.expires_after(std::chrono::seconds(server_->options.first_byte_timeout_s));
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return self->on_read_error(ec);
      self->buffer_.commit(n);
      self->read_header(self->server_->options.read_timeout_s);
    });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    busy_ = true;
    if (auto refusal = framing_refusal(*parser_)) return reject(400, "Bad Request", refusal);
    stream_.expires_after(std::chrono::seconds(server_->options.read_timeout_s));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) return reject(413, "Payload Too Large", "the request body exceeds the limit");
    if (ec == http::error::header_limit)
      return reject(431, "Request Header Fields Too Large", "the request headers exceed the limit");
    if (ec.category() == http::make_error_code(http::error::bad_target).category() && ec != http::error::end_of_stream)
      return reject(400, "Bad Request", "the request is not valid HTTP/1.1");
    server_->fail(ec, "read");
    close();
  }

  void on_read(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    stream_.expires_never();
    auto& req = parser_->get();
    auto request = to_http_request(req);
    auto client_id = request.header("x-request-id");
    request.request_id = client_id && acceptable_request_id(*client_id) ? std::string(*client_id) : make_request_id();
    request.remote_address = client_address(remote_, request.headers, server_->options.trusted_proxies);
    request.secure =
      server_->options.https_only || forwarded_https(remote_, request.headers, server_->options.trusted_proxies);
    secure_ = request.secure;
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    method_ = request.method;
    head_ = request.method == "HEAD";
    path_ = request.path;
    request_id_ = request.request_id;
    received_at_ = request.received_at;
    if (!server_->handler) return close();  // completed while stop() flushed the queue: too late to serve
    auto answered = std::make_shared<std::atomic<bool>>(false);
    server_->handler(std::move(request), [self = shared_from_this(), answered](http_response response) {
      if (answered->exchange(true)) return;  // exactly one response per request
      self->respond(std::move(response));
    });
  }

  void reject(int status, const char* title, const char* detail) {
    busy_ = true;
    keep_alive_ = false;
    version_ = 11;
    method_ = parser_ && parser_->is_header_done() ? std::string(parser_->get().method_string()) : "-";
    path_ = parser_ && parser_->is_header_done() ? std::string(parser_->get().target()) : "-";
    head_ = method_ == "HEAD";
    secure_ = server_->options.https_only;
    request_id_ = make_request_id();
    received_at_ = std::chrono::steady_clock::now();
    http_response response;
    response.status = status;
    response.content_type = "application/problem+json";
    response.body = problem_body(status, title, detail);
    write(std::move(response));
  }

  void write(http_response response) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(response.status));
    res->set(http::field::content_type, response.content_type);
    res->set("X-Request-Id", request_id_);
    res->set("X-Content-Type-Options", "nosniff");
    if (secure_ && server_->options.hsts_max_age_s > 0)
      res->set(http::field::strict_transport_security, "max-age=" + std::to_string(server_->options.hsts_max_age_s));
    for (auto& [name, value] : response.headers) {
      // Set-Cookie may repeat; any other field a handler gives once replaces the server's default (a page's own
      // X-Content-Type-Options must not appear twice).
      if (beast::iequals(name, "set-cookie")) res->insert(name, value);
      else res->set(name, value);
    }
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive_ && !draining_);
    res->prepare_payload();
    if (head_) {  // RFC 9110 §9.3.2: the fields a GET would get, Content-Length included, and no body
      auto length = res->body().size();
      res->body().clear();
      res->content_length(length);
    }
    auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - received_at_).count();
    // Client text is escaped, the query (password-link tokens) left out and id-shaped path segments digested: a log
    // line never holds a session id.
    if (server_->log->should_log(spdlog::level::info))
      server_->log->info("event=request request_id={} method={} path=\"{}\" route=\"{}\" status={} ms={:.2f}{}",
                         request_id_, config::log_text(method_, 32), config::log_path(path_.substr(0, path_.find('?'))),
                         response.route, response.status, elapsed,
                         response.log_detail.empty() ? "" : " error=\"" + config::log_text(response.log_detail) + "\"");
    if (server_->options.observe) server_->options.observe(response.route, response.status, elapsed / 1000.0);
    stream_.expires_after(std::chrono::seconds(server_->options.read_timeout_s));
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) {
        self->server_->fail(ec, "write");
        return self->close();
      }
      ++self->served_;
      if (!res->keep_alive()) return self->close();
      self->read_request();
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
    server_->forget(shared_from_this());
  }

  std::shared_ptr<impl> server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  bool hurried_ = false;
  bool head_ = false;
  bool secure_ = false;  ///< the request being answered came over HTTPS (http_request::secure)
  std::string method_, path_, request_id_;
  std::chrono::steady_clock::time_point received_at_;
  unsigned version_ = 11;
  std::uint64_t served_ = 0;
  bool keep_alive_ = true;
  bool busy_ = false;
  bool draining_ = false;
  bool closed_ = false;
};

void http_server::impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void http_server::impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec) {
    if (stopping) return;
    fail(ec, "accept");
  } else {
    beast::error_code peer_ec;
    auto peer = socket.remote_endpoint(peer_ec);
    auto remote = peer_ec ? std::string() : config::canonical_ip(peer.address().to_string()).value_or("");
    std::shared_ptr<connection> c;
    const char* refused = nullptr;
    std::size_t limit = 0;
    {
      // Checked under the lock that stop() takes to list the connections it drains, so that no connection
      // accepted concurrently with stop() escapes the drain.
      std::lock_guard lock(connections_mutex);
      if (stopping) return;
      auto& from_peer = per_address[remote];
      if (connections.size() >= options.max_connections) {
        refused = "max_connections";
        limit = options.max_connections;
      } else if (from_peer >= options.max_connections_per_address && !is_trusted_proxy(remote)) {
        refused = "max_connections_per_address";
        limit = options.max_connections_per_address;
      } else {
        bool hurried = connections.size() >= options.max_connections / 2;
        c = std::make_shared<connection>(shared_from_this(), std::move(socket), remote, hurried);
        connections.insert(c);
        ++from_peer;
      }
      if (from_peer == 0) per_address.erase(remote);
    }
    if (c) c->start();
    else refuse_overloaded(std::move(socket), refused, limit);
  }
  accept();
}

void http_server::impl::forget(const std::shared_ptr<connection>& c) {
  std::lock_guard lock(connections_mutex);
  if (connections.erase(c) > 0) {
    if (auto it = per_address.find(c->remote()); it != per_address.end() && --it->second == 0) per_address.erase(it);
  }
  connections_changed.notify_all();
}

void http_server::impl::refuse_overloaded(tcp::socket socket, const char* reason, std::size_t limit) {
  // A flood is refused thousands of times a second: one line per second at most, counting the refusals it sums up.
  ++refused_unlogged;
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
  auto last = last_refusal_logged_ms.load();
  if (now - last >= 1000 && last_refusal_logged_ms.compare_exchange_strong(last, now))
    log->warn("event=connection_refused reason={} limit={} refused={}", reason, limit, refused_unlogged.exchange(0));
  auto s = std::make_shared<tcp::socket>(std::move(socket));
  static const std::string body = problem_body(503, "Service Unavailable", "too many open connections");
  static const std::string response =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\n"
    "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::async_write(*s, asio::buffer(response), [s](beast::error_code, std::size_t) {
    beast::error_code ignored;
    s->close(ignored);
  });
}

http_server::http_server(server_options options, request_handler handler)
    : impl_(std::make_shared<impl>(std::move(options), std::move(handler))) {}

http_server::~http_server() { stop(0); }

void http_server::start() {
  auto& o = impl_->options;
  beast::error_code ec;
  auto address = asio::ip::make_address(o.address, ec);
  if (ec) throw std::runtime_error(o.name + ": invalid address '" + o.address + "'");
  tcp::endpoint endpoint{address, o.port};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error(o.name + ": cannot listen on " + o.address + ":" + std::to_string(o.port) + ": " +
                             ec.message());
  impl_->bound_port = acceptor.local_endpoint().port();
  impl_->accept();
  for (int i = 0; i < o.threads; ++i) impl_->threads.emplace_back([self = impl_] { self->ioc.run(); });
  impl_->log->info("event=listening address={} port={}", o.address, impl_->bound_port);
}

std::uint16_t http_server::port() const { return impl_->bound_port; }

std::size_t http_server::open_connections() const {
  std::lock_guard lock(impl_->connections_mutex);
  return impl_->connections.size();
}

void http_server::stop(int grace_ms) {
  if (impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->ioc, [self = impl_] {
    beast::error_code ec;
    self->acceptor.close(ec);
  });
  std::vector<std::shared_ptr<impl::connection>> open;
  {
    std::lock_guard lock(impl_->connections_mutex);
    impl_->stopping = true;
    open.assign(impl_->connections.begin(), impl_->connections.end());
  }
  for (auto& c : open) c->drain();
  open.clear();
  {
    std::unique_lock lock(impl_->connections_mutex);
    impl_->connections_changed.wait_for(lock, std::chrono::milliseconds(grace_ms),
                                        [this] { return impl_->connections.empty(); });
    if (!impl_->connections.empty())
      impl_->log->warn("event=stop_forced open_connections={}", impl_->connections.size());
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
  impl_->flush_queued_handlers();
  impl_->log->info("event=stopped");
}

/// Every handler still queued in the stopped io_context holds its connection, and each connection holds this
/// impl, which owns the io_context: a cycle that nothing would ever free. Runs on the thread calling stop(),
/// after the server's threads stopped: closes the acceptor and every socket, so that each pending operation
/// completes with an error, runs those completions here, and forgets the connections still awaiting a response.
void http_server::impl::flush_queued_handlers() {
  handler = nullptr;  // also releases the actor handles the routes hold, so that the actor system can shut down
  beast::error_code ec;
  acceptor.close(ec);
  {
    std::lock_guard lock(connections_mutex);
    handlers_flushed = true;
    for (const auto& c : connections) c->abort();
  }
  ioc.restart();
  ioc.poll();
  std::lock_guard lock(connections_mutex);
  connections.clear();
  per_address.clear();
}

}  // namespace boutique::net
