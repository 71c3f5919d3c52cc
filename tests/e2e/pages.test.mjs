// What a shopper stumbles on (issue "customer features", points 1 and 7), one scenario per fix: each would have
// failed before it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addToCart, base, buyAsGuest, contactFor, launch, logIn, openPage, setPassword, submit, uniqueEmail, visit,
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
