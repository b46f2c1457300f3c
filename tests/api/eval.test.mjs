// eval.test.mjs: the centre's evaluation through the API on the full demo (`kijun init
// --demo`): the replies match their schemas in docs/openapi.json, an analyst sees every
// organisation and an organisation administrator its own rows beside the government's
// aggregates, a staff member is refused, and an answer given through the API moves the
// organisation's score on the next read while a read of a fresh snapshot computes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from '../tools/node_modules/ajv/dist/2020.js';
import { backends, Client, kijunOk, startServer, fullDemo, loginAs as login } from './harness.mjs';

const SRC = process.env.KIJUN_SOURCE_DIR || '.';
const FY = 2025;

/** Validators for the evaluation's schemas of docs/openapi.json. */
function validators() {
  const doc = JSON.parse(readFileSync(join(SRC, 'docs/openapi.json'), 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(doc, 'openapi.json');
  const v = {};
  for (const name of ['EvalGovernment', 'EvalOrg', 'EvalBoard', 'EvalRefreshed']) {
    v[name] = ajv.getSchema(`openapi.json#/components/schemas/${name}`);
  }
  return v;
}

function assertShape(validate, body, what) {
  assert.ok(validate(body), `${what}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
}

for (const be of backends('eval')) {
  test(`the evaluation through the API (${be.label})`, async (t) => {
    const v = validators();
    const dsn = be.dsn();
    const accounts = fullDemo(dsn);
    const srv = await startServer(dsn);
    try {
      const analyst = await login(srv.url, accounts, 'analyst');
      const ciso = await login(srv.url, accounts, 'mha-ciso');
      const staff = await login(srv.url, accounts, 'mha-staff');
      let gov;

      await t.test('an analyst reads every organisation, the shapes hold', async () => {
        const r = await analyst.get(`/api/v1/evaluations/${FY}`);
        assert.equal(r.status, 200, r.text);
        assertShape(v.EvalGovernment, r.body, 'government');
        gov = r.body;
        assert.equal(gov.fiscal_year, FY);
        assert.equal(gov.method, 'kijun-eval-1');
        assert.equal(gov.orgs.length, gov.summary.orgs);
        assert.ok(gov.summary.scored > 0);
        // Lowest first, the unscored last.
        const scores = gov.orgs.filter((o) => o.score !== null).map((o) => o.score);
        assert.deepEqual(scores, [...scores].sort((a, b) => a - b));
        for (const o of gov.orgs) assert.equal(o.parts.length, gov.parts.length);
        assert.ok(gov.trend.some((x) => x.fiscal_year === FY - 1), 'the trend holds the year before');
        const board = await analyst.get(`/api/v1/evaluations/${FY}/board`);
        assert.equal(board.status, 200, board.text);
        assertShape(v.EvalBoard, board.body, 'board');
        assert.equal(board.body.orgs.length, gov.summary.orgs);
        const org = await analyst.get(`/api/v1/evaluations/${FY - 1}/orgs/MJA`);
        assert.equal(org.status, 200, org.text);
        assertShape(v.EvalOrg, org.body, 'org');
        assert.ok(org.body.requirements.some((q) => q.findings.length > 0), 'MJA has findings in FY2024');
      });

      await t.test('an organisation administrator: its own rows and the aggregates', async () => {
        const r = await ciso.get(`/api/v1/evaluations/${FY}`);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.body.summary, gov.summary);
        assert.deepEqual(r.body.weak_requirements, gov.weak_requirements);
        const codes = r.body.orgs.map((o) => o.code);
        assert.ok(codes.includes('MHA'));
        assert.ok(!codes.includes('MPF'));
        for (const o of r.body.orgs) assert.ok(o.code === 'MHA' || o.parent === 'MHA', `${o.code} is not MHA's`);
        for (const p of r.body.part_summary) {
          for (const l of p.laggards) assert.ok(codes.includes(l.code), `laggard ${l.code} out of scope`);
        }
        const mha = await ciso.get(`/api/v1/evaluations/${FY}/orgs/MHA`);
        assert.equal(mha.status, 200, mha.text);
        assert.equal(mha.body.gov.of, gov.summary.scored);
        const mpf = await ciso.get(`/api/v1/evaluations/${FY}/orgs/MPF`);
        assert.equal(mpf.status, 404);
        const absent = await ciso.get(`/api/v1/evaluations/${FY}/orgs/NO-SUCH-ORG`);
        assert.equal(absent.status, 404);
        assert.equal(absent.text.replace('NO-SUCH-ORG', 'MPF'), mpf.text, 'out of scope reads as absent');
        const unit = await ciso.get(`/api/v1/evaluations/${FY}/orgs/MHA-GA`);
        assert.equal(unit.status, 400);
        assert.match(unit.body.message, /ask for MHA/);
        const board = await ciso.get(`/api/v1/evaluations/${FY}/board`);
        assert.ok(board.body.orgs.every((o) => o.code === 'MHA' || r.body.orgs.some((x) => x.code === o.code)));
        assert.deepEqual(board.body.counts, (await analyst.get(`/api/v1/evaluations/${FY}/board`)).body.counts);
      });

      await t.test('staff are refused; a year must be a year', async () => {
        for (const p of [`/api/v1/evaluations/${FY}`, `/api/v1/evaluations/${FY}/orgs/MHA`, `/api/v1/evaluations/${FY}/board`]) {
          const r = await staff.get(p);
          assert.equal(r.status, 403, `${p}: ${r.text}`);
        }
        assert.equal((await staff.post(`/api/v1/evaluations/${FY}/refresh`)).status, 403);
        for (const bad of ['current', '1800', '2025x']) {
          const r = await analyst.get(`/api/v1/evaluations/${bad}`);
          assert.equal(r.status, 400, bad);
          assert.match(r.body.message, /fiscal year/);
        }
      });

      await t.test('an answer moves the score on the next read; a fresh read computes nothing', async () => {
        const before = await ciso.get(`/api/v1/evaluations/${FY}/orgs/MHA`);
        const again = await ciso.get(`/api/v1/evaluations/${FY}/orgs/MHA`);
        assert.equal(again.body.computed_at, before.body.computed_at);
        const mine = await staff.get('/api/v1/checklists');
        const cl = mine.body.items.find((c) => c.campaign === 'GOV-FY2025-MHA' && c.status === 'open');
        assert.ok(cl, 'mha-staff has an open FY2025 checklist');
        const detail = await staff.get(`/api/v1/checklists/${cl.id}`);
        for (const item of detail.body.items) {
          const r = await staff.request('PUT', `/api/v1/checklists/${cl.id}/answers/${encodeURIComponent(item.requirement)}`,
            { value: 'not_implemented' });
          assert.equal(r.status, 200, r.text);
        }
        // computed_at has a resolution of a second.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        // Several readers find the year dirty at once: one computes it, all read the same.
        const burst = await Promise.all([ciso, analyst, ciso, analyst, ciso, analyst].map(
          (c) => c.get(`/api/v1/evaluations/${FY}/orgs/MHA`)));
        for (const r of burst) assert.equal(r.status, 200, r.text);
        assert.equal(new Set(burst.map((r) => r.body.computed_at)).size, 1);
        const after = await ciso.get(`/api/v1/evaluations/${FY}/orgs/MHA`);
        assert.equal(after.status, 200, after.text);
        assert.equal(after.body.computed_at, burst[0].body.computed_at);
        assert.notEqual(after.body.computed_at, before.body.computed_at);
        assert.ok(after.body.score < before.body.score, `${after.body.score} < ${before.body.score}`);
        assert.ok(after.body.self_rate < before.body.self_rate);
        const g = await analyst.get(`/api/v1/evaluations/${FY}`);
        assert.notDeepEqual(g.body.summary, gov.summary);
        assert.equal(g.body.orgs.find((o) => o.code === 'MHA').score, after.body.score);
      });

      await t.test('a refresh by an organisation administrator', async () => {
        const r = await ciso.post(`/api/v1/evaluations/${FY}/refresh`);
        assert.equal(r.status, 200, r.text);
        assertShape(v.EvalRefreshed, r.body, 'refresh');
        assert.equal(r.body.fiscal_year, FY);
        const csrfless = await ciso.request('POST', `/api/v1/evaluations/${FY}/refresh`, undefined, { csrf: false });
        assert.equal(csrfless.status, 403);
      });
    } finally {
      await srv.stop();
    }
  });
}
