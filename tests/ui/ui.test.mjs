// ui.test.mjs: the web interface in a real browser (Debian's Chromium through
// playwright-core) against the real `kijun serve` on loopback with the full demo: serving
// and its policy, login and its errors, a staff member answering a checklist by keyboard,
// the centre seeing the organisation's numbers move on the dashboard, submission with
// confirmation, the language switch remembered per user, hostile names shown as text, and
// axe-core on every screen. On SQLite, and on PostgreSQL when the run has one (as the API
// tests). Screenshots go to ARTIFACTS (printed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS, Client, assertNoProblems, backends, checkA11y, fullDemo, launch, login, newPage, screenshot,
  settled, startServer,
} from './harness.mjs';

const SRC = process.env.KIJUN_SOURCE_DIR || '.';
// The login page asks for the session first and gets 401: the browser logs that.
const EXPECTED = [/status of 401 \(Unauthorized\)/];
const HOSTILE = '<img src=x onerror=alert(1)>"\'&amp;\u202Eevil<script>alert(2)</script>';

/** The score cell of org code in the dashboard's heatmap, as a number. */
async function heatScore(page, code) {
  const row = page.locator('#heatmap tbody tr', { has: page.locator(`span.reqno:text-is("${code}")`) });
  return Number((await row.locator('td').first().innerText()).replace(/,/g, ''));
}

