// The customer's side of the login, in a real browser (issue "customer features", points 1 and 7): one login for
// the support space and the checkout, password links that say at once when they are used, and the account and
// invoice tables on a phone. Each scenario would have failed before its fix.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import {
  addToCart, base, buyAsGuest, confirmAndPay, contactFor, launch, logIn, mailedLink, openPage, passwordLink,
  setPassword, submit, uniqueEmail, visit,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

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
    await submit(page, page.getByRole('button', { name: 'Log out', exact: true }));
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
    await submit(page, page.getByRole('button', { name: 'Log out', exact: true }));

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
    await submit(page, page.getByRole('button', { name: 'Log out', exact: true }));
    await visit(page, '/login?next=//example.org/steal');
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password').fill(password);
    await submit(page, page.locator('main').getByRole('button', { name: 'Log in' }));
    assert.equal(new URL(page.url()).href, `${base}/account`);
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

test('a forgotten password: the login page links to a form that mails a new link, and the new password works', async () => {
  const email = uniqueEmail('forgot');
  const { context, page } = await openPage(browser, '1-forgot-password');
  try {
    await buyAsGuest(page, contactFor(email), ['E03-51000-L']);
    const firstLink = await passwordLink(email);
    await setPassword(page, email, 'the password I will forget');
    await visit(page, '/login');
    await submit(page, page.getByRole('link', { name: 'Forgot your password?' }));
    assert.equal(new URL(page.url()).pathname, '/account/forgot');
    await page.getByLabel('Email or username').fill(email.toUpperCase());
    await submit(page, page.getByRole('button', { name: 'Send me a link' }));
    assert.match(await page.getByRole('status').innerText(), /If an account goes by this name, a link/);
    // The same words for a name no account has.
    await visit(page, '/account/forgot');
    await page.getByLabel('Email or username').fill(uniqueEmail('nobody'));
    await submit(page, page.getByRole('button', { name: 'Send me a link' }));
    assert.match(await page.getByRole('status').innerText(), /If an account goes by this name, a link/);
    // The mail's link (the newest to this address once the mailer has written it) sets the new password.
    let link = firstLink;
    for (let attempt = 0; attempt < 100 && link === firstLink; attempt += 1) {
      await delay(100);  // the mailer drops the outbox every 200 ms
      link = await passwordLink(email);
    }
    assert.notEqual(link, firstLink, 'a new link was mailed');
    await visit(page, link);
    await page.locator('#f-password').fill('a new password at last');
    await page.locator('#f-password_confirm').fill('a new password at last');
    await submit(page, page.getByRole('button', { name: 'Set my password' }));
    await page.getByText('Your password is set').waitFor();
    await logIn(page, email, 'a new password at last');
  } finally {
    await context.close();
  }
});

test('a password change on the account page ends the other logins, and "log out everywhere" ends them all', async () => {
  const email = uniqueEmail('security');
  const laptop = await openPage(browser, '1-account-security-laptop');
  const phone = await openPage(browser, '1-account-security-phone');
  try {
    await buyAsGuest(laptop.page, contactFor(email), ['E03-51000-L']);
    await setPassword(laptop.page, email, 'my first password');
    await logIn(laptop.page, email, 'my first password');
    await logIn(phone.page, email, 'my first password');

    // A wrong current password is refused at its field, and nothing changes.
    const page = laptop.page;
    await page.locator('#f-current').fill('not my password');
    await page.locator('#f-password').fill('my second password');
    await page.locator('#f-password_confirm').fill('my second password');
    await submit(page, page.getByRole('button', { name: 'Change my password' }));
    assert.match(await page.locator('#e-current').innerText(), /is not your current password/);
    await visit(phone.page, '/account');
    assert.equal(new URL(phone.page.url()).pathname, '/account', 'the other login is still there');

    await page.locator('#f-current').fill('my first password');
    await page.locator('#f-password').fill('my second password');
    await page.locator('#f-password_confirm').fill('my second password');
    await submit(page, page.getByRole('button', { name: 'Change my password' }));
    assert.match(await page.getByRole('status').innerText(), /Your password is changed/);
    await visit(phone.page, '/account');
    assert.equal(new URL(phone.page.url()).pathname, '/login', 'the phone\'s login ended');
    await logIn(phone.page, email, 'my second password');

    // From the laptop, every login ends: the laptop's and the phone's.
    await visit(page, '/account#security-title');
    await submit(page, page.getByRole('button', { name: 'Log out everywhere' }));
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.match(await page.getByRole('status').innerText(), /logged out of your account on every device/);
    await visit(phone.page, '/account');
    assert.equal(new URL(phone.page.url()).pathname, '/login');
    await visit(page, '/account');
    assert.equal(new URL(page.url()).pathname, '/login');
  } finally {
    await laptop.context.close();
    await phone.context.close();
  }
});

