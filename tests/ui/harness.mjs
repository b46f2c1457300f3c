// harness.mjs: what the browser tests share. The real `kijun serve` (started by the API
// tests' harness) on loopback, Debian's Chromium driven by playwright-core, axe-core for
// accessibility, and screenshots written as artifacts.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { kijunOk } from '../api/harness.mjs';

export { startServer, freshSqlite, kijunOk, Client, backends } from '../api/harness.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Where screenshots go: KIJUN_UI_ARTIFACTS, else a folder under the temporary directory. */
export const ARTIFACTS = process.env.KIJUN_UI_ARTIFACTS || join(tmpdir(), 'kijun-ui-artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

/** The full demo (`kijun init --demo`) and its accounts: {name: {role, org, password}}. */
export function fullDemo(dsn) {
  const out = JSON.parse(kijunOk(dsn, ['init', '--demo', '--json']).stdout);
  const accounts = {};
  for (const a of out.accounts) accounts[a.name] = a;
  return accounts;
}

/** Chromium, headless: KIJUN_CHROMIUM or /usr/bin/chromium (no sandbox when root). */
export async function launch() {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({
    executablePath: process.env.KIJUN_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: root ? ['--no-sandbox'] : [],
  });
}

/**
 * A fresh browser context and page. Records every dialog (alert, confirm: none may open
 * by itself), every page error and every console error (a CSP violation is one):
 * page.problems lists them.
 */
export async function newPage(browser, base, { locale = 'ja-JP' } = {}) {
  const context = await browser.newContext({ baseURL: base, locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  page.on('dialog', async (d) => { page.problems.push(`dialog ${d.type()}: ${d.message()}`); await d.dismiss(); });
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  return page;
}

/** No dialog, page error or console error happened since the last check (expected ones
 * filtered by allow). */
export function assertNoProblems(page, allow = []) {
  const left = page.problems.filter((p) => !allow.some((re) => re.test(p)));
  page.problems = [];
  assert.deepEqual(left, [], 'the page had no errors, dialogs or CSP violations');
}

/** Logs in through the login page and waits for the start page. */
export async function login(page, name, password) {
  await page.goto('/#/login');
  await page.getByLabel(/ユーザー名|User name/).fill(name);
  await page.getByLabel(/^(パスワード|Password)$/).fill(password);
  await page.getByLabel(/^(パスワード|Password)$/).press('Enter');
  await page.waitForFunction(() => location.hash === '#/' || (location.hash && !location.hash.startsWith('#/login')));
  await page.locator('h1').first().waitFor();
}

/** Waits until the router has drawn the page of the current address. */
export async function settled(page) {
  await page.waitForFunction(() => document.body.dataset.route === location.hash
    && !document.getElementById('main').hasAttribute('aria-busy'));
}

/** Writes a full-page screenshot NAME.png into ARTIFACTS. */
export async function screenshot(page, name) {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page and fails on any serious or
 * critical violation. axe is evaluated through the debugging protocol, which the page's
 * Content-Security-Policy does not govern, so the policy stays as strict as served.
 */
export async function checkA11y(page, label) {
  await page.evaluate(`${AXE}\n;0`);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n  ')}`);
  assert.deepEqual(text, [], `${label}: no serious or critical accessibility violations`);
  return result.violations.length;
}
