// What a shopper stumbles on (issue "customer features", point 7), one scenario per fix: each would have failed
// before it. The login's side is in account.test.mjs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addToCart, base, confirmAndPay, contactFor, fillContact, launch, openPage, submit, uniqueEmail, visit,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an unknown page is a page of the shop, in the shopper\'s language; the API keeps JSON', async () => {
  const { context, page } = await openPage(browser, '7-unknown-page', { locale: 'fr-FR' });
  try {
    const response = await visit(page, '/formations/inconnue');
    assert.equal(response.status(), 404);
    assert.match(response.headers()['content-type'], /^text\/html/);
    await page.getByText("Il n'y a rien ici.").waitFor();
    await page.getByRole('link', { name: 'Catalogue' }).first().waitFor();  // the site's navigation is there
    await submit(page, page.getByRole('link', { name: 'English' }));
    await page.getByText('There is nothing here.').waitFor();

    // A path that looks like another host: the page's links stay on the shop.
    await visit(page, '//evil.example/x');
    const switchTo = await page.locator('header.site nav a[hreflang]').getAttribute('href');
    assert.equal(new URL(switchTo, page.url()).host, new URL(base).host, switchTo);

    const api = await context.request.get(`${base}/api/v1/nope`);
    assert.equal(api.status(), 404);
    assert.match(api.headers()['content-type'], /^application\/problem\+json/);
  } finally {
    await context.close();
  }
});

test('the shop has an icon', async () => {
  const { context, page } = await openPage(browser, '7-favicon');
  try {
    await visit(page, '/');
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    for (const path of [href, '/favicon.ico']) {
      const icon = await context.request.get(base + path);
      assert.equal(icon.status(), 200, path);
      assert.equal(icon.headers()['content-type'], 'image/svg+xml', path);
      assert.match(await icon.text(), /^<svg /, path);
    }
  } finally {
    await context.close();
  }
});

test('the cart says what was just added and which amounts include tax, in both languages', async () => {
  const { context, page } = await openPage(browser, '7-cart-tax');
  try {
    await addToCart(page, 'A51-11236-F', 2);
    assert.equal(await page.getByRole('status').innerText(), 'Added to your cart: [A51-11236-F] Formation initiale sûreté');
    const headers = (await page.locator('table.cart thead th').allTextContents()).map((h) => h.trim().toLowerCase());
    assert.ok(headers.includes('unit price excl. tax'), headers.join(' | '));
    assert.ok(headers.includes('total incl. tax'), headers.join(' | '));
    // 2 × €120.00 untaxed, 20 % tax: the line total is €288.00 and says it includes the tax.
    assert.match(await page.locator('table.cart tbody').innerText(), /€120\.00[\s\S]*€288\.00/);
    await submit(page, page.getByRole('link', { name: 'Français' }));
    const french = (await page.locator('table.cart thead th').allTextContents()).map((h) => h.trim());
    assert.ok(french.includes('Prix unitaire HT') && french.includes('Total TTC'), french.join(' | '));
  } finally {
    await context.close();
  }
});

test('more than 100 of a product keeps the shopper on the cart, told why, the cart unchanged', async () => {
  const { context, page } = await openPage(browser, '7-cart-limit');
  try {
    await addToCart(page, 'B12-20410-F', 60);
    await visit(page, '/');
    const form = page.locator('form.add:has(input[name="code"][value="B12-20410-F"])');
    await form.getByLabel(/Quantity/).fill('60');
    const [response] = await Promise.all([page.waitForNavigation(), form.getByRole('button').click()]);
    await page.shot();
    assert.equal(response.status(), 422);
    assert.match(await page.getByRole('alert').innerText(), /At most 100 of one product per order/);
    assert.equal(await page.locator('#q-B12-20410-F').inputValue(), '60');
    await page.getByRole('link', { name: 'Continue to your details' }).waitFor();
  } finally {
    await context.close();
  }
});

