// plans.test.mjs: recommendations and improvement plans through the API on the demo
// government and its accounts (harness.demoGovernment). The centre audits MHA and MPF
// through the audit API and signs both engagements off; then it recommends to MHA citing
// MHA's findings; MHA accepts; MHA's CISO writes a plan with measures and submits it; the
// centre accepts it; MHA starts it, reports progress, does its measures and completes it;
// the centre verifies it and closes the recommendation. Refusals on the way: citing another
// organisation's findings, a skipped step, another ministry reading the plan, a verification
// by someone other than the reviewer. Last, the plan list: paged, filtered and scoped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, Client, demoGovernment, startServer } from './harness.mjs';

const API = '/api/v1';
const EDITION = 'demo-fy2025';
const REQS = ['1.1.1(1)(a)', '1.2.1(1)(a)'];
const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

async function must(c, method, path, body, status) {
  const r = await c.request(method, `${API}${path}`, body);
  assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
  return r;
}

/** A signed-off engagement of org in programme MA-FY2025, led by centre-analyst, with one
 * finding per requirement of REQS; returns the findings' ids. */
async function signedOffEngagement(centre, lead, code, org) {
  await must(centre, 'POST', '/audit-engagements', {
    code, programme: 'MA-FY2025', org, edition: EDITION, title_ja: '監査', title_en: 'Audit', starts_on: '2025-06-01', ends_on: '2025-09-30',
  }, 201);
  await must(centre, 'POST', `/audit-engagements/${code}/members`, { user: 'centre-analyst', role: 'lead' }, 201);
  await must(centre, 'PUT', `/audit-engagements/${code}/scope`, { requirements: REQS }, 200);
  await must(centre, 'POST', `/audit-engagements/${code}/status`, { status: 'fieldwork' }, 200);
  const ids = [];
  for (const requirement of REQS) {
    const f = await must(lead, 'POST', `/audit-engagements/${code}/findings`, {
      requirement, category: 'finding', severity: 'medium', title: `${org}: ${requirement}`, text: 'Not done.',
    }, 201);
    ids.push(f.body.id);
  }
  await must(centre, 'POST', `/audit-engagements/${code}/status`, { status: 'reporting' }, 200);
  await must(lead, 'POST', `/audit-engagements/${code}/sign-off`, undefined, 200);
  return ids;
}

