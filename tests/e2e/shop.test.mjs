// The shop in a real browser: guest checkout, a returning customer, the password link, French, CSRF.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addToCart, base, buyAsGuest, confirmAndPay, contactFor, fillContact, launch, logIn, newestMail, openPage, setPassword,
  submit, uniqueEmail, visit,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a guest buys two products and sees the invoice', async () => {
  const { context, page } = await openPage(browser, '1-guest');
  try {
    await addToCart(page, 'A51-11236-F');
    await addToCart(page, 'D22-40155-M', 2);
    const rows = page.locator('table.lines tbody tr');
    assert.equal(await rows.count(), 2);
    await submit(page, page.getByRole('link', { name: 'Continue to your details' }));
    await page.getByRole('heading', { name: 'Already have an account? Log in' }).waitFor();

    // A refused value is shown next to its field, and what was typed stays.
    // (An address without a dot in its domain passes the browser's check, not the shop's.)
    await fillContact(page, contactFor('camille@localhost'));
    await submit(page, page.getByRole('button', { name: 'Continue' }));
    assert.match(await page.locator('#e-email').innerText(), /not a valid address/);
    assert.equal(await page.getByLabel('First name').inputValue(), 'Camille');
    assert.equal(await page.locator('#f-email').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel(/^Country/).inputValue(), 'FR', 'the chosen country stays chosen');

    await page.locator('#f-email').fill(uniqueEmail('guest'));
    await submit(page, page.getByRole('button', { name: 'Continue' }));
    assert.equal(new URL(page.url()).pathname, '/checkout/confirm');
    await confirmAndPay(page);

    const invoice = page.locator('article.invoice');
    const text = await invoice.innerText();
    assert.match(text, /\[A51-11236-F\] Formation initiale sûreté/);
    assert.match(text, /\[D22-40155-M\] Moodle for teachers/);
    // 120.00 + 24.00 tax (20 %); 98.00 + 5.39 tax (5.5 % of the line) = 247.39
    assert.match(text, /€247\.39/);
    assert.match(text, /Status: Paid/);
  } finally {
    await context.close();
  }
});

test('a returning customer logs in at the contact step and changes the city', async () => {
  const email = uniqueEmail('returning');
  const password = 'correct horse battery';
  const first = await openPage(browser, '2-returning-setup');
  try {
    await buyAsGuest(first.page, contactFor(email), ['C07-30001-E']);
    await setPassword(first.page, email, password);
  } finally {
    await first.context.close();
  }

  const { context, page } = await openPage(browser, '2-returning');
  try {
    await addToCart(page, 'G40-70300-C');
    await submit(page, page.getByRole('link', { name: 'Continue to your details' }));
    const checkoutId = async () => (await context.cookies()).find((c) => c.name === 'boutique_checkout')?.value;
    const guestId = await checkoutId();
    const login = page.locator('aside');
    await login.getByLabel('Email or username').fill(email);
    await login.getByLabel('Password').fill(password);
    await submit(page, login.getByRole('button', { name: 'Log in' }));

    assert.equal(new URL(page.url()).pathname, '/checkout/contact');
    assert.ok(guestId);
    assert.notEqual(await checkoutId(), guestId, 'a new checkout session id at login');
    await page.getByText('You are logged in').waitFor();
    assert.equal(await page.locator('#f-email').inputValue(), email);
    assert.equal(await page.getByLabel('First name').inputValue(), 'Camille');
    assert.equal(await page.getByLabel('City').inputValue(), 'Lille');
    assert.equal(await page.locator('aside').count(), 0);

    await page.getByLabel('City').fill('Lyon');
    await submit(page, page.getByRole('button', { name: 'Continue' }));
    await confirmAndPay(page);
    assert.match(await page.locator('article.invoice').innerText(), /Lyon/);

    await logIn(page, email, password);
    assert.equal(await page.getByLabel('City').inputValue(), 'Lyon');
    assert.equal(await page.locator('table.products tbody tr').count(), 2);
  } finally {
    await context.close();
  }
});

