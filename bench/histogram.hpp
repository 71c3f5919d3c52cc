#pragma once

// An HDR-style latency histogram: values (microseconds) below 256 are counted exactly; above, each power of two
// is split into 128 equal buckets, so a recorded value is known to within 1/128 (< 0.8 %) of itself.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

namespace bench {

class histogram {
 public:
  static constexpr int sub_bits = 7;                       // 128 buckets per power of two
  static constexpr std::uint64_t exact_limit = 256;        // values below are their own bucket
  static constexpr int max_exponent = 40;                  // up to 2^40 us (12 days)

  histogram() : counts_(bucket_count(), 0) {}

  void record(std::uint64_t value) {
    ++counts_[index_of(value)];
    ++total_;
    max_ = std::max(max_, value);
  }

  void merge(const histogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    max_ = std::max(max_, other.max_);
  }

  std::uint64_t count() const { return total_; }
  std::uint64_t max() const { return max_; }

  /// The value at quantile q (0..1): the middle of the bucket holding it (the exact max for q = 1).
  std::uint64_t quantile(double q) const {
    if (total_ == 0) return 0;
    if (q >= 1.0) return max_;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(middle_of(i), max_);
    }
    return max_;
  }

  static std::size_t index_of(std::uint64_t v) {
    if (v < exact_limit) return static_cast<std::size_t>(v);
    int msb = std::bit_width(v) - 1;  // >= 8
    if (msb > max_exponent) return bucket_count() - 1;
    int shift = msb - sub_bits;
    auto sub = (v >> shift) - (std::uint64_t{1} << sub_bits);
    return exact_limit + static_cast<std::size_t>(msb - 8) * (1u << sub_bits) + static_cast<std::size_t>(sub);
  }

  static std::uint64_t middle_of(std::size_t index) {
    if (index < exact_limit) return index;
    auto rest = index - exact_limit;
    int msb = static_cast<int>(rest >> sub_bits) + 8;
    int shift = msb - sub_bits;
    auto low = ((std::uint64_t{1} << sub_bits) + (rest & ((1u << sub_bits) - 1))) << shift;
    return low + ((std::uint64_t{1} << shift) >> 1);
  }

 private:
  static std::size_t bucket_count() {
    return exact_limit + static_cast<std::size_t>(max_exponent - 8 + 1) * (1u << sub_bits);
  }

  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace bench
