#pragma once

#include <thread>
#include <vector>

namespace boutique::testing {

/// Runs `body(worker)` on `workers` threads and waits for them.
template <class Body>
void in_parallel(int workers, Body body) {
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) threads.emplace_back([&body, w] { body(w); });
  for (auto& t : threads) t.join();
}

}  // namespace boutique::testing
