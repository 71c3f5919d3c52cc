-- Nodes and leases: PostgreSQL is the one authority on which node holds which actor (docs/CLUSTER.md).
-- A node joins with a generation one above its last one, and is a member while its heartbeat is younger than
-- cluster.lease_s; its leases are valid exactly as long (one heartbeat renews all of them).
CREATE TABLE cluster_nodes (
  node_id      TEXT PRIMARY KEY,
  advertise    TEXT NOT NULL,
  generation   BIGINT NOT NULL,
  started_at   TIMESTAMPTZ NOT NULL,
  heartbeat_at TIMESTAMPTZ NOT NULL
);

-- One row per leased actor: taken when the actor is loaded, deleted when it passivates. `epoch` grows with every
-- taking of a row still there (a node that died holding it, then another node taking it). A write of an actor
-- commits only while its node holds the row under the same generation and epoch. (`owner` NULL: not used.)
CREATE TABLE cluster_leases (
  kind       TEXT NOT NULL,
  key        TEXT NOT NULL,
  owner      TEXT,
  generation BIGINT NOT NULL,
  epoch      BIGINT NOT NULL,
  taken_at   TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE INDEX cluster_leases_owner ON cluster_leases(owner) WHERE owner IS NOT NULL;
