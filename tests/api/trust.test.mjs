// trust.test.mjs: the holes an insider could use, closed (issue 10), on both backends.
// Tokens are minted only by their own account; evidence crosses no organisation's line and
// "unknown" and "not yours" answer alike; a new password ends the other sessions and the
// tokens; login throttling cannot be raced nor used to lock someone out from elsewhere;
// login takes JSON from this server's own pages only; obvious passwords are refused; an
// external auditor's place on a team ends with the engagement's dates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { backends, Client, kijun, kijunOk, startServer, fullDemo, loginAs as login } from './harness.mjs';

const API = '/api/v1';

/** A POST from a chosen loopback address (127.0.0.2 is this machine too): {status, body}. */
function postFrom(url, localAddress, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(url + path, {
      method: 'POST', localAddress,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...headers },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode, headers: res.headers, body: json, text });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** The first open checklist of the account in the campaign: its id and first item. */
async function openChecklist(c, campaign) {
  const mine = await c.get(`${API}/checklists`);
  assert.equal(mine.status, 200, mine.text);
  const cl = mine.body.items.find((x) => x.campaign === campaign && x.status === 'open');
  assert.ok(cl, `an open checklist of ${campaign}`);
  const detail = await c.get(`${API}/checklists/${cl.id}`);
  return { id: cl.id, item: detail.body.items[0].requirement };
}

