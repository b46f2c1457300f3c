// inspection.test.mjs: the officer's tools on a self-inspection campaign in a real browser
// against the real `kijun serve` with the full demo: the answers downloaded as CSV and
// Excel, a submitted checklist reopened after a confirmation (and the server's refusal
// beside the field), the all-or-nothing CSV import with its table of bad rows, and the
// analyses and instructions (added, marked done). axe-core on every state; screenshots to
// ARTIFACTS. On SQLite, and on PostgreSQL when the run has one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  Client, assertNoProblems, backends, checkA11y, fullDemo, launch, login, newPage, screenshot, settled, startServer,
} from './harness.mjs';

const CAMPAIGN = 'GOV-FY2025-MHA';
// The login page asks for the session first and gets 401; refusals below are expected.
const EXPECTED = [/status of 401 \(Unauthorized\)/, /status of 400 \(Bad Request\)/, /status of 404 \(Not Found\)/,
  /status of 409 \(Conflict\)/];

for (const be of backends('ui_inspection')) test(`an officer's inspection tools in Chromium (${be.label})`, async (t) => {
  const dsn = be.dsn();
  const accounts = fullDemo(dsn);
  const srv = await startServer(dsn);
  const browser = await launch();
  const ciso = await newPage(browser, srv.url);
  const officerApi = new Client(srv.url);
  assert.equal((await officerApi.login('mha-ciso', accounts['mha-ciso'].password)).status, 200);
  const campaignPage = async () => {
    // Drawn afresh each time: the same address again would not draw the page again.
    await ciso.goto(`/#/campaigns/${CAMPAIGN}`);
    await ciso.reload();
    await settled(ciso);
  };
  try {
    await login(ciso, 'mha-ciso', accounts['mha-ciso'].password);

    await t.test('the answers download as CSV and Excel through same-origin links', async () => {
      await campaignPage();
      for (const [fmt, ext] of [['csv', 'csv'], ['xlsx', 'xlsx']]) {
        const link = ciso.locator(`#ip-export-${fmt}`);
        assert.equal(await link.getAttribute('href'), `/api/v1/campaigns/${CAMPAIGN}/export?format=${fmt}`);
        const [dl] = await Promise.all([ciso.waitForEvent('download'), link.click()]);
        assert.equal(dl.suggestedFilename(), `${CAMPAIGN}.${ext}`);
        const bytes = readFileSync(await dl.path());
        if (fmt === 'csv') assert.match(bytes.toString('utf8'), /^checklist,item,value,comment,unit,role,user,answered_at\n/);
        else assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX is a zip');
      }
      // Without the session the same link is refused: the cookie is what authenticates it.
      const anon = await fetch(`${srv.url}/api/v1/campaigns/${CAMPAIGN}/export?format=csv`);
      assert.equal(anon.status, 401);
      await checkA11y(ciso, 'campaign tools');
      await screenshot(ciso, '52-campaign-tools');
      assertNoProblems(ciso, EXPECTED);
    });

    await t.test('a submitted checklist is reopened after a confirmation; refusals go beside the field', async () => {
      // mha-staff answers everything and submits, through the API.
      const staff = new Client(srv.url);
      assert.equal((await staff.login('mha-staff', accounts['mha-staff'].password)).status, 200);
      const mine = (await staff.get('/api/v1/checklists')).body.items;
      const cl = mine.find((x) => x.campaign === CAMPAIGN);
      const one = (await staff.get(`/api/v1/checklists/${cl.id}`)).body;
      for (const it of one.items) {
        const r = await staff.request('PUT', `/api/v1/checklists/${cl.id}/answers/${encodeURIComponent(it.requirement)}`,
          { value: 'implemented' });
        assert.equal(r.status, 200, r.text);
      }
      assert.equal((await staff.post(`/api/v1/checklists/${cl.id}/submit`, {})).status, 200);

      await campaignPage();
      assert.match(await ciso.locator('#cp-submitted').innerText(), /^1 \//);
      const id = ciso.getByLabel('点検票のID');
      // Empty: said beside the field, nothing asked.
      await ciso.getByRole('button', { name: '回答中に戻す' }).click();
      assert.equal(await id.getAttribute('aria-invalid'), 'true');
      assert.equal(await ciso.locator('dialog[open]').count(), 0);
      // An unknown checklist: the server's 404 beside the field.
      await id.fill('00000000-0000-4000-8000-000000000000');
      await ciso.getByRole('button', { name: '回答中に戻す' }).click();
      await ciso.locator('dialog[open]').waitFor();
      await ciso.locator('#ip-reopen-confirm').click();
      await ciso.locator('#ip-reopen-id-err', { hasText: /\S/ }).waitFor();
      assert.equal(await id.getAttribute('aria-invalid'), 'true');
      // Cancelling asks nothing of the server.
      await id.fill(cl.id);
      await ciso.getByRole('button', { name: '回答中に戻す' }).click();
      await ciso.locator('dialog[open]').waitFor();
      assert.equal(await ciso.evaluate(() => document.activeElement.textContent), 'やめる');
      await checkA11y(ciso, 'reopen dialog');
      await screenshot(ciso, '53-reopen-confirm');
      await ciso.keyboard.press('Enter');
      assert.equal(await ciso.locator('dialog[open]').count(), 0);
      assert.equal((await staff.get(`/api/v1/checklists/${cl.id}`)).body.status, 'submitted');
      // Confirmed, this time chosen from the list of submitted checklists: reopened, and the
      // numbers drawn again.
      await ciso.locator('#ip-submitted').getByRole('button', { name: 'mha-staff の点検票を選ぶ' }).click();
      await ciso.locator('dialog[open]').waitFor();
      assert.equal(await id.inputValue(), cl.id);
      await ciso.locator('#ip-reopen-confirm').click();
      await ciso.locator('#ip-reopen-status .notice.ok').waitFor();
      assert.equal((await staff.get(`/api/v1/checklists/${cl.id}`)).body.status, 'open');
      assert.match(await ciso.locator('#cp-submitted').innerText(), /^0 \//);
      // Again: the server refuses (409, open already), beside the field, in the reader's language.
      await ciso.getByLabel('点検票のID').fill(cl.id);
      await ciso.getByRole('button', { name: '回答中に戻す' }).click();
      await ciso.locator('#ip-reopen-confirm').click();
      await ciso.locator('#ip-reopen-id-err', { hasText: '提出されていません' }).waitFor();
      assert.equal(await ciso.getByLabel('点検票のID').getAttribute('aria-invalid'), 'true');
      await checkA11y(ciso, 'reopen refused');
      assertNoProblems(ciso, EXPECTED);
    });

    await t.test('a CSV import with bad rows is refused whole, its rows and columns in a table', async () => {
      const cp = (await officerApi.get(`/api/v1/campaigns/${CAMPAIGN}`)).body;
      const late = (await officerApi.get(`/api/v1/campaigns/${CAMPAIGN}/overdue`)).body.items
        .find((o) => o.user === 'mha-staff2');
      const item = cp.item_list.find((i) => i.role === null || i.role === undefined || i.role === late.role);
      const before = (await officerApi.get(`/api/v1/checklists/${late.checklist}`)).body;
      const was = before.items.find((i) => i.requirement === item.requirement).value ?? null;
      const value = was === 'partial' ? 'not_implemented' : 'partial';
      const bad = `checklist,item,value\n${late.checklist},${item.requirement},${value}\n`
        + `${late.checklist},${item.requirement}X,implemented\n${late.checklist},${item.requirement},maybe\n`;
      await campaignPage();
      const file = ciso.getByLabel('CSVファイル');
      await file.setInputFiles({ name: 'answers.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
      await ciso.getByRole('button', { name: '取り込む' }).click();
      await ciso.locator('#ip-import-report').waitFor();
      const rows = await ciso.locator('#ip-import-report tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [...tr.cells].slice(0, 2).map((c) => c.textContent)));
      assert.deepEqual(rows.map((r) => r.join(' ')).sort(), ['3 item', '4 value']);
      assert.equal(await file.getAttribute('aria-invalid'), 'true');
      assert.match(await ciso.locator('#ip-import-file-err').innerText(), /：2（何も取り込んでいません）/);
      // Nothing stayed, not even the good row.
      const still = (await officerApi.get(`/api/v1/checklists/${late.checklist}`)).body;
      assert.equal(still.items.find((i) => i.requirement === item.requirement).value ?? null, was);
      await checkA11y(ciso, 'import report');
      await screenshot(ciso, '54-import-report');

      const good = `checklist,item,value,comment\n${late.checklist},${item.requirement},${value},"from the CSV, ok"\n`;
      await ciso.getByLabel('CSVファイル').setInputFiles({ name: 'answers.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
      await ciso.getByRole('button', { name: '取り込む' }).click();
      await ciso.locator('#ip-import-status .notice.ok', { hasText: '1行' }).waitFor();
      assert.equal(await ciso.locator('#ip-import-report').count(), 0);
      const after = (await officerApi.get(`/api/v1/checklists/${late.checklist}`)).body;
      const got = after.items.find((i) => i.requirement === item.requirement);
      assert.equal(got.value, value);
      assert.equal(got.comment, 'from the CSV, ok');
      assertNoProblems(ciso, EXPECTED);
    });

    await t.test('analyses and instructions: listed, added (errors beside the field), marked done', async () => {
      await campaignPage();
      assert.equal(await ciso.locator('#ip-notes').count(), 0, 'the demo has no note on this campaign');
      const form = ciso.locator('#ip-note-form');
      // No text: the server's complaint beside the text field.
      await form.getByRole('button', { name: '記入する' }).click();
      const text = form.getByLabel('本文');
      await ciso.waitForFunction(() => document.querySelector('#ip-note-form textarea').getAttribute('aria-invalid') === 'true');
      assert.match(await form.locator(`#${await text.getAttribute('aria-describedby')}`).innerText(), /text/);
      await form.getByLabel('種類').selectOption('instruction');
      await form.getByLabel('要求事項（任意）').fill('8.1.1(2)(a)');
      await text.fill('持ち出し手続を再周知すること。<b>太字ではない</b>');
      await form.getByLabel('期限（任意）').fill('2026-03-31');
      await form.getByRole('button', { name: '記入する' }).click();
      await ciso.locator('#ip-notes-status .notice.ok').waitFor();
      const row = ciso.locator('#ip-notes tbody tr').first();
      assert.match(await row.innerText(), /指示（CISO）/);
      assert.match(await row.innerText(), /<b>太字ではない<\/b>/);
      assert.match(await row.innerText(), /対応中/);
      // An analysis by the CISO for a unit: noted, with no button.
      await ciso.locator('#ip-note-form').getByLabel('組織・部局（コード）').fill('MHA-EL');
      await ciso.locator('#ip-note-form').getByLabel('本文').fill('一部の課室で手続が徹底されていない。');
      await ciso.locator('#ip-note-form').getByRole('button', { name: '記入する' }).click();
      await ciso.waitForFunction(() => document.querySelectorAll('#ip-notes tbody tr').length === 2);
      assert.match(await ciso.locator('#ip-notes tbody tr').nth(1).innerText(), /記録済み/);
      assert.equal(await ciso.locator('#ip-notes tbody tr').nth(1).locator('button').count(), 0);
      await checkA11y(ciso, 'notes');
      await screenshot(ciso, '55-notes');
      await ciso.locator('#ip-notes tbody tr').first().getByRole('button', { name: /対応済みにする/ }).click();
      await ciso.locator('#ip-notes-status .notice.ok', { hasText: '対応済み' }).waitFor();
      assert.match(await ciso.locator('#ip-notes tbody tr').first().innerText(), /対応済み/);
      assert.equal(await ciso.locator('#ip-notes button').count(), 0);
      const notes = (await officerApi.get(`/api/v1/campaigns/${CAMPAIGN}/notes`)).body.items;
      assert.deepEqual(notes.map((n) => [n.kind, n.status]), [['instruction', 'done'], ['analysis', 'noted']]);
      assertNoProblems(ciso, EXPECTED);
    });

    await t.test('a unit officer may not give instructions: the refusal is shown at the form', async () => {
      const officer = await newPage(browser, srv.url, { locale: 'en-US' });
      await login(officer, 'mha-officer', accounts['mha-officer'].password);
      await officer.goto(`/#/campaigns/${CAMPAIGN}`);
      await settled(officer);
      const form = officer.locator('#ip-note-form');
      await form.getByLabel('Kind').selectOption('instruction');
      await form.getByLabel('Organisation or unit (code)').fill('MHA-EL');
      await form.getByLabel('Text').fill('Do it.');
      await form.getByRole('button', { name: 'Add' }).click();
      await form.locator('.notice.error').waitFor();
      // The unit officer sees the notes of the units in scope: the analysis on MHA-EL only.
      assert.deepEqual(await officer.locator('#ip-notes tbody tr td:nth-child(2)').allInnerTexts(), ['MHA-EL']);
      await checkA11y(officer, 'notes (en)');
      assertNoProblems(officer, [...EXPECTED, /status of 403 \(Forbidden\)/]);
      await officer.context().close();
    });

    await t.test('a centre analyst reads the notes and downloads, and is offered no change', async () => {
      const analyst = await newPage(browser, srv.url);
      await login(analyst, 'analyst', accounts.analyst.password);
      await analyst.goto(`/#/campaigns/${CAMPAIGN}`);
      await settled(analyst);
      assert.equal(await analyst.locator('#ip-notes tbody tr').count(), 2);
      assert.equal(await analyst.locator('#ip-export-csv').count(), 1);
      assert.equal(await analyst.locator('#ip-reopen-id, #ip-import-file, #ip-note-form, #ip-notes button').count(), 0);
      await checkA11y(analyst, 'campaign (analyst)');
      assertNoProblems(analyst, EXPECTED);
      await analyst.context().close();
    });
  } finally {
    await browser.close();
    await srv.stop();
  }
});
