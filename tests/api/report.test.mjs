// report.test.mjs: the yearly evaluation report over HTTP (GET /api/v1/reports/annual) on the
// whole demo (two fiscal years of activity). The HTML is the same document the command line
// makes on the database, served with a policy that allows its inline style and nothing
// else; what it shows follows the evaluation's access rules (a ministry's CISO sees no other
// ministry, staff and external auditors are refused); the PDF comes from headless Chromium
// and its text, read back with pdftotext, says what the HTML says; a server without
// Chromium answers 500 and says why in its log only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backends, BIN, Client, kijunOk, startServer, tempDir } from './harness.mjs';

const API = '/api/v1';
const PATH = `${API}/reports/annual`;
const POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

const ACCOUNTS = [
  ['rep-admin', 'centre_admin', 'NCO'],
  ['rep-analyst', 'centre_analyst', 'NCO'],
  ['rep-mha-ciso', 'org_admin', 'MHA'],
  ['rep-mha-officer', 'unit_officer', 'MHA-GA'],
  ['rep-staff', 'staff', 'MHA-GA-IT'],
  ['rep-auditor', 'external_auditor', 'NCO'],
];

function setup(dsn) {
  kijunOk(dsn, ['init', '--demo']);
  const tokens = {};
  for (const [name, role, org] of ACCOUNTS) {
    kijunOk(dsn, ['user', 'add', '--name', name, '--org', org, '--role', role, '--password-stdin'], { input: 'a long enough password\n' });
    tokens[name] = kijunOk(dsn, ['token', 'create', '--user', name, '--name', 'report']).stdout.trim().split(/\s+/).pop();
  }
  kijunOk(dsn, ['user', 'engage', 'rep-auditor', '--org', 'MHA', '--from', '2020-01-01', '--to', '2099-12-31']);
  return tokens;
}

