// tests/e2e/lib/browser.mjs — Debian's chromium driven by playwright-core, with
// console errors and CSP violations collected so a test can assert there were none.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SHOTS = path.resolve(here, '../screenshots');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.LC_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-dev-shm-usage', '--disable-quic'],
  });
}

export async function newPage(browser, base, { viewport = { width: 1280, height: 860 }, ...opts } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, ...opts });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('requestfailed', (r) => {
    const u = r.url();
    if (!u.startsWith(base) && !u.startsWith('http://127.0.0.1')) page.errors.push(`external fetch: ${u}`);
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(base) && !u.startsWith('http://127.0.0.1') && !u.startsWith('blob:') && !u.startsWith('data:')) page.errors.push(`external fetch: ${u}`);
  });
  return page;
}

// Errors that are not about our page: 4xx/5xx answers the app handles are logged
// by chromium as "Failed to load resource"; keep them out of the assertion.
export function realErrors(page) {
  return page.errors.filter((e) => !/Failed to load resource/.test(e));
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// Does the running server implement this route yet? (405/401/400/… mean yes.)
export async function hasRoute(base, method, p) {
  const r = await fetch(base + p, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
  if (r.status !== 404) return true;
  const t = await r.text();
  return !/no such resource|no route|not found/i.test(t) ? true : false;
}