test('a new customer sets a password from the mailed link and finds invoices and products', async () => {
  const email = uniqueEmail('newcomer');
  const password = 'a long enough secret';
  const { context, page } = await openPage(browser, '3-new-customer');
  try {
    await buyAsGuest(page, contactFor(email, { firstname: 'Noé' }), ['A51-11236-F', 'E03-51000-L']);
    const transid = (await page.locator('#invoice-title').innerText()).split(' ').pop();
    await setPassword(page, email, password);
    await logIn(page, email, password);

    const products = page.locator('table.products');
    const headers = await products.locator('thead th').allInnerTexts();
    assert.deepEqual(headers.map((h) => h.trim().toLowerCase()), ['pid', 'start', 'end', 'product', 'state']);
    const rows = await products.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.ok(rows.some((r) => r.includes('[A51-11236-F] Formation initiale sûreté') && r.includes('running')));
    assert.ok(rows.some((r) => r.includes('[E03-51000-L]') && r.includes('—')), 'an unlimited product has no end');

    // The invoice is listed by its number (YYYY-NNNNNN, sequential per year), and its page shows it.
    const invoiceLink = page.locator(`a[href="/account/invoices/${transid}"]`);
    const number = (await invoiceLink.innerText()).trim();
    assert.match(number, /^\d{4}-\d{6}$/);
    await submit(page, invoiceLink);
    assert.match(await page.locator('article.invoice').innerText(), /Noé Martin/);
    assert.match(await page.locator('article.invoice').innerText(), new RegExp(`Invoice number: ${number}`));
    // The seller as configured, and the invoice as a PDF from its page (with the page's login).
    assert.match(await page.locator('address.seller').innerText(), /Formations Éclair SARL\s+3 place Bellecour\s+69002 Lyon/);
    const pdfLink = page.getByRole('link', { name: 'Download the invoice (PDF)' });
    const pdf = await page.request.get(new URL(await pdfLink.getAttribute('href'), page.url()).href);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
    await visit(page, '/account');
    await page.getByRole('link', { name: 'Getting started with your training' }).waitFor();

    // Editing the account: a refused value is shown next to its field, then the saved details.
    await page.getByLabel('Postcode').fill('x'.repeat(25));
    await page.getByLabel('Organisation').fill('Ferme-école du Nord');
    await submit(page, page.getByRole('button', { name: 'Save' }));
    assert.match(await page.locator('#e-zip').innerText(), /at most 20/);
    assert.equal(await page.getByLabel('Organisation').inputValue(), 'Ferme-école du Nord');
    await page.getByLabel('Postcode').fill('1000');
    await page.getByLabel(/^Country/).selectOption({ label: 'Belgium' });
    await submit(page, page.getByRole('button', { name: 'Save' }));
    await page.getByText('Your details are saved.').waitFor();
    assert.equal(await page.getByLabel(/^Country/).inputValue(), 'BE');

    await submit(page, page.getByRole('link', { name: 'Français' }));
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    await page.getByRole('heading', { name: 'Produits acquis' }).waitFor();
    assert.match(await products.locator('tbody').innerText(), /En cours/);

    await submit(page, page.getByRole('button', { name: 'Se déconnecter', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/');
    await visit(page, '/account');
    assert.equal(new URL(page.url()).pathname, '/login');
  } finally {
    await context.close();
  }
});

test('the French page shows French labels', async () => {
  const { context, page } = await openPage(browser, '4-french-phone', {
    locale: 'fr-FR', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  });
  try {
    await visit(page, '/');
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    await page.getByRole('heading', { level: 1, name: 'Catalogue des formations' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Ajouter au panier' }).count() > 0);
    assert.match(await page.locator('.card .price').first().innerText(), /120,00\s€/);

    await addToCart(page, 'B12-20410-F');
    await page.getByRole('heading', { level: 1, name: 'Votre panier' }).waitFor();
    await submit(page, page.getByRole('link', { name: 'Continuer vers vos coordonnées' }));
    await page.getByRole('heading', { name: 'Déjà client ? Connectez-vous' }).waitFor();
    await page.getByLabel('Prénom').waitFor();
    await page.getByLabel('Code postal').waitFor();

    // On the contact step the switch is a button of the form (it keeps what was typed).
    await submit(page, page.getByRole('button', { name: 'English' }));
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByLabel('First name').waitFor();
  } finally {
    await context.close();
  }
});

test('a form posted without its CSRF token is refused', async () => {
  const { context, page } = await openPage(browser, '5-csrf');
  try {
    await visit(page, '/');
    const direct = await context.request.post(`${base}/cart/add`, {
      form: { code: 'A51-11236-F', quantity: '1' }, maxRedirects: 0,
    });
    assert.equal(direct.status(), 403);
    const forged = await context.request.post(`${base}/cart/add`, {
      form: { code: 'A51-11236-F', quantity: '1', csrf: 'x'.repeat(22) }, maxRedirects: 0,
    });
    assert.equal(forged.status(), 403);

    await page.evaluate(() => document.querySelector('form.add input[name="csrf"]').remove());
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.locator('form.add').first().getByRole('button').click(),
    ]);
    await page.shot();
    assert.equal(response.status(), 403);
    await page.getByRole('heading', { name: 'Request refused' }).waitFor();
    assert.equal(response.headers()['content-security-policy'], "default-src 'self'; frame-ancestors 'none'");

    await visit(page, '/cart');
    await page.getByText('Your cart is empty.').waitFor();
  } finally {
    await context.close();
  }
});

test('a checkout in French gets its order mail in French, as text and HTML, with what was bought and the invoice', async () => {
  const email = uniqueEmail('french-mail');
  const { context, page } = await openPage(browser, '6-french-mail', { locale: 'fr-FR' });
  try {
    await addToCart(page, 'B12-20410-F');
    await submit(page, page.getByRole('link', { name: 'Continuer vers vos coordonnées' }));
    await fillContact(page, contactFor(email, { firstname: 'Hélène' }));
    await submit(page, page.getByRole('button', { name: 'Continuer', exact: true }));
    await confirmAndPay(page);
    const transid = (await page.locator('#invoice-title').innerText()).split(' ').pop();

    const mail = await newestMail(email, (text) => text.includes(`/account/invoices/${transid}`));
    assert.match(mail, /Content-Type: multipart\/alternative/);
    assert.match(mail, /Content-Type: text\/plain; charset=utf-8/i);
    assert.match(mail, /<html lang="fr"/);
    assert.match(mail, /Nous avons bien reçu votre paiement/);
    assert.match(mail, /Sauveteur secouriste du travail/);
    assert.match(mail, /Message-ID: <outbox-\d+-\d+@/);
  } finally {
    await context.close();
  }
});
