// The acknowledged checkouts as JSON lines (--ack-log): written after a run, read back by --mode=verify.
// {"transid":"...","email":"...","sid":"...","units":3,"paid_by":"pay","steps":["session","cart",...],"resumes":0}

#include "loadgen.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <stdexcept>

namespace bench {

bool write_ack_log(const std::vector<acknowledged>& acks, const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& a : acks)
    out << nlohmann::json{{"transid", a.transid}, {"email", a.email_norm}, {"sid", a.sid},
                          {"units", a.units},     {"paid_by", a.paid_by},  {"steps", a.steps},
                          {"resumes", a.resumes}}.dump()
        << '\n';
  out.flush();
  if (out) return true;
  std::cerr << "boutique-load: cannot write " << path << "\n";
  return false;
}

std::vector<acknowledged> read_ack_log(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<acknowledged> acks;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    acks.push_back({j.at("transid").get<std::string>(), j.at("email").get<std::string>(),
                    j.at("units").get<std::int64_t>(), j.at("sid").get<std::string>(),
                    j.at("paid_by").get<std::string>(), j.at("steps").get<std::vector<std::string>>(),
                    j.at("resumes").get<int>()});
  }
  return acks;
}

}  // namespace bench
