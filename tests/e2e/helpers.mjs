// Shared steps of the browser tests: launching Debian's Chromium, screenshots of every page, a guest checkout,
// and reading the password-set link from the mail-drop folder.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const base = process.env.BOUTIQUE_URL;
const mailDir = process.env.BOUTIQUE_MAIL_DIR;
const shotDir = new URL('./screenshots/', import.meta.url).pathname;

export function launch() {
  return chromium.launch({
    executablePath: process.env.BOUTIQUE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
}

/// A new browser context (its own cookies) with a page that screenshots itself under `name`.
export async function openPage(browser, name, options = {}) {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 800 }, ...options });
  const page = await context.newPage();
  mkdirSync(shotDir, { recursive: true });
  let count = 0;
  page.shot = async () => {
    count += 1;
    const slug = new URL(page.url()).pathname.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home';
    await page.screenshot({ path: join(shotDir, `${name}-${String(count).padStart(2, '0')}-${slug}.jpg`), type: 'jpeg', quality: 70, fullPage: true });
  };
  return { context, page };
}

/// Navigates and screenshots the page reached.
export async function visit(page, path) {
  const response = await page.goto(base + path);
  await page.shot();
  return response;
}

/// Clicks (submitting a form or following a link), waits for the next page and screenshots it.
export async function submit(page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()]);
  await page.shot();
}

export async function addToCart(page, code, quantity = 1) {
  await visit(page, '/');
  const form = page.locator(`form.add:has(input[name="code"][value="${code}"])`);
  await form.getByLabel(/Quantity|Quantité/).fill(String(quantity));
  await submit(page, form.getByRole('button'));
  assert.equal(new URL(page.url()).pathname, '/cart');
}

export async function fillContact(page, contact) {
  for (const [field, value] of Object.entries(contact)) {
    const input = page.locator(`[name="${field}"]`);
    // The country is a list of names; its options carry the ISO 3166-1 codes.
    if (await input.evaluate((e) => e.tagName) === 'SELECT') await input.selectOption(value);
    else await input.fill(value);
  }
}

/// From the cart to the done page, paying in the test mode.
export async function confirmAndPay(page) {
  await submit(page, page.getByRole('button', { name: /Place the order|Passer la commande/ }));
  assert.equal(new URL(page.url()).pathname, '/checkout/pay');
  await submit(page, page.getByRole('button', { name: /^(Pay|Payer)/ }));
  assert.equal(new URL(page.url()).pathname, '/checkout/done');
}

export async function buyAsGuest(page, contact, codes) {
  for (const code of codes) await addToCart(page, code);
  await submit(page, page.getByRole('link', { name: 'Continue to your details' }));
  await fillContact(page, contact);
  await submit(page, page.getByRole('button', { name: 'Continue' }));
  assert.equal(new URL(page.url()).pathname, '/checkout/confirm');
  await confirmAndPay(page);
}

/// The text of the newest mail to `email` for which `wanted(text)` holds; waits for the mailer (10 s at most).
export async function newestMail(email, wanted) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    // The mailer makes its folder when it drops its first mail.
    const mails = (existsSync(mailDir) ? readdirSync(mailDir, { withFileTypes: true }) : [])
      .filter((e) => e.isFile() && e.name.endsWith('.eml'))
      .map((e) => join(mailDir, e.name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    for (const file of mails) {
      const text = readFileSync(file, 'utf8');
      if (text.includes(email) && wanted(text)) return text;
    }
    await delay(100);  // the mailer drops the outbox every 200 ms
  }
  throw new Error(`no such mail for ${email} in ${mailDir}`);
}

/// The newest link to `path` (e.g. /account/password) mailed to `email`, as a path of the shop.
export async function mailedLink(email, path) {
  const pattern = new RegExp(`https?://[^\\s/]+(${path.replace(/[?]/g, '\\?')}\\?token=[0-9A-Za-z]+)`);
  return (await newestMail(email, (text) => pattern.test(text))).match(pattern)[1];
}

export function passwordLink(email) { return mailedLink(email, '/account/password'); }

export async function setPassword(page, email, password) {
  await visit(page, await passwordLink(email));
  assert.match(await page.locator('label[for="f-password"]').innerText(), /New password/);
  await page.locator('#f-password').fill(password);
  await page.locator('#f-password_confirm').fill(password);
  await submit(page, page.getByRole('button', { name: 'Set my password' }));
  await page.getByText('Your password is set').waitFor();
}

export async function logIn(page, login, password) {
  await visit(page, '/login');
  await page.getByLabel('Email or username').fill(login);
  await page.getByLabel('Password').fill(password);
  await submit(page, page.locator('main').getByRole('button', { name: 'Log in' }));
  assert.equal(new URL(page.url()).pathname, '/account');
}

export function contactFor(email, overrides = {}) {
  return { firstname: 'Camille', lastname: 'Martin', email, organisation: 'Aéroclub du Nord',
           address: '12 rue des Lilas', zip: '59000', city: 'Lille', country: 'FR', ...overrides };
}

export function uniqueEmail(tag) {
  return `${tag}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.org`;
}
