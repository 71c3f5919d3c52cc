#pragma once

// Retention: what the service deletes once it is no longer needed, so that neither anonymous traffic nor time
// grows the database without bound. Each kind is a step run in bounded batches, one transaction per batch, so
// that the writer is never held for long; a step is done when a batch removes fewer rows than the batch size.
// One step writes instead of removing: the reminders, which ride the same timer because what they sent is recorded
// in the database (a restart forgets nothing, and sends nothing twice).

#include "domain/records.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace boutique::storage {

class database;

struct retention_policy {
  /// A customer account never attached to a user and never billed is deleted once no checkout has deposited
  /// its email for this long (and no unexpired session holds it).
  std::int64_t unattached_customer_s = 30 * 86400;
  /// Rows removed per transaction.
  std::int64_t batch_rows = 1000;
  /// An erased customer's issued invoices keep the buyer's contact for this many years after their issue.
  int invoice_years = 10;
  /// The reminder step mails a product this many days before it ends (domain/reminder.hpp); 0: no reminders.
  int reminder_days_before = 30;
  /// The shop's public address: the reminders' links.
  std::string base_url = "http://127.0.0.1:8080";
};

/// One kind of clean-up: `run` removes at most `policy.batch_rows` rows due at `now` and returns how many it
/// removed. It runs inside the caller's transaction.
struct retention_step {
  const char* kind;
  std::int64_t (*run)(database& db, std::int64_t now, const retention_policy& policy);
};

/// The step `invoice_contacts` (storage/privacy_queries.cpp): the issued invoices of erased customers, older than
/// `policy.invoice_years`, lose the buyer's contact as billed (it becomes the erased contact).
std::int64_t clear_expired_invoice_contacts(database& db, std::int64_t now, const retention_policy& policy);

/// The step `reminders` (storage/reminder_queries.cpp): mails at most `policy.batch_rows` products due for their
/// reminder at `now` (domain::reminder_due), each once: the product's reminded_at, its mail and a "reminded" event
/// in its customer's timeline are written together. Returns how many were mailed.
std::int64_t send_reminders(database& db, std::int64_t now, const retention_policy& policy);

/// Every clean-up, in the order a run takes them (expired sessions before the customers they held).
const std::vector<retention_step>& retention_steps();

/// Runs one batch of `step` in its own transaction; returns the rows it removed.
std::int64_t run_retention_batch(database& db, const retention_step& step, std::int64_t now,
                                 const retention_policy& policy);

/// Runs every step to its end, batch after batch, judging expiry against `now`.
retention_report run_retention(database& db, std::int64_t now, const retention_policy& policy);

}  // namespace boutique::storage
