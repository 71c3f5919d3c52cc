// What a shopper stumbles on (issue "customer features", points 1 and 7), one scenario per fix: each would have
// failed before it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addToCart, base, buyAsGuest, confirmAndPay, contactFor, fillContact, launch, logIn, openPage, passwordLink, setPassword,
  submit, uniqueEmail, visit,
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

test('one login for the shop: the support space and the checkout share it, and a login returns where it was asked', async () => {
  const email = uniqueEmail('one-login');
  const password = 'one login for both';
  const { context, page } = await openPage(browser, '7-one-login');
  try {
    await buyAsGuest(page, contactFor(email, { city: 'Arras' }), ['C07-30001-E']);
    const transid = (await page.locator('#invoice-title').innerText()).split(' ').pop();
    await setPassword(page, email, password);

    // Logged in at the support space: the checkout's contact step is filled in, no second login asked.
    await logIn(page, email, password);
    await addToCart(page, 'G40-70300-C');
    await submit(page, page.getByRole('link', { name: 'Continue to your details' }));
    assert.equal(new URL(page.url()).pathname, '/checkout/contact');
    await page.getByText('You are logged in').waitFor();
    assert.equal(await page.getByLabel('City').inputValue(), 'Arras');
    assert.equal(await page.locator('aside').count(), 0, 'no login form');

    // Logging out ends both: the account asks for a login, the cart is empty.
    await visit(page, '/account');
    await submit(page, page.getByRole('button', { name: 'Log out' }));
    await visit(page, '/cart');
    await page.getByText('Your cart is empty.').waitFor();

    // Logged in at the checkout: "My account" opens the support space.
    await addToCart(page, 'G40-70300-C');
    await submit(page, page.getByRole('link', { name: 'Continue to your details' }));
    const login = page.locator('aside');
    await login.getByLabel('Email or username').fill(email);
    await login.getByLabel('Password').fill(password);
    await submit(page, login.getByRole('button', { name: 'Log in' }));
    await page.getByText('You are logged in').waitFor();
    await submit(page, page.getByRole('link', { name: 'My account' }));
    assert.equal(new URL(page.url()).pathname, '/account');
    await submit(page, page.getByRole('button', { name: 'Log out' }));

    // An invoice asked for while logged out: the login page, then the invoice itself.
    await visit(page, `/account/invoices/${transid}`);
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password').fill(password);
    await submit(page, page.locator('main').getByRole('button', { name: 'Log in' }));
    assert.equal(new URL(page.url()).pathname, `/account/invoices/${transid}`);
    await page.locator('article.invoice').waitFor();

    // A "next" that leaves the site is ignored.
    await visit(page, '/account');
    await submit(page, page.getByRole('button', { name: 'Log out' }));
    await visit(page, '/login?next=//example.org/steal');
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password').fill(password);
    await submit(page, page.locator('main').getByRole('button', { name: 'Log in' }));
    assert.equal(new URL(page.url()).href, `${base}/account`);
  } finally {
    await context.close();
  }
});

test('the cart says which amounts include tax, in both languages', async () => {
  const { context, page } = await openPage(browser, '7-cart-tax');
  try {
    await addToCart(page, 'A51-11236-F', 2);
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

test('a used password link says so at once instead of showing the form', async () => {
  const email = uniqueEmail('used-link');
  const { context, page } = await openPage(browser, '7-used-link');
  try {
    await buyAsGuest(page, contactFor(email), ['E03-51000-L']);
    const link = await passwordLink(email);
    await setPassword(page, email, 'the first and only use');
    const again = await visit(page, link);
    assert.equal(again.status(), 404);
    await page.getByText('This link is unknown, already used or expired.').waitFor();
    assert.equal(await page.locator('input[type="password"]').count(), 0, 'no form to fill in for nothing');
    const forged = await visit(page, '/account/password?token=' + 'x'.repeat(43));
    assert.equal(forged.status(), 404);
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

/// Fails when a cell of a table ends beyond the window, a table box has to scroll sideways, or the page does.
async function assertTablesFit(page, what) {
  const report = await page.evaluate(() => {
    // The phone's width (a phone browser zooms out to show a wider page, and its window grows with it).
    const width = window.screen.width;
    const cells = [...document.querySelectorAll('table td, table th')].filter((c) => c.offsetParent !== null);
    const outside = cells.filter((c) => c.getBoundingClientRect().right > width + 0.5).map((c) => c.textContent.trim());
    const scrolling = [...document.querySelectorAll('.table-wrap')].filter((w) => w.scrollWidth > w.clientWidth + 1).length;
    return { cells: cells.length, outside, scrolling, page: document.documentElement.scrollWidth - width };
  });
  assert.ok(report.cells > 0, `${what}: tables shown`);
  assert.deepEqual(report.outside, [], `${what}: cells beyond the screen`);
  assert.equal(report.scrolling, 0, `${what}: a table scrolls sideways`);
  assert.ok(report.page <= 0, `${what}: the page is ${report.page} px wider than the screen`);
}

test('on a phone, the invoice and the account tables show every column', async () => {
  const email = uniqueEmail('phone');
  const { context, page } = await openPage(browser, '7-phone-tables', {
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  });
  try {
    await buyAsGuest(page, contactFor(email), ['A51-11236-F', 'E03-51000-L']);
    await assertTablesFit(page, 'done page');
    // Each value is shown under its column's name (drawn by the style sheet from data-label).
    const labels = await page.locator('article.invoice table tbody tr').first().locator('td').evaluateAll(
      (cells) => cells.map((c) => getComputedStyle(c, '::before').content));
    assert.deepEqual(labels, ['"Unit price excl. tax"', '"Quantity"', '"Taxes"', '"Total incl. tax"']);
    await setPassword(page, email, 'small screens too');
    await logIn(page, email, 'small screens too');
    await page.shot();
    await assertTablesFit(page, 'account page');
    const state = page.locator('table.products tbody tr').first().locator('td').last();
    assert.equal(await state.evaluate((c) => getComputedStyle(c, '::before').content), '"State"');
  } finally {
    await context.close();
  }
});