test('switching language on the contact step keeps what was typed, and saves nothing', async () => {
  const { context, page } = await openPage(browser, '7-contact-language');
  try {
    await addToCart(page, 'A51-11236-F');
    await submit(page, page.getByRole('link', { name: 'Continue to your details' }));
    await page.getByLabel('First name').fill('Zoé');
    await page.getByLabel('Last name').fill('Martin');
    await page.getByLabel('City').fill('Lyon');
    await submit(page, page.getByRole('button', { name: 'Français' }));
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    await page.getByRole('heading', { name: 'Vos coordonnées' }).waitFor();
    assert.equal(await page.getByLabel('Prénom').inputValue(), 'Zoé');
    assert.equal(await page.locator('#f-lastname').inputValue(), 'Martin');
    assert.equal(await page.getByLabel('Ville').inputValue(), 'Lyon');
    assert.equal(await page.locator('.alert, .error').count(), 0, 'nothing was checked');
    // Nothing was saved: the next step still wants the details.
    await visit(page, '/checkout/confirm');
    assert.equal(new URL(page.url()).pathname, '/checkout/contact');
    await submit(page, page.getByRole('button', { name: 'English' }));
    await page.getByLabel('First name').waitFor();

    // Enter in a field sends the details (the form's default button is Continue, not the language switch).
    await fillContact(page, contactFor(uniqueEmail('enter')));
    await Promise.all([page.waitForNavigation(), page.getByLabel('City').press('Enter')]);
    await page.shot();
    assert.equal(new URL(page.url()).pathname, '/checkout/confirm', await page.locator('main').innerText());
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  } finally {
    await context.close();
  }
});

test('countries are chosen by name and shown by name, dates are written as people read them, in both languages', async () => {
  const email = uniqueEmail('names');
  const { context, page } = await openPage(browser, '7-names', { locale: 'fr-FR' });
  try {
    await addToCart(page, 'A51-11236-F');
    await submit(page, page.getByRole('link', { name: 'Continuer vers vos coordonnées' }));
    const country = page.getByLabel(/^Pays/);
    assert.equal(await country.evaluate((e) => e.tagName), 'SELECT');
    const names = await country.locator('option').allTextContents();
    assert.equal(names.length, 250, 'every ISO 3166-1 country, and the prompt');
    assert.ok(names.indexOf('Allemagne') < names.indexOf('Belgique'), 'by French name');
    assert.ok(names.indexOf('Égypte') < names.indexOf('Espagne'), 'accents ignored in the order');
    await fillContact(page, contactFor(email, { country: 'DE' }));
    await submit(page, page.getByRole('button', { name: 'Continuer' }));
    assert.match(await page.locator('address').innerText(), /Allemagne/);
    await confirmAndPay(page);
    const invoice = await page.locator('article.invoice').innerText();
    assert.match(invoice, /Allemagne/);
    assert.doesNotMatch(invoice, /\bDE\b/);
    const months = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
    const today = new Date();
    assert.ok(invoice.includes(`${today.getUTCDate()} ${months[today.getUTCMonth()]} ${today.getUTCFullYear()}`), invoice);
    assert.doesNotMatch(invoice, /\d{4}-\d{2}-\d{2}/);
  } finally {
    await context.close();
  }
});

test('an order placed and not paid can be cancelled, changed and placed again; Add to cart meanwhile says why', async () => {
  const { context, page } = await openPage(browser, '7-cancel-order');
  try {
    await addToCart(page, 'A51-11236-F');
    await submit(page, page.getByRole('link', { name: 'Continue to your details' }));
    await fillContact(page, contactFor(uniqueEmail('cancel')));
    await submit(page, page.getByRole('button', { name: 'Continue' }));
    await submit(page, page.getByRole('button', { name: 'Place the order' }));
    assert.equal(new URL(page.url()).pathname, '/checkout/pay');
    const firstOrder = await page.locator('main strong').first().innerText();
    // Adding a product while the order waits for payment: not silently dropped, the shopper is told why.
    await visit(page, '/');
    await submit(page, page.locator('form.add:has(input[name="code"][value="B12-20410-F"])').getByRole('button'));
    assert.equal(new URL(page.url()).pathname, '/checkout/pay');
    assert.match(await page.getByRole('alert').innerText(), /Not added: your order below waits for its payment/);
    // Cancel: back to the cart as it was, told so, then change it and order again.
    await submit(page, page.getByRole('button', { name: 'Cancel this order' }));
    assert.equal(new URL(page.url()).pathname, '/cart');
    assert.match(await page.getByRole('status').innerText(), /Your order is cancelled: nothing was charged/);
    assert.match(await page.locator('table.cart tbody').innerText(), /A51-11236-F/);
    await addToCart(page, 'B12-20410-F');
    assert.match(await page.locator('table.cart tbody').innerText(), /A51-11236-F[\s\S]*B12-20410-F|B12-20410-F[\s\S]*A51-11236-F/);
    await submit(page, page.getByRole('link', { name: 'Continue to your details' }));
    await submit(page, page.getByRole('button', { name: 'Continue' }));
    await confirmAndPay(page);
    const done = await page.locator('main').innerText();
    assert.match(done, /B12-20410-F/);
    assert.ok(!done.includes(firstOrder), 'the new order has a new number');
  } finally {
    await context.close();
  }
});