for (const be of backends('plans')) {
  test(`recommendations and improvement plans through the API (${be.label})`, async (t) => {
    const dsn = be.dsn();
    const { accounts } = demoGovernment(dsn);
    const srv = await startServer(dsn);
    try {
      const as = {};
      for (const n of ['centre-admin', 'centre-analyst', 'mha-ciso', 'mha-ga-officer', 'mha-staff', 'mpf-ciso']) {
        as[n] = new Client(srv.url, { token: accounts[n].token });
      }
      const centre = as['centre-admin'];
      const mha = as['mha-ciso'];
      const REC = 'REC-FY2025-MHA-1';
      const PLAN = 'IP-FY2025-MHA-1';
      const plan = `${API}/plans/${PLAN}`;
      let mhaFindings;
      let mpfFindings;

      await t.test('setting up: signed-off engagements of MHA and MPF with findings', async () => {
        await must(centre, 'POST', '/audit-programmes', {
          code: 'MA-FY2025', org: 'NCO', fiscal_year: 2025, kind: 'management_audit', title_ja: 'マネジメント監査', title_en: 'Management audit',
        }, 201);
        mhaFindings = await signedOffEngagement(centre, as['centre-analyst'], 'MA-FY2025-MHA', 'MHA');
        mpfFindings = await signedOffEngagement(centre, as['centre-analyst'], 'MA-FY2025-MPF', 'MPF');
      });

      await t.test('the centre recommends to MHA, citing its findings only', async () => {
        const body = { code: REC, issuer: 'NCO', org: 'MHA', findings: mhaFindings, text: '規程を改定すること。Revise the rules.', due_on: day(120) };
        const foreign = await centre.post(`${API}/recommendations`, { ...body, findings: [mhaFindings[0], mpfFindings[0]] });
        assert.equal(foreign.status, 400, foreign.text);
        assert.match(foreign.body.message, /audited MPF, not MHA/);
        const none = await centre.post(`${API}/recommendations`, { ...body, findings: [] });
        assert.equal(none.status, 400, none.text);
        const notArray = await centre.post(`${API}/recommendations`, { ...body, findings: mhaFindings[0] });
        assert.equal(notArray.status, 400, notArray.text);
        const past = await centre.post(`${API}/recommendations`, { ...body, due_on: '2020-01-01' });
        assert.equal(past.status, 400, past.text);
        const analyst = await as['centre-analyst'].post(`${API}/recommendations`, body);
        assert.equal(analyst.status, 403, analyst.text);
        const r = await centre.post(`${API}/recommendations`, body);
        assert.equal(r.status, 201, r.text);
        assert.match(r.body.id, /^[0-9a-f-]{36}$/);
        assert.equal(r.body.code, REC);
        assert.equal(r.body.status, 'issued');
        assert.equal(r.body.issuer, 'NCO');
        assert.equal(r.body.org, 'MHA');
        assert.equal(r.body.plan, null);
        assert.deepEqual([...r.body.findings].sort(), [...mhaFindings].sort());
        const again = await centre.post(`${API}/recommendations`, body);
        assert.equal(again.status, 409, again.text);
        assert.equal(again.body.error, 'exists');

        const codes = async (c, q = '') => {
          const res = await c.get(`${API}/recommendations${q}`);
          assert.equal(res.status, 200, res.text);
          return res.body.items.map((x) => x.code);
        };
        assert.deepEqual(await codes(centre), [REC]);
        assert.deepEqual(await codes(mha), [REC]);
        assert.deepEqual(await codes(as['mpf-ciso']), []);
        assert.deepEqual(await codes(centre, '?org=MHA&issuer=NCO'), [REC]);
        assert.deepEqual(await codes(centre, '?org=MPF'), []);
        assert.equal((await as['mpf-ciso'].get(`${API}/recommendations?org=MHA`)).status, 404);
        assert.equal((await centre.get(`${API}/recommendations?cursor=`)).status, 400);
        assert.equal((await centre.get(`${API}/recommendations?limit=0`)).status, 400);
      });

      await t.test('MHA accepts the recommendation; nobody else does', async () => {
        const early = await mha.post(`${API}/plans`, { code: PLAN, recommendation: REC, text: 'Plan', due_on: day(90) });
        assert.equal(early.status, 409, early.text);
        assert.equal(early.body.error, 'state');
        const other = await as['mpf-ciso'].post(`${API}/recommendations/${REC}/status`, { status: 'accepted' });
        assert.equal(other.status, 404, other.text);
        const issuer = await centre.post(`${API}/recommendations/${REC}/status`, { status: 'accepted' });
        assert.equal(issuer.status, 403, issuer.text);
        const bad = await mha.post(`${API}/recommendations/${REC}/status`, { status: 'maybe' });
        assert.equal(bad.status, 400, bad.text);
        const r = await mha.post(`${API}/recommendations/${REC}/status`, { status: 'accepted' });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.body, { code: REC, status: 'accepted' });
        const early2 = await centre.post(`${API}/recommendations/${REC}/status`, { status: 'closed' });
        assert.equal(early2.status, 409, early2.text);
      });

      await t.test("MHA's CISO writes a plan with measures and submits it; no step is skipped", async () => {
        const byCentre = await centre.post(`${API}/plans`, { code: 'BY-CENTRE', recommendation: REC, text: 'Plan', due_on: day(90) });
        assert.equal(byCentre.status, 403, byCentre.text);
        const tooLate = await mha.post(`${API}/plans`, { code: PLAN, recommendation: REC, text: 'Plan', due_on: day(200) });
        assert.equal(tooLate.status, 400, tooLate.text);
        const r = await mha.post(`${API}/plans`, { code: PLAN, recommendation: REC, text: '規程改定計画 Revision plan', due_on: day(90) });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.headers.get('location'), plan);
        assert.equal(r.body.code, PLAN);
        assert.equal(r.body.status, 'draft');
        assert.equal(r.body.org, 'MHA');
        assert.equal(r.body.recommendation, REC);
        assert.equal(r.body.reviewer, 'NCO');
        assert.deepEqual(r.body.measures, []);
        const second = await mha.post(`${API}/plans`, { code: 'IP-SECOND', recommendation: REC, text: 'Plan', due_on: day(90) });
        assert.equal(second.status, 409, second.text);

        const empty = await mha.post(`${plan}/status`, { status: 'submitted' });
        assert.equal(empty.status, 409, empty.text);
        assert.match(empty.body.message, /at least one/);
        const m1 = await mha.post(`${plan}/measures`, { text: '規程の改定 Revise the rules', owner: 'mha-staff', due_on: day(30) });
        assert.equal(m1.status, 201, m1.text);
        assert.equal(m1.body.n, 1);
        const m2 = await mha.post(`${plan}/measures`, { text: 'パスワードの変更 Change passwords', owner: 'mha-ga-officer', due_on: day(60) });
        assert.equal(m2.status, 201, m2.text);
        assert.equal(m2.body.n, 2);
        const foreignOwner = await mha.post(`${plan}/measures`, { text: 't', owner: 'mpf-ciso', due_on: day(30) });
        assert.equal(foreignOwner.status, 404, foreignOwner.text);	// an account out of MHA's scope
        const afterPlan = await mha.post(`${plan}/measures`, { text: 't', owner: 'mha-staff', due_on: day(100) });
        assert.equal(afterPlan.status, 400, afterPlan.text);
        // A unit officer writes plans of their unit only: MHA's plan is out of their scope.
        for (const who of ['mha-ga-officer', 'mha-staff']) {
          const r = await as[who].post(`${plan}/measures`, { text: 't', owner: 'mha-staff', due_on: day(30) });
          assert.equal(r.status, 404, `${who}: ${r.text}`);
        }

        const skip = await mha.post(`${plan}/status`, { status: 'in_progress' });
        assert.equal(skip.status, 409, skip.text);
        assert.equal(skip.body.error, 'state');
        assert.match(skip.body.message, /cannot move to in_progress/);
        const unknown = await mha.post(`${plan}/status`, { status: 'finished' });
        assert.equal(unknown.status, 400, unknown.text);
        const sub = await mha.post(`${plan}/status`, { status: 'submitted' });
        assert.equal(sub.status, 200, sub.text);
        assert.deepEqual(sub.body, { code: PLAN, status: 'submitted' });
        const lateMeasure = await mha.post(`${plan}/measures`, { text: 't', owner: 'mha-staff', due_on: day(30) });
        assert.equal(lateMeasure.status, 409, lateMeasure.text);
      });

      await t.test('another ministry does not see the plan', async () => {
        const other = await as['mpf-ciso'].get(plan);
        assert.equal(other.status, 404, other.text);
        const missing = await as['mpf-ciso'].get(`${API}/plans/NO-SUCH`);
        assert.equal(other.text.replace(PLAN, 'X'), missing.text.replace('NO-SUCH', 'X'));
        const accept = await as['mpf-ciso'].post(`${plan}/status`, { status: 'accepted' });
        assert.equal(accept.status, 404, accept.text);
        const staff = await as['mha-staff'].get(plan);
        assert.equal(staff.status, 404, staff.text);
      });

      await t.test('the centre accepts; MHA starts, reports and does its measures', async () => {
        const self = await mha.post(`${plan}/status`, { status: 'accepted' });
        assert.equal(self.status, 403, self.text);
        const acc = await centre.post(`${plan}/status`, { status: 'accepted' });
        assert.equal(acc.status, 200, acc.text);
        const early = await mha.post(`${plan}/measures/1/done`);
        assert.equal(early.status, 409, early.text);
        const notYet = await mha.post(`${plan}/reports`, { reported_on: day(0), percent: 10, text: 't' });
        assert.equal(notYet.status, 409, notYet.text);
        const byCentre = await centre.post(`${plan}/status`, { status: 'in_progress' });
        assert.equal(byCentre.status, 403, byCentre.text);
        const start = await mha.post(`${plan}/status`, { status: 'in_progress' });
        assert.equal(start.status, 200, start.text);

        const future = await mha.post(`${plan}/reports`, { reported_on: day(2), percent: 50, text: 't' });
        assert.equal(future.status, 400, future.text);
        const badPercent = await mha.post(`${plan}/reports`, { reported_on: day(0), percent: 101, text: 't' });
        assert.equal(badPercent.status, 400, badPercent.text);
        const rep = await mha.post(`${plan}/reports`, { reported_on: day(0), percent: 50, text: '半分完了 Half done' });
        assert.equal(rep.status, 201, rep.text);
        assert.deepEqual(rep.body, { plan: PLAN, reported_on: day(0), percent: 50, text: '半分完了 Half done' });

        const open = await mha.post(`${plan}/status`, { status: 'done' });
        assert.equal(open.status, 409, open.text);
        assert.match(open.body.message, /open measure/);
        const d1 = await mha.post(`${plan}/measures/1/done`);
        assert.equal(d1.status, 200, d1.text);
        assert.deepEqual(d1.body, { plan: PLAN, n: 1, status: 'done' });
        const twice = await mha.post(`${plan}/measures/1/done`);
        assert.equal(twice.status, 409, twice.text);
        const none = await mha.post(`${plan}/measures/9/done`);
        assert.equal(none.status, 404, none.text);
        const notNumber = await mha.post(`${plan}/measures/one/done`);
        assert.equal(notNumber.status, 400, notNumber.text);
        const d2 = await mha.post(`${plan}/measures/2/done`);
        assert.equal(d2.status, 200, d2.text);
        const done = await mha.post(`${plan}/status`, { status: 'done' });
        assert.equal(done.status, 200, done.text);
      });

      await t.test('only the reviewer verifies; then the centre closes the recommendation', async () => {
        for (const who of ['mha-ciso', 'centre-analyst']) {
          const r = await as[who].post(`${plan}/status`, { status: 'verified' });
          assert.equal(r.status, 403, `${who}: ${r.text}`);
          assert.match(r.body.message, /only the reviewer/);
        }
        const v = await centre.post(`${plan}/status`, { status: 'verified' });
        assert.equal(v.status, 200, v.text);
        assert.deepEqual(v.body, { code: PLAN, status: 'verified' });
        const g = await mha.get(plan);
        assert.equal(g.status, 200, g.text);
        assert.equal(g.body.status, 'verified');
        assert.equal(g.body.verified_by, 'centre-admin');
        assert.deepEqual(g.body.measures.map((m) => [m.n, m.owner, m.status, m.overdue]),
          [[1, 'mha-staff', 'done', false], [2, 'mha-ga-officer', 'done', false]]);
        assert.deepEqual(g.body.reports.map((x) => x.percent), [50]);

        const byMha = await mha.post(`${API}/recommendations/${REC}/status`, { status: 'closed' });
        assert.equal(byMha.status, 403, byMha.text);
        const closed = await centre.post(`${API}/recommendations/${REC}/status`, { status: 'closed' });
        assert.equal(closed.status, 200, closed.text);
        const list = await mha.get(`${API}/recommendations?org=MHA`);
        assert.deepEqual(list.body.items.map((x) => [x.code, x.status, x.plan]), [[REC, 'closed', PLAN]]);
        const log = await centre.get(`${API}/audit?limit=100`);
        assert.equal(log.status, 200, log.text);
        assert.ok(log.body.items.some((x) => /^plan\./.test(x.op) || /plan/.test(x.op)), JSON.stringify(log.body.items.map((x) => x.op)));
      });

      await t.test('overdue measures: none, and scope holds', async () => {
        const all = await centre.get(`${API}/overdue-measures`);
        assert.equal(all.status, 200, all.text);
        assert.deepEqual(all.body, { items: [] });
        const own = await mha.get(`${API}/overdue-measures?org=MHA`);
        assert.equal(own.status, 200, own.text);
        const hidden = await as['mpf-ciso'].get(`${API}/overdue-measures?org=MHA`);
        assert.equal(hidden.status, 404, hidden.text);
        const missing = await centre.get(`${API}/overdue-measures?org=NO-SUCH`);
        assert.equal(missing.status, 404, missing.text);
      });

      await t.test('a direct plan for findings: the reviewer is the programme owner', async () => {
        // MPF's findings are out of MHA's scope: they read as absent.
        const foreign = await mha.post(`${API}/plans`, { code: 'IP-DIRECT', org: 'MHA', findings: [mpfFindings[0]], text: 'Direct', due_on: day(30) });
        assert.equal(foreign.status, 404, foreign.text);
        const mixed = await centre.post(`${API}/plans`, { code: 'IP-DIRECT', org: 'MHA', findings: [mpfFindings[0]], text: 'Direct', due_on: day(30) });
        assert.ok([400, 403].includes(mixed.status), mixed.text);
        const r = await mha.post(`${API}/plans`, { code: 'IP-DIRECT', org: 'MHA', findings: [mhaFindings[1]], text: 'Direct', due_on: day(30) });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.recommendation, null);
        assert.equal(r.body.reviewer, 'NCO');
        const bad = await mha.post(`${API}/plans`, { code: 'IP-BAD', org: 'MHA', findings: 'x', text: 'Direct', due_on: day(30) });
        assert.equal(bad.status, 400, bad.text);
      });

      await t.test('the plan list: pages add up to the whole, filters narrow it, scope holds', async () => {
        const mpf = as['mpf-ciso'];
        for (let i = 1; i <= 5; i++) {
          await must(mpf, 'POST', '/plans', { code: `IP-MPF-${i}`, org: 'MPF', findings: [mpfFindings[i % 2]], text: 'MPF plan', due_on: day(30) }, 201);
        }
        const page = async (c, q) => {
          const res = await c.get(`${API}/plans${q}`);
          assert.equal(res.status, 200, res.text);
          return res.body;
        };
        const whole = (await page(centre, '?limit=1000')).items;
        assert.deepEqual(whole.map((x) => x.code).sort(), [PLAN, 'IP-DIRECT', 'IP-MPF-1', 'IP-MPF-2', 'IP-MPF-3', 'IP-MPF-4', 'IP-MPF-5'].sort());
        // Pages of two, following next_cursor, add up to the whole list, in its order.
        const paged = [];
        let cursor = null;
        for (let n = 0; n < 10; n++) {
          const b = await page(centre, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          assert.ok(b.next_cursor === null || b.items.length === 2, JSON.stringify(b));
          paged.push(...b.items.map((x) => x.code));
          cursor = b.next_cursor;
          if (!cursor) break;
        }
        assert.equal(cursor, null);
        assert.deepEqual(paged, whole.map((x) => x.code));
        // Listed iff readable: the list of each account is what GET /plans/{code} lets it read.
        for (const [who, c] of Object.entries(as)) {
          const listed = (await page(c, '?limit=1000')).items.map((x) => x.code);
          const readable = [];
          for (const x of whole) if ((await c.get(`${API}/plans/${x.code}`)).status === 200) readable.push(x.code);
          assert.deepEqual(listed, readable, who);
        }
        assert.deepEqual((await page(mha, '')).items.map((x) => x.code).sort(), [PLAN, 'IP-DIRECT'].sort());
        assert.deepEqual((await page(mpf, '')).items.map((x) => x.org), ['MPF', 'MPF', 'MPF', 'MPF', 'MPF']);
        assert.deepEqual((await page(as['mha-staff'], '')).items, []);
        // Filters.
        assert.equal((await page(centre, '?org=MPF&status=draft&reviewer=NCO')).items.length, 5);
        assert.deepEqual((await page(centre, '?status=verified')).items.map((x) => x.code), [PLAN]);
        assert.deepEqual((await page(centre, '?org=MHA&status=draft')).items.map((x) => x.code), ['IP-DIRECT']);
        assert.deepEqual((await page(centre, '?reviewer=MHA')).items, []);
        const row = (await page(mha, '?status=verified')).items[0];
        assert.deepEqual({ ...row, id: typeof row.id, version: typeof row.version }, {
          id: 'string', code: PLAN, org: 'MHA', recommendation: REC, reviewer: 'NCO', text: '規程改定計画 Revision plan', due_on: day(90),
          status: 'verified', version: 'number', measures: 2, open: 0, overdue: 0,
        });
        // Refusals: a bad status, paging or organisation; another ministry's organisation reads as absent.
        for (const [q, status] of [['?status=closed', 400], ['?cursor=', 400], ['?limit=0', 400], ['?org=NO-SUCH', 404], ['?reviewer=NO-SUCH', 404]]) {
          const r = await centre.get(`${API}/plans${q}`);
          assert.equal(r.status, status, `${q}: ${r.text}`);
        }
        const hidden = await mpf.get(`${API}/plans?org=MHA`);
        const missing = await mpf.get(`${API}/plans?org=NO-SUCH`);
        assert.equal(hidden.status, 404, hidden.text);
        assert.equal(hidden.text.replace('MHA', 'X'), missing.text.replace('NO-SUCH', 'X'));
      });
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });
}
