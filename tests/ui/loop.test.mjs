// loop.test.mjs: the loop board and the standard tree at scale, in Chromium against the
// real `kijun serve` with the full demo. The board reads the plans from the plan list (GET
// /api/v1/plans, a request per page) and never plan by plan; plans made directly for
// findings get cards of their own. The standard tree paints its top level only and opens
// node by node from the keyboard (a button per node with aria-expanded), loading each
// level as it opens. axe-core on both; screenshots as ui.test.mjs. Prints how many items
// the first paint of the tree loaded beside the whole edition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, assertNoProblems, backends, checkA11y, fullDemo, launch, login, newPage, screenshot, settled, startServer,
} from './harness.mjs';

const EXPECTED = [/status of 401 \(Unauthorized\)/];
const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

/** Records the API requests a page makes: their paths after /api/v1, in order. */
function recordApi(page) {
  const seen = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/v1/')) seen.push(`${u.pathname.slice(7)}${u.search}`);
  });
  return seen;
}

for (const be of backends('uiloop')) test(`the loop board and the standard tree (${be.label})`, async (t) => {
  const dsn = be.dsn();
  const accounts = fullDemo(dsn);
  const srv = await startServer(dsn);
  const browser = await launch();
  try {
    await t.test('the loop board lists the plans from the plan list, not plan by plan', async () => {
      const must = async (c, method, path, body, status) => {
        const r = await c.request(method, `/api/v1${path}`, body);
        assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
        return r;
      };
      const as = {};
      for (const n of ['centre-admin', 'analyst', 'mha-ciso', 'mpf-ciso']) {
        as[n] = new Client(srv.url);
        assert.equal((await as[n].login(n, accounts[n].password)).status, 200);
      }
      const centre = as['centre-admin'];
      // A signed-off engagement of MHA with a finding; a recommendation and its plan; and
      // five plans made directly for the finding.
      await must(centre, 'POST', '/audit-engagements', { code: 'LP-MA-MHA', programme: 'NCO-FY2025-MA', org: 'MHA',
        edition: 'demo-fy2025', title_ja: '監査', title_en: 'Audit', starts_on: '2025-06-01', ends_on: '2025-09-30' }, 201);
      await must(centre, 'POST', '/audit-engagements/LP-MA-MHA/members', { user: 'analyst', role: 'lead' }, 201);
      await must(centre, 'PUT', '/audit-engagements/LP-MA-MHA/scope', { requirements: ['2.2.3(2)(b)'] }, 200);
      await must(centre, 'POST', '/audit-engagements/LP-MA-MHA/status', { status: 'fieldwork' }, 200);
      const f = await must(as.analyst, 'POST', '/audit-engagements/LP-MA-MHA/findings', { requirement: '2.2.3(2)(b)',
        category: 'finding', severity: 'high', title: '未受講', text: 'Training not taken.' }, 201);
      await must(centre, 'POST', '/audit-engagements/LP-MA-MHA/status', { status: 'reporting' }, 200);
      await must(as.analyst, 'POST', '/audit-engagements/LP-MA-MHA/sign-off', undefined, 200);
      await must(centre, 'POST', '/recommendations', { code: 'LP-REC', issuer: 'NCO', org: 'MHA', findings: [f.body.id],
        text: '受講させること。', due_on: day(120) }, 201);
      await must(as['mha-ciso'], 'POST', '/recommendations/LP-REC/status', { status: 'accepted' }, 200);
      await must(as['mha-ciso'], 'POST', '/plans', { code: 'LP-PLAN-R', recommendation: 'LP-REC', text: '計画', due_on: day(90) }, 201);
      for (let i = 1; i <= 5; i++) {
        await must(as['mha-ciso'], 'POST', '/plans', { code: `LP-PLAN-${i}`, org: 'MHA', findings: [f.body.id], text: '直接の計画',
          due_on: day(60) }, 201);
      }
      await must(as['mha-ciso'], 'POST', '/plans/LP-PLAN-1/measures', { text: '確認', owner: 'mha-staff', due_on: day(30) }, 201);
      await must(as['mha-ciso'], 'POST', '/plans/LP-PLAN-1/status', { status: 'submitted' }, 200);

      const page = await newPage(browser, srv.url);
      await login(page, 'centre-admin', accounts['centre-admin'].password);
      const seen = recordApi(page);
      await page.goto('/#/loop');
      await settled(page);
      // Every plan the centre may read is on the board once; ours in the column of their status.
      const listed = (await must(centre, 'GET', '/plans?limit=1000', undefined, 200)).body.items;
      assert.ok(listed.length >= 6, JSON.stringify(listed.map((x) => x.code)));
      for (const p of listed) {
        const where = p.code.startsWith('LP-') ? `ul[data-stage="plan_${p.status}"]` : '';
        assert.equal(await page.locator(`#board ${where} a`, { hasText: new RegExp(` ${p.code}$`) }).count(), 1, `${p.code} ${where}`);
      }
      assert.equal(await page.locator('#board ul[data-stage="plan_submitted"] a', { hasText: /LP-PLAN-1$/ }).count(), 1);
      assert.equal(await page.locator('#board ul[data-stage="plan_draft"] a', { hasText: /^LP-REC$/ }).count(), 1);
      // The plans came as a list; not one plan was fetched on its own.
      const lists = seen.filter((x) => /^\/plans(\?|$)/.test(x));
      const single = seen.filter((x) => /^\/plans\//.test(x));
      console.log(`# loop board: ${seen.length} API requests, ${lists.length} for the plan list, ${single.length} for single plans`);
      assert.equal(lists.length, 1, seen.join(' '));
      assert.deepEqual(single, []);
      await checkA11y(page, 'loop board');
      await screenshot(page, '70-loop-board-plan-list');

      // Another ministry sees none of MHA's plans on its board.
      const mpf = await newPage(browser, srv.url);
      await login(mpf, 'mpf-ciso', accounts['mpf-ciso'].password);
      await mpf.goto('/#/loop');
      await settled(mpf);
      assert.equal(await mpf.locator('#board a', { hasText: /LP-/ }).count(), 0);
      assertNoProblems(page, EXPECTED);
      assertNoProblems(mpf, EXPECTED);
      await mpf.context().close();
      await page.context().close();
    });

    await t.test('the standard tree paints its top level and opens by keyboard', async () => {
      const page = await newPage(browser, srv.url);
      await login(page, 'analyst', accounts.analyst.password);
      const items = [];
      page.on('response', async (r) => {
        if (/\/api\/v1\/editions\/[^/]+\/items\?/.test(r.url())) items.push((await r.json()).items.length);
      });
      const seen = recordApi(page);
      const t0 = Date.now();
      await page.goto('/#/standard/demo-fy2025');
      await settled(page);
      const paint = Date.now() - t0;
      const top = page.locator('#tree > li');
      assert.ok(await top.count() >= 2);
      const buttons = page.locator('#tree button.twisty');
      assert.equal(await buttons.count(), await top.count(), 'only the top level is drawn');
      assert.equal(await page.locator('#tree button.twisty[aria-expanded="true"]').count(), 0);
      // No request read the whole edition: each asked for a kind.
      const itemRequests = seen.filter((x) => /\/items\?/.test(x));
      assert.ok(itemRequests.every((x) => /[?&](kind|parent)=/.test(x)), itemRequests.join(' '));
      const whole = (await (await page.request.get(`${srv.url}/api/v1/editions/demo-fy2025`)).json()).items;
      console.log(`# standard tree: first paint loaded ${items.reduce((a, b) => a + b, 0)} of ${whole} items `
        + `in ${itemRequests.length} requests, drawn ${paint} ms after navigation`);

      // From the search button, Tab reaches the first node's button; Enter opens it.
      await page.getByRole('button', { name: '検索' }).focus();
      await page.keyboard.press('Tab');
      const first = buttons.first();
      assert.equal(await first.evaluate((b) => b === document.activeElement), true);
      const controls = await first.getAttribute('aria-controls');
      const sub = page.locator(`[id="${controls}"]`);
      assert.equal(await sub.isHidden(), true);
      await page.keyboard.press('Enter');
      await page.locator(`[id="${controls}"] > li`).first().waitFor();
      assert.equal(await first.getAttribute('aria-expanded'), 'true');
      assert.equal(await sub.isVisible(), true);
      const parentNumber = await page.locator('#tree > li').first().getAttribute('data-number');
      assert.ok(seen.some((x) => x.includes(`parent=${encodeURIComponent(parentNumber)}`)), seen.join(' '));
      // One level down, Space opens a child the same way.
      const child = sub.locator(':scope > li > button.twisty').first();
      await child.focus();
      await page.keyboard.press('Space');
      assert.equal(await child.getAttribute('aria-expanded'), 'true');
      const childList = page.locator(`[id="${await child.getAttribute('aria-controls')}"]`);
      await childList.locator(':scope > li').first().waitFor();
      await checkA11y(page, 'standard tree opened');
      await screenshot(page, '71-standard-tree-by-levels');
      // Enter again closes the first node, and a second opening asks the server no more.
      const before = seen.length;
      await first.focus();
      await page.keyboard.press('Enter');
      assert.equal(await first.getAttribute('aria-expanded'), 'false');
      assert.equal(await sub.isHidden(), true);
      await page.keyboard.press('Enter');
      assert.equal(await sub.isVisible(), true);
      assert.equal(seen.length, before);
      // Each link still leads to its item.
      await page.locator('#tree > li > a').first().click();
      await settled(page);
      assert.match(page.url(), new RegExp(`/items/${encodeURIComponent(parentNumber).replace(/[()]/g, '\\$&')}$`));

      // Search stays on the server, a page of results at a time.
      await page.goto('/#/standard/demo-fy2025?q=%E6%95%99%E8%82%B2');
      await settled(page);
      assert.ok(await page.locator('#results td.reqno').count() >= 1);
      assert.ok(seen.some((x) => /\/items\?q=.*limit=100/.test(x)), seen.join(' '));
      await checkA11y(page, 'standard search');
      assertNoProblems(page, EXPECTED);
      await page.context().close();
    });
  } finally {
    await browser.close();
    assert.equal(await srv.stop(), 0);
  }
});
