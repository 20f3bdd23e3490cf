// The harness of the browser journeys: a simexit server with the demo data and the dev clock
// on loopback (a fresh data folder each), Debian's Chromium through playwright-core, pages that
// fail the test on any console error, page error or failed request, and screenshots saved to
// e2e/artifacts/ for CI to keep.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = resolve(here, '..', 'artifacts');
const BIN = process.env.SIMEXIT_BIN || resolve(here, '..', '..', 'target', 'debug', 'simexit');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Starts `simexit serve --demo --dev-clock` in a new data folder; resolves when it answers. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'simexit-e2e-'));
  const port = await freePort();
  const child = spawn(BIN, ['serve', '--demo', '--dev-clock', '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    env: { ...process.env, SIMEXIT_LOG__FILTER: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`simexit exited: ${stderr}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`simexit did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * A page in a new browser context whose problems are collected: console errors, uncaught
 * page errors, failed requests and responses with an error status (except those the test
 * expects, by URL substring). `check()` throws if any happened.
 */
export async function openPage(browser, { base, viewport = DESKTOP, locale = 'ru-RU', name }) {
  const context = await browser.newContext({ baseURL: base, viewport, locale, extraHTTPHeaders: { 'Accept-Language': locale } });
  const page = await context.newPage();
  const problems = [];
  const expected = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected.some((e) => m.text().includes(e.status))) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A download the browser hands to its download manager is reported as aborted.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !expected.some((e) => r.url().includes(e.url))) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  let shot = 0;
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    page,
    context,
    /** Lets a response with an error status through (a form shown again with its errors). */
    expect(url, status) { expected.push({ url, status: String(status) }); },
    async screenshot(step) {
      shot += 1;
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${String(shot).padStart(2, '0')}-${step}.png`), fullPage: true });
    },
    check() {
      if (problems.length) throw new Error(`${name}: ${problems.join('\n')}`);
    },
    async close() { await context.close(); },
  };
}

/** Signs in through the sign-in page. */
export async function signIn(page, login, password = 'demo') {
  await page.goto('/login');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('main form[action="/login"] button[type=submit]')]);
}

/** The JSON API, for what a journey needs to happen around it (another person's part). */
export function api(base) {
  const call = async (method, path, token, body) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    login: async (login) => (await call('POST', '/api/v1/auth/login', null, { login, password: 'demo' })).token,
    get: (path, token) => call('GET', path, token),
    post: (path, token, body = {}) => call('POST', path, token, body),
    /** Moves the service's clock and runs what became due. */
    advanceDays: (days) => call('POST', '/api/v1/dev/clock', null, { advance_days: days }),
    async upload(token, requestId, kind, jpeg) {
      const form = new FormData();
      form.append('kind', kind);
      form.append('file', new Blob([jpeg], { type: 'image/jpeg' }), `${kind}.jpg`);
      return call('POST', `/api/v1/terminations/${requestId}/documents`, token, form);
    },
  };
}

/** A real JPEG (a screenshot of a blank page), for uploads. */
export async function jpeg(browser) {
  const page = await browser.newPage({ viewport: { width: 320, height: 200 } });
  await page.setContent('<p style="font:24px sans-serif">Passport scan</p>');
  const bytes = await page.screenshot({ type: 'jpeg', quality: 80 });
  await page.close();
  return bytes;
}
