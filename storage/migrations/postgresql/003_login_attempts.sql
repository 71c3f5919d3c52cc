-- The login throttles of a cluster (domain/throttle.hpp, storage/attempts.hpp): the attempts counted per login name
-- and per client address, shared by every node, so that N nodes do not give an attacker N budgets. `key` is an
-- HMAC-SHA-256 of the name or address (actors/attempts.hpp). `admitted_at`: the last admission (attempts still in
-- flight a minute after it count as failures: they never told how they ended). `forget_at`: from then on nothing
-- in the row counts; each node's attempts actor sweeps such rows.
CREATE TABLE login_attempts (
  scope       TEXT NOT NULL,
  key         TEXT NOT NULL,
  started     BIGINT NOT NULL,
  in_flight   INTEGER NOT NULL,
  failures    INTEGER NOT NULL,
  admitted_at BIGINT NOT NULL,
  forget_at   BIGINT NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX login_attempts_forget ON login_attempts(forget_at);
