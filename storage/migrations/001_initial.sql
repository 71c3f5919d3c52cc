-- Boutique schema, version 1. Times are unix seconds (UTC). Money is integer minor units.
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  email_norm    TEXT NOT NULL UNIQUE,
  password_hash TEXT,
  firstname     TEXT NOT NULL DEFAULT '',
  lastname      TEXT NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL
);

CREATE TABLE customers (
  id           INTEGER PRIMARY KEY,
  email_norm   TEXT NOT NULL UNIQUE,
  email        TEXT NOT NULL,
  firstname    TEXT NOT NULL,
  lastname     TEXT NOT NULL,
  organisation TEXT NOT NULL DEFAULT '',
  address      TEXT NOT NULL DEFAULT '',
  zip          TEXT NOT NULL DEFAULT '',
  city         TEXT NOT NULL DEFAULT '',
  country      TEXT NOT NULL,
  invoiceinfo  TEXT NOT NULL DEFAULT '',
  user_id      INTEGER UNIQUE REFERENCES users(id),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX customers_lastname ON customers(lastname);

CREATE TABLE sessions (
  id         TEXT PRIMARY KEY,
  snapshot   TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE catalog_items (
  code          TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  price         INTEGER NOT NULL,
  currency      TEXT NOT NULL,
  tax_rate_bp   INTEGER NOT NULL,
  duration_days INTEGER,
  renewable     INTEGER NOT NULL DEFAULT 0,
  position      INTEGER NOT NULL
);

CREATE TABLE bills (
  id          INTEGER PRIMARY KEY,
  transid     TEXT NOT NULL UNIQUE,
  session_id  TEXT NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  status      TEXT NOT NULL,
  paymode     TEXT NOT NULL,
  untaxed     INTEGER NOT NULL,
  taxes       INTEGER NOT NULL,
  total       INTEGER NOT NULL,
  currency    TEXT NOT NULL,
  contact     TEXT NOT NULL,
  emitted_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX bills_customer ON bills(customer_id);

CREATE TABLE bill_items (
  id         INTEGER PRIMARY KEY,
  bill_id    INTEGER NOT NULL REFERENCES bills(id),
  code       TEXT NOT NULL,
  name       TEXT NOT NULL,
  quantity   INTEGER NOT NULL,
  unit_price INTEGER NOT NULL,
  untaxed    INTEGER NOT NULL,
  taxes      INTEGER NOT NULL,
  total      INTEGER NOT NULL
);
CREATE INDEX bill_items_bill ON bill_items(bill_id);

CREATE TABLE products (
  id           INTEGER PRIMARY KEY,
  reference    TEXT NOT NULL UNIQUE,
  customer_id  INTEGER NOT NULL REFERENCES customers(id),
  code         TEXT NOT NULL,
  name         TEXT NOT NULL,
  bill_item_id INTEGER NOT NULL REFERENCES bill_items(id),
  start_at     INTEGER NOT NULL,
  end_at       INTEGER
);
CREATE INDEX products_customer ON products(customer_id);

CREATE TABLE payment_notifications (
  id          INTEGER PRIMARY KEY,
  provider    TEXT NOT NULL,
  txn_id      TEXT NOT NULL,
  transid     TEXT NOT NULL,
  status      TEXT NOT NULL,
  result      TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  UNIQUE (provider, txn_id)
);

CREATE TABLE password_tokens (
  hash       TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);

CREATE TABLE outbox (
  id         INTEGER PRIMARY KEY,
  recipient  TEXT NOT NULL,
  subject    TEXT NOT NULL,
  body       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at    INTEGER
);

CREATE TABLE customer_events (
  id          INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  at          INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX customer_events_customer ON customer_events(customer_id);
