#pragma once

// Who sells: the legal identity every invoice carries (config [seller]).

#include <string>
#include <vector>

namespace boutique::domain {

struct seller {
  std::string name = "Boutique";
  std::vector<std::string> address;  ///< its lines
  std::string tax_id;                ///< VAT number, when registered
  std::string registration;          ///< company registration (e.g. "RCS Paris 123 456 789")
  std::string email;                 ///< where customers write about an invoice
  std::string legal_notice;          ///< any further mention the law asks of an invoice (terms, penalties...)
};

/// Its lines split from one configuration value: "12 rue de la Paix\n75002 Paris" (a backslash and an n between
/// lines), without empty ones.
std::vector<std::string> address_lines(const std::string& value);

}  // namespace boutique::domain
