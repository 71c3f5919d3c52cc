// Forwarding a request to the node owning its actor (net/forward.hpp): one HTTP/1.1 exchange per request, on a
// connection of its own (Connection: close), bounded in time and in number.
#include "net/forward.hpp"

#include "config/logging.hpp"
#include "net/problem.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <functional>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

namespace boutique::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

http_response unavailable(std::string detail) {
  http_response response;
  response.status = 503;
  response.content_type = "application/problem+json";
  response.body = R"({"type":"about:blank","title":"Service Unavailable","status":503,"detail":")" + detail + "\"}";
  response.headers.emplace_back("Retry-After", "1");
  response.route = "(forwarded)";
  return response;
}

/// Fields that belong to one hop (RFC 9110 §7.6.1), or that the receiving server sets itself.
bool hop_field(std::string_view name) {
  static constexpr std::array<std::string_view, 13> fields{
    "connection", "keep-alive",       "proxy-connection", "te",           "trailer",
    "upgrade",    "transfer-encoding", "content-length",  "host",         "x-request-id",
    "x-content-type-options", "strict-transport-security", "x-forwarded-for"};
  for (auto f : fields)
    if (beast::iequals(f, name)) return true;
  return beast::iequals(name, forwarded_header) || beast::iequals(name, owner_header);
}

/// Takes `name` out of `headers`: its value, if it was there.
std::optional<std::string> take_header(header_list& headers, std::string_view name) {
  std::optional<std::string> value;
  for (auto it = headers.begin(); it != headers.end();) {
    if (beast::iequals(it->first, name)) {
      value = std::move(it->second);
      it = headers.erase(it);
    } else {
      ++it;
    }
  }
  return value;
}

}  // namespace

struct forwarder::impl : std::enable_shared_from_this<forwarder::impl> {
  forward_options options;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::thread thread;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<std::uint64_t> forwarded{0}, failed{0}, refused{0}, loops{0};
  std::shared_ptr<spdlog::logger> log = config::logger("cluster");
  std::once_flag stopped;

  explicit impl(forward_options o) : options(std::move(o)) {}

  /// One exchange with the owner. `answered` gets its answer; `unreachable` is called when no connection could be
  /// made (the request never left: it may go again), and a failure after sending is a 503 (it may have been done).
  struct exchange : std::enable_shared_from_this<exchange> {
    std::shared_ptr<impl> owner;
    tcp::resolver resolver;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> out;
    http::response_parser<http::string_body> in;
    std::string request_id;
    responder answered;
    std::function<void()> unreachable;

    exchange(std::shared_ptr<impl> o, responder a, std::function<void()> u)
        : owner(std::move(o)), resolver(owner->ioc), stream(owner->ioc), answered(std::move(a)),
          unreachable(std::move(u)) {
      in.body_limit(owner->options.response_limit);
    }

    void fail(const char* step, beast::error_code ec, bool sent) {
      owner->log->warn("event=forward_failed request_id={} step={} error=\"{}\"", request_id, step, ec.message());
      if (!sent) return unreachable();
      owner->failed++;
      answered(unavailable("the node serving this checkout did not answer; retry"));
    }

    void start(const std::string& host, const std::string& port) {
      stream.expires_after(owner->options.timeout);
      resolver.async_resolve(host, port, [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
        if (ec) return self->fail("resolve", ec, false);
        self->stream.async_connect(r, [self](beast::error_code ec, const tcp::endpoint&) {
          if (ec) return self->fail("connect", ec, false);
          http::async_write(self->stream, self->out, [self](beast::error_code ec, std::size_t) {
            if (ec) return self->fail("send", ec, true);
            http::async_read(self->stream, self->buffer, self->in, [self](beast::error_code ec, std::size_t) {
              if (ec) return self->fail("answer", ec, true);
              self->done();
            });
          });
        });
      });
    }

    void done() {
      auto& res = in.get();
      http_response response;
      response.status = static_cast<int>(res.result_int());
      response.route = "(forwarded)";
      for (const auto& field : res) {
        std::string name(field.name_string());
        if (hop_field(name)) continue;
        if (beast::iequals(name, "content-type")) response.content_type = std::string(field.value());
        else response.headers.emplace_back(std::move(name), std::string(field.value()));
      }
      response.body = std::move(res.body());
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      answered(std::move(response));
    }
  };

