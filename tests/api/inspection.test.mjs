// inspection.test.mjs: policies and self-inspection through the API on the full demo
// (`kijun init --demo`): a staff account answers its checklist and the organisation's and
// the centre's roll-ups move with it; CSV import is all or nothing with a report; exports;
// evidence; locking; who may see what.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backends, Client, kijunOk, startServer, tempDir, fullDemo, loginAs as login } from './harness.mjs';

const SHARED = process.env.KIJUN_SHARED_DATA || process.env.KIJUN_SHARED_DATA_DEFAULT;
const SRC = process.env.KIJUN_SOURCE_DIR || '.';

function rateOf(results, key) {
  const row = results.rows.find((x) => x.key === key);
  return row ? row : null;
}

for (const be of backends('inspection')) {
  test(`self-inspection through the API (${be.label})`, async (t) => {
    const dsn = be.dsn();
    const accounts = fullDemo(dsn);
    const srv = await startServer(dsn);
    try {
      const staff = await login(srv.url, accounts, 'mha-staff');
      const ciso = await login(srv.url, accounts, 'mha-ciso');
      const centre = await login(srv.url, accounts, 'centre-admin');

      await t.test('the staff member sees only their own open checklist', async () => {
        const mine = await staff.get('/api/v1/checklists');
        assert.equal(mine.status, 200);
        const open = mine.body.items.filter((c) => c.status === 'open');
        assert.ok(open.length >= 1);
        const other = await ciso.get('/api/v1/checklists');
        const notMine = other.body.items[0];
        if (notMine) {
          const r = await staff.get(`/api/v1/checklists/${notMine.id}`);
          assert.equal(r.status, 404);
        }
        const results = await staff.get('/api/v1/campaigns/GOV-FY2025-MHA/results');
        assert.equal(results.status, 403);
      });

      await t.test('answers move the organisation and centre roll-ups', async () => {
        const mine = await staff.get('/api/v1/checklists');
        const cl = mine.body.items.find((c) => c.campaign === 'GOV-FY2025-MHA' && c.status === 'open');
        assert.ok(cl, 'mha-staff has an open FY2025 checklist');
        const detail = await staff.get(`/api/v1/checklists/${cl.id}`);
        assert.equal(detail.status, 200);
        const before = await ciso.get('/api/v1/campaigns/GOV-FY2025-MHA/results?by=org');
        const centreBefore = await centre.get('/api/v1/campaigns/GOV-FY2025/results?by=org');
        const mhaBefore = rateOf(centreBefore.body, 'MHA');
        // Answer every item "not implemented": the rate must fall, the counts must rise.
        for (const item of detail.body.items) {
          const r = await staff.request('PUT', `/api/v1/checklists/${cl.id}/answers/${encodeURIComponent(item.requirement)}`,
            { value: 'not_implemented', comment: '準備中' });
          assert.equal(r.status, 200, r.text);
        }
        const after = await ciso.get('/api/v1/campaigns/GOV-FY2025-MHA/results?by=org');
        assert.equal(after.body.total.not_done - before.body.total.not_done, detail.body.items.length);
        assert.ok(after.body.total.rate < before.body.total.rate);
        const centreAfter = await centre.get('/api/v1/campaigns/GOV-FY2025/results?by=org');
        const mhaAfter = rateOf(centreAfter.body, 'MHA');
        assert.equal(mhaAfter.not_done - (mhaBefore ? mhaBefore.not_done : 0), detail.body.items.length);
        assert.ok(centreAfter.body.total.rate < centreBefore.body.total.rate);
        // Off the scale, or not on this checklist: refused, nothing moves.
        const bad = await staff.request('PUT', `/api/v1/checklists/${cl.id}/answers/${encodeURIComponent(detail.body.items[0].requirement)}`, { value: 'maybe' });
        assert.equal(bad.status, 400);
        assert.match(bad.body.message, /not on the campaign's scale/);
        // Submit locks; the officer reopens.
        const sub = await staff.post(`/api/v1/checklists/${cl.id}/submit`, {});
        assert.equal(sub.status, 200, sub.text);
        const late = await staff.request('PUT', `/api/v1/checklists/${cl.id}/answers/${encodeURIComponent(detail.body.items[0].requirement)}`, { value: 'implemented' });
        assert.equal(late.status, 409);
        assert.equal(late.body.error, 'state');
        const reopenByStaff = await staff.post(`/api/v1/checklists/${cl.id}/reopen`, {});
        assert.equal(reopenByStaff.status, 403);
        // The officer finds it in the campaign's list, submitted, to reopen it from there.
        const listed = await ciso.get('/api/v1/campaigns/GOV-FY2025-MHA/checklists?status=submitted');
        assert.equal(listed.status, 200, listed.text);
        assert.ok(listed.body.items.some((k) => k.checklist === cl.id && k.status === 'submitted' && k.submitted_at),
          JSON.stringify(listed.body.items.slice(0, 3)));
        assert.ok(listed.body.items.every((k) => k.status === 'submitted'));
        assert.equal((await staff.get('/api/v1/campaigns/GOV-FY2025-MHA/checklists')).status, 403);
        assert.equal((await ciso.get('/api/v1/campaigns/GOV-FY2025-MHA/checklists?status=lost')).status, 400);
        const reopen = await ciso.post(`/api/v1/checklists/${cl.id}/reopen`, {});
        assert.equal(reopen.status, 200, reopen.text);
        const audit = await centre.get('/api/v1/audit?entity=checklist&limit=5');
        assert.ok(audit.body.items.some((x) => x.op === 'checklist.reopen'));
        assert.ok(audit.body.items.some((x) => x.op === 'checklist.submit'));
      });

      await t.test('campaign lists come in pages that add up to the whole list', async () => {
        for (const who of [centre, ciso]) {
          const whole = await who.get('/api/v1/campaigns?limit=1000');
          assert.equal(whole.status, 200);
          assert.equal(whole.body.next_cursor, null);
          assert.ok(whole.body.items.length > 3, `only ${whole.body.items.length} campaigns`);
          const paged = [];
          let cursor = null;
          for (let guard = 0; guard < 1000; guard++) {
            const page = await who.get(`/api/v1/campaigns?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
            assert.equal(page.status, 200, page.text);
            assert.ok(page.body.items.length <= 3);
            paged.push(...page.body.items.map((c) => c.code));
            cursor = page.body.next_cursor;
            if (!cursor) break;
          }
          assert.deepEqual(paged, whole.body.items.map((c) => c.code));
        }
        // The CISO's pages hold only what is in its scope.
        const mine = (await ciso.get('/api/v1/campaigns?limit=1000')).body.items.map((c) => c.org);
        const all = (await centre.get('/api/v1/campaigns?limit=1000')).body.items.map((c) => c.org);
        assert.ok(all.includes('MPF') && all.includes('NCO'));
        assert.ok(mine.includes('MHA') && !mine.includes('MPF') && !mine.includes('NCO'), JSON.stringify(mine));
        for (const bad of ['nonsense', '2025.', '99999.GOV', 'x.GOV-FY2025']) {
          const r = await centre.get(`/api/v1/campaigns?cursor=${encodeURIComponent(bad)}`);
          assert.equal(r.status, 400, `${bad}: ${r.text}`);
          assert.match(r.body.message, /cursor/);
        }
      });

      await t.test('CSV import: a bad file changes nothing and reports every bad row', async () => {
        const list = await ciso.get('/api/v1/campaigns?org=MHA&fiscal_year=2025');
        assert.equal(list.status, 200);
        const before = await ciso.get('/api/v1/campaigns/GOV-FY2025-MHA/results');
        const csv = 'checklist,item,value\nnot-a-checklist,2.1.1(1)(a),implemented\n';
        const r = await ciso.request('POST', '/api/v1/campaigns/GOV-FY2025-MHA/answers', csv, { headers: { 'Content-Type': 'text/csv' } });
        assert.equal(r.status, 400);
        assert.equal(r.body.report.rows[0].row, 2);
        assert.equal(r.body.report.rows[0].column, 'checklist');
        const wrongHeader = await ciso.request('POST', '/api/v1/campaigns/GOV-FY2025-MHA/answers', 'a,b,c\n', { headers: { 'Content-Type': 'text/csv' } });
        assert.equal(wrongHeader.status, 400);
        const after = await ciso.get('/api/v1/campaigns/GOV-FY2025-MHA/results');
        assert.deepEqual(after.body.total, before.body.total);
      });

      await t.test('exports: CSV, XLSX, and OSCAL that validates', async () => {
        const csv = await ciso.get('/api/v1/campaigns/GOV-FY2025-MHA/export?format=csv');
        assert.equal(csv.status, 200);
        assert.match(csv.text, /^checklist,item,value,comment,unit,role,user,answered_at\n/);
        const x = await fetch(`${srv.url}/api/v1/campaigns/GOV-FY2025-MHA/export?format=xlsx`, { headers: { Cookie: ciso.cookie } });
        assert.equal(x.status, 200);
        const bytes = Buffer.from(await x.arrayBuffer());
        assert.equal(bytes.subarray(0, 2).toString(), 'PK');
        const o = await ciso.get('/api/v1/campaigns/GOV-FY2025-MHA/export?format=oscal');
        assert.equal(o.status, 200);
        if (SHARED) {
          const dir = tempDir();
          const f = join(dir, 'ar.json');
          writeFileSync(f, o.text);
          const v = spawnSync('node', [join(SRC, 'tests/tools/validate-json.mjs'),
            join(SHARED, 'oscal/schema-1.0.6/oscal_assessment-results_schema.json'), f], { encoding: 'utf8' });
          assert.equal(v.status, 0, v.stderr);
        }
      });

      await t.test('evidence: checked by content and size', async () => {
        const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(64)]);
        const up = await staff.request('POST', '/api/v1/evidence', png, { headers: { 'Content-Type': 'image/png' } });
        assert.equal(up.status, 201, up.text);
        assert.match(up.body.sha256, /^[0-9a-f]{64}$/);
        const lie = await staff.request('POST', '/api/v1/evidence', png, { headers: { 'Content-Type': 'application/pdf' } });
        assert.equal(lie.status, 400);
        const exe = await staff.request('POST', '/api/v1/evidence', Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0xff, 0xfe]), { headers: { 'Content-Type': 'application/octet-stream' } });
        assert.equal(exe.status, 400);
        const big = await staff.request('POST', '/api/v1/evidence', Buffer.alloc(11 * 1024 * 1024, 0x41), { headers: { 'Content-Type': 'text/plain' } });
        assert.equal(big.status, 413);
        // Read back: by its uploader, who holds the bytes anyway; by anyone else only once an
        // answer names it, and then by whoever reads that checklist.
        const own = `MHA evidence ${Date.now()}\n`;
        const ev = await staff.request('POST', '/api/v1/evidence', own, { headers: { 'Content-Type': 'text/plain' } });
        assert.equal(ev.status, 201, ev.text);
        assert.equal((await staff.get(`/api/v1/evidence/${ev.body.sha256}`)).status, 200);
        assert.equal((await ciso.get(`/api/v1/evidence/${ev.body.sha256}`)).status, 404);
        const open = (await staff.get('/api/v1/checklists')).body.items.find((c) => c.status === 'open');
        assert.ok(open, 'an open checklist of mha-staff');
        const cl = await staff.get(`/api/v1/checklists/${open.id}`);
        const item = cl.body.items[0].requirement;
        const put = await staff.request('PUT', `/api/v1/checklists/${open.id}/answers/${encodeURIComponent(item)}`,
          { value: 'implemented', evidence: ev.body.sha256 });
        assert.equal(put.status, 200, put.text);
        for (const who of [staff, ciso, centre]) {
          const back = await who.get(`/api/v1/evidence/${ev.body.sha256}`);
          assert.equal(back.status, 200, back.text);
          assert.equal(back.text, own);
          assert.equal(back.headers.get('content-type'), 'text/plain');
          assert.equal(back.headers.get('content-disposition'), 'attachment');
        }
        const mpf = await login(srv.url, accounts, 'mpf-ciso');
        const hidden = await mpf.get(`/api/v1/evidence/${ev.body.sha256}`);
        assert.equal(hidden.status, 404);
        assert.equal((await staff.get('/api/v1/evidence/not-a-digest')).status, 404);
      });

      await t.test('policies: review shows gaps and stale mappings; the centre sees all', async () => {
        const pol = await ciso.get('/api/v1/orgs/MHA/policies');
        assert.equal(pol.status, 200);
        assert.equal(pol.body.documents[0].code, 'STD');
        const rev = await ciso.get('/api/v1/orgs/MHA/policy-review');
        assert.equal(rev.status, 200);
        assert.ok(rev.body.counts.applicable > 0);
        const all = await centre.get('/api/v1/policy-review?edition=demo-fy2023');
        assert.equal(all.status, 200);
        assert.ok(all.body.organisations.length >= 12);
        assert.ok(all.body.organisations.some((o) => o.stale > 0));
        const denied = await ciso.get('/api/v1/orgs/MPF/policies');
        assert.equal(denied.status, 404);
      });
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });
}