for (const be of backends('trust')) {
  test(`trust: the insider's holes are closed (${be.label})`, async (t) => {
    const dsn = be.dsn();
    const accounts = fullDemo(dsn);
    const srv = await startServer(dsn);
    try {
      await t.test('an administrator cannot mint a token for another account, only for itself', async () => {
        const ciso = await login(srv.url, accounts, 'mha-ciso');
        for (const victim of ['mha-chief', 'mha-staff', 'ag01-ciso']) {
          const r = await ciso.post(`${API}/tokens`, { user: victim, name: 'stolen', days: 1 });
          assert.equal(r.status, 403, `token for ${victim}: ${r.text}`);
          assert.equal(r.body.token, undefined);
          assert.match(r.body.message, /its own account/);
        }
        // Out of scope: absent, as everywhere.
        assert.equal((await ciso.post(`${API}/tokens`, { user: 'mpf-ciso', days: 1 })).status, 404);
        const centre = await login(srv.url, accounts, 'centre-admin');
        assert.equal((await centre.post(`${API}/tokens`, { user: 'mha-ciso', days: 1 })).status, 403);
        // Its own, named or not.
        const own = await ciso.post(`${API}/tokens`, { user: 'mha-ciso', name: 'mine', days: 1 });
        assert.equal(own.status, 201, own.text);
        assert.equal(own.body.user, 'mha-ciso');
        // Listing and revoking a managed account's tokens still works.
        const staff = await login(srv.url, accounts, 'mha-staff');
        const st = await staff.post(`${API}/tokens`, { name: 'staff-own', days: 1 });
        assert.equal(st.status, 201, st.text);
        const list = await ciso.get(`${API}/tokens?user=mha-staff`);
        assert.equal(list.status, 200);
        assert.ok(list.body.items.some((x) => x.id === st.body.id));
        assert.ok(list.body.items.every((x) => x.token === undefined), 'no secret in a listing');
        assert.equal((await ciso.del(`${API}/tokens/${st.body.id}`)).status, 200);
        assert.equal((await new Client(srv.url, { token: st.body.token }).get(`${API}/session`)).status, 401);
      });

      await t.test("evidence: another organisation's file cannot be attached or read by naming its digest", async () => {
        const mpf = await login(srv.url, accounts, 'mpf-staff');
        const mha = await login(srv.url, accounts, 'mha-staff');
        const secret = `MPF's secret evidence ${Date.now()} ${Math.random()}\n`;
        const up = await mpf.request('POST', `${API}/evidence`, secret, { headers: { 'Content-Type': 'text/plain' } });
        assert.equal(up.status, 201, up.text);
        const sha = up.body.sha256;
        const theirs = await openChecklist(mpf, 'GOV-FY2025-MPF');
        const attached = await mpf.request('PUT', `${API}/checklists/${theirs.id}/answers/${encodeURIComponent(theirs.item)}`,
          { value: 'implemented', evidence: sha });
        assert.equal(attached.status, 200, attached.text);
        assert.equal((await mpf.get(`${API}/evidence/${sha}`)).status, 200);

        const mine = await openChecklist(mha, 'GOV-FY2025-MHA');
        const path = `${API}/checklists/${mine.id}/answers/${encodeURIComponent(mine.item)}`;
        const stolen = await mha.request('PUT', path, { value: 'implemented', evidence: sha });
        assert.equal(stolen.status, 400, stolen.text);
        const unknown = await mha.request('PUT', path, { value: 'implemented', evidence: 'ab'.repeat(32) });
        assert.equal(unknown.status, 400, unknown.text);
        // No oracle: the same answer whether the file exists or not, but for the digest.
        assert.equal(stolen.body.error, unknown.body.error);
        assert.equal(stolen.body.message.replace(sha, 'X'), unknown.body.message.replace('ab'.repeat(32), 'X'));
        const read = await mha.get(`${API}/evidence/${sha}`);
        assert.equal(read.status, 404);
        assert.equal((await mha.get(`${API}/evidence/${'cd'.repeat(32)}`)).status, 404);
        // The checklist still holds no such file.
        const after = await mha.get(`${API}/checklists/${mine.id}`);
        assert.ok(after.body.items.every((x) => x.evidence !== sha));
        // One's own upload is attached and read back.
        const own = await mha.request('POST', `${API}/evidence`, `MHA's own ${Date.now()}\n`, { headers: { 'Content-Type': 'text/plain' } });
        assert.equal(own.status, 201);
        assert.equal((await mha.get(`${API}/evidence/${own.body.sha256}`)).status, 200);
        assert.equal((await mha.request('PUT', path, { value: 'implemented', evidence: own.body.sha256 })).status, 200);
      });

      await t.test('a new password ends the other sessions and revokes the tokens; the session it came from goes on', async () => {
        const pw = 'Trust-first-Pw-7391';
        kijunOk(dsn, ['user', 'add', '--name', 'rotating', '--org', 'MHA-GA', '--role', 'staff', '--password-stdin'], { input: `${pw}\n` });
        const here = new Client(srv.url);
        assert.equal((await here.login('rotating', pw)).status, 200);
        const there = new Client(srv.url);
        assert.equal((await there.login('rotating', pw)).status, 200);
        const tok = await here.post(`${API}/tokens`, { name: 'rotating-token', days: 1 });
        assert.equal(tok.status, 201);
        const bearer = new Client(srv.url, { token: tok.body.token });
        assert.equal((await bearer.get(`${API}/session`)).status, 200);

        const pw2 = 'Trust-second-Pw-8462';
        const ch = await here.post(`${API}/session/password`, { current: pw, new: pw2 });
        assert.equal(ch.status, 200, ch.text);
        assert.equal((await here.get(`${API}/session`)).status, 200, 'the session that changed it');
        assert.equal((await there.get(`${API}/session`)).status, 401, 'another session');
        assert.equal((await bearer.get(`${API}/session`)).status, 401, 'a token');

        // A reset by the administrator ends every session, that one too.
        const pw3 = 'Trust-third-Pw-9573';
        const r = kijun(dsn, ['user', 'passwd', 'rotating', '--password-stdin'], { input: `${pw3}\n` });
        if (r.code === 0) {
          assert.equal((await here.get(`${API}/session`)).status, 401, 'after a reset');
        } else {
          assert.fail(`kijun user passwd: ${r.stderr}`);
        }
      });

      await t.test('obvious passwords are refused, with the reason', async () => {
        const c = await login(srv.url, accounts, 'mha-staff2');
        for (const [weak, why] of [['passwordpassword', /repeated/], ['Password2024!!', /well-known/],
          ['123456789012', /run|digits/], ['aaaaaaaaaaab', /different characters/], ['mha-staff2-secret', /name/]]) {
          const r = await c.post(`${API}/session/password`, { current: accounts['mha-staff2'].password, new: weak });
          assert.equal(r.status, 400, `${weak}: ${r.text}`);
          assert.match(r.body.message, why, weak);
        }
        const cli = kijun(dsn, ['user', 'add', '--name', 'weakling', '--org', 'MHA-GA', '--role', 'staff', '--password-stdin'],
          { input: 'passwordpassword\n' });
        assert.notEqual(cli.code, 0);
        assert.match(cli.stderr, /too easy to guess/);
      });

      await t.test('login takes JSON only, and only from this server\'s own pages', async () => {
        const form = await postFrom(srv.url, '127.0.0.1', `${API}/session`, 'name=mha-staff&password=x',
          { 'Content-Type': 'application/x-www-form-urlencoded' });
        assert.equal(form.status, 415);
        const plain = await postFrom(srv.url, '127.0.0.1', `${API}/session`,
          JSON.stringify({ name: 'mha-staff', password: accounts['mha-staff'].password }), { 'Content-Type': 'text/plain' });
        assert.equal(plain.status, 415);
        const body = { name: 'mha-staff', password: accounts['mha-staff'].password };
        const foreign = await postFrom(srv.url, '127.0.0.1', `${API}/session`, body, { Origin: 'https://evil.example' });
        assert.equal(foreign.status, 403);
        assert.equal(foreign.headers['set-cookie'], undefined);
        const nul = await postFrom(srv.url, '127.0.0.1', `${API}/session`, body, { Origin: 'null' });
        assert.equal(nul.status, 403);
        const own = await postFrom(srv.url, '127.0.0.1', `${API}/session`, body, { Origin: srv.url });
        assert.equal(own.status, 200, own.text);
      });

      await t.test('parallel wrong passwords: exactly five get through, the rest wait', async () => {
        const pw = 'Quick-fox-Pw-4810';
        kijunOk(dsn, ['user', 'add', '--name', 'raced', '--org', 'MHA-GA', '--role', 'staff', '--password-stdin'], { input: `${pw}\n` });
        const tries = await Promise.all(Array.from({ length: 12 }, (_, i) => postFrom(srv.url, '127.0.0.3', `${API}/session`,
          { name: 'raced', password: `wrong-guess-${i}-xyz` })));
        const counts = { 401: 0, 429: 0 };
        for (const r of tries) counts[r.status] = (counts[r.status] || 0) + 1;
        assert.deepEqual(counts, { 401: 5, 429: 7 }, JSON.stringify(tries.map((r) => r.status)));
        for (const r of tries.filter((x) => x.status === 429)) assert.match(r.headers['retry-after'] || '', /^[1-9][0-9]*$/);
      });

      await t.test('an anonymous guesser cannot lock the holder out from another address', async () => {
        const pw = 'Slow-tortoise-Pw-5921';
        kijunOk(dsn, ['user', 'add', '--name', 'victim', '--org', 'MHA-GA', '--role', 'staff', '--password-stdin'], { input: `${pw}\n` });
        for (let i = 0; i < 8; i++) {
          const r = await postFrom(srv.url, '127.0.0.4', `${API}/session`, { name: 'victim', password: `guess-number-${i}-x` });
          assert.ok([401, 429].includes(r.status), r.text);
        }
        const blocked = await postFrom(srv.url, '127.0.0.4', `${API}/session`, { name: 'victim', password: pw });
        assert.equal(blocked.status, 429, 'the guesser\'s address waits, even with the right password');
        const holder = await postFrom(srv.url, '127.0.0.5', `${API}/session`, { name: 'victim', password: pw });
        assert.equal(holder.status, 200, `the holder from elsewhere: ${holder.text}`);
      });

      await t.test("an external auditor's place on a team ends with the engagement's dates", async () => {
        const centre = await login(srv.url, accounts, 'centre-admin');
        const auditor = await login(srv.url, accounts, 'auditor');
        const prog = (fy) => ({ code: `TRUST-MA-${fy}`, org: 'NCO', fiscal_year: fy, kind: 'management_audit', title_ja: '監査', title_en: 'Audit' });
        const edition = 'demo-fy2025';
        const cases = [
          { fy: 2024, code: 'TRUST-PAST', from: '2024-06-01', to: '2024-09-30', sees: false },
          { fy: 2026, code: 'TRUST-NOW', from: '2026-04-01', to: '2027-03-31', sees: true },
        ];
        for (const k of cases) {
          const p = await centre.post(`${API}/audit-programmes`, prog(k.fy));
          assert.equal(p.status, 201, p.text);
          const e = await centre.post(`${API}/audit-engagements`, {
            code: k.code, programme: `TRUST-MA-${k.fy}`, org: 'MPF', edition, title_ja: '監査', title_en: 'Audit',
            starts_on: k.from, ends_on: k.to,
          });
          assert.equal(e.status, 201, e.text);
          const m = await centre.post(`${API}/audit-engagements/${k.code}/members`, { user: 'auditor', role: 'member' });
          assert.equal(m.status, 201, m.text);
          const g = await auditor.get(`${API}/audit-engagements/${k.code}`);
          assert.equal(g.status, k.sees ? 200 : 404, `${k.code}: ${g.text}`);
          const f = await auditor.get(`${API}/audit-engagements/${k.code}/findings`);
          assert.equal(f.status, k.sees ? 200 : 404, `${k.code} findings: ${f.text}`);
        }
      });
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });
}