  /// A request on its way to its owner: forwarded once per try. When the owner cannot be reached (its process is
  /// gone, and its lease not yet lapsed), the request is run here again a moment later, until the lease lapses and
  /// this node takes it, or the request's time (options.timeout) is up.
  struct attempt : std::enable_shared_from_this<attempt> {
    std::shared_ptr<impl> owner;
    request_handler inner;
    http_request request;
    responder respond;
    std::chrono::steady_clock::time_point until;
    asio::steady_timer timer;
    bool counted = false;

    attempt(std::shared_ptr<impl> o, request_handler h, http_request r, responder a)
        : owner(std::move(o)), inner(std::move(h)), request(std::move(r)), respond(std::move(a)),
          until(std::chrono::steady_clock::now() + owner->options.timeout), timer(owner->ioc) {}

    void finish(http_response response) {
      if (counted) owner->in_flight--;
      respond(std::move(response));
    }

    void run() {
      auto copy = request;
      inner(std::move(copy), [self = shared_from_this()](http_response response) {
        auto to = take_header(response.headers, owner_header);
        if (!to) return self->finish(std::move(response));
        self->forward(*to);
      });
    }

    void forward(const std::string& address) {
      auto colon = address.rfind(':');
      if (colon == std::string::npos) return finish(unavailable("this checkout's node is unknown; retry"));
      if (!counted) {
        if (owner->in_flight.fetch_add(1) >= owner->options.max_in_flight) {
          owner->in_flight--;
          owner->refused++;
          return respond(unavailable("the service is busy; retry shortly"));
        }
        counted = true;
      }
      owner->forwarded++;
      auto self = shared_from_this();
      auto x = std::make_shared<exchange>(
        owner, [self](http_response r) { self->finish(std::move(r)); }, [self] { self->later(); });
      x->request_id = request.request_id;
      auto& out = x->out;
      out.version(11);
      out.method_string(request.method);
      out.target(request.target);
      for (const auto& [name, value] : request.headers)
        if (!hop_field(name)) out.insert(name, value);
      out.set(http::field::host, address);
      out.set(http::field::connection, "close");
      out.set(forwarded_header, owner->options.node_id);
      out.set("X-Forwarded-For", request.remote_address);  // the client, as this node (and its proxies) saw it
      out.set("X-Forwarded-Proto", request.secure ? "https" : "http");
      out.set("X-Request-Id", request.request_id);
      out.body() = request.body;
      out.prepare_payload();
      asio::post(owner->ioc, [x, host = address.substr(0, colon), port = address.substr(colon + 1)] {
        x->start(host, port);
      });
    }

    void later() {
      constexpr auto pause = std::chrono::milliseconds(250);
      if (std::chrono::steady_clock::now() + pause >= until) {
        owner->failed++;
        return finish(unavailable("the node serving this checkout cannot be reached; retry"));
      }
      timer.expires_after(pause);
      timer.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec) return self->finish(unavailable("the service is stopping; retry"));
        self->run();
      });
    }
  };
};

forwarder::forwarder(forward_options options) : impl_(std::make_shared<impl>(std::move(options))) {
  impl_->thread = std::thread([i = impl_] { i->ioc.run(); });
}

forwarder::~forwarder() { stop(); }

void forwarder::stop() {
  std::call_once(impl_->stopped, [this] {
    impl_->work.reset();
    impl_->ioc.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
  });
}

forward_counters forwarder::counters() const {
  return {impl_->forwarded.load(), impl_->failed.load(), impl_->refused.load(), impl_->loops.load()};
}

request_handler naming_the_owner(request_handler inner) {
  return [inner = std::move(inner)](http_request&& request, responder respond) {
    inner(std::move(request), [respond = std::move(respond)](http_response response) {
      if (auto owner = take_header(response.headers, owner_header))
        response.body = R"({"type":"about:blank","title":"Service Unavailable","status":503,"detail":")"
                        "this checkout session is live on the node at " + *owner +
                        ": ask that node's management listener, or retry once it is idle\"}";
      respond(std::move(response));
    });
  };
}

request_handler forwarder::wrap(request_handler inner) {
  return [i = impl_, inner = std::move(inner)](http_request&& request, responder respond) {
    // A forwarded request is answered where it lands: never forwarded twice (the 503 "retry" goes back).
    if (request.header("x-boutique-forwarded")) {
      return inner(std::move(request), [i, respond = std::move(respond)](http_response response) {
        if (take_header(response.headers, owner_header)) i->loops++;
        respond(std::move(response));
      });
    }
    std::make_shared<impl::attempt>(i, inner, std::move(request), std::move(respond))->run();
  };
}

}  // namespace boutique::net
