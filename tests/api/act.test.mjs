// act.test.mjs: improving the standard through the API on the demo government and its
// accounts (harness.demoGovernment): MHA's policy in force on demo-fy2023 and a signed-off
// audit of MHA on demo-fy2023; then MHA's CISO proposes a change citing the audit's finding
// and the centre decides it; the centre publishes demo-fy2025 and MHA sees and acknowledges
// what it touches (checked against data/demo/CHANGES.md); the centre issues an emergency
// directive that AG01 acknowledges and completes. Refusals on the way (bad bodies, the wrong
// principal, out of scope, twice) leave nothing behind; the command line gives the same
// output through the server as on the database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backends, Client, demoGovernment, kijun, kijunOk, startServer, tempDir } from './harness.mjs';

const API = '/api/v1';
const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

async function must(c, method, path, body, status) {
  const r = await c.request(method, `${API}${path}`, body);
  assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
  return r;
}

/** MHA's security standard in force on demo-fy2023: a changed (2.2.3(2)(a)), a renumbered
 * (2.1.2(1)(a) → 2.1.3(1)(a)) and a kept (8.1.1(2)(a)) requirement. */
function mhaPolicy(dsn) {
  const file = join(tempDir(), 'policy.json');
  writeFileSync(file, JSON.stringify({
    edition: 'demo-fy2023',
    clauses: [
      { number: '1', title: '体制', text_en: 'Roles.', mappings: [{ requirement: '2.2.3(2)(a)', status: 'adopted' }, { requirement: '8.1.1(2)(a)', status: 'adopted' }] },
      { number: '2', title: '資産', text_en: 'Assets.', mappings: [{ requirement: '2.1.2(1)(a)', status: 'stricter' }] },
    ],
  }));
  kijunOk(dsn, ['policy', 'add', 'MHA', '--code', 'STD', '--kind', 'standard', '--title-ja', '対策基準', '--title-en', 'Standard']);
  kijunOk(dsn, ['policy', 'version', 'MHA', 'STD', file]);
  kijunOk(dsn, ['policy', 'approve', 'MHA', 'STD', '1']);
  kijunOk(dsn, ['policy', 'enforce', 'MHA', 'STD', '1', '--date', '2024-04-01']);
}

/** Rows of the act's tables, to see that a refusal wrote nothing. */
async function counts(centre) {
  const p = await must(centre, 'GET', '/proposals?limit=1000', undefined, 200);
  const d = await must(centre, 'GET', '/directives?limit=1000', undefined, 200);
  const a = await must(centre, 'GET', '/audit?limit=1000', undefined, 200);
  assert.ok(a.body.items.length < 1000, 'the audit log fits one page');
  return { proposals: p.body.items.length, directives: d.body.items.length, audit: a.body.items.length };
}

