// A MegaFon clerk completes an in-store cancellation for a subscriber found by number, prints
// the application form and downloads the certificate.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, DESKTOP, api, jpeg, launch, openPage, signIn, startServer } from '../lib/harness.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a clerk completes an in-store MegaFon cancellation and downloads the certificate', async () => {
  const a = api(server.base);
  const tourist = await a.login('tourist@demo');
  const lines = await a.get('/api/v1/me/lines', tourist);
  const megafon = lines.find((l) => l.operator === 'megafon');

  const p = await openPage(browser, { base: server.base, viewport: DESKTOP, locale: 'ru-RU', name: 'clerk' });
  const { page } = p;
  await signIn(page, 'clerk@demo');
  assert.equal(new URL(page.url()).pathname, '/staff/store');
  assert.match(await page.locator('main').innerText(), /Тверская|Tverskaya|МегаФон/i);
  await p.screenshot('console');

  await page.fill('#msisdn', megafon.msisdn);
  await page.getByRole('button', { name: 'Найти' }).click();
  assert.match(await page.locator('main').innerText(), /李明/, 'the holder is shown');
  await p.screenshot('found');
  await page.getByRole('button', { name: 'Оформить заявление в салоне' }).click();
  assert.match(page.url(), /\/staff\/requests\/\d+$/);
  const id = page.url().split('/').pop();

  // A scan of the passport for the file, then the application form to sign.
  await page.setInputFiles('#file-passport', { name: 'passport.jpg', mimeType: 'image/jpeg', buffer: await jpeg(browser) });
  await page.getByRole('button', { name: 'Загрузить' }).click();
  assert.match(await page.locator('main').innerText(), /passport\.jpg/);
  const form = await page.request.get(await page.getByRole('link', { name: 'Печать заявления' }).getAttribute('href'));
  assert.equal(form.headers()['content-type'], 'application/pdf');
  await page.getByRole('button', { name: 'Подлинник проверен' }).click();
  await p.screenshot('application');

  for (const step of ['Отправить заявку', 'Одобрить', 'Завершить расторжение']) {
    await page.getByRole('button', { name: step }).click();
    assert.doesNotMatch(await page.locator('main').innerText(), /Что-то пошло не так/);
  }
  assert.match(await page.locator('main').innerText(), /расторгнут, номер заморожен/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Печать справки' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^MEGAFON-\d{4}(-[0-9A-Z]{4}){4}-ru\.pdf$/);
  const saved = join(ARTIFACTS, 'clerk-certificate.pdf');
  await download.saveAs(saved);
  assert.equal(readFileSync(saved).subarray(0, 5).toString(), '%PDF-', 'a PDF');
  await p.screenshot('completed');

  const done = await a.get(`/api/v1/terminations/${id}`, tourist);
  assert.equal(done.state, 'completed');
  assert.equal(done.channel, 'store');
  await page.goto('/staff/store');
  assert.match(await page.locator('main').innerText(), new RegExp(`#${id}`), "the store's queue lists it");
  p.check();
  await p.close();
});
