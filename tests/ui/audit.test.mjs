// audit.test.mjs: an audit planned and run in the browser on the full demo, each side in
// its own browser: the centre's administrator creates a programme and an engagement of MHA,
// is refused a team member who is not independent (beside the field), adds the lead and
// the scope and moves to fieldwork; the lead adds a finding with a hostile title and a
// working paper and moves to reporting; the centre's stale step is refused with the
// server's state message; the lead signs off; MHA's CISO reads the final report and is
// refused the working papers. axe-core on every screen; screenshots. On SQLite, and on
// PostgreSQL when the run has one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ARTIFACTS, assertNoProblems, backends, checkA11y, fullDemo, launch, login, newPage, screenshot, settled, startServer,
} from './harness.mjs';

// The login page asks for the session first and gets 401: the browser logs that.
const EXPECTED = [/status of 401 \(Unauthorized\)/];
// The refusals the test provokes on purpose.
const REFUSED = [...EXPECTED, /status of 400 \(Bad Request\)/];
const HOSTILE = '<img src=x onerror=alert(1)>"\'&amp;\u202Eevil<script>alert(2)</script>';
const PROG = 'UI-AU-FY2025';
const ENG = 'UI-AU-MHA';
const REQ = '2.2.3(2)(b)';
const PAPER = 'interview notes 面談記録.txt';

/** Waits for the page at hash to be drawn. */
async function at(page, hash) {
  await page.waitForFunction((x) => location.hash === x, hash);
  await settled(page);
}

/** Opens hash afresh (a reload, so that a page already there shows what others did). */
async function open(page, hash) {
  await page.goto(`/${hash}`);
  await page.reload();
  await settled(page);
}

