#include "net/server.hpp"

#include "config/logging.hpp"
#include "net/beast_request.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
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
  void refuse_overloaded(tcp::socket socket);
  void forget(const std::shared_ptr<connection>& c) {
    std::lock_guard lock(connections_mutex);
    connections.erase(c);
    connections_changed.notify_all();
  }
};

class http_server::impl::connection : public std::enable_shared_from_this<connection> {
 public:
  connection(std::shared_ptr<impl> server, tcp::socket&& socket)
      : server_(std::move(server)), stream_(std::move(socket)) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

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
    auto timeout = served_ == 0 ? server_->options.read_timeout_s : server_->options.idle_timeout_s;
    stream_.expires_after(std::chrono::seconds(timeout));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    busy_ = true;
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
    request.remote_address = remote_;
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    method_ = request.method;
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
    for (auto& [name, value] : response.headers) res->insert(name, value);  // insert: Set-Cookie may repeat
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive_ && !draining_);
    res->prepare_payload();
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
    std::shared_ptr<connection> c;
    {
      // Checked under the lock that stop() takes to list the connections it drains, so that no connection
      // accepted concurrently with stop() escapes the drain.
      std::lock_guard lock(connections_mutex);
      if (stopping) return;
      if (connections.size() < options.max_connections) {
        c = std::make_shared<connection>(shared_from_this(), std::move(socket));
        connections.insert(c);
      }
    }
    if (c) c->start();
    else refuse_overloaded(std::move(socket));
  }
  accept();
}

void http_server::impl::refuse_overloaded(tcp::socket socket) {
  log->warn("event=connection_refused reason=max_connections limit={}", options.max_connections);
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
}

}  // namespace boutique::net
