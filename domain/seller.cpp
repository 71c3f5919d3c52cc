#include "domain/seller.hpp"

namespace boutique::domain {

std::vector<std::string> address_lines(const std::string& value) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= value.size()) {
    auto end = value.find("\\n", start);
    if (end == std::string::npos) end = value.size();
    auto piece = value.substr(start, end - start);
    auto first = piece.find_first_not_of(' ');
    if (first != std::string::npos) lines.push_back(piece.substr(first, piece.find_last_not_of(' ') - first + 1));
    start = end + 2;
  }
  return lines;
}

}  // namespace boutique::domain
