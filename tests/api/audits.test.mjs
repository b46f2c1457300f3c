// audits.test.mjs: audit programmes and engagements through the API on the demo government
// and its accounts (harness.demoGovernment): the centre plans a management audit of MHA, puts two centre
// analysts on the team, sets the scope and moves the engagement through fieldwork and
// reporting; the team writes findings; only the lead signs off; then MHA's CISO reads the
// findings and another ministry's CISO finds nothing. Refusals on the way: an auditor who
// is not independent, a finding out of scope, a skipped step, a sign-off by someone else,
// a finding after sign-off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, Client, demoGovernment, startServer } from './harness.mjs';

const API = '/api/v1';
const EDITION = 'demo-fy2025';
const IN_SCOPE = ['1.1.1(1)(a)', '1.2.1(1)(a)'];
const OUT_OF_SCOPE = '1.2.1(2)(a)';

async function allPages(c, path) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await c.get(path + (cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''));
    assert.equal(r.status, 200, r.text);
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
    if (!cursor) return items;
  }
  throw new Error(`${path}: more than 100 pages`);
}

for (const be of backends('audits')) {
  test(`audits through the API (${be.label})`, async (t) => {
    const dsn = be.dsn();
    const { accounts } = demoGovernment(dsn);
    const srv = await startServer(dsn);
    try {
      const as = {};
      for (const n of ['centre-admin', 'centre-analyst', 'mha-ciso', 'mha-ga-officer', 'mpf-ciso']) {
        as[n] = new Client(srv.url, { token: accounts[n].token });
      }
      as.analyst = as['centre-analyst'];
      // A second centre analyst for the team, with a cookie session.
      const made = await as['centre-admin'].post(`${API}/users`, {
        name: 'analyst2', org: 'NCO', role: 'centre_analyst', password: 'second-reader-Pw-1234',
      });
      assert.equal(made.status, 201, made.text);
      as.analyst2 = new Client(srv.url);
      assert.equal((await as.analyst2.login('analyst2', 'second-reader-Pw-1234')).status, 200);
      const centre = as['centre-admin'];
      const ENG = 'MA-FY2025-MHA';
      const eng = `${API}/audit-engagements/${ENG}`;
      let paper = null;

      await t.test('the centre plans a programme; others cannot, and do not see it', async () => {
        const body = { code: 'MA-FY2025', org: 'NCO', fiscal_year: 2025, kind: 'management_audit', title_ja: '令和7年度マネジメント監査', title_en: 'Management audit FY2025' };
        const r = await centre.post(`${API}/audit-programmes`, body);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.code, 'MA-FY2025');
        assert.equal(r.body.kind, 'management_audit');
        assert.match(r.body.id, /^[0-9a-f-]{36}$/);
        const again = await centre.post(`${API}/audit-programmes`, body);
        assert.equal(again.status, 409);
        assert.equal(again.body.error, 'exists');
        const wrongKind = await centre.post(`${API}/audit-programmes`, { ...body, code: 'IA-NCO', kind: 'internal_audit' });
        assert.equal(wrongKind.status, 400);
        assert.match(wrongKind.body.message, /kind/);
        const badYear = await centre.post(`${API}/audit-programmes`, { ...body, code: 'X', fiscal_year: '2025' });
        assert.equal(badYear.status, 400);
        const analyst = await as.analyst.post(`${API}/audit-programmes`, { ...body, code: 'MA-BY-ANALYST' });
        assert.equal(analyst.status, 403, analyst.text);
        const ciso = await as['mha-ciso'].post(`${API}/audit-programmes`, { ...body, code: 'MA-BY-CISO' });
        assert.equal(ciso.status, 404, ciso.text);
        // MHA's own internal audit: its CISO plans it, not its unit officer (to whom MHA,
        // above its unit, reads as absent).
        const ia = { code: 'IA-FY2025-MHA', org: 'MHA', fiscal_year: 2025, kind: 'internal_audit', title_ja: '内部監査', title_en: 'Internal audit' };
        const officer = await as['mha-ga-officer'].post(`${API}/audit-programmes`, ia);
        assert.equal(officer.status, 404, officer.text);
        const own = await as['mha-ciso'].post(`${API}/audit-programmes`, ia);
        assert.equal(own.status, 201, own.text);

        const all = (await allPages(centre, `${API}/audit-programmes?limit=1`)).map((p) => p.code);
        assert.deepEqual(all, ['IA-FY2025-MHA', 'MA-FY2025']);
        const mha = (await allPages(as['mha-ciso'], `${API}/audit-programmes`)).map((p) => p.code);
        assert.deepEqual(mha, ['IA-FY2025-MHA']);
        const mpf = (await allPages(as['mpf-ciso'], `${API}/audit-programmes`)).map((p) => p.code);
        assert.deepEqual(mpf, []);
        const byOrg = await centre.get(`${API}/audit-programmes?org=NCO&fiscal_year=2025`);
        assert.deepEqual(byOrg.body.items.map((p) => p.code), ['MA-FY2025']);
        const otherYear = await centre.get(`${API}/audit-programmes?fiscal_year=2024`);
        assert.deepEqual(otherYear.body.items, []);
        const hidden = await as['mpf-ciso'].get(`${API}/audit-programmes?org=MHA`);
        assert.equal(hidden.status, 404);
        const badFy = await centre.get(`${API}/audit-programmes?fiscal_year=soon`);
        assert.equal(badFy.status, 400);
      });

      await t.test("an engagement of MHA in draft: the centre's roles see it, MHA does not", async () => {
        const r = await centre.post(`${API}/audit-engagements`, {
          code: ENG, programme: 'MA-FY2025', org: 'MHA', edition: EDITION, title_ja: '内閣府マネジメント監査',
          title_en: 'Management audit of MHA', starts_on: '2025-06-01', ends_on: '2025-09-30',
        });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.headers.get('location'), `${API}/audit-engagements/${ENG}`);
        assert.equal(r.body.status, 'draft');
        assert.equal(r.body.org, 'MHA');
        assert.deepEqual(r.body.team, []);
        const late = await centre.post(`${API}/audit-engagements`, {
          code: 'LATE', programme: 'MA-FY2025', org: 'MHA', edition: EDITION, title_ja: '遅い', title_en: 'Late',
          starts_on: '2026-06-01', ends_on: '2026-07-01',
        });
        assert.equal(late.status, 400);
        assert.match(late.body.message, /fiscal year/);
        for (const who of ['mha-ciso', 'mpf-ciso']) {
          const g = await as[who].get(eng);
          assert.equal(g.status, 404, `${who}: ${g.text}`);
        }
        assert.equal((await as.analyst2.get(eng)).status, 200);
      });

      await t.test('the team: a lead and a member, independent of MHA', async () => {
        const lead = await centre.post(`${eng}/members`, { user: 'centre-analyst', role: 'lead' });
        assert.equal(lead.status, 201, lead.text);
        assert.deepEqual(lead.body, { engagement: ENG, user: 'centre-analyst', role: 'lead' });
        const member = await centre.post(`${eng}/members`, { user: 'analyst2', role: 'member' });
        assert.equal(member.status, 201, member.text);
        const secondLead = await centre.post(`${eng}/members`, { user: 'mpf-ciso', role: 'lead' });
        assert.equal(secondLead.status, 409);
        const notIndependent = await centre.post(`${eng}/members`, { user: 'mha-staff', role: 'member' });
        assert.equal(notIndependent.status, 400, notIndependent.text);
        assert.match(notIndependent.body.message, /independent/);
        const byMember = await as.analyst2.post(`${eng}/members`, { user: 'mpf-ciso', role: 'member' });
        assert.equal(byMember.status, 403);
        const badRole = await centre.post(`${eng}/members`, { user: 'mpf-ciso', role: 'boss' });
        assert.equal(badRole.status, 400);
        const g = await as.analyst2.get(eng);
        assert.equal(g.status, 200, g.text);
        assert.deepEqual(g.body.team.map((m) => [m.user, m.role]), [['centre-analyst', 'lead'], ['analyst2', 'member']]);
        const list = await as.analyst2.get(`${API}/audit-engagements?programme=MA-FY2025`);
        assert.deepEqual(list.body.items.map((e) => [e.code, e.lead]), [[ENG, 'centre-analyst']]);
      });

      await t.test('scope, then fieldwork; no step is skipped', async () => {
        const early = await centre.post(`${eng}/status`, { status: 'fieldwork' });
        assert.equal(early.status, 400);
        assert.match(early.body.message, /requirements in scope/);
        const badReq = await centre.request('PUT', `${eng}/scope`, { requirements: ['9.9.9'] });
        assert.equal(badReq.status, 400);
        const badUnit = await centre.request('PUT', `${eng}/scope`, { requirements: IN_SCOPE, units: ['MPF-GA'] });
        assert.equal(badUnit.status, 400, badUnit.text);
        const notArray = await centre.request('PUT', `${eng}/scope`, { requirements: IN_SCOPE[0] });
        assert.equal(notArray.status, 400);
        const scope = await centre.request('PUT', `${eng}/scope`, { requirements: IN_SCOPE, units: ['MHA-GA'] });
        assert.equal(scope.status, 200, scope.text);
        assert.deepEqual(scope.body, { engagement: ENG, requirements: IN_SCOPE, units: ['MHA-GA'] });
        const skip = await centre.post(`${eng}/status`, { status: 'reporting' });
        assert.equal(skip.status, 409);
        assert.equal(skip.body.error, 'state');
        assert.match(skip.body.message, /one step at a time/);
        const draftFinding = await as.analyst.post(`${eng}/findings`, { requirement: IN_SCOPE[0], category: 'advice', title: 't', text: 't' });
        assert.equal(draftFinding.status, 409);
        const fw = await centre.post(`${eng}/status`, { status: 'fieldwork' });
        assert.equal(fw.status, 200, fw.text);
        assert.deepEqual(fw.body, { code: ENG, status: 'fieldwork' });
        const back = await centre.post(`${eng}/status`, { status: 'draft' });
        assert.equal(back.status, 409);
      });

      await t.test('findings by the team, in scope only', async () => {
        const f = await as.analyst2.post(`${eng}/findings`, {
          requirement: IN_SCOPE[0], category: 'finding', severity: 'high', title: '規程の未改定', text: 'The rules were not revised.',
        });
        assert.equal(f.status, 201, f.text);
        assert.equal(f.body.requirement, IN_SCOPE[0]);
        assert.equal(f.body.urgent, false);
        assert.equal(f.body.created_by, 'analyst2');
        const urgent = await as.analyst.post(`${eng}/findings`, {
          requirement: IN_SCOPE[1], category: 'finding', severity: 'critical', urgent: true, title: '管理者パスワードの共有', text: 'Administrators share one password.',
        });
        assert.equal(urgent.status, 201, urgent.text);
        assert.equal(urgent.body.urgent, true);
        // Known at once to MHA's CISO (who cannot read the engagement before sign-off) and
        // to the centre's administrator; not to another ministry.
        const about = (r) => r.body.items.filter((n) => n.entity_id === urgent.body.id);
        const cisoNotes = await as['mha-ciso'].get(`${API}/notifications?unread=1`);
        assert.equal(cisoNotes.status, 200, cisoNotes.text);
        const [note] = about(cisoNotes);
        assert.ok(note, JSON.stringify(cisoNotes.body));
        assert.equal(note.kind, 'urgent_finding');
        assert.equal(note.org, 'MHA');
        assert.match(note.body, /Administrators share one password\./);
        assert.equal((await as['mha-ciso'].get(eng)).status, 404);
        assert.equal(about(await centre.get(`${API}/notifications`)).length, 1);
        assert.equal(about(await as['mpf-ciso'].get(`${API}/notifications`)).length, 0);
        assert.equal(about(await as.analyst2.get(`${API}/notifications`)).length, 0);
        assert.equal((await as['mpf-ciso'].post(`${API}/notifications/${note.id}/read`, {})).status, 404);
        const read = await as['mha-ciso'].post(`${API}/notifications/${note.id}/read`, {});
        assert.equal(read.status, 200, read.text);
        assert.equal(about(await as['mha-ciso'].get(`${API}/notifications?unread=1`)).length, 0);
        assert.equal(about(await as['mha-ciso'].get(`${API}/notifications`)).length, 1);
        assert.equal((await as['mha-ciso'].get(`${API}/notifications?unread=maybe`)).status, 400);
        const outside = await as.analyst.post(`${eng}/findings`, { requirement: OUT_OF_SCOPE, category: 'advice', title: 't', text: 't' });
        assert.equal(outside.status, 400);
        assert.match(outside.body.message, /not in the scope/);
        const noSeverity = await as.analyst.post(`${eng}/findings`, { requirement: IN_SCOPE[0], category: 'finding', title: 't', text: 't' });
        assert.equal(noSeverity.status, 400);
        const urgentAdvice = await as.analyst.post(`${eng}/findings`, { requirement: IN_SCOPE[0], category: 'advice', urgent: true, title: 't', text: 't' });
        assert.equal(urgentAdvice.status, 400);
        const badUrgent = await as.analyst.post(`${eng}/findings`, { requirement: IN_SCOPE[0], category: 'advice', urgent: 'yes', title: 't', text: 't' });
        assert.equal(badUrgent.status, 400);
        const planner = await centre.post(`${eng}/findings`, { requirement: IN_SCOPE[0], category: 'advice', title: 't', text: 't' });
        assert.equal(planner.status, 403);
        // A requirement with findings stays in scope.
        const shrink = await centre.request('PUT', `${eng}/scope`, { requirements: [IN_SCOPE[1]] });
        assert.equal(shrink.status, 400);
        assert.match(shrink.body.message, /must stay in its scope/);
        const list = await as.analyst2.get(`${eng}/findings`);
        assert.equal(list.status, 200);
        assert.equal(list.body.items.length, 2);
      });

      await t.test('working papers are filed by the team and read back byte for byte', async () => {
        const text = '面談記録 / interview notes\n';
        const wp = await as.analyst2.request('POST', `${eng}/papers?name=${encodeURIComponent('面談記録.txt')}`, text,
          { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
        assert.equal(wp.status, 201, wp.text);
        assert.equal(wp.body.name, '面談記録.txt');
        paper = wp.body.id;
        const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
        const pic = await as.analyst.request('POST', `${eng}/papers?name=photo.png`, png, { headers: { 'Content-Type': 'image/png' } });
        assert.equal(pic.status, 201, pic.text);
        const noName = await as.analyst.request('POST', `${eng}/papers`, text, { headers: { 'Content-Type': 'text/plain' } });
        assert.equal(noName.status, 400);
        assert.match(noName.body.message, /name/);
        const lying = await as.analyst.request('POST', `${eng}/papers?name=x.pdf`, text, { headers: { 'Content-Type': 'application/pdf' } });
        assert.equal(lying.status, 400);
        assert.match(lying.body.message, /declared as application\/pdf/);
        const list = await as.analyst.get(`${eng}/papers`);
        assert.equal(list.status, 200, list.text);
        assert.deepEqual(list.body.items.map((x) => [x.name, x.media_type, x.added_by]),
          [['面談記録.txt', 'text/plain', 'analyst2'], ['photo.png', 'image/png', 'centre-analyst']]);
        const back = await fetch(`${srv.url}${eng}/papers/${paper}`, { headers: { Authorization: `Bearer ${accounts['centre-analyst'].token}` } });
        assert.equal(back.status, 200);
        assert.equal(back.headers.get('content-type'), 'text/plain');
        assert.equal(back.headers.get('content-disposition'), 'attachment');
        assert.equal(await back.text(), text);
        assert.equal((await as['mha-ciso'].get(`${eng}/papers`)).status, 404);
      });

      await t.test('reporting; only the lead signs off; nothing is added after', async () => {
        const rep = await as.analyst.post(`${eng}/status`, { status: 'reporting' });
        assert.equal(rep.status, 200, rep.text);
        const lateScope = await centre.request('PUT', `${eng}/scope`, { requirements: IN_SCOPE });
        assert.equal(lateScope.status, 409);
        assert.equal(lateScope.body.error, 'state');
        for (const who of ['analyst2', 'centre-admin']) {
          const r = await as[who].post(`${eng}/sign-off`);
          assert.equal(r.status, 403, `${who}: ${r.text}`);
          assert.match(r.body.message, /lead auditor/);
        }
        const viaStatus = await as.analyst2.post(`${eng}/status`, { status: 'signed_off' });
        assert.equal(viaStatus.status, 403);
        // Before sign-off the audited organisation does not see it.
        assert.equal((await as['mha-ciso'].get(`${eng}/findings`)).status, 404);
        const signed = await as.analyst.post(`${eng}/sign-off`);
        assert.equal(signed.status, 200, signed.text);
        assert.deepEqual(signed.body, { code: ENG, status: 'signed_off' });
        const again = await as.analyst.post(`${eng}/sign-off`);
        assert.equal(again.status, 409);
        const late = await as.analyst.post(`${eng}/findings`, { requirement: IN_SCOPE[0], category: 'advice', title: 't', text: 't' });
        assert.equal(late.status, 409, late.text);
        assert.equal(late.body.error, 'state');
        const lateMember = await centre.post(`${eng}/members`, { user: 'mpf-ciso', role: 'member' });
        assert.equal(lateMember.status, 409);
        const g = await centre.get(eng);
        assert.equal(g.body.status, 'signed_off');
        assert.equal(g.body.signed_off_by, 'centre-analyst');
        const log = await centre.get(`${API}/audit?entity=audit_engagement&limit=20`);
        assert.equal(log.status, 200, log.text);
        assert.ok(log.body.items.some((x) => x.op === 'audit_engagement.sign_off'), JSON.stringify(log.body.items.map((x) => x.op)));
      });

      await t.test("the report reaches MHA's CISO; the working papers do not", async () => {
        const engId = (await centre.get(eng)).body.id;
        const notes = await as['mha-ciso'].get(`${API}/notifications?unread=1`);
        const report = notes.body.items.filter((n) => n.kind === 'audit_report' && n.entity_id === engId);
        assert.equal(report.length, 1, JSON.stringify(notes.body.items));
        assert.match(report[0].body, /2 findings \(critical 1, high 1, medium 0, low 0\)/);
        const r = await as['mha-ciso'].get(`${eng}/report`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.final, true);
        assert.equal(r.body.summary.findings, 2);
        assert.deepEqual(r.body.findings.finding.map((x) => x.severity), ['critical', 'high']);
        const papers = await as['mha-ciso'].get(`${eng}/papers`);
        assert.equal(papers.status, 403, papers.text);
        assert.match(papers.body.message, /auditors' own/);
        assert.equal((await as['mha-ciso'].get(`${eng}/papers/${paper}`)).status, 403);
        const late = await as.analyst.request('POST', `${eng}/papers?name=late.txt`, 'late\n', { headers: { 'Content-Type': 'text/plain' } });
        assert.equal(late.status, 409);
        assert.equal((await as['mpf-ciso'].get(`${eng}/report`)).status, 404);
      });

      await t.test("MHA's CISO reads the findings; another ministry's CISO finds nothing", async () => {
        const f = await as['mha-ciso'].get(`${eng}/findings`);
        assert.equal(f.status, 200, f.text);
        assert.equal(f.body.items.length, 2);
        assert.deepEqual(f.body.items.filter((x) => x.urgent).map((x) => x.severity), ['critical']);
        const g = await as['mha-ciso'].get(eng);
        assert.equal(g.status, 200);
        assert.equal(g.body.status, 'signed_off');
        const mine = await as['mha-ciso'].get(`${API}/audit-engagements`);
        assert.deepEqual(mine.body.items.map((e) => e.code), [ENG]);
        const other = await as['mpf-ciso'].get(`${eng}/findings`);
        assert.equal(other.status, 404);
        const missing = await as['mpf-ciso'].get(`${API}/audit-engagements/NO-SUCH/findings`);
        assert.equal(other.text.replace(ENG, 'X'), missing.text.replace('NO-SUCH', 'X'));
        assert.equal((await as['mpf-ciso'].get(eng)).status, 404);
        const theirs = await as['mpf-ciso'].get(`${API}/audit-engagements`);
        assert.deepEqual(theirs.body.items, []);
        const badCursor = await centre.get(`${API}/audit-engagements?cursor=`);
        assert.equal(badCursor.status, 400);
      });
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });
}