/** GET path as the bytes of the reply: {status, headers, bytes}. */
async function getBytes(url, token, path) {
  const res = await fetch(url + path, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

function pdfText(bytes) {
  const f = join(tempDir(), 'report.pdf');
  writeFileSync(f, bytes);
  const r = spawnSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' });
  assert.equal(r.error, undefined, 'pdftotext is not installed (poppler-utils): make test installs it');
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/\s+/g, ' ');
}

const sections = (html) => html.split('<section class="org"').length - 1;

for (const be of backends('report')) {
  test(`the yearly evaluation report (${be.label})`, async (t) => {
    const dsn = be.dsn();
    const tokens = setup(dsn);
    const srv = await startServer(dsn);
    const as = Object.fromEntries(Object.entries(tokens).map(([n, tok]) => [n, new Client(srv.url, { token: tok })]));
    try {
      let all = 0;

      await t.test('HTML for the centre: the document the command line makes, with its own policy', async () => {
        const r = await as['rep-admin'].get(`${PATH}?fy=2025&format=html&lang=ja`);
        assert.equal(r.status, 200, r.text.slice(0, 200));
        assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
        assert.equal(r.headers.get('content-security-policy'), POLICY);
        assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
        assert.match(r.headers.get('content-disposition'), /kijun-annual-report\.html/);
        assert.ok(r.text.startsWith('<!DOCTYPE html>\n<html lang="ja">'));
        for (const s of ['令和7年度', '内政省', '財政省', '国立統計情報機構', 'id="heatmap"', 'id="pdca"']) {
          assert.ok(r.text.includes(s), `no ${s}`);
        }
        assert.ok(!r.text.includes('<script'));
        all = sections(r.text);
        assert.ok(all >= 30, `${all} organisation sections`);
        const local = spawnSync(BIN, ['--db', dsn, 'report', 'annual', '--fy', '2025'], { encoding: 'utf8', maxBuffer: 1 << 26 });
        assert.equal(local.status, 0, local.stderr);
        assert.equal(r.text, local.stdout, 'the server and the command line make different reports');
      });

      await t.test('HTML in English; the analyst reads it too', async () => {
        const r = await as['rep-analyst'].get(`${PATH}?fy=2025&lang=en`);
        assert.equal(r.status, 200);
        assert.ok(r.text.includes('FY2025 Annual information security evaluation report'));
        assert.ok(r.text.includes('Ministry of Public Finance'));
        assert.ok(!r.text.includes('令和'));
      });

      await t.test("a ministry's CISO and a unit officer see the aggregates and their own organisations only", async () => {
        const r = await as['rep-mha-ciso'].get(`${PATH}?fy=2025&lang=en`);
        assert.equal(r.status, 200, r.text.slice(0, 200));
        assert.ok(r.text.includes('Ministry of Internal Affairs'));
        assert.ok(!r.text.includes('Ministry of Public Finance'), 'the CISO sees another ministry');
        const n = sections(r.text);
        assert.ok(n >= 1 && n < all, `the CISO gets ${n} sections of ${all}`);
        // A unit officer's scope (a bureau) holds no evaluated organisation: the government's
        // figures, and no organisation's row.
        const u = await as['rep-mha-officer'].get(`${PATH}?fy=2025&lang=en`);
        assert.equal(u.status, 200, u.text.slice(0, 200));
        assert.equal(sections(u.text), 0);
        assert.ok(u.text.includes('Government summary'));
        assert.ok(!u.text.includes('Ministry of Public Finance') && !u.text.includes('Ministry of Internal Affairs'));
        const own = await as['rep-mha-ciso'].get(`${PATH}?fy=2025&org=MHA&lang=en`);
        assert.equal(own.status, 200);
        assert.equal(sections(own.text), 1);
        assert.ok(own.text.includes('<span class="code">MHA</span>'));
        const other = await as['rep-mha-ciso'].get(`${PATH}?fy=2025&org=MPF`);
        const missing = await as['rep-mha-ciso'].get(`${PATH}?fy=2025&org=NO-SUCH-ORG`);
        assert.equal(other.status, 404);
        assert.equal(other.text.replace('MPF', 'X'), missing.text.replace('NO-SUCH-ORG', 'X'), 'out of scope reads unlike absent');
      });

      await t.test('staff and external auditors are refused, nobody is asked to log in', async () => {
        for (const who of ['rep-staff', 'rep-auditor']) {
          const r = await as[who].get(`${PATH}?fy=2025`);
          assert.equal(r.status, 403, who);
          assert.equal(r.body.error, 'denied');
        }
        const anon = await new Client(srv.url).get(`${PATH}?fy=2025`);
        assert.equal(anon.status, 401);
      });

      await t.test('bad parameters are 400 with a message naming them', async () => {
        for (const [q, word] of [['format=docx', 'format'], ['lang=fr', 'lang'], ['fy=20x5', 'fy'], ['fy=1800', 'fy'], ['org=MHA-GA', 'MHA-GA']]) {
          const r = await as['rep-admin'].get(`${PATH}?${q}`);
          assert.equal(r.status, 400, `${q}: ${r.text}`);
          assert.equal(r.body.error, 'invalid');
          assert.ok(r.body.message.includes(word), `${q}: ${r.body.message}`);
        }
      });

      await t.test('PDF through headless Chromium, read back', async () => {
        const r = await getBytes(srv.url, tokens['rep-admin'], `${PATH}?fy=2025&format=pdf&lang=en`);
        assert.equal(r.status, 200, r.bytes.toString('utf8', 0, 300));
        assert.equal(r.headers.get('content-type'), 'application/pdf');
        assert.equal(r.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
        const text = pdfText(r.bytes);
        assert.ok(text.includes('Annual information security evaluation report'), text.slice(0, 300));
        assert.ok(text.includes('Ministry of Internal Affairs'));
        const html = await as['rep-admin'].get(`${PATH}?fy=2025&lang=en&org=AG01`);
        const score = /<div>Score<b>([0-9.]+)<\/b>/.exec(html.text);
        assert.ok(score, 'no score in the HTML of AG01');
        const ja = await getBytes(srv.url, tokens['rep-mha-ciso'], `${PATH}?fy=2025&format=pdf&org=AG01`);
        assert.equal(ja.status, 200);
        const jtext = pdfText(ja.bytes);
        for (const s of ['令和7年度', '国立統計情報機構', '成熟度', score[1]]) assert.ok(jtext.includes(s), `PDF without ${s}`);
      });
    } finally {
      await srv.stop();
    }

    await t.test('a server without Chromium answers 500 and logs why', async () => {
      const bare = await startServer(dsn, { env: { KIJUN_CHROMIUM: '/nonexistent/chromium' } });
      try {
        const r = await new Client(bare.url, { token: tokens['rep-admin'] }).get(`${PATH}?fy=2025&format=pdf`);
        assert.equal(r.status, 500);
        assert.equal(r.body.error, 'io');
        assert.ok(!r.text.includes('chromium'), 'the reply names the server\'s paths');
        assert.match(bare.stderr(), /PDF needs Chromium/);
      } finally {
        await bare.stop();
      }
    });
  });
}
