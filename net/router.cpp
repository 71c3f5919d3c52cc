#include "net/router.hpp"

#include "net/problem.hpp"

namespace boutique::net {

const std::string& route_params::get(std::string_view name) const {
  static const std::string none;
  for (const auto& [key, value] : values_)
    if (key == name) return value;
  return none;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

void router::add(std::string method, std::string pattern, route_handler handler) {
  std::vector<std::string> segments;
  for (auto s : split_path(pattern)) segments.emplace_back(s);
  routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(handler)});
}

std::vector<std::pair<std::string, std::string>> router::table() const {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& r : routes_) entries.emplace_back(r.method, r.pattern);
  return entries;
}

namespace {

bool matches(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path, route_params& params) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      params.add(p.substr(1, p.size() - 2), std::string(path[i]));
    } else if (p != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void router::dispatch(http_request&& request, const responder& respond) const {
  auto path = split_path(request.path);
  // RFC 9110 §9.3.2: HEAD is served by the GET route; the server leaves out the body.
  if (request.method == "HEAD") request.method = "GET";
  std::string allowed;
  for (const auto& r : routes_) {
    route_params params;
    if (!matches(r.segments, path, params)) continue;
    if (request_timeout_) params.set_due({request.received_at + *request_timeout_});
    if (r.method != request.method) {
      allowed += (allowed.empty() ? "" : ", ") + r.method + (r.method == "GET" ? ", HEAD" : "");
      continue;
    }
    auto route_name = r.method + " " + r.pattern;
    r.handler(request, params, [respond, route_name](http_response response) {
      response.route = route_name;
      respond(std::move(response));
    });
    return;
  }
  if (!allowed.empty()) {
    auto response = problem(405, "Method Not Allowed", "this resource accepts " + allowed);
    response.headers.emplace_back("Allow", allowed);
    return respond(std::move(response));
  }
  if (otherwise_) {
    route_params params;
    if (request_timeout_) params.set_due({request.received_at + *request_timeout_});
    return otherwise_(request, params, respond);
  }
  respond(problem(404, "Not Found", "no resource at " + request.path));
}

}  // namespace boutique::net
