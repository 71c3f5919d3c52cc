#include "net/catalog_reload.hpp"

#include "config/catalog_file.hpp"
#include "config/config.hpp"
#include "config/logging.hpp"
#include "net/ask.hpp"
#include "net/problem.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace boutique::net {

void reload_catalog(const std::shared_ptr<backend>& b, deadline due, const responder& respond) {
  auto log = config::logger("admin");
  domain::catalog items;
  try {
    items = config::load_catalog(b->catalog_path);
  } catch (const config::config_error& e) {
    log->warn("event=catalog_not_reloaded path={} error=\"{}\"", b->catalog_path, config::log_text(e.what()));
    return respond(problem(422, "Unprocessable Content", std::string("the catalog was not reloaded: ") + e.what()));
  }
  run_flow(b->sys, due, respond, [b, respond, items = std::move(items), log](flow_self self) {
    self->request(b->storage, patience(self), atoms::catalog_atom_v, items)
      .then(
        [b, respond, items, log](caf::ok_atom) {
          b->catalog->set(std::make_shared<const domain::catalog>(items));
          log->info("event=catalog_reloaded path={} items={}", b->catalog_path, items.size());
          nlohmann::json body{{"items", items.size()}, {"path", b->catalog_path}};
          respond(json_response(200, body.dump()));
        },
        fail_with(respond));
  });
}

}  // namespace boutique::net
