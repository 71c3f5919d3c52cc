// Not a fuzz target: the crash that tests/fuzz/run_test.sh feeds to tests/fuzz/run.sh (its seed corpus holds the
// marker), so that the runner is seen to report a crashing target as a failure.
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::string_view marker = "boutique fuzz self-test: crash here";
  if (std::string_view(reinterpret_cast<const char*>(data), size).find(marker) != std::string_view::npos)
    __builtin_trap();
  return 0;
}
