#include "net/pages/i18n.hpp"

#include <map>

namespace boutique::net::pages {

namespace {

struct entry {
  const char* en;
  const char* fr;
};

const std::map<std::string_view, entry>& table() {
  static const std::map<std::string_view, entry> all = {
    {"shop_name", {"Boutique", "Boutique"}},
    {"skip_to_content", {"Skip to content", "Aller au contenu"}},
    {"nav_label", {"Main", "Principal"}},
    {"nav_catalog", {"Catalog", "Catalogue"}},
    {"nav_cart", {"Cart", "Panier"}},
    {"nav_account", {"My account", "Mon compte"}},
    {"switch_label", {"Français", "English"}},
    {"footer", {"Boutique, training shop. Prices in euros; taxes shown on every line.",
                "Boutique, boutique de formations. Prix en euros ; taxes indiquées à chaque ligne."}},
    {"steps_label", {"Checkout steps", "Étapes de la commande"}},
    {"step_cart", {"Cart", "Panier"}},
    {"step_details", {"Details", "Coordonnées"}},
    {"step_confirm", {"Confirm", "Confirmation"}},
    {"step_pay", {"Pay", "Paiement"}},
    {"step_done", {"Done", "Terminé"}},
    {"title_catalog", {"Training catalog", "Catalogue des formations"}},
    {"title_cart", {"Your cart", "Votre panier"}},
    {"title_contact", {"Your details", "Vos coordonnées"}},
    {"title_confirm", {"Confirm your order", "Confirmez votre commande"}},
    {"title_pay", {"Payment", "Paiement"}},
    {"title_done", {"Thank you", "Merci"}},
    {"title_login", {"Log in", "Connexion"}},
    {"title_password", {"Choose your password", "Choisissez votre mot de passe"}},
    {"title_account", {"My account", "Mon compte"}},
    {"title_invoice", {"Invoice", "Facture"}},
    {"title_error", {"Something went wrong", "Un problème est survenu"}},
    {"title_forbidden", {"Request refused", "Requête refusée"}},
    {"title_not_found", {"Page not found", "Page introuvable"}},
    {"catalog_lead", {"Choose your training products, then check out as a guest or with your account.",
                      "Choisissez vos formations, puis commandez en invité ou avec votre compte."}},
    {"excl_tax", {"excl. tax", "HT"}},
    {"quantity", {"Quantity", "Quantité"}},
    {"add_to_cart", {"Add to cart", "Ajouter au panier"}},
    {"duration_days", {"Access for {} days", "Accès pendant {} jours"}},
    {"duration_unlimited", {"Unlimited access", "Accès illimité"}},
    {"cart_empty", {"Your cart is empty.", "Votre panier est vide."}},
    {"browse_catalog", {"Browse the catalog", "Voir le catalogue"}},
    {"lines_caption", {"Products ordered", "Produits commandés"}},
    {"product", {"Product", "Produit"}},
    {"unit_price", {"Unit price", "Prix unitaire"}},
    {"line_total", {"Total", "Total"}},
    {"update", {"Update", "Mettre à jour"}},
    {"remove", {"Remove", "Retirer"}},
    {"untaxed", {"Total excl. tax", "Total HT"}},
    {"taxes", {"Taxes", "Taxes"}},
    {"total", {"Total incl. tax", "Total TTC"}},
    {"continue_to_details", {"Continue to your details", "Continuer vers vos coordonnées"}},
    {"continue_shopping", {"Continue shopping", "Continuer vos achats"}},
    {"your_details", {"Contact and billing details", "Coordonnées et facturation"}},
    {"logged_in_prefilled", {"You are logged in: the form holds your account's details. Changes are saved to your account.",
                             "Vous êtes connecté : le formulaire reprend les données de votre compte. Vos modifications y seront enregistrées."}},
    {"required_note", {"Fields marked * are required.", "Les champs marqués * sont obligatoires."}},
    {"continue", {"Continue", "Continuer"}},
    {"have_account", {"Already have an account? Log in", "Déjà client ? Connectez-vous"}},
    {"login_to_prefill", {"Log in and we fill in your details for you.", "Connectez-vous et nous remplirons vos coordonnées."}},
    {"login_name", {"Email or username", "Email ou identifiant"}},
    {"password", {"Password", "Mot de passe"}},
    {"field_password", {"New password", "Nouveau mot de passe"}},
    {"field_password_confirm", {"New password again", "Confirmez le nouveau mot de passe"}},
    {"log_in", {"Log in", "Se connecter"}},
    {"log_out", {"Log out", "Se déconnecter"}},
    {"login_failed", {"Unknown login or wrong password.", "Identifiant inconnu ou mot de passe erroné."}},
    {"login_help", {"After your first purchase we mail you a link to choose your password.",
                    "Après votre premier achat, nous vous envoyons un lien pour choisir votre mot de passe."}},
    {"field_firstname", {"First name", "Prénom"}},
    {"field_lastname", {"Last name", "Nom"}},
    {"field_email", {"Email", "Email"}},
    {"field_organisation", {"Organisation", "Organisation"}},
    {"field_address", {"Address", "Adresse"}},
    {"field_zip", {"Postcode", "Code postal"}},
    {"field_city", {"City", "Ville"}},
    {"field_country", {"Country (two-letter code, e.g. FR)", "Pays (code à deux lettres, ex. FR)"}},
    {"field_invoiceinfo", {"Invoice notes (order number, VAT id…)", "Mentions sur la facture (bon de commande, n° TVA…)"}},
    {"email_is_login", {"Your account's email is your login; it cannot be changed here.",
                        "L'email de votre compte sert d'identifiant ; il ne peut pas être modifié ici."}},
    {"form_has_errors", {"Please correct the fields marked below.", "Veuillez corriger les champs signalés ci-dessous."}},
    {"your_order", {"Your order", "Votre commande"}},
    {"edit_cart", {"Change the cart", "Modifier le panier"}},
    {"billing_details", {"Billing details", "Facturation"}},
    {"edit_details", {"Change your details", "Modifier vos coordonnées"}},
    {"place_order", {"Place the order", "Passer la commande"}},
    {"order_placed", {"Your order is placed under the number", "Votre commande est enregistrée sous le numéro"}},
    {"test_payment_note", {"Test payment mode: no money is taken.", "Mode de paiement de test : aucun montant n'est débité."}},
    {"pay", {"Pay", "Payer"}},
    {"thanks", {"Your payment is received and your products are ready.", "Votre paiement est reçu et vos produits sont prêts."}},
    {"done_mail_note", {"New customers receive an email with a link to choose their password.",
                        "Les nouveaux clients reçoivent un email avec un lien pour choisir leur mot de passe."}},
    {"go_to_account", {"Go to your account", "Accéder à votre compte"}},
    {"invoice", {"Invoice", "Facture"}},
    {"date", {"Date", "Date"}},
    {"status", {"Status", "Statut"}},
    {"billed_to", {"Billed to", "Facturé à"}},
    {"seller", {"Seller", "Vendeur"}},
    {"seller_address", {"Training shop", "Boutique de formations"}},
    {"back_to_account", {"Back to my account", "Retour à mon compte"}},
    {"print_hint", {"Use your browser's Print command for a paper copy.", "Utilisez la commande Imprimer de votre navigateur pour une copie papier."}},
    {"password_rules", {"Choose a password of at least 10 characters.", "Choisissez un mot de passe d'au moins 10 caractères."}},
    {"set_password", {"Set my password", "Enregistrer mon mot de passe"}},
    {"password_set_done", {"Your password is set. You can now log in to your account.",
                           "Votre mot de passe est enregistré. Vous pouvez maintenant vous connecter."}},
    {"passwords_differ", {"the two passwords differ", "les deux mots de passe diffèrent"}},
    {"link_unknown", {"This link is unknown, already used or expired.", "Ce lien est inconnu, déjà utilisé ou expiré."}},
    {"signed_in_as", {"Logged in as", "Connecté en tant que"}},
    {"on_this_page", {"On this page", "Sur cette page"}},
    {"products", {"Products acquired", "Produits acquis"}},
    {"pid", {"PID", "PID"}},
    {"start", {"Start", "Début"}},
    {"end", {"End", "Fin"}},
    {"no_end", {"—", "—"}},
    {"state", {"State", "État"}},
    {"no_products", {"No products yet.", "Aucun produit pour l'instant."}},
    {"invoices", {"Invoices", "Factures"}},
    {"no_invoices", {"No invoices yet.", "Aucune facture pour l'instant."}},
    {"account_details", {"Account details", "Coordonnées du compte"}},
    {"no_customer", {"Your customer account appears here after your first purchase.",
                     "Votre compte client apparaît ici après votre premier achat."}},
    {"save", {"Save", "Enregistrer"}},
    {"saved", {"Your details are saved.", "Vos coordonnées sont enregistrées."}},
    {"documents", {"Support documents", "Documents d'assistance"}},
    {"state_available", {"available", "Disponible"}},
    {"state_running", {"running", "En cours"}},
    {"state_expiring", {"expiring", "Va expirer"}},
    {"state_expired", {"expired", "Expiré"}},
    {"state_pending", {"pending", "En attente"}},
    {"bill_PLACED", {"Awaiting payment", "En attente de paiement"}},
    {"bill_PENDING", {"Payment pending", "Paiement en cours"}},
    {"bill_SOLDOUT", {"Paid", "Payée"}},
    {"bill_COMPLETE", {"Paid", "Payée"}},
    {"bill_CANCELLED", {"Cancelled", "Annulée"}},
    {"bill_FAILED", {"Payment failed", "Paiement échoué"}},
    {"bill_REFUSED", {"Payment refused", "Paiement refusé"}},
    {"bill_PAYBACK", {"Refunded", "Remboursée"}},
    {"back_home", {"Back to the catalog", "Retour au catalogue"}},
    {"back", {"Go back", "Revenir"}},
    {"csrf_refused", {"This form has expired or did not come from this site. Reload the page and try again.",
                      "Ce formulaire a expiré ou ne provient pas de ce site. Rechargez la page et réessayez."}},
    {"bad_form", {"The form could not be read.", "Le formulaire n'a pas pu être lu."}},
    {"not_found", {"There is nothing here.", "Il n'y a rien ici."}},
    {"conflict", {"This step is no longer possible for this order.", "Cette étape n'est plus possible pour cette commande."}},
    {"unavailable", {"The shop is busy. Please try again in a moment.", "La boutique est occupée. Réessayez dans un instant."}},
    {"too_many_attempts", {"Too many attempts. Please wait a few minutes before trying again.",
                           "Trop de tentatives. Patientez quelques minutes avant de réessayer."}},
    {"failed", {"The request failed.", "La requête a échoué."}},
    {"test_mode_banner", {"Test mode: payments are simulated, no money is taken and orders are not real.",
                          "Mode test : les paiements sont simulés, rien n'est débité et les commandes ne sont pas réelles."}},
  };
  return all;
}

const std::map<std::string, std::string>& french_messages() {
  static const std::map<std::string, std::string> all = {
    {"is required", "obligatoire"},
    {"not a valid address", "adresse invalide"},
    {"not an ISO 3166-1 alpha-2 country code", "code pays ISO 3166-1 à deux lettres inconnu"},
    {"must be valid UTF-8 text without control characters", "texte invalide (caractères de contrôle)"},
    {"must be at least 10 characters", "au moins 10 caractères"},
    {"must be at most 1024 characters", "au plus 1024 caractères"},
    {"unknown product", "produit inconnu"},
    {"the cart is not valid", "le panier n'est pas valide"},
    {"must be within 1..100", "quantité entre 1 et 100"},
  };
  return all;
}

}  // namespace

kainjow::mustache::data texts(language l) {
  kainjow::mustache::data t;
  for (const auto& [key, e] : table()) t.set(std::string(key), l == language::fr ? e.fr : e.en);
  return t;
}

std::string text(language l, std::string_view key) {
  auto it = table().find(key);
  if (it == table().end()) return std::string(key);
  return l == language::fr ? it->second.fr : it->second.en;
}

std::string state_label(const std::string& state, language l) { return text(l, "state_" + state); }

std::string bill_status_label(const std::string& status, language l) { return text(l, "bill_" + status); }

std::string field_message(const std::string& message, language l) {
  if (l == language::en) return message;
  auto it = french_messages().find(message);
  return it == french_messages().end() ? message : it->second;
}

}  // namespace boutique::net::pages
