#pragma once

// Where invoice PDFs are drawn (net/pages/invoice_pdf.cpp): a few at once, one place per customer, and the last ones
// drawn kept for a while, so that asking again for the same document draws nothing. Cairo takes milliseconds of a
// core for each PDF: without the copies, a few accounts asking for their own invoices in a loop held every place,
// and every other customer was answered 503.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

namespace boutique::net {

class pdf_desk {
 public:
  struct limits {
    int places = 2;                           ///< PDFs drawn at once at the most
    std::size_t kept = 64;                    ///< documents kept, the least recently asked for dropped first
    std::size_t kept_bytes = 8 << 20;         ///< and their bytes together
    std::chrono::seconds keep_for{300};       ///< how long one is kept after it was drawn
  };
  /// For /admin/metrics.
  struct counts {
    std::atomic<std::uint64_t> drawn{0};   ///< PDFs drawn
    std::atomic<std::uint64_t> reused{0};  ///< answers from a kept copy
    std::atomic<std::uint64_t> busy{0};    ///< 503: every place taken, or the customer's own
  };

  pdf_desk() : pdf_desk(limits{}) {}
  explicit pdf_desk(limits l) : limits_(l) {}

  /// The kept copy of the document `key` names (a digest of everything it shows), if any and still fresh.
  std::shared_ptr<const std::string> kept(const std::string& key);
  /// Keeps `pdf` as the document `key` names.
  void keep(const std::string& key, std::shared_ptr<const std::string> pdf);

  /// A place to draw one of `customer`'s documents: false when every place is taken, or one is the customer's.
  bool take(std::int64_t customer);
  void give_back(std::int64_t customer);

  counts& numbers() { return counts_; }
  const counts& numbers() const { return counts_; }

 private:
  struct copy {
    std::string key;
    std::shared_ptr<const std::string> pdf;
    std::chrono::steady_clock::time_point drawn_at;
  };
  void drop(std::list<copy>::iterator it);

  limits limits_;
  counts counts_;
  std::mutex mutex_;
  std::set<std::int64_t> drawing_;  ///< customers whose document is being drawn
  std::list<copy> recent_;          ///< most recently asked for first
  std::unordered_map<std::string, std::list<copy>::iterator> by_key_;
  std::size_t bytes_ = 0;
};

}  // namespace boutique::net