for (const be of backends('ui')) test(`the web interface in Chromium (${be.label})`, async (t) => {
  const dsn = be.dsn();
  const accounts = fullDemo(dsn);
  const srv = await startServer(dsn);
  const browser = await launch();
  console.log(`# screenshots: ${ARTIFACTS}`);
  try {
    await t.test('the page and its files come from the binary under a strict policy', async () => {
      let size = 0;
      for (const f of readdirSync(join(SRC, 'web'))) {
        if (/\.(js|css)$/.test(f)) size += statSync(join(SRC, 'web', f)).size;
      }
      console.log(`# web/ JavaScript and CSS: ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
      assert.ok(size < 200 * 1024, 'the page\'s own JavaScript and CSS stay under 200 KB');
      // Text reaches the page only through textContent: no HTML parsing of strings anywhere.
      for (const f of readdirSync(join(SRC, 'web')).filter((x) => x.endsWith('.js'))) {
        const src = readFileSync(join(SRC, 'web', f), 'utf8');
        assert.ok(!/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/.test(src), `${f} parses no HTML or code`);
      }

      const r = await fetch(`${srv.url}/`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
      const csp = r.headers.get('content-security-policy');
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /style-src 'self'(;|$)/);
      assert.ok(!/unsafe-inline|unsafe-eval|\*/.test(csp), csp);
      assert.match(csp, /frame-ancestors 'none'/);
      const html = await r.text();
      assert.ok(!/<script(?![^>]*\ssrc=)/.test(html), 'no inline script in the page');
      assert.ok(!/\sstyle=|<style/.test(html), 'no inline style in the page');
      const etag = r.headers.get('etag');
      assert.match(etag, /^"[0-9a-f]{32}"$/);
      assert.equal(r.headers.get('cache-control'), 'no-cache');
      const again = await fetch(`${srv.url}/`, { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
      const js = await fetch(`${srv.url}/static/app.js`);
      assert.equal(js.status, 200);
      assert.match(js.headers.get('content-type'), /^text\/javascript/);
      assert.equal(js.headers.get('x-content-type-options'), 'nosniff');
      const css = await fetch(`${srv.url}/static/app.css`);
      assert.match(css.headers.get('content-type'), /^text\/css/);
      for (const p of ['/static/nothing.js', '/static/.hidden', '/static/%2e%2e/CMakeLists.txt', '/static/', '/other']) {
        const x = await fetch(`${srv.url}${p}`);
        assert.equal(x.status, 404, p);
        assert.equal((await x.json()).error, 'not_found', p);
      }
      const post = await fetch(`${srv.url}/`, { method: 'POST' });
      assert.equal(post.status, 404);
      // The API is as it was: JSON, no caching.
      const api = await fetch(`${srv.url}/api/v1/health`);
      assert.equal(api.headers.get('cache-control'), 'no-store');
      assert.equal((await fetch(`${srv.url}/api/v1/nothing`)).status, 404);
    });

    await t.test('login: a wrong password is shown beside the field; the right one opens the start page', async () => {
      const page = await newPage(browser, srv.url);
      await page.goto('/');
      await page.waitForFunction(() => location.hash === '#/login');
      await checkA11y(page, 'login');
      await screenshot(page, '01-login');
      // The name field has the focus; back through the header the keyboard reaches the skip
      // link, which moves to the content.
      assert.equal(await page.evaluate(() => document.activeElement.name), 'name');
      let presses = 0;
      while (presses < 5 && await page.evaluate(() => document.activeElement.className) !== 'skip') {
        await page.keyboard.press('Shift+Tab');
        presses++;
      }
      assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
      await page.getByLabel('ユーザー名').fill('mha-staff');
      await page.getByLabel('パスワード', { exact: true }).fill('wrong-password');
      await page.keyboard.press('Enter');
      const pw = page.getByLabel('パスワード', { exact: true });
      await assert.doesNotReject(page.locator('.field-error', { hasText: '正しくありません' }).waitFor());
      assert.equal(await pw.getAttribute('aria-invalid'), 'true');
      const described = await pw.getAttribute('aria-describedby');
      assert.match(await page.locator(`#${described}`).innerText(), /正しくありません/);
      await pw.fill(accounts['mha-staff'].password);
      await pw.press('Enter');
      await page.waitForFunction(() => location.hash === '#/');
      await settled(page);
      assert.equal(await page.locator('h1').innerText(), 'ホーム');
      // Staff see no dashboard in the menu; the pages they have are one click away.
      const nav = await page.locator('nav a').allInnerTexts();
      assert.deepEqual(nav, ['ホーム', '自己点検', '統一基準', 'パスワード変更']);
      await checkA11y(page, 'home');
      await screenshot(page, '02-home-staff');
      // Logging out ends the session on the server too.
      await page.locator('#logout').click();
      await page.waitForFunction(() => location.hash === '#/login');
      await page.locator('.notice.ok').waitFor();
      await page.goto('/#/checklists');
      await page.waitForFunction(() => location.hash === '#/login');
      // Every text exists in both languages.
      const missing = await page.evaluate(async () => {
        const { DICTIONARIES: d } = await import('/static/i18n.js');
        const ja = Object.keys(d.ja);
        const en = Object.keys(d.en);
        return [...ja.filter((k) => !en.includes(k)).map((k) => `en lacks ${k}`),
          ...en.filter((k) => !ja.includes(k)).map((k) => `ja lacks ${k}`)];
      });
      assert.deepEqual(missing, []);
      assertNoProblems(page, EXPECTED);
      await page.context().close();
    });

    const staff = await newPage(browser, srv.url);
    const centre = await newPage(browser, srv.url);
    let mhaBefore;

    await t.test('the centre sees the dashboard and the PDCA board', async () => {
      await login(centre, 'centre-admin', accounts['centre-admin'].password);
      const t0 = Date.now();
      await centre.goto('/#/dashboard?fy=2025');
      await centre.waitForFunction(() => document.body.dataset.ready === 'dashboard-2025');
      console.log(`# dashboard (demo, ${await centre.locator('#heatmap tbody tr').count()} organisations) usable after ${Date.now() - t0} ms`);
      mhaBefore = await heatScore(centre, 'MHA');
      assert.ok(mhaBefore > 0 && mhaBefore <= 100, `MHA scores ${mhaBefore}`);
      assert.equal(await centre.locator('#board-counts tbody tr').count(), 5);
      // The filter narrows the heatmap.
      await centre.getByLabel('組織名・コードで絞り込み').fill('MHA');
      assert.ok(await centre.locator('#heatmap tbody tr:visible').count() < 10);
      await centre.getByLabel('組織名・コードで絞り込み').fill('');
      await checkA11y(centre, 'dashboard');
      await screenshot(centre, '10-dashboard');
      await centre.locator('#heatmap a', { hasText: '内政省' }).first().click();
      await settled(centre);
      assert.match(await centre.locator('h1').innerText(), /内政省/);
      // Beside the evaluation: the policy against the standard and the supervised agencies.
      assert.match(await centre.locator('#org-policy').innerText(), /%/);
      assert.ok((await centre.locator('#org-supervised').innerText()).includes('AG01'));
      await checkA11y(centre, 'organisation');
      await screenshot(centre, '11-organisation');
      assertNoProblems(centre, EXPECTED);
    });

    let clUrl;
    await t.test('a staff member answers by keyboard; answers are saved as they go', async () => {
      await login(staff, 'mha-staff', accounts['mha-staff'].password);
      await staff.locator('nav a', { hasText: '自己点検' }).click();
      await settled(staff);
      await checkA11y(staff, 'checklists');
      await screenshot(staff, '20-checklists');
      await staff.locator('main a', { hasText: '令和7年度' }).click();
      await settled(staff);
      clUrl = staff.url();
      const q = staff.locator('fieldset.question');
      const total = await q.count();
      assert.ok(total >= 3);
      await q.nth(0).locator('input[type=radio]').first().focus();
      await staff.keyboard.press('1');
      await q.nth(0).locator('.save-status', { hasText: '保存しました' }).waitFor();
      // The focus moved on to the next question.
      assert.equal(await staff.evaluate(() => document.activeElement.closest('fieldset').dataset.requirement),
        await q.nth(1).getAttribute('data-requirement'));
      await staff.keyboard.press('3');
      await q.nth(1).locator('.save-status', { hasText: '保存しました' }).waitFor();
      // A comment with hostile text, saved on leaving the field.
      await q.nth(0).locator('textarea').fill(HOSTILE);
      await staff.keyboard.press('Tab');
      await q.nth(0).locator('.save-status', { hasText: '保存しました' }).waitFor();
      // Evidence: a PNG is taken and named in the answer; a program is refused beside its field.
      const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(64)]);
      await q.nth(0).locator('input[type=file]').setInputFiles({ name: 'proof.png', mimeType: 'image/png', buffer: png });
      await q.nth(0).locator('.evidence', { hasText: '証跡あり' }).waitFor();
      await q.nth(0).locator('.save-status', { hasText: '保存しました' }).waitFor();
      await q.nth(1).locator('input[type=file]').setInputFiles({ name: 'tool.exe', mimeType: 'application/octet-stream',
        buffer: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0xff, 0xfe]) });
      await q.nth(1).locator('.evidence.field-error').waitFor();
      await checkA11y(staff, 'checklist');
      await screenshot(staff, '21-checklist');

      await staff.reload();
      await settled(staff);
      assert.equal(await q.nth(0).locator('input[value=implemented]').isChecked(), true);
      assert.equal(await q.nth(1).locator('input[value=not_implemented]').isChecked(), true);
      assert.equal(await q.nth(2).locator('input:checked').count(), 0);
      assert.equal(await q.nth(0).locator('textarea').inputValue(), HOSTILE);
      assert.match(await q.nth(0).locator('.evidence').innerText(), /証跡あり [0-9a-f]{12}/);
      // The attached file opens again from its link, byte for byte.
      const href = await q.nth(0).locator('.evidence a').getAttribute('href');
      assert.match(href, /^\/api\/v1\/evidence\/[0-9a-f]{64}$/);
      const back = await staff.evaluate(async (u) => {
        const r = await fetch(u);
        return { status: r.status, type: r.headers.get('content-type'), bytes: Array.from(new Uint8Array(await r.arrayBuffer())) };
      }, href);
      assert.equal(back.status, 200);
      assert.equal(back.type, 'image/png');
      assert.deepEqual(back.bytes, Array.from(png));
      assert.equal(await q.nth(1).locator('.evidence').innerText(), '');
      assert.equal(await staff.locator('main img, main script').count(), 0);
      assert.match(await staff.locator('.progress').innerText(), new RegExp(`2 / ${total}`));
      assertNoProblems(staff, [...EXPECTED, /status of 400 \(Bad Request\)/]);
    });

    await t.test('every answer given moves the organisation on the centre\'s dashboard', async () => {
      const q = staff.locator('fieldset.question');
      const total = await q.count();
      await q.nth(2).locator('input[type=radio]').first().focus();
      for (let i = 2; i < total; i++) await staff.keyboard.press('3');
      // The first two were answered before the reload: the rest say they are saved.
      await staff.waitForFunction((n) => document.querySelectorAll('.save-status.ok').length === n, total - 2);
      assert.match(await staff.locator('.progress').innerText(), new RegExp(`${total} / ${total}`));
      await centre.goto('/#/dashboard?fy=2024');
      await centre.waitForFunction(() => document.body.dataset.ready === 'dashboard-2024');
      await centre.goto('/#/dashboard?fy=2025');
      await centre.waitForFunction(() => document.body.dataset.ready === 'dashboard-2025');
      const after = await heatScore(centre, 'MHA');
      assert.ok(after < mhaBefore, `MHA fell from ${mhaBefore} to ${after}`);
      console.log(`# MHA on the dashboard: ${mhaBefore} before the answers, ${after} after`);
    });

    await t.test('submitting asks first; cancelling leaves the checklist open', async () => {
      await staff.locator('#submit').click();
      const dialog = staff.locator('dialog[open]');
      await dialog.waitFor();
      await checkA11y(staff, 'submit dialog');
      await screenshot(staff, '22-submit-confirm');
      await staff.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' }).catch(() => {});
      assert.equal(await staff.locator('dialog[open]').count(), 0);
      assert.equal(await staff.locator('#cl-status').innerText(), '回答中');
      await staff.locator('#submit').click();
      await staff.locator('#submit-confirm').click();
      await staff.locator('.notice.ok').waitFor();
      assert.equal(await staff.locator('#cl-status').innerText(), '提出済み');
      assert.equal(await staff.locator('fieldset.question input[type=radio]:not([disabled])').count(), 0);
      await staff.goto(clUrl);
      await staff.reload();
      await settled(staff);
      assert.equal(await staff.locator('#cl-status').innerText(), '提出済み');
      assertNoProblems(staff, EXPECTED);
    });

    await t.test('the language switch is remembered per user across reloads', async () => {
      await staff.locator('#lang-switch').click();
      await staff.locator('#cl-status', { hasText: 'submitted' }).waitFor();
      assert.equal(await staff.evaluate(() => document.documentElement.lang), 'en');
      assert.equal(await staff.evaluate(() => document.activeElement.id), 'lang-switch');
      await staff.reload();
      await settled(staff);
      assert.equal(await staff.evaluate(() => document.documentElement.lang), 'en');
      assert.match(await staff.locator('nav').innerText(), /Self-inspection/);
      await checkA11y(staff, 'checklist (English)');
      await screenshot(staff, '23-checklist-en');
      // Another user on the same browser keeps their own choice.
      await staff.locator('#logout').click();
      await staff.waitForFunction(() => location.hash === '#/login');
      await login(staff, 'mha-ciso', accounts['mha-ciso'].password);
      assert.equal(await staff.evaluate(() => document.documentElement.lang), 'en', 'the browser\'s last choice');
      await staff.locator('#lang-switch').click();
      await staff.waitForFunction(() => document.documentElement.lang === 'ja');
      await staff.locator('#logout').click();
      await staff.waitForFunction(() => location.hash === '#/login');
      await login(staff, 'mha-staff', accounts['mha-staff'].password);
      await settled(staff);
      assert.equal(await staff.evaluate(() => document.documentElement.lang), 'en', 'mha-staff chose English');
      assert.equal(await staff.locator('h1').innerText(), 'Home');
      assertNoProblems(staff, EXPECTED);
    });

    await t.test('password change: errors beside the field, then a change that holds', async () => {
      await staff.locator('nav a', { hasText: 'Change password' }).click();
      await settled(staff);
      await staff.getByLabel('Current password').fill('not-my-password');
      await staff.getByLabel('New password', { exact: true }).fill('a-new-long-password-1');
      await staff.getByLabel('New password again').fill('a-new-long-password-2');
      await staff.getByRole('button', { name: 'Change' }).click();
      assert.match(await staff.locator('.field-error', { hasText: 'differ' }).innerText(), /differ/);
      assert.equal(await staff.getByLabel('New password again').getAttribute('aria-invalid'), 'true');
      await staff.getByLabel('New password again').fill('a-new-long-password-1');
      await staff.getByRole('button', { name: 'Change' }).click();
      await staff.locator('.field-error', { hasText: 'current password' }).waitFor();
      assert.equal(await staff.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
      await staff.getByLabel('Current password').fill(accounts['mha-staff'].password);
      await staff.getByLabel('New password', { exact: true }).fill('short');
      await staff.getByLabel('New password again').fill('short');
      await staff.getByRole('button', { name: 'Change' }).click();
      await staff.locator('.field-error', { hasText: 'password: at least' }).waitFor();
      assert.equal(await staff.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'), 'true');
      await checkA11y(staff, 'password');
      await screenshot(staff, '30-password-errors');
      await staff.getByLabel('New password', { exact: true }).fill('a-new-long-password-1');
      await staff.getByLabel('New password again').fill('a-new-long-password-1');
      await staff.getByRole('button', { name: 'Change' }).click();
      await staff.locator('.notice.ok').waitFor();
      const c = new Client(srv.url);
      assert.equal((await c.login('mha-staff', 'a-new-long-password-1')).status, 200);
      assertNoProblems(staff, [...EXPECTED, /status of 400 \(Bad Request\)/]);
    });

    await t.test('an officer sees the campaign\'s progress and results move with the submission', async () => {
      const ciso = await newPage(browser, srv.url);
      await login(ciso, 'mha-ciso', accounts['mha-ciso'].password);
      await ciso.locator('nav a', { hasText: '点検の状況' }).click();
      await settled(ciso);
      await checkA11y(ciso, 'campaigns');
      await screenshot(ciso, '50-campaigns');
      await ciso.locator('#campaigns a', { hasText: 'GOV-FY2025-MHA' }).click();
      await settled(ciso);
      // mha-staff submitted above: one checklist of four, and no longer among the late.
      assert.match(await ciso.locator('#cp-submitted').innerText(), /^1 \/ \d+$/);
      const late = await ciso.locator('#cp-overdue tbody td:first-child').allInnerTexts();
      assert.ok(!late.includes('mha-staff') && late.length > 0, late.join(' '));
      await ciso.getByLabel('集計の単位').selectOption('requirement');
      await ciso.waitForFunction(() => location.hash.endsWith('by=requirement'));
      await settled(ciso);
      assert.ok(await ciso.locator('#cp-rows tbody tr').count() > 10);
      await checkA11y(ciso, 'campaign');
      await screenshot(ciso, '51-campaign');
      assertNoProblems(ciso, EXPECTED);
      await ciso.context().close();
    });

    await t.test('the loop from a finding to a closed plan, step by step in the browser', async () => {
      const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
      const api = new Client(srv.url);
      assert.equal((await api.login('centre-admin', accounts['centre-admin'].password)).status, 200);
      const lead = new Client(srv.url);
      assert.equal((await lead.login('analyst', accounts.analyst.password)).status, 200);
      const must = async (c, method, path, body, status) => {
        const r = await c.request(method, `/api/v1${path}`, body);
        assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
        return r;
      };
      // Setting up through the API: a signed-off engagement of MHA with one finding.
      await must(api, 'POST', '/audit-engagements', { code: 'UI-MA-MHA', programme: 'NCO-FY2025-MA', org: 'MHA',
        edition: 'demo-fy2025', title_ja: `${HOSTILE}監査`, title_en: 'UI audit', starts_on: '2025-06-01', ends_on: '2025-09-30' }, 201);
      await must(api, 'POST', '/audit-engagements/UI-MA-MHA/members', { user: 'analyst', role: 'lead' }, 201);
      await must(api, 'PUT', '/audit-engagements/UI-MA-MHA/scope', { requirements: ['2.2.3(2)(b)'] }, 200);
      await must(api, 'POST', '/audit-engagements/UI-MA-MHA/status', { status: 'fieldwork' }, 200);
      await must(lead, 'POST', '/audit-engagements/UI-MA-MHA/findings', { requirement: '2.2.3(2)(b)', category: 'finding',
        severity: 'high', title: `${HOSTILE}未受講`, text: 'Training not taken.' }, 201);
      await must(api, 'POST', '/audit-engagements/UI-MA-MHA/status', { status: 'reporting' }, 200);
      await must(lead, 'POST', '/audit-engagements/UI-MA-MHA/sign-off', undefined, 200);

      const ciso = await newPage(browser, srv.url);
      await login(ciso, 'mha-ciso', accounts['mha-ciso'].password);
      // A fresh load, so that a page already showing hash shows what the other side did.
      const go = async (page, hash) => { await page.goto(`/${hash}`); await page.reload(); await settled(page); };
      const planStatus = (page, text) => page.locator('#plan-status', { hasText: text }).waitFor();
      // One step of the plan: the button, then the status it leads to.
      const step = async (page, button, status) => { await page.locator(button).click(); await planStatus(page, status); };

      // The centre recommends, citing the finding; a date in the past is refused beside its field.
      await centre.locator('nav a', { hasText: '監査と改善' }).click();
      await settled(centre);
      await checkA11y(centre, 'loop board');
      await centre.locator('#engagements a', { hasText: 'UI-MA-MHA' }).click();
      await settled(centre);
      assert.equal(await centre.locator('main img, main script').count(), 0);
      assert.ok((await centre.locator('#findings').innerText()).includes(`${HOSTILE}未受講`));
      await centre.getByLabel('2.2.3(2)(b)').check();
      await centre.getByLabel('コード').fill('UI-REC-1');
      await centre.getByLabel('本文').fill('教育の受講を徹底すること。');
      await centre.getByLabel('期限').fill(day(-3));
      await centre.getByRole('button', { name: '勧告する' }).click();
      await centre.locator('.field-error', { hasText: 'due_on' }).waitFor();
      assert.equal(await centre.getByLabel('期限').getAttribute('aria-invalid'), 'true');
      await checkA11y(centre, 'audit with recommendation form');
      await screenshot(centre, '60-audit-recommend');
      await centre.getByLabel('期限').fill(day(120));
      await centre.getByRole('button', { name: '勧告する' }).click();
      await centre.waitForFunction(() => location.hash === '#/recs/UI-REC-1');
      await settled(centre);
      assert.equal(await centre.locator('#rec-status').innerText(), '勧告済み');

      // MHA accepts and writes a plan with a measure, then submits it.
      await go(ciso, '#/recs/UI-REC-1');
      await ciso.locator('#rec-accept').click();
      await ciso.locator('#rec-status', { hasText: '受諾済み' }).waitFor();
      await ciso.getByLabel('コード').fill('UI-PLAN-1');
      await ciso.getByLabel('本文').fill('全職員の受講を管理する。');
      await ciso.getByLabel('期限').fill(day(90));
      await ciso.getByRole('button', { name: '作成する' }).click();
      await ciso.waitForFunction(() => location.hash === '#/plans/UI-PLAN-1');
      await settled(ciso);
      await planStatus(ciso, '作成中');
      await ciso.getByLabel('本文').fill('受講状況を毎月確認する。');
      await ciso.getByLabel('担当者（アカウント名）').fill('mha-staff');
      await ciso.getByLabel('期限').fill(day(30));
      await ciso.getByRole('button', { name: '追加する' }).click();
      await ciso.locator('#measures tbody tr').waitFor();
      await checkA11y(ciso, 'plan in draft');
      await screenshot(ciso, '61-plan-draft');
      await step(ciso, '#plan-submit', '提出済み');

      // The centre accepts; MHA starts, reports, does the measure and reports done.
      await go(centre, '#/plans/UI-PLAN-1');
      await step(centre, '#plan-accept', '承認済み');
      await go(ciso, '#/plans/UI-PLAN-1');
      await step(ciso, '#plan-start', '実施中');
      await ciso.getByLabel('進捗（%）').fill('50');
      await ciso.getByLabel('本文').fill('半数が受講済み。');
      await ciso.getByRole('button', { name: '追加する' }).click();
      await ciso.locator('main td', { hasText: '半数が受講済み。' }).waitFor();
      await ciso.getByRole('button', { name: '対策を完了にする: 1' }).click();
      await ciso.locator('#measures td', { hasText: '完了' }).waitFor();
      await checkA11y(ciso, 'plan in progress');
      await screenshot(ciso, '62-plan-in-progress');
      await step(ciso, '#plan-complete', '完了報告済み');

      // The centre verifies the plan and closes the recommendation: the board shows it closed.
      await go(centre, '#/plans/UI-PLAN-1');
      await step(centre, '#plan-verify', '確認済み');
      await go(centre, '#/recs/UI-REC-1');
      await centre.locator('#rec-close').click();
      await centre.locator('#rec-status', { hasText: '終結' }).waitFor();
      await go(centre, '#/loop');
      assert.equal(await centre.locator('#board ul[data-stage="closed"] a', { hasText: 'UI-REC-1' }).count(), 1);
      await screenshot(centre, '63-loop-board');
      assertNoProblems(centre, [...EXPECTED, /status of 400 \(Bad Request\)/]);
      assertNoProblems(ciso, EXPECTED);
      await ciso.context().close();
    });

    await t.test('the standard browser: editions, tree, search in both languages, an item, the diff', async () => {
      await centre.locator('nav a', { hasText: '統一基準' }).click();
      await settled(centre);
      await checkA11y(centre, 'editions');
      await screenshot(centre, '40-editions');
      await centre.locator('main a', { hasText: '令和7年度版' }).click();
      await settled(centre);
      assert.ok(await centre.locator('#tree > li').count() >= 2);
      await checkA11y(centre, 'edition tree');
      await screenshot(centre, '41-edition-tree');
      for (const [q, want] of [['教育', '2.2.3'], ['training', '2.2.3(2)(b)']]) {
        await centre.getByLabel('要求事項を検索（日本語・英語）').fill(q);
        await centre.getByLabel('要求事項を検索（日本語・英語）').press('Enter');
        await centre.waitForFunction((x) => location.hash.endsWith(`q=${encodeURIComponent(x)}`), q);
        await settled(centre);
        const found = await centre.locator('#results td.reqno').allInnerTexts();
        assert.ok(found.includes(want), `${q}: ${found.join(' ')}`);
      }
      await checkA11y(centre, 'search');
      await centre.locator('#results a', { hasText: /^2\.2\.3\(2\)\(b\)$/ }).click();
      await settled(centre);
      assert.match(await centre.locator('main').innerText(), /指定された教育を期限までに受講/);
      await centre.locator('main a', { hasText: /^2\.2\.3\(2\)$/ }).click();
      await settled(centre);
      assert.ok(await centre.locator('#children li').count() >= 2);
      await checkA11y(centre, 'item');
      await screenshot(centre, '42-item');
      await centre.goto('/#/standard');
      await settled(centre);
      await centre.getByLabel('旧版').selectOption('demo-fy2023');
      await centre.getByLabel('新版').selectOption('demo-fy2025');
      await centre.getByRole('button', { name: '比較する' }).click();
      await settled(centre);
      assert.match(await centre.locator('#diff-counts').innerText(), /変更 \d+/);
      assert.ok(await centre.locator('#diff tbody tr').count() > 10);
      await checkA11y(centre, 'diff');
      await screenshot(centre, '43-diff');
      assertNoProblems(centre, EXPECTED);
    });

    await t.test('hostile requirement texts render as text in the standard browser', async () => {
      const admin = new Client(srv.url);
      assert.equal((await admin.login('centre-admin', accounts['centre-admin'].password)).status, 200);
      const r = await admin.post('/api/v1/editions', JSON.stringify({
        format: 'kijun-catalog', version: 1,
        edition: { id: 'ui-hostile', label_ja: `${HOSTILE}版`, label_en: `${HOSTILE} edition` },
        items: [{ kind: 'part', number: '1', title_ja: `${HOSTILE}総則`, title_en: `${HOSTILE} general`,
          items: [{ kind: 'requirement', number: '1-1', text_ja: `${HOSTILE}しなければならない。`, text_en: `${HOSTILE} must.` }] }],
      }));
      assert.equal(r.status, 201, r.text);
      await centre.goto('/#/standard');
      await settled(centre);
      assert.equal(await centre.locator('main a', { hasText: 'onerror' }).innerText(), `${HOSTILE}版`);
      await centre.goto('/#/standard/ui-hostile');
      await settled(centre);
      assert.equal(await centre.locator('h1').innerText(), `${HOSTILE}版`);
      assert.ok((await centre.locator('#tree > li > a').first().innerText()).includes(`${HOSTILE}総則`));
      await centre.goto('/#/standard/ui-hostile?q=onerror');
      await settled(centre);
      assert.equal(await centre.locator('#results tbody tr').count(), 2);
      await centre.goto('/#/standard/ui-hostile/items/1-1');
      await settled(centre);
      assert.ok((await centre.locator('main').innerText()).includes(`${HOSTILE}しなければならない。`));
      assert.equal(await centre.locator('img, main script').count(), 0);
      await screenshot(centre, '44-hostile-requirement');
      assertNoProblems(centre, EXPECTED);
    });

    await t.test('administration: organisations, accounts, tokens, the audit log and its chain', async () => {
      await centre.locator('nav a', { hasText: '管理' }).click();
      await settled(centre);
      await checkA11y(centre, 'organisations');
      await screenshot(centre, '70-admin-orgs');
      const newOrg = centre.locator('#new-org');
      await newOrg.getByLabel('種別').selectOption('agency');
      await newOrg.getByLabel('コード', { exact: true }).fill('UI-AG');
      await newOrg.getByLabel('名称（日本語）').fill(`${HOSTILE}庁`);
      await newOrg.getByLabel('名称（英語）').fill(`${HOSTILE} Agency`);
      await newOrg.getByLabel('所管府省のコード（独立行政法人等）').fill('MHA');
      await newOrg.getByRole('button', { name: '作成する' }).click();
      await centre.waitForFunction(() => location.hash === '#/admin/orgs/UI-AG');
      await settled(centre);
      assert.equal(await centre.locator('h1').innerText(), `${HOSTILE}庁`);
      assert.equal(await centre.locator('main img, main script').count(), 0);
      // A rename with an empty name is refused beside the field.
      await centre.getByLabel('名称（日本語）').fill('');
      await centre.getByRole('button', { name: '保存する' }).click();
      await centre.locator('#rename .field-error:not(:empty)').first().waitFor();
      await checkA11y(centre, 'organisation admin');
      // A rename on the day the organisation began is refused beside the date.
      await centre.getByLabel('名称（日本語）').fill('試験庁');
      await centre.getByRole('button', { name: '保存する' }).click();
      await centre.locator('#rename .field-error', { hasText: 'date:' }).waitFor();
      assert.equal(await centre.getByLabel('変更日').getAttribute('aria-invalid'), 'true');
      await centre.getByLabel('変更日').fill(new Date(Date.now() + 86400000).toISOString().slice(0, 10));
      await centre.getByRole('button', { name: '保存する' }).click();
      await centre.locator('#rename .field-error:not(:empty)').first().waitFor({ state: 'detached' }).catch(() => {});
      await centre.waitForFunction(() => !document.querySelector('#rename [aria-invalid]'));

      await centre.locator('.tabs a', { hasText: 'アカウント' }).click();
      await settled(centre);
      const newUser = centre.locator('#new-user');
      await newUser.getByLabel('ユーザー名').fill('ui-user');
      await newUser.getByLabel('所属組織のコード').fill('UI-AG');
      await newUser.getByLabel('役割').selectOption('staff');
      await newUser.getByLabel('パスワード').fill('short');
      await newUser.getByRole('button', { name: '作成する' }).click();
      await newUser.locator('.field-error', { hasText: 'password: at least' }).waitFor();
      assert.equal(await newUser.getByLabel('パスワード').getAttribute('aria-invalid'), 'true');
      await checkA11y(centre, 'accounts');
      await screenshot(centre, '71-admin-users');
      await newUser.getByLabel('パスワード').fill('staff-desk-Pw-1');
      await newUser.getByRole('button', { name: '作成する' }).click();
      await centre.locator('#users td:first-child', { hasText: /^ui-user$/ }).waitFor();
      // The role is changed in place (and saved with If-Match).
      const saved = centre.waitForResponse((r) => r.url().endsWith('/api/v1/users/ui-user') && r.request().method() === 'PATCH');
      await centre.getByLabel('役割: ui-user').selectOption('unit_officer');
      assert.equal((await saved).status(), 200);
      await centre.reload();
      await settled(centre);
      assert.equal(await centre.getByLabel('役割: ui-user').inputValue(), 'unit_officer');
      await centre.getByRole('button', { name: '無効にする: ui-user' }).click();
      await centre.getByRole('button', { name: '有効にする: ui-user' }).waitFor();
      assert.equal((await new Client(srv.url).login('ui-user', 'staff-desk-Pw-1')).status, 401);

      await centre.locator('.tabs a', { hasText: 'API トークン' }).click();
      await settled(centre);
      await centre.getByLabel('名前', { exact: true }).fill('ui-token');
      await centre.getByRole('button', { name: '作成する' }).click();
      const secret = await centre.locator('#token-secret').innerText();
      const viaToken = new Client(srv.url, { token: secret });
      assert.equal((await viaToken.get('/api/v1/session')).status, 200);
      await checkA11y(centre, 'tokens');
      await screenshot(centre, '72-admin-tokens');
      await centre.reload();
      await settled(centre);
      await centre.getByRole('button', { name: '失効させる: ui-token' }).click();
      await centre.locator('#tokens td', { hasText: /^失効 / }).waitFor();
      assert.equal(await centre.getByRole('button', { name: '失効させる: ui-token' }).count(), 0);
      assert.equal((await viaToken.get('/api/v1/session')).status, 401);

      await centre.locator('.tabs a', { hasText: '監査ログ' }).click();
      await settled(centre);
      assert.match(await centre.locator('#verify').innerText(), /すべて正常/);
      assert.ok(await centre.locator('#audit-log td', { hasText: 'token.revoke' }).count() >= 1);
      await centre.locator('#audit-log-more').click();
      await centre.waitForFunction(() => document.querySelectorAll('#audit-log tbody tr').length > 100);
      await checkA11y(centre, 'audit log');
      await screenshot(centre, '73-admin-audit');
      assertNoProblems(centre, [...EXPECTED, /status of 400 \(Bad Request\)/]);
    });

    await t.test('hostile organisation names render as text on the dashboard and the organisation page', async () => {
      const admin = new Client(srv.url);
      assert.equal((await admin.login('centre-admin', accounts['centre-admin'].password)).status, 200);
      const cur = await admin.get('/api/v1/orgs/AG14');
      assert.equal(cur.status, 200);
      const today = new Date().toISOString().slice(0, 10);
      const r = await admin.patch('/api/v1/orgs/AG14', { name_ja: `${HOSTILE}機構`, name_en: `${HOSTILE} Agency`, date: today },
        { headers: { 'If-Match': cur.headers.get('etag') } });
      assert.equal(r.status, 200, r.text);
      await centre.goto('/#/dashboard?fy=2024');
      await centre.waitForFunction(() => document.body.dataset.ready === 'dashboard-2024');
      await centre.goto('/#/dashboard?fy=2025');
      await centre.waitForFunction(() => document.body.dataset.ready === 'dashboard-2025');
      const link = centre.locator('#heatmap a', { hasText: 'onerror' });
      assert.equal(await link.count(), 1, 'the renamed organisation is in the heatmap');
      assert.equal(await link.innerText(), `${HOSTILE}機構`);
      assert.equal(await centre.locator('main img, main script').count(), 0);
      await link.click();
      await settled(centre);
      assert.ok((await centre.locator('h1').innerText()).includes(HOSTILE));
      assert.equal(await centre.locator('main img, main script').count(), 0);
      assert.ok((await centre.title()).includes(HOSTILE));
      await screenshot(centre, '12-hostile-organisation');
      assertNoProblems(centre, EXPECTED);
    });
  } finally {
    await browser.close();
    await srv.stop();
  }
});
