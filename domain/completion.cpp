#include "domain/completion.hpp"

#include "domain/product.hpp"

namespace boutique::domain {

completion_plan plan_completion(const completion_facts& f) {
  completion_plan plan;
  if (!can_transition(f.current, bill_status::soldout)) {
    plan.refusal = "bill " + f.transid + " cannot go from " + to_string(f.current) + " to " +
                   to_string(bill_status::soldout);
    return plan;
  }
  plan.steps = {bill_status::soldout, bill_status::complete};
  for (const auto& [item_id, line] : f.lines) {
    // The term sold with the bill; it starts now.
    auto end = product_end(f.now, line.duration_days);
    for (std::int32_t unit = 0; unit < line.quantity; ++unit)
      plan.products.push_back({item_id, line.code, line.name, f.now, end});
  }
  if (f.customer_user) {
    plan.attach = attachment::already;
  } else if (auto user = f.session_user ? f.session_user : f.email_user) {
    plan.attach = user->holds_customer ? attachment::skipped : attachment::to_user;
    plan.user_id = user->id;
  } else {
    plan.attach = attachment::to_new_user;
  }
  return plan;
}

composed_mail order_mail(const completion_facts& f, const std::string& invoice_number, const std::string& base_url) {
  auto l = f.lang;
  std::vector<mail_row> bought;
  for (const auto& [item_id, line] : f.lines)
    bought.push_back({"[" + line.code + "] " + line.name, std::to_string(line.quantity),
                      money(line.total, f.currency, l)});
  auto invoice = base_url + "/account/invoices/" + f.transid;
  mail_body body(l);
  body.paragraph(in(l, "Hello ", "Bonjour ") + f.customer.firstname + ",")
    .paragraph(in(l, "Your payment was received and your order " + f.transid + " is complete.\nInvoice number: ",
                  "Nous avons bien reçu votre paiement : votre commande " + f.transid +
                    " est confirmée.\nNuméro de facture : ") +
               invoice_number)
    .paragraph(in(l, "What you bought:", "Ce que vous avez acheté :"))
    .table({in(l, "Product", "Produit"), in(l, "Quantity", "Quantité"), in(l, "Total", "Total")}, std::move(bought),
           {in(l, "Total (tax included)", "Total TTC"), "", money(f.total, f.currency, l)})
    .link(in(l, "Your invoice, to read or print:", "Votre facture, à consulter ou imprimer :"), invoice)
    .link(in(l, "The invoice as a PDF:", "La facture en PDF :"), invoice + "/invoice.pdf")
    .link(in(l, "Your trainings are listed in your customer space:", "Vos formations sont dans votre espace client :"),
          base_url + "/account");
  return body.finish(f.customer.email, in(l, "Your order " + f.transid + " is complete",
                                          "Votre commande " + f.transid + " est confirmée"));
}

}  // namespace boutique::domain
