#include "mail/transport.hpp"

#include <fstream>

namespace boutique::mail {

namespace {

class maildir_transport final : public transport {
 public:
  maildir_transport(std::filesystem::path dir, sender from) : dir_(std::move(dir)), from_(std::move(from)) {}

  attempt deliver(const outbox_mail& mail) override {
    try {
      std::filesystem::create_directories(dir_);
      auto name = std::to_string(mail.created_at) + "-" + std::to_string(mail.id) + ".eml";
      auto tmp = dir_ / ("." + name + ".tmp");
      {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << render_eml(mail, from_);
        out.flush();
        if (!out) return {domain::delivery::unreachable, "cannot write " + tmp.string()};
      }
      std::filesystem::rename(tmp, dir_ / name);
      return {domain::delivery::accepted, {}};
    } catch (const std::exception& e) {
      return {domain::delivery::unreachable, e.what()};
    }
  }

  const char* kind() const override { return "maildir"; }

 private:
  std::filesystem::path dir_;
  sender from_;
};

}  // namespace

std::unique_ptr<transport> maildir(std::filesystem::path dir, sender from) {
  return std::make_unique<maildir_transport>(std::move(dir), std::move(from));
}

}  // namespace boutique::mail