test('an email change is confirmed from the link mailed to the new address, which then logs in', async () => {
  const email = uniqueEmail('old-address');
  const newEmail = uniqueEmail('new-address');
  const { context, page } = await openPage(browser, '1-email-change');
  try {
    await buyAsGuest(page, contactFor(email), ['E03-51000-L']);
    await setPassword(page, email, 'my steady password');
    await logIn(page, email, 'my steady password');
    await page.getByLabel('New email address').fill(email.toUpperCase());
    await page.getByLabel('Your password').fill('my steady password');
    await submit(page, page.getByRole('button', { name: 'Change my email' }));
    assert.match(await page.locator('#e-new_email').innerText(), /is already your account's address/);
    await page.getByLabel('New email address').fill(newEmail);
    await page.getByLabel('Your password').fill('not my password');
    await submit(page, page.getByRole('button', { name: 'Change my email' }));
    assert.match(await page.locator('#e-password_for_email').innerText(), /is not your current password/);
    assert.equal(await page.getByLabel('New email address').inputValue(), newEmail, 'the address typed stays');
    await page.getByLabel('Your password').fill('my steady password');
    await submit(page, page.getByRole('button', { name: 'Change my email' }));
    assert.match(await page.getByRole('status').innerText(), /A link to confirm the new address is on its way/);

    // Opening the link changes nothing by itself: the page asks, the button confirms.
    const link = await mailedLink(newEmail, '/account/email');
    await visit(page, link);
    assert.match(await page.locator('main').innerText(), new RegExp(`Make ${newEmail.replace(/[.+]/g, '\\$&')} the address`));
    await submit(page, page.getByRole('button', { name: 'Confirm the new address' }));
    assert.match(await page.locator('main').innerText(), /Your account's address is now/);
    await visit(page, link);
    assert.match(await page.locator('main').innerText(), /unknown, already used or expired/);

    await visit(page, '/account');
    assert.equal(await page.locator('#f-email').inputValue(), newEmail, 'the customer account follows');
    await submit(page, page.getByRole('button', { name: 'Log out', exact: true }));
    await logIn(page, newEmail, 'my steady password');
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

test('a refunded order shows as refunded in the support space, with its credit note, in English and French', async () => {
  const email = uniqueEmail('refunded');
  const password = 'refunded but not forgotten';
  const { context, page } = await openPage(browser, '7-refunded');
  try {
    await buyAsGuest(page, contactFor(email, { firstname: 'Zoé' }), ['A51-11236-F']);
    const transid = (await page.locator('#invoice-title').innerText()).split(' ').pop();
    await setPassword(page, email, password);
    await logIn(page, email, password);
    assert.match(await page.locator('table.products tbody').innerText(), /running/);

    // Staff refund it on the management listener.
    const refund = await fetch(`${process.env.BOUTIQUE_ADMIN_URL}/admin/bills/${transid}/refund`, {
      method: 'POST', headers: { Authorization: `Bearer ${process.env.BOUTIQUE_ADMIN_TOKEN}` },
    });
    assert.equal(refund.status, 200);
    assert.equal((await refund.json()).status, 'PAYBACK');

    await visit(page, '/account');
    const products = await page.locator('table.products tbody').innerText();
    assert.match(products, /refunded/);
    assert.doesNotMatch(products, /running/);
    const bills = await page.locator('table.bills tbody').innerText();
    assert.match(bills, /Refunded · Credit note CN-\d{4}-\d{6}/);
    await submit(page, page.getByRole('link', { name: 'Français' }));
    assert.match(await page.locator('table.products tbody').innerText(), /Remboursé/);
    assert.match(await page.locator('table.bills tbody').innerText(), /Remboursée · Avoir CN-\d{4}-\d{6}/);
  } finally {
    await context.close();
  }
});

test('"Renew" puts a renewable product in the cart and leads to a checkout filled in from the account', async () => {
  const email = uniqueEmail('renew');
  const password = 'renew me every year';
  const { context, page } = await openPage(browser, '5-renew');
  try {
    await buyAsGuest(page, contactFor(email, { city: 'Dunkerque' }), ['A51-11237-R', 'A51-11236-F']);
    await setPassword(page, email, password);
    await logIn(page, email, password);
    const renewable = page.locator('table.products tbody tr', { hasText: 'A51-11237-R' });
    const oneOff = page.locator('table.products tbody tr', { hasText: 'A51-11236-F' });
    assert.equal(await oneOff.getByRole('button', { name: 'Renew' }).count(), 0, 'not renewable: no button');

    await submit(page, renewable.getByRole('button', { name: 'Renew' }));
    assert.equal(new URL(page.url()).pathname, '/cart');
    await page.getByText('Added to your cart: [A51-11237-R]').waitFor();
    assert.match(await page.locator('table').first().innerText(), /A51-11237-R/);
    await submit(page, page.getByRole('link', { name: 'Continue to your details' }));
    assert.equal(new URL(page.url()).pathname, '/checkout/contact');
    await page.getByText('You are logged in').waitFor();
    assert.equal(await page.getByLabel('City').inputValue(), 'Dunkerque', 'filled in from the account');
    await submit(page, page.getByRole('button', { name: 'Continue' }));
    assert.equal(new URL(page.url()).pathname, '/checkout/confirm');
    await confirmAndPay(page);

    // The renewal is a product of its own, starting now; both are renewable. In French the button says so too.
    await visit(page, '/account');
    assert.equal(await page.locator('table.products tbody tr', { hasText: 'A51-11237-R' }).count(), 2);
    await submit(page, page.getByRole('link', { name: 'Français' }));
    assert.equal(await page.getByRole('button', { name: 'Renouveler' }).count(), 2);
  } finally {
    await context.close();
  }
});

test('the account page downloads everything held, and erasing the account ends the login and frees the email', async () => {
  const email = uniqueEmail('erased');
  const password = 'my data, my choice';
  const { context, page } = await openPage(browser, '4-privacy', { acceptDownloads: true });
  try {
    await buyAsGuest(page, contactFor(email, { firstname: 'Anaïs', city: 'Rennes' }), ['A51-11236-F']);
    await setPassword(page, email, password);
    await logIn(page, email, password);

    // "Download my data": a JSON file with the account, its bill and the timeline's export entry.
    const section = page.locator('section[aria-labelledby="privacy-title"]');
    await section.scrollIntoViewIfNeeded();
    await page.shot();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('link', { name: 'Download my data' }).click(),
    ]);
    const file = await download.path();
    const data = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8'));
    assert.equal(data.user.email, email);
    assert.equal(data.customer.contact.city, 'Rennes');
    assert.equal(data.bills.length, 1);
    assert.ok(data.events.some((e) => e.kind === 'exported'));

    // A wrong password is refused on its field, and nothing is erased.
    await section.getByLabel('Current password').fill('not my password');
    await submit(page, section.getByRole('button', { name: 'Erase my account' }));
    await page.getByText('is not your current password').waitFor();

    // The right one: the login ends, the page says so, and the login no longer works.
    const again = page.locator('section[aria-labelledby="privacy-title"]');
    await again.getByLabel('Current password').fill(password);
    await submit(page, again.getByRole('button', { name: 'Erase my account' }));
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.getByText('Your account is erased.').waitFor();
    await visit(page, '/account');
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password').fill(password);
    await submit(page, page.locator('main').getByRole('button', { name: 'Log in' }));
    assert.equal(new URL(page.url()).pathname, '/login', 'the erased login is refused');

    // The email is free: a new purchase with it starts a new account.
    await buyAsGuest(page, contactFor(email, { city: 'Brest' }), ['A51-11236-F']);
    await page.locator('#invoice-title').waitFor();
  } finally {
    await context.close();
  }
});
