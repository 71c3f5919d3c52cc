#include "net/metrics.hpp"

#include <charconv>
#include <fstream>
#include <unistd.h>

namespace boutique::net {

namespace {

const std::vector<double> latency_bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

/// The shortest text that reads back as `v`.
std::string number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

}  // namespace

void http_metrics::observe(const std::string& route, int status, double seconds) {
  auto name = route.empty() ? std::string("unmatched") : route;
  std::lock_guard lock(mutex_);
  ++requests_[{name, status}];
  auto it = latency_.find(name);
  if (it == latency_.end()) it = latency_.emplace(name, histogram(latency_bounds)).first;
  it->second.observe(seconds);
}

void http_metrics::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  prometheus::family(out, "boutique_http_requests_total", "counter", "HTTP requests answered, by route and status.");
  for (const auto& [key, count] : requests_)
    prometheus::sample(out, "boutique_http_requests_total",
                       "route=\"" + prometheus::label_value(key.first) + "\",status=\"" + std::to_string(key.second) +
                         "\"",
                       static_cast<double>(count));
  prometheus::family(out, "boutique_http_request_duration_seconds", "histogram",
                     "Time from a request's arrival to its response, by route.");
  for (const auto& [route, h] : latency_)
    prometheus::histogram_samples(out, "boutique_http_request_duration_seconds",
                                  "route=\"" + prometheus::label_value(route) + "\"", h);
}

namespace prometheus {

std::string label_value(const std::string& raw) {
  std::string escaped;
  for (char c : raw) {
    if (c == '\\') escaped += "\\\\";
    else if (c == '"') escaped += "\\\"";
    else if (c == '\n') escaped += "\\n";
    else escaped += c;
  }
  return escaped;
}

void family(std::string& out, const std::string& name, const std::string& type, const std::string& help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void sample(std::string& out, const std::string& name, const std::string& labels, double value) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += " " + number(value) + "\n";
}

void histogram_samples(std::string& out, const std::string& name, const std::string& labels, const histogram& h) {
  auto with = [&](const std::string& extra) { return labels.empty() ? extra : labels + "," + extra; };
  for (std::size_t i = 0; i < h.bounds.size(); ++i)
    sample(out, name + "_bucket", with("le=\"" + number(h.bounds[i]) + "\""), static_cast<double>(h.counts[i]));
  sample(out, name + "_bucket", with("le=\"+Inf\""), static_cast<double>(h.counts.back()));
  sample(out, name + "_sum", labels, h.sum);
  sample(out, name + "_count", labels, static_cast<double>(h.count));
}

}  // namespace prometheus

std::uint64_t resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace boutique::net