for (const be of backends('act')) {
  test(`proposals, publication and directives through the API (${be.label})`, async (t) => {
    const dsn = be.dsn();
    const { accounts } = demoGovernment(dsn);
    mhaPolicy(dsn);
    const srv = await startServer(dsn);
    try {
      const as = {};
      for (const n of ['centre-admin', 'centre-analyst', 'mha-ciso', 'mha-ga-officer', 'mha-staff', 'ag01-ciso', 'mpf-ciso']) {
        as[n] = new Client(srv.url, { token: accounts[n].token });
      }
      const centre = as['centre-admin'];
      const mha = as['mha-ciso'];
      let finding;

      await t.test('setting up: a signed-off audit of MHA on demo-fy2023', async () => {
        await must(centre, 'POST', '/audit-programmes', {
          code: 'MA-FY2025', org: 'NCO', fiscal_year: 2025, kind: 'management_audit', title_ja: '監査', title_en: 'Audit',
        }, 201);
        await must(centre, 'POST', '/audit-engagements', {
          code: 'MA-MHA', programme: 'MA-FY2025', org: 'MHA', edition: 'demo-fy2023', title_ja: '監査', title_en: 'Audit',
          starts_on: '2025-06-01', ends_on: '2025-09-30',
        }, 201);
        await must(centre, 'POST', '/audit-engagements/MA-MHA/members', { user: 'centre-analyst', role: 'lead' }, 201);
        await must(centre, 'PUT', '/audit-engagements/MA-MHA/scope', { requirements: ['2.2.3(2)(a)'] }, 200);
        await must(centre, 'POST', '/audit-engagements/MA-MHA/status', { status: 'fieldwork' }, 200);
        const f = await must(as['centre-analyst'], 'POST', '/audit-engagements/MA-MHA/findings', {
          requirement: '2.2.3(2)(a)', category: 'finding', severity: 'high', title: '責任者未指名', text: 'No officer named.',
        }, 201);
        finding = f.body.id;
        await must(centre, 'POST', '/audit-engagements/MA-MHA/status', { status: 'reporting' }, 200);
        await must(as['centre-analyst'], 'POST', '/audit-engagements/MA-MHA/sign-off', undefined, 200);
      });

      await t.test('MHA proposes a change, citing its finding; bad bodies leave nothing', async () => {
        const body = {
          code: 'P-MHA-1', edition: 'demo-fy2023', kind: 'change', item: '2.2.3(2)(a)', text_ja: '責任者を文書で指名する。',
          text_en: 'Name the officer in writing.', rationale: 'The audit found it missing.',
          evidence: [{ kind: 'finding', ref: finding, note: 'MA-MHA' }, { kind: 'incident', ref: 'INC-7' }],
        };
        const before = await counts(centre);
        const bad = [
          [{ ...body, evidence: 'x' }, 400, /evidence: expected an array/],
          [{ ...body, evidence: [{ kind: 'finding', ref: finding, extra: 1 }] }, 400, /evidence\[0\]: unknown member/],
          [{ ...body, evidence: [{ kind: 'weak_requirement', ref: '8.1.1(2)(a)', fiscal_year: 'FY2024' }] }, 400, /fiscal_year/],
          [{ ...body, evidence: [] }, 400, /evidence: expected at least one/],
          [{ ...body, rationale: undefined }, 400, /rationale: required/],
          [{ ...body, kind: 'rewrite' }, 400, /kind: expected add, change or remove/],
          [{ ...body, item: '9.9.9(9)(z)' }, 400, /has no requirement "9.9.9\(9\)\(z\)"/],
          [{ ...body, edition: 'no-such' }, 404, /no edition "no-such"/],
          [{ ...body, evidence: [{ kind: 'finding', ref: '00000000-0000-4000-8000-000000000000' }] }, 404, /no audit finding/],
          [{ ...body, org: 'MPF' }, 404, /no organisation/],
          [{ ...body, surprise: true }, 400, /surprise/],
        ];
        for (const [b, status, re] of bad) {
          const r = await mha.post(`${API}/proposals`, b);
          assert.equal(r.status, status, `${JSON.stringify(b).slice(0, 80)}: ${r.text}`);
          assert.match(r.body.message, re);
        }
        const staff = await as['mha-staff'].post(`${API}/proposals`, body);
        assert.equal(staff.status, 403, staff.text);
        assert.deepEqual(await counts(centre), before);

        const r = await must(mha, 'POST', '/proposals', body, 201);
        assert.equal(r.headers.get('location'), '/api/v1/proposals/P-MHA-1');
        assert.equal(r.body.status, 'draft');
        assert.equal(r.body.org, 'MHA');
        assert.equal(r.body.evidence[0].item, '2.2.3(2)(a)');
        assert.equal(r.body.evidence[0].engagement, 'MA-MHA');
        await must(mha, 'POST', '/proposals', body, 409);
        await must(as['mpf-ciso'], 'GET', '/proposals/P-MHA-1', undefined, 404);
        const mine = await must(as['mpf-ciso'], 'GET', '/proposals', undefined, 200);
        assert.equal(mine.body.items.length, 0);
        await must(centre, 'POST', '/proposals', { ...body, code: 'P-NCO-1', org: 'NCO', edition: 'next' }, 201);
        const page = await must(as['centre-analyst'], 'GET', '/proposals?limit=1', undefined, 200);
        assert.deepEqual(page.body.items.map((p) => p.code), ['P-MHA-1']);
        const rest = await must(as['centre-analyst'], 'GET', `/proposals?limit=1&cursor=${page.body.next_cursor}`, undefined, 200);
        assert.deepEqual(rest.body.items.map((p) => p.code), ['P-NCO-1']);
        assert.equal(rest.body.next_cursor, null);
        assert.equal(rest.body.items[0].edition, 'demo-fy2025');
      });

      await t.test('the proposal moves on: submitted by MHA, decided by the centre', async () => {
        await must(centre, 'POST', '/proposals/P-MHA-1/status', { status: 'accepted' }, 409);
        await must(centre, 'POST', '/proposals/P-MHA-1/status', { status: 'submitted' }, 403);
        await must(centre, 'POST', '/proposals/P-MHA-1/status', { status: 'maybe' }, 400);
        await must(mha, 'POST', '/proposals/P-MHA-1/status', { status: 'submitted' }, 200);
        await must(as['centre-analyst'], 'POST', '/proposals/P-MHA-1/status', { status: 'accepted' }, 403);
        const ok = await must(centre, 'POST', '/proposals/P-MHA-1/status', { status: 'accepted', note: '次の版で。' }, 200);
        assert.equal(ok.body.decision_note, '次の版で。');
        await must(centre, 'POST', '/proposals/P-MHA-1/status', { status: 'adopted', edition: 'demo-fy2023' }, 400);
        const adopted = await must(centre, 'POST', '/proposals/P-MHA-1/status', { status: 'adopted', edition: 'demo-fy2025' }, 200);
        assert.equal(adopted.body.adopted_edition, 'demo-fy2025');
        const filtered = await must(centre, 'GET', '/proposals?status=adopted', undefined, 200);
        assert.deepEqual(filtered.body.items.map((p) => p.code), ['P-MHA-1']);
      });

      await t.test('the centre publishes demo-fy2025; MHA sees what it touches and acknowledges', async () => {
        await must(as['centre-analyst'], 'POST', '/editions/demo-fy2025/publish', { revise_by: day(90) }, 403);
        await must(mha, 'POST', '/editions/demo-fy2025/publish', { revise_by: day(90) }, 403);
        await must(centre, 'POST', '/editions/no-such/publish', { revise_by: day(90) }, 404);
        const past = await must(centre, 'POST', '/editions/demo-fy2025/publish', { revise_by: '2020-01-01' }, 400);
        assert.match(past.body.message, /revise_by: 2020-01-01 is before the day of publication/);
        await must(centre, 'POST', '/editions/demo-fy2025/publish', {}, 400);
        await must(centre, 'POST', '/editions/demo-fy2023/publish', { revise_by: day(90) }, 400);
        await must(mha, 'GET', '/editions/demo-fy2025/impact', undefined, 404);

        const pub = await must(centre, 'POST', '/editions/demo-fy2025/publish', { revise_by: day(90) }, 201);
        assert.deepEqual({ ...pub.body, published_on: undefined }, {
          edition: 'demo-fy2025', supersedes: 'demo-fy2023', published_on: undefined, revise_by: day(90), organisations: 1, rows: 2,
        });
        const twice = await must(centre, 'POST', '/editions/demo-fy2025/publish', { revise_by: day(90) }, 409);
        assert.equal(twice.body.error, 'exists');

        const all = await must(as['centre-analyst'], 'GET', '/editions/demo-fy2025/impact', undefined, 200);
        assert.deepEqual(all.body.organisations.map((o) => [o.org, o.rows, o.status]), [['MHA', 2, 'pending']]);
        const none = await must(as['mpf-ciso'], 'GET', '/editions/demo-fy2025/impact', undefined, 200);
        assert.equal(none.body.organisations.length, 0);
        await must(as['mpf-ciso'], 'GET', '/editions/demo-fy2025/impact?org=MHA', undefined, 404);
        const own = await must(mha, 'GET', '/editions/demo-fy2025/impact?org=MHA', undefined, 200);
        // CHANGES.md: 2.2.3(2)(a) changed text; 2.1.2(1)(a) is now 2.1.3(1)(a); 8.1.1(2)(a) the same.
        assert.deepEqual(own.body.organisations[0].items.map((i) => [i.what, i.ref, i.detail, i.old, i.new, i.change]), [
          ['policy_clause', 'STD', 'v1 §1', '2.2.3(2)(a)', ['2.2.3(2)(a)'], 'changed'],
          ['policy_clause', 'STD', 'v1 §2', '2.1.2(1)(a)', ['2.1.3(1)(a)'], 'renumbered'],
        ]);
        const notes = await must(mha, 'GET', '/notifications', undefined, 200);
        const told = notes.body.items.filter((n) => n.kind === 'edition_published');
        assert.equal(told.length, 1);
        assert.match(told[0].title, new RegExp(day(90)));

        await must(as['mpf-ciso'], 'POST', '/editions/demo-fy2025/impact/MHA/ack', undefined, 404);
        await must(as['mha-ga-officer'], 'POST', '/editions/demo-fy2025/impact/MHA/ack', undefined, 404);
        await must(centre, 'POST', '/editions/demo-fy2025/impact/MHA/ack', undefined, 403);
        await must(as['ag01-ciso'], 'POST', '/editions/demo-fy2025/impact/AG01/ack', undefined, 404);
        const ack = await must(mha, 'POST', '/editions/demo-fy2025/impact/MHA/ack', undefined, 200);
        assert.equal(ack.body.organisations[0].status, 'acknowledged');
        assert.equal(ack.body.organisations[0].acknowledged_by, 'mha-ciso');
        await must(mha, 'POST', '/editions/demo-fy2025/impact/MHA/ack', undefined, 409);
      });

      await t.test('an emergency directive: issued by the centre, acknowledged and completed by its targets', async () => {
        const body = {
          code: 'DIR-1', title_ja: 'VPN装置の緊急更新', title_en: 'Patch VPN appliances', text_ja: '直ちに修正を適用すること。',
          text_en: 'Patch them now.', due_on: day(14), orgs: ['MHA', 'AG01'],
        };
        const before = await counts(centre);
        await must(as['centre-analyst'], 'POST', '/directives', body, 403);
        const early = await must(centre, 'POST', '/directives', { ...body, due_on: '2020-01-01' }, 400);
        assert.match(early.body.message, /due_on: 2020-01-01 is before the day of issue/);
        await must(centre, 'POST', '/directives', { ...body, kinds: ['ministry'] }, 400);
        await must(centre, 'POST', '/directives', { ...body, orgs: ['MHA', 'NO-SUCH'] }, 404);
        await must(centre, 'POST', '/directives', { ...body, orgs: 'MHA' }, 400);
        await must(centre, 'POST', '/directives', { ...body, kinds: ['bureau'], orgs: undefined }, 400);
        assert.deepEqual(await counts(centre), before);

        const r = await must(centre, 'POST', '/directives', body, 201);
        assert.equal(r.headers.get('location'), '/api/v1/directives/DIR-1');
        assert.deepEqual(r.body.counts, { targets: 2, acknowledged: 0, completed: 0 });
        await must(centre, 'POST', '/directives', body, 409);
        const ministries = await must(centre, 'POST', '/directives', { ...body, code: 'DIR-2', orgs: undefined, kinds: ['ministry'] }, 201);
        assert.equal(ministries.body.counts.targets, 14);

        await must(as['mpf-ciso'], 'GET', '/directives/DIR-1', undefined, 404);
        const seen = await must(as['mpf-ciso'], 'GET', '/directives', undefined, 200);
        assert.deepEqual(seen.body.items.map((d) => [d.code, d.counts.targets]), [['DIR-2', 1]]);
        await must(as['mpf-ciso'], 'POST', '/directives/DIR-1/targets/AG01/ack', undefined, 404);
        await must(mha, 'POST', '/directives/DIR-1/targets/AG01/ack', undefined, 403);
        const early2 = await must(as['ag01-ciso'], 'POST', '/directives/DIR-1/targets/AG01/complete', {}, 409);
        assert.match(early2.body.message, /acknowledge it first/);
        await must(as['ag01-ciso'], 'POST', '/directives/DIR-1/targets/AG01/ack', undefined, 200);
        await must(as['ag01-ciso'], 'POST', '/directives/DIR-1/targets/AG01/ack', undefined, 409);
        await must(as['ag01-ciso'], 'POST', '/directives/DIR-1/targets/AG01/complete', { note: 7 }, 400);
        const done = await must(as['ag01-ciso'], 'POST', '/directives/DIR-1/targets/AG01/complete', { note: '適用済み' }, 200);
        assert.deepEqual(done.body.targets.map((x) => [x.org, x.note]), [['AG01', '適用済み']]);
        const whole = await must(mha, 'GET', '/directives/DIR-1', undefined, 200);
        assert.deepEqual(whole.body.counts, { targets: 2, acknowledged: 1, completed: 1 });
        const overdue = await must(centre, 'GET', '/overdue-directives', undefined, 200);
        assert.equal(overdue.body.items.length, 0);
        await must(as['mpf-ciso'], 'GET', '/overdue-directives?org=MHA', undefined, 404);

        await must(mha, 'POST', '/directives/DIR-1/status', { status: 'closed' }, 403);
        await must(centre, 'POST', '/directives/DIR-1/status', { status: 'withdrawn' }, 200);
        await must(mha, 'POST', '/directives/DIR-1/targets/MHA/ack', undefined, 409);
      });

      await t.test('the command line prints the same through the server as on the database', async () => {
        const env = { KIJUN_TOKEN: accounts['centre-admin'].token };
        for (const args of [['directive', 'list'], ['directive', 'show', 'DIR-1'], ['edition', 'impact', 'demo-fy2025', '--org', 'MHA'],
          ['proposal', 'list'], ['proposal', 'show', 'P-MHA-1'], ['directive', 'overdue']]) {
          const local = kijunOk(dsn, args);
          const remote = kijun(dsn, ['--server', srv.url, ...args], { env });
          assert.equal(remote.code, 0, `${args.join(' ')}: ${remote.stderr}`);
          assert.equal(remote.stdout, local.stdout, args.join(' '));
        }
        const bad = kijun(dsn, ['--server', srv.url, 'directive', 'ack', 'DIR-1', 'MHA'], { env: { KIJUN_TOKEN: accounts['mha-ciso'].token } });
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /kijun directive ack: .*withdrawn/);
        const usage = kijun(dsn, ['proposal', 'add', 'X', '--edition', 'next', '--kind', 'add', '--rationale', 'r', '--weak', '8.1.1']);
        assert.equal(usage.code, 2);
        assert.match(usage.stderr, /expected FY:NUMBER/);
      });
    } finally {
      await srv.stop();
    }
  });
}