for (const be of backends('ui_audit')) test(`audits in the browser (${be.label})`, async (t) => {
  const dsn = be.dsn();
  const accounts = fullDemo(dsn);
  const srv = await startServer(dsn);
  const browser = await launch();
  console.log(`# screenshots: ${ARTIFACTS}`);
  try {
    const centre = await newPage(browser, srv.url);
    const lead = await newPage(browser, srv.url, { locale: 'en-GB' });
    await login(centre, 'centre-admin', accounts['centre-admin'].password);
    await login(lead, 'analyst', accounts.analyst.password);
    const engHash = `#/audit-engagements/${ENG}`;

    await t.test('the centre creates a programme and an engagement', async () => {
      await centre.locator('nav a', { hasText: '監査の計画' }).click();
      await settled(centre);
      await centre.getByLabel('年度').first().fill('2025');
      await centre.getByRole('button', { name: '表示する' }).click();
      await at(centre, '#/audit-programmes?fy=2025');
      assert.ok((await centre.locator('#programmes').innerText()).includes('NCO-FY2025-MA'));
      assert.ok(!(await centre.locator('#programmes').innerText()).includes('FY2024'), 'only the chosen year');
      assert.equal(await centre.locator('#other-engagements').count(), 0, 'every engagement is under a programme in sight');
      await checkA11y(centre, 'audit programmes');
      await screenshot(centre, 'au-01-programmes');
      const np = centre.locator('#new-programme');
      assert.deepEqual(await np.getByLabel('種類').locator('option').evaluateAll((o) => o.map((x) => x.value)),
        ['management_audit', 'penetration_test', 'external_firm']);
      assert.equal(await np.getByLabel('実施主体（組織コード）').inputValue(), 'NCO');
      // A kind the centre may not plan, sent as a browser could: refused beside its field.
      await np.getByLabel('コード', { exact: true }).fill(PROG);
      await np.getByLabel('種類').evaluate((s) => { s.append(new Option('internal', 'internal_audit')); s.value = 'internal_audit'; });
      await np.getByLabel('名称（日本語）').fill('令和7年度 画面からの監査');
      await np.getByLabel('名称（英語）').fill('Audit from the browser FY2025');
      await np.getByRole('button', { name: '作成する' }).click();
      await np.locator('.field-error', { hasText: 'kind' }).waitFor();
      assert.equal(await np.getByLabel('種類').getAttribute('aria-invalid'), 'true');
      await np.getByLabel('種類').selectOption('management_audit');
      await np.getByRole('button', { name: '作成する' }).click();
      await at(centre, `#/audit-programmes/${PROG}`);
      assert.match(await centre.locator('h1').innerText(), /UI-AU-FY2025/);

      const ne = centre.locator('#new-engagement');
      await ne.getByLabel('コード', { exact: true }).fill(ENG);
      await ne.getByLabel('監査対象の組織（コード）').fill('MHA');
      await ne.getByLabel('基準（統一基準の版）').selectOption('demo-fy2025');
      await ne.getByLabel('名称（日本語）').fill('内閣府 画面からの監査');
      await ne.getByLabel('名称（英語）').fill('MHA audit from the browser');
      await ne.getByLabel('開始日').fill('2025-06-01');
      await ne.getByLabel('終了日').fill('2026-06-30');
      await ne.getByRole('button', { name: '作成する' }).click();
      await ne.locator('.notice.error', { hasText: 'fiscal year' }).waitFor();
      await ne.getByLabel('終了日').fill('2025-09-30');
      await ne.getByRole('button', { name: '作成する' }).click();
      await at(centre, engHash);
      await checkA11y(centre, 'new engagement');
      assert.equal(await centre.locator('#au-status').innerText(), '準備中');
      await open(centre, `#/audit-programmes/${PROG}`);
      assert.ok((await centre.locator('#engagements').innerText()).includes(ENG));
      await checkA11y(centre, 'audit programme');
      await screenshot(centre, 'au-02-programme');
      assertNoProblems(centre, REFUSED);
    });

    await t.test('team, scope and fieldwork: refusals beside their fields', async () => {
      await centre.locator('#engagements a', { hasText: ENG }).click();
      await at(centre, engHash);
      const am = centre.locator('#add-member');
      // MHA's own staff is not independent of MHA.
      await am.getByLabel('アカウント名').fill('mha-staff');
      await am.getByRole('button', { name: 'チームに加える' }).click();
      await am.locator('.field-error', { hasText: 'independent' }).waitFor();
      assert.equal(await am.getByLabel('アカウント名').getAttribute('aria-invalid'), 'true');
      await am.getByLabel('アカウント名').fill('analyst');
      await am.getByLabel('役割').selectOption('lead');
      await am.getByRole('button', { name: 'チームに加える' }).click();
      await centre.locator('#team', { hasText: 'analyst' }).waitFor();
      // Fieldwork needs a scope first: the server's reason beside the button.
      await centre.locator('#au-next').click();
      await centre.locator('#au-steps .field-error', { hasText: 'scope' }).waitFor();
      const sf = centre.locator('#scope-form');
      await sf.getByLabel('要求事項の番号（1行に1つ）').fill('no.such.item');
      await sf.getByRole('button', { name: '対象範囲を保存する' }).click();
      await sf.locator('.field-error', { hasText: 'not a requirement' }).waitFor();
      await sf.getByLabel('要求事項の番号（1行に1つ）').fill(REQ);
      await sf.getByRole('button', { name: '対象範囲を保存する' }).click();
      await centre.locator('#scope', { hasText: REQ }).waitFor();
      await settled(centre);
      await centre.locator('#au-next').click();
      await centre.locator('#au-status', { hasText: '実査中' }).waitFor();
      await settled(centre);
      assert.equal(await centre.locator('#au-sign-off').count(), 0, 'only the lead signs off');
      assert.equal(await centre.locator('#add-finding').count(), 0, 'only the team writes findings');
      await checkA11y(centre, 'engagement (planner)');
      await screenshot(centre, 'au-03-engagement-fieldwork');
      assertNoProblems(centre, REFUSED);
    });

    await t.test('the lead adds a finding and a working paper and moves to reporting', async () => {
      await open(lead, engHash);
      const af = lead.locator('#add-finding');
      await af.getByLabel('Requirement number').selectOption(REQ);
      await af.getByLabel('Category').selectOption('finding');
      await af.getByLabel('Severity').selectOption('high');
      await af.getByLabel('Urgent (notify at once)').check();
      await af.getByLabel('Title').fill(`${HOSTILE}untrained`);
      await af.getByLabel('Text').fill('Two of five staff had not taken the training.');
      await af.getByRole('button', { name: 'Add' }).click();
      await lead.locator('#findings', { hasText: 'untrained' }).waitFor();
      assert.ok((await lead.locator('#findings').innerText()).includes(`${HOSTILE}untrained`));
      assert.equal(await lead.locator('main img, main script').count(), 0, 'hostile text is text');
      // A second one: a finding needs a severity, said beside the field.
      await settled(lead);
      await lead.locator('#add-finding').getByLabel('Severity').selectOption('');
      await lead.locator('#add-finding').getByLabel('Title').fill('No severity');
      await lead.locator('#add-finding').getByRole('button', { name: 'Add' }).click();
      await lead.locator('#add-finding .field-error', { hasText: 'severity' }).waitFor();

      const ap = lead.locator('#add-paper');
      await ap.getByLabel('Working paper file (PDF, PNG, JPEG, text)').setInputFiles({
        name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Interview with the CISO, 2025-07-01.\n'),
      });
      await ap.getByLabel('Name').fill(PAPER);
      await ap.getByRole('button', { name: 'Upload' }).click();
      await lead.locator('#papers', { hasText: PAPER }).waitFor();
      const href = await lead.locator('#papers a', { hasText: PAPER }).getAttribute('href');
      const body = await lead.evaluate(async (u) => (await fetch(u)).text(), href);
      assert.equal(body, 'Interview with the CISO, 2025-07-01.\n');
      await checkA11y(lead, 'engagement (lead)');
      await screenshot(lead, 'au-04-engagement-lead');

      await settled(lead);
      await lead.locator('#au-next').click();
      await lead.locator('#au-status', { hasText: 'Reporting' }).waitFor();
      assertNoProblems(lead, REFUSED);
    });

    await t.test("a stale step is refused with the server's state message; the lead signs off", async () => {
      // The centre's page still shows fieldwork and offers the step the lead took.
      await centre.locator('#au-next').click();
      const msg = centre.locator('#au-steps .field-error', { hasText: 'one step at a time' });
      await msg.waitFor();
      assert.match(await msg.innerText(), /is in reporting/);

      await settled(lead);
      await lead.locator('a', { hasText: 'Read the audit report' }).click();
      await at(lead, `${engHash}/report`);
      assert.match(await lead.locator('#report-state').innerText(), /Draft/);
      await checkA11y(lead, 'draft report');
      await lead.goBack();
      await at(lead, engHash);
      await lead.locator('#au-sign-off').click();
      await lead.locator('#au-status', { hasText: 'Signed off' }).waitFor();
      await settled(lead);
      assert.equal(await lead.locator('#add-finding, #add-paper').count(), 0, 'nothing is added after sign-off');
      await screenshot(lead, 'au-05-signed-off');
      assertNoProblems(lead, EXPECTED);
      assertNoProblems(centre, [...EXPECTED, /status of 409 \(Conflict\)/]);
    });

    await t.test("MHA's CISO reads the report and is refused the working papers", async () => {
      const ciso = await newPage(browser, srv.url);
      await login(ciso, 'mha-ciso', accounts['mha-ciso'].password);
      await open(ciso, engHash);
      await ciso.locator('#au-papers .notice', { hasText: "auditors' own" }).waitFor();
      assert.equal(await ciso.locator('#papers, #add-paper, #add-member, #scope-form').count(), 0);
      assert.ok((await ciso.locator('#findings').innerText()).includes(`${HOSTILE}untrained`));
      await checkA11y(ciso, 'engagement (audited CISO)');
      await screenshot(ciso, 'au-06-engagement-ciso');
      await ciso.locator('a', { hasText: '監査報告書を見る' }).click();
      await at(ciso, `${engHash}/report`);
      assert.equal(await ciso.locator('#report-state').innerText(), '確定版');
      assert.deepEqual(await ciso.locator('#by-category td').allInnerTexts(), ['1', '0', '0']);
      assert.deepEqual(await ciso.locator('#by-severity td').allInnerTexts(), ['0', '1', '0', '0']);
      assert.ok((await ciso.locator('#report-finding').innerText()).includes(`${HOSTILE}untrained`));
      assert.equal(await ciso.locator('main img, main script').count(), 0, 'hostile text is text');
      await checkA11y(ciso, 'report');
      await screenshot(ciso, 'au-07-report');
      // An organisation's CISO plans its own kinds; the centre's audit of it is listed.
      await open(ciso, '#/audit-programmes?fy=2025');
      assert.deepEqual(await ciso.locator('#new-programme').getByLabel('種類').locator('option').evaluateAll((o) => o.map((x) => x.value)),
        ['internal_audit', 'external_firm']);
      assert.equal(await ciso.locator('#new-programme').getByLabel('実施主体（組織コード）').inputValue(), 'MHA');
      assert.ok((await ciso.locator('#other-engagements').innerText()).includes(ENG));
      await checkA11y(ciso, 'audit programmes (CISO)');
      // The loop board's engagement page leads here.
      await open(ciso, `#/audits/${ENG}`);
      await ciso.locator('a', { hasText: '監査の詳細' }).click();
      await at(ciso, engHash);
      assertNoProblems(ciso, [...EXPECTED, /status of 403/]);
      await ciso.context().close();
    });
    await centre.context().close();
    await lead.context().close();
  } finally {
    await browser.close();
    await srv.stop();
  }
});
