#include "net/pdf_desk.hpp"

namespace boutique::net {

std::shared_ptr<const std::string> pdf_desk::kept(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return nullptr;
  auto it = found->second;
  if (std::chrono::steady_clock::now() - it->drawn_at >= limits_.keep_for) {
    drop(it);
    return nullptr;
  }
  recent_.splice(recent_.begin(), recent_, it);
  ++counts_.reused;
  return it->pdf;
}

void pdf_desk::keep(const std::string& key, std::shared_ptr<const std::string> pdf) {
  std::lock_guard lock(mutex_);
  if (auto found = by_key_.find(key); found != by_key_.end()) drop(found->second);
  if (limits_.kept == 0 || pdf->size() > limits_.kept_bytes) return;
  bytes_ += pdf->size();
  recent_.push_front({key, std::move(pdf), std::chrono::steady_clock::now()});
  by_key_[key] = recent_.begin();
  while (!recent_.empty() && (recent_.size() > limits_.kept || bytes_ > limits_.kept_bytes))
    drop(std::prev(recent_.end()));
}

bool pdf_desk::take(std::int64_t customer) {
  std::lock_guard lock(mutex_);
  bool free = drawing_.size() < static_cast<std::size_t>(limits_.places) && drawing_.insert(customer).second;
  if (!free) ++counts_.busy;
  return free;
}

void pdf_desk::give_back(std::int64_t customer) {
  std::lock_guard lock(mutex_);
  drawing_.erase(customer);
}

void pdf_desk::drop(std::list<copy>::iterator it) {
  bytes_ -= it->pdf->size();
  by_key_.erase(it->key);
  recent_.erase(it);
}

}  // namespace boutique::net
