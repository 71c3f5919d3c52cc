#include "actors/mailer.hpp"

#include "config/logging.hpp"
#include "domain/clock.hpp"

#include <caf/all.hpp>
#include <sodium.h>

#include <ctime>
#include <fstream>

namespace boutique::actors {

namespace {

std::string encode_header(const std::string& text) {
  bool ascii = std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
  if (ascii) return text;
  std::string b64(sodium_base64_ENCODED_LEN(text.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return "=?UTF-8?B?" + b64 + "?=";
}

std::string rfc5322_date(std::int64_t t) { return domain::utc_text(t, "%a, %d %b %Y %H:%M:%S +0000"); }

std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += "\r\n";
    else if (c != '\r') out += c;
  }
  return out;
}

struct mailer_state {
  mailer_state() = default;  // not an aggregate: CAF would build it from the actor pointer
  actors::storage_actor storage;
  actors::reader_pool readers;
  mailer_settings settings;
  std::shared_ptr<spdlog::logger> log = config::logger("mailer");
  static inline const char* name = "mailer";
};

using pointer = mailer_actor::stateful_pointer<mailer_state>;

void write_mail(const std::filesystem::path& dir, const outbox_mail& mail) {
  auto name = std::to_string(mail.created_at) + "-" + std::to_string(mail.id) + ".eml";
  auto tmp = dir / ("." + name + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << render_eml(mail);
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, dir / name);
}

void deliver(pointer self) {
  auto& st = self->state;
  // await: one round at a time, so that a mail is never written twice.
  self->request(st.readers.next(), st.settings.timeout, caf::get_atom_v, atoms::outbox_atom_v, st.settings.batch)
    .await(
      [self](outbox_list& mails) {
        auto& st = self->state;
        std::vector<std::int64_t> sent;
        for (const auto& mail : mails) {
          try {
            write_mail(st.settings.drop_dir, mail);
            sent.push_back(mail.id);
            st.log->info("event=mail_dropped id={} subject=\"{}\"", mail.id, mail.subject);
          } catch (const std::exception& e) {
            st.log->error("event=mail_failed id={} error=\"{}\"", mail.id, e.what());
          }
        }
        if (sent.empty()) return;
        self->request(st.storage, st.settings.timeout, atoms::sent_atom_v, sent, domain::now_s())
          .await([](caf::ok_atom) {},
                 [self](caf::error& err) {
                   self->state.log->error("event=mark_sent_failed error=\"{}\"", error_detail(err));
                 });
      },
      [self](caf::error& err) { self->state.log->warn("event=outbox_read_failed error=\"{}\"", error_detail(err)); });
}

mailer_actor::behavior_type mailer(pointer self, actors::storage_actor storage, actors::reader_pool readers,
                                   mailer_settings settings) {
  self->state.storage = std::move(storage);
  self->state.readers = std::move(readers);
  self->state.settings = std::move(settings);
  std::filesystem::create_directories(self->state.settings.drop_dir);
  self->send(self, caf::tick_atom_v);
  return {
    [self](caf::tick_atom) {
      deliver(self);
      self->delayed_send(self, self->state.settings.poll_every, caf::tick_atom_v);
    },
  };
}

}  // namespace

std::string render_eml(const outbox_mail& mail) {
  std::string text;
  text += "From: Boutique <no-reply@boutique.invalid>\r\n";
  text += "To: <" + mail.recipient + ">\r\n";
  text += "Subject: " + encode_header(mail.subject) + "\r\n";
  text += "Date: " + rfc5322_date(mail.created_at) + "\r\n";
  text += "Message-ID: <outbox-" + std::to_string(mail.id) + "-" + std::to_string(mail.created_at) +
          "@boutique.invalid>\r\n";
  text += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  text += crlf(mail.body);
  return text;
}

mailer_actor spawn_mailer(caf::actor_system& sys, actors::storage_actor storage, actors::reader_pool readers,
                          mailer_settings settings) {
  return sys.spawn<caf::detached>(mailer, std::move(storage), std::move(readers), std::move(settings));
}

}  // namespace boutique::actors
