#pragma once

// The management endpoint's numbers: live actors by kind, and the Prometheus text of GET /admin/metrics.

#include "net/backend.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace boutique::net {

/// Seconds since the service started.
std::int64_t uptime_s(const backend& b);

/// Live actors by kind ({"session": n, "account": n, "storage": 1, ...}).
nlohmann::json actor_counts(const backend& b, const directory_stats& sessions, const directory_stats& accounts);

/// Every metric family, in Prometheus text format 0.0.4.
std::string prometheus_text(const backend& b, const directory_stats& sessions, const directory_stats& accounts,
                            const storage_stats& storage);

/// This node's cluster metrics (labelled with its node id): leases taken, refused and held, requests forwarded,
/// writes fenced, heartbeats and rejoins. Empty when not in a cluster.
std::string cluster_metrics_text(const backend& b, const cluster_stats& cluster);

/// GET /admin/cluster: this node (its counters) and every node of the membership table.
nlohmann::json cluster_json(const backend& b, const cluster_stats& cluster);

}  // namespace boutique::net
