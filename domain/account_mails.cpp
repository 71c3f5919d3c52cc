#include "domain/account_mails.hpp"

#include <algorithm>

namespace boutique::domain {

namespace {

std::string hello(language l, const std::string& firstname) {
  return in(l, "Hello ", "Bonjour ") + firstname + ",";
}

/// The English and French wordings of one text.
struct wordings {
  std::string_view en, fr;
  std::string in(language l) const { return domain::in(l, en, fr); }
};

/// What a single-use link mail asks for (`what`, before the link) and what happens when it is ignored.
struct link_words {
  wordings subject;
  wordings what;
  wordings if_ignored;
};

const link_words reset_words{
  {"Your Boutique account: choose a new password", "Votre compte Boutique : choisissez un nouveau mot de passe"},
  {"Someone, hopefully you, asked for a new password for the Boutique account of this address.\n"
   "Choose it with this link",
   "Quelqu'un, vous sans doute, a demandé un nouveau mot de passe pour le compte Boutique de cette adresse.\n"
   "Choisissez-le avec ce lien"},
  {"your password stays as it is.", "votre mot de passe reste inchangé."}};

const link_words email_change_words{
  {"Your Boutique account: confirm your new email address",
   "Votre compte Boutique : confirmez votre nouvelle adresse e-mail"},
  {"You asked for this address to become the email of your Boutique account.\nConfirm it with this link",
   "Vous avez demandé que cette adresse devienne celle de votre compte Boutique.\nConfirmez-la avec ce lien"},
  {"nothing changes.", "rien ne change."}};

/// A mail to `email` asking for something to be done with a single-use link valid `valid_s`.
composed_mail link_mail(const std::string& email, const std::string& firstname, const link_words& words,
                        const std::string& link, std::int64_t valid_s, language l) {
  auto hours = std::max<std::int64_t>(1, valid_s / 3600);
  auto n = std::to_string(hours) + (hours == 1 ? in(l, " hour", " heure") : in(l, " hours", " heures"));
  return mail_body(l)
    .paragraph(hello(l, firstname))
    .link(words.what.in(l) + in(l, " (valid " + n + ", once):", " (valable " + n + ", une seule fois) :"), link)
    .paragraph(in(l, "If you did not ask for it, ignore this mail: ",
                  "Si vous ne l'avez pas demandé, ignorez ce message : ") +
               words.if_ignored.in(l))
    .finish(email, words.subject.in(l));
}

}  // namespace

composed_mail password_link_mail(const contact& customer, const std::string& link, language l) {
  return mail_body(l)
    .paragraph(hello(l, customer.firstname))
    .link(in(l,
             "Thank you for your purchase. An account was created for you so that you can find your invoices and\n"
             "your trainings in the customer space. Choose your password with this link (valid 24 hours, once):",
             "Merci pour votre achat. Un compte a été créé pour vous : vous y retrouverez vos factures et vos\n"
             "formations, dans l'espace client. Choisissez votre mot de passe avec ce lien (valable 24 heures, une "
             "seule fois) :"),
          link)
    .paragraph(in(l, "Your login is your email address: ", "Votre identifiant est votre adresse e-mail : ") +
               normalize_email(customer.email))
    .finish(customer.email, in(l, "Your Boutique account: choose your password",
                               "Votre compte Boutique : choisissez votre mot de passe"));
}

composed_mail password_reset_mail(const std::string& firstname, const std::string& email, const std::string& link,
                                  std::int64_t valid_s, language l) {
  return link_mail(email, firstname, reset_words, link, valid_s, l);
}

composed_mail email_change_mail(const std::string& firstname, const std::string& email, const std::string& link,
                                std::int64_t valid_s, language l) {
  return link_mail(email, firstname, email_change_words, link, valid_s, l);
}

composed_mail email_taken_mail(const std::string& email, language l) {
  return mail_body(l)
    .paragraph(in(l, "Hello,", "Bonjour,"))
    .paragraph(in(l,
                  "Someone asked for this address to become the email of a Boutique account, but it already belongs "
                  "to an\naccount of the shop, so nothing changes. If it was you, log in with this address instead.",
                  "Quelqu'un a demandé que cette adresse devienne celle d'un compte Boutique, mais elle appartient "
                  "déjà à un\ncompte de la boutique : rien ne change. Si c'était vous, connectez-vous plutôt avec "
                  "cette adresse."))
    .finish(email, in(l, "Your Boutique account: this address is already in use",
                      "Votre compte Boutique : cette adresse est déjà utilisée"));
}

composed_mail email_changed_mail(const std::string& firstname, const std::string& old_email,
                                 const std::string& new_email, language l) {
  return mail_body(l)
    .paragraph(hello(l, firstname))
    .paragraph(in(l, "The email of your Boutique account is now " + new_email + ": log in with it from now on.",
                  "L'adresse e-mail de votre compte Boutique est désormais " + new_email +
                    " : connectez-vous désormais avec elle."))
    .paragraph(in(l, "If you did not change it, answer this mail at once.",
                  "Si vous ne l'avez pas changée, répondez tout de suite à ce message."))
    .finish(old_email, in(l, "Your Boutique account: your email address was changed",
                          "Votre compte Boutique : votre adresse e-mail a changé"));
}

composed_mail password_changed_mail(const std::string& firstname, const std::string& email,
                                    const std::string& forgot_link, language l) {
  return mail_body(l)
    .paragraph(hello(l, firstname))
    .paragraph(in(l,
                  "The password of the Boutique account of this address was just changed, and every other login to "
                  "the\naccount was ended.",
                  "Le mot de passe du compte Boutique de cette adresse vient d'être changé, et toutes les autres\n"
                  "connexions au compte ont été fermées."))
    .link(in(l, "If you did not change it, choose a new password at once with \"Forgot your password?\":",
             "Si vous ne l'avez pas changé, choisissez tout de suite un nouveau mot de passe avec « Mot de passe "
             "oublié ? » :"),
          forgot_link)
    .finish(email, in(l, "Your Boutique account: your password was changed",
                      "Votre compte Boutique : votre mot de passe a été changé"));
}

}  // namespace boutique::domain
