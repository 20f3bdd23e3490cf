// A reviewer works the queue ordered by deadline: opens a request, looks at its documents,
// rejects it with a reason; approves another. The subscriber sees both outcomes.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DESKTOP, api, jpeg, launch, openPage, signIn, startServer } from '../lib/harness.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a reviewer rejects one request and approves another', async () => {
  const a = api(server.base);
  const resident = await a.login('resident@demo');
  const scan = await jpeg(browser);
  const mts = (await a.get('/api/v1/me/lines', resident)).filter((l) => l.operator === 'mts');
  const ids = [];
  for (const line of mts.slice(0, 2)) {
    const r = await a.post('/api/v1/terminations', resident, { line_id: line.id, channel: 'online' });
    await a.upload(resident, r.id, 'passport', scan);
    await a.upload(resident, r.id, 'address_proof', scan);
    await a.post(`/api/v1/terminations/${r.id}/submit`, resident);
    ids.push(r.id);
    await a.advanceDays(1); // the second one's deadline is a day later
  }

  const p = await openPage(browser, { base: server.base, viewport: DESKTOP, locale: 'en-GB', name: 'reviewer' });
  const { page } = p;
  await signIn(page, 'reviewer@demo');
  assert.equal(new URL(page.url()).pathname, '/staff/queue');
  const rows = await page.locator('tbody tr td:first-child').allInnerTexts();
  assert.deepEqual(rows, ids.map((id) => `#${id}`), 'ordered by review deadline');
  await p.screenshot('queue');

  await page.getByRole('link', { name: `#${ids[0]}` }).click();
  assert.equal(await page.locator('img.viewer').count(), 2, 'the documents are shown');
  await page.waitForFunction(() => [...document.querySelectorAll('img.viewer')].every((i) => i.complete && i.naturalWidth > 0));
  await p.screenshot('documents');
  // Rejecting needs a reason; the browser keeps the form until one is given.
  await page.fill('#reason-reject', 'The address proof is older than three months.');
  await page.getByRole('button', { name: 'Reject' }).click();
  assert.match(await page.locator('main').innerText(), /Status\s+rejected/);
  await p.screenshot('rejected');

  await page.goto('/staff/queue');
  await page.getByRole('link', { name: `#${ids[1]}` }).click();
  await page.getByRole('button', { name: 'Approve' }).click();
  assert.match(await page.locator('main').innerText(), /Status\s+approved/);
  await page.goto('/staff/queue');
  assert.match(await page.locator('main').innerText(), /The queue is empty/);
  await p.screenshot('queue-empty');

  const first = await a.get(`/api/v1/terminations/${ids[0]}`, resident);
  assert.equal(first.state, 'rejected');
  assert.equal(first.note, 'The address proof is older than three months.');
  assert.equal((await a.get(`/api/v1/terminations/${ids[1]}`, resident)).state, 'approved');

  // The subscriber reads the reason on the status page, in Russian.
  const s = await openPage(browser, { base: server.base, viewport: DESKTOP, locale: 'ru-RU', name: 'reviewer-subscriber' });
  await signIn(s.page, 'resident@demo');
  await s.page.goto(`/my/requests/${ids[0]}`);
  assert.match(await s.page.locator('main').innerText(), /Заявка отклонена\. Причина: The address proof is older/);
  await s.screenshot('rejection-seen');
  s.check();
  p.check();
  await s.close();
  await p.close();
});
