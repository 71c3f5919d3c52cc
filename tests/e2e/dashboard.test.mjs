// The admins' dashboard in a real browser: the token form, the pass cookie, live figures and charts that follow a
// purchase made meanwhile, the customer search and timeline, a phone-width view, sign-out, and no console error
// (a Content-Security-Policy violation is one).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buyAsGuest, contactFor, launch, openPage, uniqueEmail } from './helpers.mjs';

const admin = process.env.BOUTIQUE_ADMIN_URL;
const token = process.env.BOUTIQUE_ADMIN_TOKEN;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Collects console errors, uncaught exceptions and failed responses of `page` (but the browser's own favicon
/// request, which the management listener answers 404).
function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico')
      errors.push(`${r.request().method()} ${new URL(r.url()).pathname}: ${r.status()}`);
  });
  return errors;
}

async function signIn(page, given) {
  await page.getByLabel('Admin token').fill(given);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.shot();
}

/// Waits (bounded) until the tile `#id` shows at least `least`.
async function tileReaches(page, id, least, timeout = 20000) {
  await page.waitForFunction(
    ([tile, min]) => Number((document.getElementById(tile)?.textContent || '').replace(/,/g, '')) >= min,
    [id, least], { timeout });
}

test('an admin signs in with the token and watches a purchase arrive', async () => {
  assert.ok(admin && token, 'BOUTIQUE_ADMIN_URL and BOUTIQUE_ADMIN_TOKEN are set by run.sh');
  const { context, page } = await openPage(browser, '6-dashboard');
  const shopper = await openPage(browser, '6-dashboard-shopper');
  const errors = watchErrors(page);
  try {
    await page.goto(`${admin}/admin/dashboard`);
    await page.shot();
    await signIn(page, 'not-the-admin-token');
    assert.match(await page.getByRole('alert').innerText(), /not the admin token/);
    assert.equal((await context.cookies()).filter((c) => c.name === 'boutique_admin').length, 0);
    assert.deepEqual(errors.splice(0), ['POST /admin/dashboard: 401']);

    await signIn(page, token);
    assert.equal(new URL(page.url()).pathname, '/admin/dashboard');
    const pass = (await context.cookies()).find((c) => c.name === 'boutique_admin');
    assert.ok(pass, 'a pass cookie is set');
    assert.equal(pass.httpOnly, true);
    assert.equal(pass.sameSite, 'Strict');
    assert.equal(pass.path, '/admin');
    assert.ok(!pass.value.includes(token), 'the cookie holds a pass, not the token');
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the pass');
    await page.locator('#status').filter({ hasText: 'Updated' }).waitFor();
    const before = Number((await page.locator('#tile-checkouts').innerText()).replace(/,/g, ''));

    // A shopper buys meanwhile: the figures and the checkouts chart follow.
    const email = uniqueEmail('dashboard');
    await buyAsGuest(shopper.page, contactFor(email, { firstname: 'Dominique', lastname: 'Watcher' }), ['A51-11236-F']);
    await tileReaches(page, 'tile-checkouts', before + 1);
    await tileReaches(page, 'tile-sessions', 1);
    await page.locator('#chart-checkouts polyline[data-series="checkouts/s"]').waitFor({ timeout: 20000 });
    await page.locator('#chart-latency polyline[data-series="p95"]').waitFor({ timeout: 20000 });
    const commits = await page.locator('#chart-batches rect[data-commits]').evaluateAll(
      (bars) => bars.reduce((sum, b) => sum + Number(b.dataset.commits), 0));
    assert.ok(commits >= 1, `the batch chart counts the commits (${commits})`);
    assert.ok(await page.locator('#mailboxes tbody tr').count() >= 3, 'directories and storage mailboxes');
    await page.locator('#actors tbody tr', { hasText: 'session' }).first().waitFor({ timeout: 20000 });
    await page.shot();

    // The live state of a session actor.
    await page.locator('#actors tbody tr', { hasText: 'session' }).first().getByRole('button', { name: 'State' }).click();
    await page.locator('#actor-state').filter({ hasText: '"stage"' }).waitFor();

    // The customer search opens the customer with bills, products and the timeline.
    await page.getByLabel('Email prefix or name').fill(email);
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.locator('#customers tbody tr', { hasText: email });
    await row.waitFor();
    await row.getByRole('button', { name: 'Open' }).click();
    await page.locator('#customer-title').filter({ hasText: 'Dominique Watcher' }).waitFor();
    assert.equal(await page.locator('#customer-bills tbody tr').count(), 1);
    assert.match(await page.locator('#customer-bills tbody').innerText(), /COMPLETE/);
    // The paid bill's invoice, as a PDF, with the dashboard's pass (no token in the page).
    const invoice = page.locator('#customer-bills tbody a', { hasText: /^\d{4}-\d{6} \(PDF\)$/ });
    const pdf = await page.request.get(new URL(await invoice.getAttribute('href'), page.url()).href);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.match(await page.locator('#customer-products tbody').innerText(), /A51-11236-F|Formation/);
    assert.ok(await page.locator('#timeline li').count() >= 1, 'the timeline lists the customer events');
    await page.shot();

    // A name with markup is shown as text, never run.
    await page.getByLabel('Email prefix or name').fill('<img src=x onerror=alert(1)>');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#customers-note').filter({ hasText: 'No customer matches.' }).waitFor();

    // On a phone the page fits its width; the tables scroll inside their panels.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.shot();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow} px too wide)`);

    // Signing out ends the pass: the routes answer 401 again and the form is back. A poll in flight when the admin
    // signs out must not come back as a failed request: here one is held until the server has ended the pass (and
    // before the sign-out's answer reaches the page), then let go.
    let held;
    const inFlight = new Promise((resolve) => {
      page.route('**/admin/metrics', (route) => { held = route; resolve(); });
    });
    await inFlight;
    await page.route('**/admin/dashboard/logout', async (route) => {
      const signedOut = await route.fetch();
      await held.continue().catch(() => {});
      await page.waitForEvent('requestfinished', { predicate: (r) => r.url().endsWith('/admin/metrics'), timeout: 2000 })
        .catch(() => {});
      await route.fulfill({ response: signedOut });
    });
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign out' }).click()]);
    await page.unrouteAll();
    await page.shot();
    await page.getByLabel('Admin token').waitFor();
    assert.equal((await page.request.get(`${admin}/admin/metrics`)).status(), 401);
    assert.deepEqual(errors, [], 'no failed request, no console error (CSP violations included)');
  } finally {
    await shopper.context.close();
    await context.close();
  }
});
