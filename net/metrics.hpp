#pragma once

#include "actors/messages.hpp"

#include <map>
#include <mutex>
#include <string>

namespace boutique::net {

/// Request counts and latencies by route, fed by the HTTP servers, rendered in Prometheus text format.
class http_metrics {
 public:
  void observe(const std::string& route, int status, double seconds);
  /// Appends the request families to `out`.
  void render(std::string& out) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, histogram> latency_;
};

/// Prometheus text-format helpers.
namespace prometheus {
std::string label_value(const std::string& raw);
void family(std::string& out, const std::string& name, const std::string& type, const std::string& help);
void sample(std::string& out, const std::string& name, const std::string& labels, double value);
void histogram_samples(std::string& out, const std::string& name, const std::string& labels, const histogram& h);
}  // namespace prometheus

/// Resident memory of this process in bytes (from /proc/self/statm), 0 when unknown.
std::uint64_t resident_memory_bytes();

}  // namespace boutique::net
