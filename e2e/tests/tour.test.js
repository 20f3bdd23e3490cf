// Every page, for each person it is for, in Russian, English and Chinese, at phone and desktop
// sizes: the page speaks the language asked for (its heading has no untranslated English), fits
// the phone's width without sideways scrolling, and the keyboard reaches the skip link first.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DESKTOP, PHONE, launch, openPage, signIn, startServer } from '../lib/harness.js';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

const PAGES = [
  [null, ['/', '/stores', '/certificates', '/login', '/password-reset']],
  ['tourist@demo', ['/my', 'each cancel link of /my']],
  ['reviewer@demo', ['/staff/queue']],
  ['clerk@demo', ['/staff/store', '/staff/store?msisdn=%2B79251000001']],
  ['admin@demo', ['/admin', '/admin/policies', '/admin/staff', '/admin/outbox', '/admin/audit']],
];

const SCRIPT = { ru: /[А-Яа-яЁё]/, zh: /[\u4e00-\u9fff]/, en: /[A-Za-z]/ };

for (const [lang, locale] of [['ru', 'ru-RU'], ['en', 'en-US'], ['zh', 'zh-CN']]) {
  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    test(`every page in ${lang} on a ${size}`, async () => {
      for (const [who, paths] of PAGES) {
        const p = await openPage(browser, { base: server.base, viewport, locale, name: `tour-${lang}-${size}-${who ?? 'public'}` });
        const { page } = p;
        if (who) await signIn(page, who);
        const visit = [];
        for (const path of paths) {
          if (path === 'each cancel link of /my') {
            await page.goto('/my');
            visit.push(...await page.locator('a[href$="/cancel"]').evaluateAll((as) => as.map((a) => a.getAttribute('href'))));
            assert.ok(visit.length >= 3, 'the tourist has three lines to cancel');
          } else {
            visit.push(path);
          }
        }
        for (const path of visit) {
          await page.goto(path);
          assert.equal(await page.getAttribute('html', 'lang'), lang, `${path} follows Accept-Language`);
          const h1 = await page.locator('h1').innerText();
          assert.match(h1, SCRIPT[lang], `${path}: the heading "${h1}" is in ${lang}`);
          const nav = await page.locator('header nav').innerText();
          assert.match(nav, SCRIPT[lang], `${path}: the navigation is in ${lang}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px on a ${size}`);
          await p.screenshot(path.replace(/[^a-z0-9]+/gi, '_'));
        }
        p.check();
        await p.close();
      }
    });
  }
}

test('the keyboard reaches the skip link first and every control has a label', async () => {
  const p = await openPage(browser, { base: server.base, viewport: DESKTOP, locale: 'en-US', name: 'keyboard' });
  const { page } = p;
  await page.goto('/login');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await signIn(page, 'tourist@demo');
  await page.goto('/my');
  const cancel = await page.locator('a[href$="/cancel"]').first().getAttribute('href');
  for (const path of ['/login', '/stores', '/my', cancel]) {
    await page.goto(path);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map((el) => el.outerHTML));
    assert.deepEqual(unlabelled, [], `${path}: controls without a label`);
  }
  p.check();
  await p.close();
});
