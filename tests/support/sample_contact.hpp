#pragma once

#include "domain/contact.hpp"

#include <string>

namespace boutique::testing {

/// A valid contact, with accents, under `email`.
inline domain::contact sample_contact(std::string email = "amelie@example.fr") {
  domain::contact c;
  c.firstname = "Amélie";
  c.lastname = "Poulain";
  c.email = std::move(email);
  c.organisation = "Sûreté Formation";
  c.address = "12 rue des Abbesses\n75018";
  c.zip = "75018";
  c.city = "Paris";
  c.country = "FR";
  c.invoiceinfo = "PO 1234";
  return c;
}

}  // namespace boutique::testing
