// What a shopper stumbles on (issue "customer features", point 7), one scenario per fix: each would have failed
// before it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { base, launch, openPage, visit } from './helpers.mjs';

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
