// poam.test.mjs: improvement plans as an OSCAL plan of action and milestones
// (GET /api/v1/poam) on the demo government and its accounts (harness.demoGovernment).
// The centre audits MHA and signs the engagement off; it recommends to MHA citing the
// findings; MHA accepts and writes a plan with two measures. The export holds the plan's
// measures as POA&M items and the findings as risks, validates against the official
// POA&M schema, and follows scope: another ministry's CISO gets no MHA plan; ?org= narrows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backends, Client, demoGovernment, startServer, tempDir } from './harness.mjs';

const API = '/api/v1';
const EDITION = 'demo-fy2025';
const REQS = ['1.1.1(1)(a)', '1.2.1(1)(a)'];
const SHARED = process.env.KIJUN_SHARED_DATA || process.env.KIJUN_SHARED_DATA_DEFAULT;
const SRC = process.env.KIJUN_SOURCE_DIR || '.';
const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

async function must(c, method, path, body, status) {
  const r = await c.request(method, `${API}${path}`, body);
  assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
  return r;
}

function validate(text) {
  if (!SHARED) return;
  const f = join(tempDir(), 'poam.json');
  writeFileSync(f, text);
  const v = spawnSync('node', [join(SRC, 'tests/tools/validate-json.mjs'),
    join(SHARED, 'oscal/schema-1.0.6/oscal_poam_schema.json'), f], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
}

const props = (item) => Object.fromEntries(item.props.map((p) => [p.name, p.value]));

for (const be of backends('poam')) {
  test(`improvement plans as an OSCAL POA&M (${be.label})`, async (t) => {
    const dsn = be.dsn();
    const { accounts } = demoGovernment(dsn);
    const srv = await startServer(dsn);
    try {
      const as = {};
      for (const n of ['centre-admin', 'centre-analyst', 'mha-ciso', 'mpf-ciso']) {
        as[n] = new Client(srv.url, { token: accounts[n].token });
      }
      const centre = as['centre-admin'];
      const lead = as['centre-analyst'];
      const mha = as['mha-ciso'];
      const REC = 'REC-POAM-MHA';
      const PLAN = 'IP-POAM-MHA';
      const findings = [];

      await t.test('setting up: a signed-off engagement of MHA, a recommendation and a plan', async () => {
        await must(centre, 'POST', '/audit-programmes', {
          code: 'MA-FY2025', org: 'NCO', fiscal_year: 2025, kind: 'management_audit', title_ja: 'マネジメント監査', title_en: 'Management audit',
        }, 201);
        const code = 'MA-FY2025-MHA';
        await must(centre, 'POST', '/audit-engagements', {
          code, programme: 'MA-FY2025', org: 'MHA', edition: EDITION, title_ja: '監査', title_en: 'Audit', starts_on: '2025-06-01', ends_on: '2025-09-30',
        }, 201);
        await must(centre, 'POST', `/audit-engagements/${code}/members`, { user: 'centre-analyst', role: 'lead' }, 201);
        await must(centre, 'PUT', `/audit-engagements/${code}/scope`, { requirements: REQS }, 200);
        await must(centre, 'POST', `/audit-engagements/${code}/status`, { status: 'fieldwork' }, 200);
        for (const requirement of REQS) {
          const f = await must(lead, 'POST', `/audit-engagements/${code}/findings`, {
            requirement, category: 'finding', severity: 'high', title: `MHA: ${requirement}`, text: 'Not done.',
          }, 201);
          findings.push(f.body.id);
        }
        await must(centre, 'POST', `/audit-engagements/${code}/status`, { status: 'reporting' }, 200);
        await must(lead, 'POST', `/audit-engagements/${code}/sign-off`, undefined, 200);
        await must(centre, 'POST', '/recommendations', { code: REC, issuer: 'NCO', org: 'MHA', findings, text: 'Revise the rules.', due_on: day(120) }, 201);
        await must(mha, 'POST', `/recommendations/${REC}/status`, { status: 'accepted' }, 200);
        await must(mha, 'POST', '/plans', { code: PLAN, recommendation: REC, text: '規程を改定する Revise the rules', due_on: day(90) }, 201);
        await must(mha, 'POST', `/plans/${PLAN}/measures`, { text: '規程の改定 Revise the rules', owner: 'mha-ciso', due_on: day(30) }, 201);
        await must(mha, 'POST', `/plans/${PLAN}/measures`, { text: 'パスワードの変更 Change passwords', owner: 'mha-ciso', due_on: day(60) }, 201);
        await must(mha, 'POST', `/plans/${PLAN}/status`, { status: 'submitted' }, 200);
      });

      await t.test("MHA's CISO and the centre export the plan; it validates", async () => {
        for (const c of [mha, centre]) {
          const r = await c.get(`${API}/poam`);
          assert.equal(r.status, 200, r.text);
          validate(r.text);
          const p = r.body['plan-of-action-and-milestones'];
          assert.equal(p.metadata['oscal-version'], '1.0.6');
          const items = p['poam-items'].filter((i) => props(i).plan === PLAN);
          assert.deepEqual(items.map((i) => [i.title, i.description, props(i).owner, props(i)['due-date'], props(i).status]), [
            [`${PLAN} #1`, '規程の改定 Revise the rules', 'mha-ciso', day(30), 'open'],
            [`${PLAN} #2`, 'パスワードの変更 Change passwords', 'mha-ciso', day(60), 'open'],
          ]);
          for (const i of items) {
            assert.equal(props(i)['plan-status'], 'submitted');
            assert.deepEqual(i['related-risks'].map((x) => x['risk-uuid']).sort(), [...findings].sort());
          }
          const risks = p.risks.filter((x) => findings.includes(x.uuid));
          assert.deepEqual(risks.map((x) => [x.title, x.status]).sort(), REQS.map((q) => [`MHA: ${q}`, 'open']).sort());
          // Stable ids: the same measure keeps its uuid from one export to the next.
          const again = (await c.get(`${API}/poam`)).body['plan-of-action-and-milestones'];
          assert.deepEqual(again['poam-items'].filter((i) => props(i).plan === PLAN).map((i) => i.uuid), items.map((i) => i.uuid));
          assert.notEqual(again.uuid, undefined);
        }
        const narrowed = await centre.get(`${API}/poam?org=MHA`);
        assert.equal(narrowed.status, 200, narrowed.text);
        validate(narrowed.text);
        assert.ok(narrowed.body['plan-of-action-and-milestones']['poam-items'].some((i) => i.props && props(i).plan === PLAN));
        const elsewhere = await centre.get(`${API}/poam?org=MPF`);
        assert.equal(elsewhere.status, 200, elsewhere.text);
        validate(elsewhere.text);
        assert.ok(!elsewhere.body['plan-of-action-and-milestones']['poam-items'].some((i) => i.props && props(i).plan === PLAN));
      });

      await t.test("another ministry's CISO gets a document without MHA's plans", async () => {
        const r = await as['mpf-ciso'].get(`${API}/poam`);
        assert.equal(r.status, 200, r.text);
        validate(r.text);
        const p = r.body['plan-of-action-and-milestones'];
        assert.ok(!p['poam-items'].some((i) => i.props && props(i).org === 'MHA'));
        assert.ok(!(p.risks || []).some((x) => findings.includes(x.uuid)));
        const out = await as['mpf-ciso'].get(`${API}/poam?org=MHA`);
        assert.equal(out.status, 404, out.text);
        const none = await centre.get(`${API}/poam?org=NOPE`);
        assert.equal(none.status, 404, none.text);
      });
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });
}
