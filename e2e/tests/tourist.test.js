// A tourist cancels a T2 number online, in Chinese, on a phone-sized screen: the document, a
// refund to a bank account, the final bill, submission; the review happens (through the API,
// as a reviewer would); the tourist sees the frozen number and the certificate, then revokes.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PHONE, api, jpeg, launch, openPage, signIn, startServer } from '../lib/harness.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a tourist cancels online in Chinese on a phone, with a refund, and later revokes', async () => {
  const p = await openPage(browser, { base: server.base, viewport: PHONE, locale: 'zh-CN', name: 'tourist' });
  const { page } = p;
  await page.goto('/');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh', 'the first visit follows Accept-Language');
  await p.screenshot('home');

  await signIn(page, 'tourist@demo');
  assert.equal(new URL(page.url()).pathname, '/my');
  const card = page.locator('article').filter({ hasText: 'T2' }).filter({ hasText: 'Roaming pack' });
  assert.match(await card.innerText(), /300\.00/);
  await p.screenshot('my-lines');
  await card.getByRole('link', { name: '注销此号码' }).click();

  assert.match(await page.locator('main').innerText(), /此合同可以在线解约/);
  assert.match(await page.locator('main').innerText(), /护照/, 'the checklist names the passport');
  await p.screenshot('cancel');
  await page.getByRole('button', { name: '开始申请' }).click();
  assert.match(page.url(), /\/my\/requests\/\d+$/);
  const requestId = page.url().split('/').pop();

  // The passport scan.
  await page.setInputFiles('#file-passport', { name: 'passport.jpg', mimeType: 'image/jpeg', buffer: await jpeg(browser) });
  await page.locator('form', { has: page.locator('#file-passport') }).getByRole('button', { name: '上传' }).click();
  assert.match(await page.locator('main').innerText(), /已上传: passport\.jpg/);

  // A refund: a wrong account first — the error stands next to the field, the typed values stay.
  await page.check('input[name=option][value=refund]');
  await page.fill('#name', 'Li Ming');
  await page.fill('#bik', '044525225');
  await page.fill('#account', '40817810938160925983');
  p.expect(`/my/requests/${requestId}/settlement`, 422);
  await page.getByRole('button', { name: '保存' }).click();
  assert.match(await page.locator('#account-error').innerText(), /账号与该 BIK 不匹配/);
  assert.equal(await page.inputValue('#name'), 'Li Ming', 'what was typed is kept');
  await p.screenshot('settlement-error');
  await page.fill('#account', '40817810938160925982');
  await page.getByRole('button', { name: '保存' }).click();
  assert.match(await page.locator('.notice').innerText(), /已保存/);
  assert.match(await page.locator('main').innerText(), /最终账单/, 'the final bill preview is shown');
  await p.screenshot('ready');

  await page.getByRole('button', { name: '提交申请' }).click();
  assert.match(await page.locator('main').innerText(), /审核中/);
  assert.match(await page.locator('main').innerText(), /审核截止/, 'the review deadline is shown');
  await p.screenshot('submitted');

  // The T2 reviewer approves and completes it.
  const a = api(server.base);
  const reviewer = await a.login('reviewer.t2@demo');
  await a.post(`/api/v1/terminations/${requestId}/approve`, reviewer);
  await a.post(`/api/v1/terminations/${requestId}/complete`, reviewer);

  await page.reload();
  const done = await page.locator('main').innerText();
  assert.match(done, /已解约，号码冻结中/);
  assert.match(done, /号码冻结至 \d{4}-\d{2}-\d{2}/);
  assert.match(done, /解约后的事项/, 'the checklist for afterwards');
  const pdf = await page.request.get(await page.getByRole('link', { name: '下载 PDF' }).getAttribute('href'));
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  await p.screenshot('completed');

  await page.getByRole('button', { name: '撤销解约' }).click();
  assert.match(await page.locator('.notice').innerText(), /解约已撤销/);
  assert.match(await page.locator('main').innerText(), /解约已撤销/);
  await p.screenshot('revoked');
  await page.goto('/my');
  assert.match(await page.locator('main').innerText(), /使用中/, 'the line is active again');
  p.check();
  await p.close();
});
