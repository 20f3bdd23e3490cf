// An admin watches the dashboard: its charts change when requests are filed and completed.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DESKTOP, api, jpeg, launch, openPage, signIn, startServer } from '../lib/harness.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

/** The bars of a chart: label → count. */
async function bars(page, id) {
  return page.locator(`figure:has(#${id}) table tr`).evaluateAll((rows) =>
    Object.fromEntries(rows.map((r) => [r.querySelector('th').textContent, Number(r.querySelector('td').textContent)])));
}

test('an admin sees the dashboard charts change', async () => {
  const p = await openPage(browser, { base: server.base, viewport: DESKTOP, locale: 'en-US', name: 'admin' });
  const { page } = p;
  await signIn(page, 'admin@demo');
  assert.equal(new URL(page.url()).pathname, '/admin');
  const before = Number(await page.locator('#total-requests').innerText());
  const statesBefore = await bars(page, 'chart-states');
  await p.screenshot('before');

  const a = api(server.base);
  const tourist = await a.login('tourist@demo');
  const reviewer = await a.login('reviewer.t2@demo');
  const scan = await jpeg(browser);
  const t2 = (await a.get('/api/v1/me/lines', tourist)).filter((l) => l.operator === 't2');
  for (const line of t2) {
    const r = await a.post('/api/v1/terminations', tourist, { line_id: line.id, channel: 'online' });
    await a.upload(tourist, r.id, 'passport', scan);
    await a.post(`/api/v1/terminations/${r.id}/submit`, tourist);
    await a.post(`/api/v1/terminations/${r.id}/approve`, reviewer);
    await a.post(`/api/v1/terminations/${r.id}/complete`, reviewer);
  }

  await page.reload();
  const after = Number(await page.locator('#total-requests').innerText());
  assert.equal(after, before + t2.length);
  const states = await bars(page, 'chart-states');
  assert.equal((states['cancelled, number frozen'] ?? 0) - (statesBefore['cancelled, number frozen'] ?? 0), t2.length);
  const aging = await bars(page, 'chart-aging');
  assert.equal(Object.values(aging).reduce((x, y) => x + y, 0), t2.length, 'the numbers in aging by release date');
  assert.ok(await page.locator('#chart-states ~ svg rect, figure:has(#chart-states) svg rect').count() > 0, 'drawn as SVG');
  await p.screenshot('after');

  for (const [path, heading] of [['/admin/policies', 'Operator policies'], ['/admin/staff', 'Staff'], ['/admin/outbox', 'Notifications outbox'], ['/admin/audit', 'Audit log']]) {
    await page.goto(path);
    assert.equal(await page.locator('h1').innerText(), heading);
  }
  assert.match(await page.locator('main').innerText(), /complete/, 'the audit log lists the completions');
  await p.screenshot('audit');
  p.check();
  await p.close();
});
