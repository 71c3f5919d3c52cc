#pragma once

// The mails about a customer's user account (its password and its email), in the account's language: text and HTML
// (domain/mail_body.hpp). Who gets which language: docs/API-NOTES.md, "Mails".

#include "domain/contact.hpp"
#include "domain/language.hpp"
#include "domain/mail_body.hpp"

#include <cstdint>
#include <string>

namespace boutique::domain {

/// The mail with a new user's password-set link (`link`, used once), in the language of the checkout that created it.
composed_mail password_link_mail(const contact& customer, const std::string& link, language l);

/// The mail answering "Forgot your password?" to `email` (a user's), with a link to choose a new password.
composed_mail password_reset_mail(const std::string& firstname, const std::string& email, const std::string& link,
                                  std::int64_t valid_s, language l);

/// The notice to `email` that the account's password was changed while logged in (whoever did not do it knows).
composed_mail password_changed_mail(const std::string& firstname, const std::string& email,
                                    const std::string& forgot_link, language l);

/// The link confirming `email` as the new address of an account, mailed to that address.
composed_mail email_change_mail(const std::string& firstname, const std::string& email, const std::string& link,
                                std::int64_t valid_s, language l);

/// To `email`, asked for as an account's new address while it already has an account: nothing changes.
composed_mail email_taken_mail(const std::string& email, language l);

/// The notice to `old_email` that the account's address is now `new_email`.
composed_mail email_changed_mail(const std::string& firstname, const std::string& old_email,
                                 const std::string& new_email, language l);

}  // namespace boutique::domain
