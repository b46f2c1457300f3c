// badinput.test.mjs: what the server does with input meant to break it. Malformed,
// oversized, deeply nested and mis-encoded bodies; unknown fields and wrong types; huge
// headers; path tricks; SQL metacharacters in every string field and query parameter;
// expired, garbage and forged credentials. Each must get a 4xx (never a 5xx) with a JSON
// error body that says what is wrong, leave the server answering, and change nothing.
// Runs on SQLite and, when the test run has one, on PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { BIN, Client, backends, demoGovernment, freePort, kijunOk, startServer } from './harness.mjs';

const SUITE = 'badinput';

function short(s) {
  return s && s.length > 300 ? `${s.slice(0, 300)}...` : s;
}

/** A 4xx with the one error body {error, message}, the message not empty. */
function assertRefused(r, { status, message } = {}) {
  const what = `${r.status}: ${short(r.text)}`;
  if (status !== undefined) assert.equal(r.status, status, `expected ${status}, got ${what}`);
  assert.ok(r.status >= 400 && r.status < 500, `expected a 4xx, got ${what}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/, what);
  assert.ok(r.body && typeof r.body === 'object', `not a JSON body: ${what}`);
  assert.deepEqual(Object.keys(r.body).sort(), ['error', 'message'], what);
  assert.equal(typeof r.body.error, 'string');
  assert.equal(typeof r.body.message, 'string');
  assert.ok(r.body.message.length > 3, `an empty message: ${what}`);
  if (message) assert.match(r.body.message, message, what);
}

/** Not a 5xx, and JSON whatever it is. */
function assertHandled(r) {
  const what = `${r.status}: ${short(r.text)}`;
  assert.ok(r.status < 500, `server error ${what}`);
  assert.ok(r.body !== null, `not JSON: ${what}`);
  if (r.status >= 400) assertRefused(r);
}

/**
 * Speaks HTTP/1.1 over a plain socket, for requests fetch would clean up first. parts are
 * written in order (then, with end, the sending half closed). Resolves with the first response: {status, headers (Map), text, body},
 * or {status: 0, closed: true} when the server closed the connection without one.
 */
function rawHttp(port, parts, { timeoutMs = 15000, end = false } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err && buf.length === 0 && err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
      else resolve(parseResponse(buf));
    };
    const timer = setTimeout(() => finish(new Error(`no response in ${timeoutMs} ms`)), timeoutMs);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (responseComplete(buf)) finish();
    });
    sock.on('close', () => finish());
    sock.on('error', (e) => finish(e));
    sock.on('connect', async () => {
      try {
        for (const p of parts) {
          if (done) return;
          if (!sock.write(p)) await once(sock, 'drain');
        }
        if (end) sock.end();
      } catch { /* the server may close while we write: its answer is what counts */ }
    });
  });
}

function headerEnd(buf) {
  return buf.indexOf('\r\n\r\n');
}

function responseComplete(buf) {
  const end = headerEnd(buf);
  if (end < 0) return false;
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(buf.subarray(0, end).toString('latin1'));
  return m !== null && buf.length >= end + 4 + Number(m[1]);
}

function parseResponse(buf) {
  const end = headerEnd(buf);
  if (buf.length === 0 || end < 0) return { status: 0, closed: true, headers: new Map(), text: '', body: null };
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = new Map();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  let bodyBuf = buf.subarray(end + 4);
  if (headers.has('content-length')) bodyBuf = bodyBuf.subarray(0, Number(headers.get('content-length')));
  const text = bodyBuf.toString('utf8');
  let body = null;
  try { body = JSON.parse(text); } catch { body = null; }
  return { status, headers: { get: (k) => headers.get(k.toLowerCase()) ?? null }, text, body };
}

/** Runs SQL against the test database behind the API, for states the API cannot make. */
function sql(dsn, statement) {
  const r = dsn.startsWith('sqlite:')
    ? spawnSync('sqlite3', [dsn.slice('sqlite:'.length), statement], { encoding: 'utf8' })
    : spawnSync('psql', [dsn, '-q', '-v', 'ON_ERROR_STOP=1', '-c', statement], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sql: ${r.stderr}`);
}

const SQL_PAYLOADS = [
  "' OR 1=1 --",
  '"; DROP TABLE org; --',
  "') OR ('1'='1",
  "1; DELETE FROM app_user; --",
  "' UNION SELECT password_hash, name FROM app_user --",
  "Robert'); DROP TABLE audit_log;--",
  '%',
  '_',
  '\\',
  "'; SELECT pg_sleep(10); --",
];

for (const b of backends(SUITE)) {
  describe(`bad input on ${b.label}`, () => {
    let dsn;
    let srv;
    let accounts;
    let admin;		// centre-admin by bearer token
    let snapshot;	// what must not change

    before(async () => {
      dsn = b.dsn();
      ({ accounts } = demoGovernment(dsn));
      srv = await startServer(dsn);
      admin = new Client(srv.url, { token: accounts['centre-admin'].token });
      snapshot = await state();
    });

    after(async () => {
      if (srv) assert.equal(await srv.stop(), 0, `server did not stop cleanly: ${srv.stderr()}`);
    });

    /** Counts a refused request must leave as they were. */
    async function state() {
      const orgs = await admin.get('/api/v1/orgs?include_abolished=true&limit=1000');
      const users = await admin.get('/api/v1/users?limit=1000');
      const tokens = await admin.get('/api/v1/tokens');
      const audit = await admin.get('/api/v1/audit/verify');
      for (const r of [orgs, users, tokens, audit]) assert.equal(r.status, 200, short(r.text));
      assert.equal(orgs.body.next_cursor, null);
      assert.equal(audit.body.ok, true, 'the audit chain broke');
      return {
        orgs: orgs.body.items.length,
        users: users.body.items.length,
        tokens: tokens.body.items.length,
        audit: audit.body.records,
        ga: (await admin.get('/api/v1/orgs/MHA-GA')).body,
      };
    }

    /** The server still answers, and nothing changed (or changed by exactly delta). */
    async function assertAliveAndUnchanged(delta = {}) {
      const h = await fetch(`${srv.url}/api/v1/health`);
      assert.equal(h.status, 200, 'health after bad input');
      assert.equal(srv.proc.exitCode, null, `the server exited: ${srv.stderr()}`);
      const now = await state();
      for (const k of ['orgs', 'users', 'tokens', 'audit']) {
        assert.equal(now[k], snapshot[k] + (delta[k] || 0), `${k} changed: ${snapshot[k]} -> ${now[k]}`);
      }
      assert.deepEqual(now.ga, snapshot.ga, 'MHA-GA changed');
      snapshot = now;
    }

    /** Every route that reads a JSON body, with what it needs besides. */
    function bodyRoutes() {
      const ifMatch = { 'If-Match': `"v${snapshot.ga.version}"` };
      return [
        { method: 'POST', path: '/api/v1/orgs' },
        { method: 'PATCH', path: '/api/v1/orgs/MHA-GA', headers: ifMatch },
        { method: 'POST', path: '/api/v1/orgs/MHA-GA/abolish', headers: ifMatch, emptyOk: true },
        { method: 'POST', path: '/api/v1/session', anon: true },
        { method: 'POST', path: '/api/v1/session/password' },
        { method: 'POST', path: '/api/v1/tokens', emptyOk: true },
        { method: 'POST', path: '/api/v1/users' },
        { method: 'PATCH', path: '/api/v1/users/mha-staff', headers: { 'If-Match': '"v1"' } },
        { method: 'POST', path: '/api/v1/engagements' },
        { method: 'POST', path: '/api/v1/editions' },
      ];
    }

    function send(route, body, headers = {}) {
      const c = route.anon ? new Client(srv.url) : admin;
      return c.request(route.method, route.path, body, { headers: { ...(route.headers || {}), ...headers } });
    }

    test('malformed JSON is 400 with a message that says where, on every route that takes a body', async () => {
      const bodies = [
        '{', '{"kind":}', "{'kind':'bureau'}", '{"a":1,}', 'nul', 'tru', '[1,2', '"unterminated',
        '{"a":1}{"b":2}', '{"a" 1}', '{"a":01}', '{"a":NaN}', '{"a":Infinity}', '{"a":"\\x41"}',
        '{"a":"\\ud800"}', '\ufeff{}x', ' ', '[]', '"a string"', '42', 'null', 'true',
        '{"name":"a","name":"b"}',
      ];
      for (const route of bodyRoutes()) {
        for (const body of bodies) {
          const r = await send(route, body);
          assertRefused(r, { status: 400 });
          if (route.path !== '/api/v1/editions') assert.match(r.body.message, /body/, `${route.method} ${route.path} ${body}: ${r.body.message}`);
        }
        if (!route.emptyOk) assertRefused(await send(route, ''), { status: 400 });
      }
      await assertAliveAndUnchanged();
    });

    test('unknown fields are refused, not ignored', async () => {
      const valid = {
        'POST /api/v1/orgs': { kind: 'bureau', code: 'MHA-UNK', name_ja: '未知局', name_en: 'Unknown', parent: 'MHA' },
        'PATCH /api/v1/orgs/MHA-GA': { name_en: 'Renamed', date: '2099-01-01' },
        'POST /api/v1/orgs/MHA-GA/abolish': { date: '2099-01-01' },
        'POST /api/v1/session': { name: 'mha-ciso', password: accounts['mha-ciso'].password },
        'POST /api/v1/session/password': { current: accounts['centre-admin'].password, new: 'a-new-password-123' },
        'POST /api/v1/tokens': { name: 'unknown-field' },
        'POST /api/v1/users': { name: 'unk-user', org: 'MHA', role: 'staff', password: 'unknown-field-pw-1' },
        'PATCH /api/v1/users/mha-staff': { display_name: 'Renamed' },
        'POST /api/v1/engagements': { user: 'auditor', org: 'MPF', from: '2025-01-01', to: '2025-12-31' },
      };
      for (const route of bodyRoutes()) {
        const base = valid[`${route.method} ${route.path}`];
        if (!base) continue;
        for (const extra of [{ admin: true }, { is_admin: 1 }, { __proto__x: 1 }, { '': 1 }, { NAME: 'x' }]) {
          const r = await send(route, { ...base, ...extra });
          assertRefused(r, { status: 400, message: /unknown field/ });
          assert.ok(r.body.message.includes(JSON.stringify(Object.keys(extra)[0]).slice(1, -1)),
            `the message does not name the field: ${r.body.message}`);
        }
      }
      // Also deep inside a catalogue.
      const cat = (await admin.get('/api/v1/editions/demo-fy2023/export')).body;
      cat.edition.id = 'unknown-field-ed';
      delete cat.edition.uuid;
      cat.items[0].items[0].colour = 'red';
      const r = await admin.post('/api/v1/editions', cat);
      assertRefused(r, { status: 400, message: /colour/ });
      assert.equal((await admin.get('/api/v1/editions/unknown-field-ed')).status, 404);
      await assertAliveAndUnchanged();
    });

    test('wrong types are refused, not coerced or taken as absent', async () => {
      const ifMatch = { 'If-Match': `"v${snapshot.ga.version}"` };
      const org = { kind: 'bureau', code: 'MHA-TYP', name_ja: '型局', name_en: 'Types', parent: 'MHA' };
      const cases = [
        ['POST', '/api/v1/orgs', { ...org, kind: 5 }],
        ['POST', '/api/v1/orgs', { ...org, name_ja: ['a'] }],
        ['POST', '/api/v1/orgs', { ...org, parent: null }],
        ['POST', '/api/v1/orgs', { ...org, code: {} }],
        ['POST', '/api/v1/orgs', { ...org, code: true }],
        ['POST', '/api/v1/orgs', { ...org, valid_from: 20240101 }],
        ['PATCH', '/api/v1/orgs/MHA-GA', { name_en: 5, date: '2099-01-01' }, ifMatch],
        ['PATCH', '/api/v1/orgs/MHA-GA', { name_en: 'X', date: 20990101 }, ifMatch],
        ['POST', '/api/v1/orgs/MHA-GA/abolish', { date: false }, ifMatch],
        ['POST', '/api/v1/session', { name: 1, password: 'x' }, {}, true],
        ['POST', '/api/v1/session', { name: 'mha-ciso', password: [accounts['mha-ciso'].password] }, {}, true],
        ['POST', '/api/v1/session/password', { current: 1, new: 2 }],
        ['POST', '/api/v1/tokens', { scope: 5 }],
        ['POST', '/api/v1/tokens', { scope: null }],
        ['POST', '/api/v1/tokens', { name: 7 }],
        ['POST', '/api/v1/tokens', { user: 7 }],
        ['POST', '/api/v1/tokens', { days: '30' }],
        ['POST', '/api/v1/tokens', { days: 1.5 }],
        ['POST', '/api/v1/tokens', { days: 0 }],
        ['POST', '/api/v1/tokens', { days: -1 }],
        ['POST', '/api/v1/tokens', { days: 367 }],
        ['POST', '/api/v1/tokens', '{"days": 4294967297}'],
        ['POST', '/api/v1/tokens', '{"days": 18446744073709551617}'],
        ['POST', '/api/v1/users', { name: 'typ-user', org: 'MHA', role: 'staff', password: 123456789012345 }],
        ['POST', '/api/v1/users', { name: 'typ-user', org: 'MHA', role: 'staff', display_name: 5 }],
        ['POST', '/api/v1/users', { name: 5, org: 'MHA', role: 'staff' }],
        ['POST', '/api/v1/users', { name: 'typ-user', org: ['MHA'], role: 'staff' }],
        ['PATCH', '/api/v1/users/mha-staff', { disabled: 'yes' }, { 'If-Match': '"v1"' }],
        ['PATCH', '/api/v1/users/mha-staff', { disabled: 1 }, { 'If-Match': '"v1"' }],
        ['PATCH', '/api/v1/users/mha-staff', { role: 5 }, { 'If-Match': '"v1"' }],
        ['POST', '/api/v1/engagements', { user: 5, org: 'MPF', from: '2025-01-01', to: '2025-12-31' }],
        ['POST', '/api/v1/engagements', { user: 'auditor', org: 'MPF', from: 20250101, to: '2025-12-31' }],
      ];
      for (const [method, path, body, headers = {}, anon = false] of cases) {
        const c = anon ? new Client(srv.url) : admin;
        const r = await c.request(method, path, body, { headers });
        assertRefused(r, { status: 400 });
        assert.doesNotMatch(r.body.message, /wrong name or password/);
      }
      for (const q of ['limit=abc', 'limit=-1', 'limit=1e3', 'limit=10.5', 'limit=', 'limit=%20', 'limit=99999999999999999999',
        'include_abolished=yes', 'kind=5', 'cursor=', 'cursor=c', 'cursor=c-1', 'cursor=C10']) {
        assertRefused(await admin.get(`/api/v1/orgs?${q}`), { status: 400 });
      }
      assertRefused(await admin.get('/api/v1/editions/demo-fy2025/export?format=1'), { status: 400 });
      assertRefused(await admin.get('/api/v1/diff?old=demo-fy2023&new=demo-fy2025&table=2'), { status: 400 });
      assertRefused(await admin.get('/api/v1/audit?since=2025-13-01'), { status: 400 });
      assertRefused(await admin.get('/api/v1/audit?until=2025-01-01T25:00:00Z'), { status: 400 });
      await assertAliveAndUnchanged();
    });

    test('invalid UTF-8 and NUL in bodies are refused', async () => {
      const enc = new TextEncoder();
      const withBytes = (prefix, bytes, suffix) => {
        const a = enc.encode(prefix);
        const z = enc.encode(suffix);
        const out = new Uint8Array(a.length + bytes.length + z.length);
        out.set(a, 0);
        out.set(bytes, a.length);
        out.set(z, a.length + bytes.length);
        return out;
      };
      const bad = [
        [0xff], [0xfe], [0xc3, 0x28], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xe3, 0x81],
        [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80], [0x00],
      ];
      const targets = [
        ['POST', '/api/v1/orgs', '{"kind":"bureau","code":"MHA-U8","name_ja":"a', '","name_en":"b","parent":"MHA"}'],
        ['POST', '/api/v1/session', '{"name":"mha-ciso","password":"', '"}'],
        ['POST', '/api/v1/tokens', '{"name":"t', '"}'],
        ['POST', '/api/v1/users', '{"name":"u8user","org":"MHA","role":"staff","display_name":"', '"}'],
        ['POST', '/api/v1/editions', '{"format":"kijun-catalog","version":1,"edition":{"id":"u8","label_en":"', '"},"items":[]}'],
      ];
      for (const [method, path, pre, post] of targets) {
        const c = path === '/api/v1/session' ? new Client(srv.url) : admin;
        for (const bytes of bad) {
          const r = await c.request(method, path, withBytes(pre, bytes, post));
          assertRefused(r, { status: 400 });
        }
        // The escape for NUL is refused as well: C strings would cut the value short.
        assertRefused(await c.request(method, path, `${pre}x\\u0000y${post}`), { status: 400 });
      }
      // A NUL between tokens.
      assertRefused(await admin.request('POST', '/api/v1/tokens', withBytes('{"name":"t"', [0x00], '}')), { status: 400 });
      // Nor in a path segment or a query parameter (PostgreSQL took them for a server error).
      const notUtf8 = ['%ff', '%c3%28', '%c0%af', '%ed%a0%80', 'MHA%80'];
      for (const x of notUtf8) {
        for (const path of [
          `/api/v1/orgs/${x}`, `/api/v1/users/${x}`, `/api/v1/editions/${x}`, `/api/v1/editions/${x}/items`,
          `/api/v1/editions/demo-fy2025/items/${x}`, `/api/v1/orgs?q=${x}`, `/api/v1/orgs?under=${x}`,
          `/api/v1/users?org=${x}`, `/api/v1/users?cursor=${x}`, `/api/v1/tokens?user=${x}`,
          `/api/v1/audit?user=${x}`, `/api/v1/audit?org=${x}`, `/api/v1/audit?entity=${x}`,
          `/api/v1/diff?old=${x}&new=demo-fy2025`, `/api/v1/editions/demo-fy2025/items?q=${x}`,
          `/api/v1/editions/demo-fy2025/items?kind=${x}`, `/api/v1/editions/demo-fy2025/items?parent=${x}`,
          `/api/v1/editions/demo-fy2025/items?level=${x}`, `/api/v1/editions/demo-fy2025/items?role=${x}`,
          `/api/v1/orgs?${x}=1`,
        ]) {
          assertRefused(await admin.get(path), { status: 400, message: /UTF-8/ });
        }
        assertRefused(await admin.del(`/api/v1/tokens/${x}`), { status: 400, message: /UTF-8/ });
        assertRefused(await admin.post(`/api/v1/editions?id=${x}`, '{}'), { status: 400, message: /UTF-8/ });
      }
      // Percent-encoded UTF-8 is fine.
      assertRefused(await admin.get('/api/v1/orgs/%e5%86%85'), { status: 404 });
      assert.equal((await admin.get(`/api/v1/orgs?q=${encodeURIComponent('内政')}`)).body.items.length > 0, true);
      // A NUL in the path or query is not decoded into an early end of the string.
      assertRefused(await admin.get('/api/v1/orgs/MHA%00'), { status: 404 });
      const q = await admin.get('/api/v1/orgs?q=M%00');
      assert.equal(q.status, 200);
      assert.equal(q.body.items.length, 0, 'q=M%00 was cut short to q=M');
      await assertAliveAndUnchanged();
    });

    test('JSON nested 10000 deep is refused without a crash', async () => {
      const deepArrays = '['.repeat(10000) + ']'.repeat(10000);
      const deepObjects = '{"a":'.repeat(10000) + '1' + '}'.repeat(10000);
      const unclosed = '['.repeat(100000);
      for (const route of bodyRoutes()) {
        for (const body of [deepArrays, deepObjects, unclosed]) assertRefused(await send(route, body));
      }
      // Deeper than our own walkers take, within what the parser takes.
      assertRefused(await admin.post('/api/v1/orgs', `{"kind":${'['.repeat(100)}${']'.repeat(100)}}`));
      assertRefused(await admin.post('/api/v1/editions', `{"format":"kijun-catalog","items":${'['.repeat(500)}${']'.repeat(500)}}`));
      await assertAliveAndUnchanged();
    });

    test('a body over 1 MiB is 413, with, without or with a lying Content-Length', async () => {
      const big = JSON.stringify({ kind: 'bureau', code: 'MHA-BIG', name_ja: 'x'.repeat((1 << 20) + 10), name_en: 'b', parent: 'MHA' });
      assertRefused(await admin.post('/api/v1/orgs', big), { status: 413 });
      assertRefused(await new Client(srv.url).post('/api/v1/session', big), { status: 413 });
      assertRefused(await admin.post('/api/v1/nothing-here', big), { status: 413 });

      // Streamed: no Content-Length at all (chunked).
      const chunk = new Uint8Array(64 * 1024).fill(0x61);
      const streamed = async (n) => {
        const stream = new ReadableStream({
          start(ctrl) {
            ctrl.enqueue(new TextEncoder().encode('{"name_ja":"'));
            for (let i = 0; i < n; i++) ctrl.enqueue(chunk);
            ctrl.enqueue(new TextEncoder().encode('"}'));
            ctrl.close();
          },
        });
        const res = await fetch(`${srv.url}/api/v1/orgs`, {
          method: 'POST', body: stream, duplex: 'half',
          headers: { Authorization: `Bearer ${accounts['centre-admin'].token}`, 'Content-Type': 'application/json' },
        });
        const text = await res.text();
        let body = null;
        try { body = JSON.parse(text); } catch { body = null; }
        return { status: res.status, headers: res.headers, text, body };
      };
      assertRefused(await streamed(20), { status: 413 });
      assertRefused(await streamed(40), { status: 413 });
      // Just under the limit is read (and refused for what it says, not its size).
      assertRefused(await streamed(15), { status: 400 });

      const head = (extra) => `POST /api/v1/orgs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${accounts['centre-admin'].token}\r\nContent-Type: application/json\r\n${extra}\r\n`;
      const twoMiB = Buffer.alloc(2 << 20, 0x61);
      // Chunked by hand, in chunks of 256 KiB.
      const chunked = [head('Transfer-Encoding: chunked\r\nConnection: close\r\n')];
      for (let i = 0; i < 8; i++) chunked.push(`40000\r\n`, twoMiB.subarray(0, 0x40000), '\r\n');
      chunked.push('0\r\n\r\n');
      const r1 = await rawHttp(srv.port, chunked);
      assertRefused(r1, { status: 413 });
      // Content-Length says 2 MiB: refused by what it announces.
      const r2 = await rawHttp(srv.port, [head(`Content-Length: ${twoMiB.length}\r\nConnection: close\r\n`), twoMiB]);
      assertRefused(r2, { status: 413 });
      // Content-Length says 20 and 2 MiB follow: the first 20 bytes are the body, the rest
      // is no request at all.
      const r3 = await rawHttp(srv.port, [head('Content-Length: 20\r\n'), '{"kind":"bureau","co', twoMiB]);
      assertRefused(r3, { status: 400 });
      // Content-Length that no integer holds, or negative: a 4xx, or the connection closed.
      for (const cl of ['99999999999999999999999', '-1', '1e6', 'abc', '10, 20']) {
        const r = await rawHttp(srv.port, [head(`Content-Length: ${cl}\r\nConnection: close\r\n`), '{}'], { end: true });
        assert.ok(r.closed || (r.status >= 400 && r.status < 500), `Content-Length ${cl}: ${r.status} ${short(r.text)}`);
      }
      await assertAliveAndUnchanged();
    });

    test('huge headers and URLs get a 4xx, not a crash', async () => {
      const big = 'a'.repeat(70 * 1024);
      const tryIt = async (parts) => {
        const r = await rawHttp(srv.port, parts);
        assert.ok(r.closed || (r.status >= 400 && r.status < 500), `${r.status} ${short(r.text)}`);
        assert.equal((await fetch(`${srv.url}/api/v1/health`)).status, 200);
        return r;
      };
      const get = (target, headers = '') => [`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers}\r\n`];
      const r1 = await tryIt(get('/api/v1/health', `X-Big: ${big}\r\n`));
      assert.ok(r1.status === 431 || r1.status === 413 || r1.status === 400, `huge header: ${r1.status}`);
      await tryIt(get('/api/v1/health', Array.from({ length: 3000 }, (_, i) => `X-H${i}: ${'v'.repeat(30)}\r\n`).join('')));
      await tryIt(get('/api/v1/orgs', `Cookie: kijun_session=${big}\r\n`));
      await tryIt(get('/api/v1/orgs', `Authorization: Bearer ${big}\r\n`));
      await tryIt(get(`/api/v1/${big}`));
      await tryIt(get(`/api/v1/orgs?q=${big}`));
      // Large but within the limit: answered by the API itself.
      const mid = 'b'.repeat(8000);
      assertRefused(await rawHttp(srv.port, get('/api/v1/orgs', `Authorization: Bearer ${mid}\r\n`)), { status: 401 });
      assertRefused(await rawHttp(srv.port, get('/api/v1/orgs', `Cookie: kijun_session=${mid}\r\n`)), { status: 401 });
      assertRefused(await rawHttp(srv.port, get(`/api/v1/${mid}`)), { status: 404 });
      const q = await admin.get(`/api/v1/editions/demo-fy2025/items?q=${mid}`);
      assertRefused(q, { status: 400, message: /q/ });
      await assertAliveAndUnchanged();
    });

    test('path tricks reach nothing they should not', async () => {
      const get = async (target) => rawHttp(srv.port, [`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${accounts['centre-admin'].token}\r\nConnection: close\r\n\r\n`]);
      const notFound = [
        '/api/v1/../etc/passwd',
        '/api/v1/../../../../etc/passwd',
        '/api/v1/%2e%2e/%2e%2e/etc/passwd',
        '/api/v1/%2E%2E/health',
        '/api/v1/orgs/..%2f..%2f..%2fetc%2fpasswd',
        '/api/v1/orgs/../health',
        '/api/v1/orgs/%2e%2e',
        '//api/v1/health',
        '/api/v1//health',
        '/api/v1/orgs//MHA',
        '/api/v1/orgs/MHA/',
        '/api/v1/health/',
        '/api/v1/./health',
        '/api/v1\\health',
        '/API/V1/HEALTH',
        '/api/v1/health%00',
        '/api/v1/health%00.json',
        '/api/v1/orgs/MHA%00',
        '/api/v1/orgs/MHA%00/../MPF',
        '/api/v1/orgs/MHA%2f..%2fMPF',
        `/api/v1/${'a/'.repeat(3000)}`,
        `/api/v1/orgs/${'A'.repeat(7000)}`,
        `/api/v1/editions/demo-fy2025/items/${'9'.repeat(7000)}`,
      ];
      for (const target of notFound) {
        const r = await get(target);
        assertRefused(r, { status: 404 });
        assert.ok(!/root:/.test(r.text), `${target} served a file`);
      }
      // Encoded letters are still the same letters.
      const ok = await get('/api/v1/orgs/%4d%48%41');
      assert.equal(ok.status, 200);
      assert.equal(ok.body.code, 'MHA');
      for (const target of ['*', 'http://evil.example/api/v1/health', 'api/v1/health', '/api/v1/health#frag']) {
        const r = await get(target);
        assert.ok(r.closed || r.status < 500, `${target}: ${r.status}`);
      }
      await assertAliveAndUnchanged();
    });

    test('a request cannot write lines of its own into the access log', async () => {
      // The harness starts servers --quiet: this one logs.
      const port = await freePort();
      const proc = spawn(BIN, ['--db', dsn, 'serve', '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      proc.stderr.on('data', (d) => { log += d; });
      try {
        await new Promise((resolve, reject) => {
          let out = '';
          proc.stdout.on('data', (d) => { out += d; if (out.includes('listening on')) resolve(); });
          proc.on('exit', (c) => reject(new Error(`server exited ${c}: ${log}`)));
        });
        const forged = '10.6.6.6 POST /api/v1/users 201 0.1ms';
        for (const target of [
          `/api/v1/orgs/x%0a${encodeURIComponent(forged)}`, `/api/v1/x%0d%0a${encodeURIComponent(forged)}`,
          `/api/v1/orgs/%1b%5b2J%08%08${encodeURIComponent(forged)}`, '/api/v1/health%0a',
        ]) {
          const r = await rawHttp(port, [`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`]);
          assert.ok(r.status >= 400 && r.status < 500, `${target}: ${r.status}`);
        }
        assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/health`)).status, 200);
      } finally {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
      const lines = log.split('\n').filter((l) => l !== '' && !l.startsWith('kijun serve: SIGTERM'));
      assert.equal(lines.length, 5, `one line per request: ${log}`);
      for (const l of lines) {
        assert.match(l, /^127\.0\.0\.1 GET \/api\/v1\/.* \d{3} [0-9.]+ms$/, `a line the request wrote: ${JSON.stringify(l)}`);
        assert.ok(!l.startsWith('10.6.6.6'), 'a forged line');
        assert.doesNotMatch(l, /[\x00-\x1f\x7f]/, `control characters in the log: ${JSON.stringify(l)}`);
      }
    });

    test('SQL metacharacters are data in every string field, or refused', async () => {
      let orgsMade = 0;
      let usersMade = 0;
      let tokensMade = 0;
      let engagementsMade = 0;
      let n = 0;
      for (const p of SQL_PAYLOADS) {
        n++;
        // Free-text fields keep the text exactly.
        const code = `MHA-SQ${n}`;
        const made = await admin.post('/api/v1/orgs', { kind: 'bureau', code, name_ja: p, name_en: `${p} en`, parent: 'MHA' });
        assert.equal(made.status, 201, short(made.text));
        orgsMade++;
        const got = await admin.get(`/api/v1/orgs/${code}`);
        assert.equal(got.body.name_ja, p);
        assert.equal(got.body.name_en, `${p} en`);
        const ren = await admin.patch(`/api/v1/orgs/${code}`, { name_en: `${p} renamed`, date: '2099-01-01' },
          { headers: { 'If-Match': got.headers.get('etag') } });
        assert.equal(ren.status, 200, short(ren.text));
        assert.equal(ren.body.name_en, `${p} renamed`);

        // Identifiers and references are refused or not found, never matched loosely.
        const org = { kind: 'bureau', code: `MHA-SX${n}`, name_ja: 'x', name_en: 'x', parent: 'MHA' };
        for (const field of ['code', 'kind', 'parent', 'supervisor', 'valid_from']) {
          const r = await admin.post('/api/v1/orgs', { ...org, [field]: p });
          if (r.status === 201) {
            orgsMade++;
            assert.equal(r.body[field], p, `${field} stored as something else`);
          } else {
            assertRefused(r);
          }
        }
        const login = await new Client(srv.url).login(p, p);
        assertRefused(login, { status: 401 });

        const tok = await admin.post('/api/v1/tokens', { name: p });
        assert.equal(tok.status, 201, short(tok.text));
        tokensMade++;
        assert.equal(tok.body.name, p);
        assertRefused(await admin.post('/api/v1/tokens', { scope: p }), { status: 400 });
        assertRefused(await admin.post('/api/v1/tokens', { user: p }));

        const u = await admin.post('/api/v1/users', { name: `sql-user-${n}`, org: 'MHA', role: 'staff', display_name: p, password: 'sql-user-password-1' });
        assert.equal(u.status, 201, short(u.text));
        usersMade++;
        assert.equal(u.body.display_name, p);
        assert.equal((await admin.get(`/api/v1/users/sql-user-${n}`)).body.display_name, p);
        for (const field of ['name', 'org', 'role']) {
          const r = await admin.post('/api/v1/users', { name: `sql-other-${n}`, org: 'MHA', role: 'staff', [field]: p });
          if (r.status === 201) {	// "_" is a good account name
            usersMade++;
            assert.equal(r.body[field], p, `${field} stored as something else`);
          } else {
            assertRefused(r);
          }
        }
        assertRefused(await admin.post('/api/v1/engagements', { user: p, org: 'MHA', from: '2025-01-01', to: '2025-12-31' }));
        const eng = await admin.post('/api/v1/engagements', { user: 'auditor', org: p, from: '2025-01-01', to: '2025-12-31' });
        if (eng.status === 201) {	// an organisation with that code was made above
          engagementsMade++;
          assert.equal(eng.body.org, p);
        } else {
          assertRefused(eng);
        }

        // Query parameters and path segments.
        const e = encodeURIComponent(p);
        const qs = await admin.get(`/api/v1/orgs?q=${e}&include_abolished=true&limit=1000`);
        assert.equal(qs.status, 200);
        assert.ok(qs.body.items.every((o) => [o.code, o.name_ja, o.name_en].some((s) => s.includes(p))),
          `q=${p} matched organisations without it`);
        assert.ok(qs.body.items.some((o) => o.code === code));
        // "_" is a good code and account name, so made above; the rest match nothing.
        const orgExists = (await admin.get(`/api/v1/orgs/${e}`)).status === 200;
        const userExists = (await admin.get(`/api/v1/users/${e}`)).status === 200;
        const refusedUnless = (exists, r) => (exists ? assertHandled(r) : assertRefused(r));
        for (const q of ['kind', 'include_abolished', 'cursor', 'limit']) assertRefused(await admin.get(`/api/v1/orgs?${q}=${e}`));
        refusedUnless(orgExists, await admin.get(`/api/v1/orgs?under=${e}`));
        for (const q of ['kind', 'parent', 'level', 'role']) {
          const r = await admin.get(`/api/v1/editions/demo-fy2025/items?${q}=${e}&limit=1000`);
          assert.equal(r.status, 200, short(r.text));
          assert.equal(r.body.items.length, 0, `items?${q}=${p} matched something`);
        }
        const items = await admin.get(`/api/v1/editions/demo-fy2025/items?q=${e}&limit=1000`);
        assert.equal(items.status, 200);
        assert.ok(items.body.items.every((i) => [i.number, i.title_ja, i.title_en, i.text_ja, i.text_en].some((s) => s && s.includes(p))),
          `items?q=${p} matched items without it`);
        const audit = await admin.get(`/api/v1/audit?entity=${e}`);
        assert.equal(audit.status, 200);
        assert.equal(audit.body.items.length, 0);
        for (const q of ['since', 'until', 'cursor']) assertRefused(await admin.get(`/api/v1/audit?${q}=${e}`));
        refusedUnless(userExists, await admin.get(`/api/v1/audit?user=${e}`));
        refusedUnless(orgExists, await admin.get(`/api/v1/audit?org=${e}`));
        assertRefused(await admin.get(`/api/v1/diff?old=${e}&new=demo-fy2025`));
        refusedUnless(userExists, await admin.get(`/api/v1/tokens?user=${e}`));
        refusedUnless(orgExists, await admin.get(`/api/v1/users?org=${e}`));
        assertHandled(await admin.get(`/api/v1/users?cursor=${e}`));
        assertRefused(await admin.get(`/api/v1/editions?cursor=${e}`));
        assertRefused(await admin.get(`/api/v1/editions/demo-fy2025/export?format=${e}`));
        for (const path of [`/api/v1/editions/${e}`, `/api/v1/editions/${e}/items`, `/api/v1/editions/demo-fy2025/items/${e}`]) {
          assertRefused(await admin.get(path), { status: 404 });
        }
        assertRefused(await admin.del(`/api/v1/tokens/${e}`), { status: 404 });
      }
      // The tables are all still there and hold what they held, plus what was made.
      const cliOrgs = JSON.parse(kijunOk(dsn, ['org', 'list', '--all', '--json']).stdout);
      assert.equal(cliOrgs.length, snapshot.orgs + orgsMade);
      assert.equal(JSON.parse(kijunOk(dsn, ['user', 'list', '--json']).stdout).length, snapshot.users + usersMade);
      assert.equal(JSON.parse(kijunOk(dsn, ['audit', 'verify', '--json']).stdout).ok, true);
      const logins = await new Client(srv.url).login('mha-ciso', accounts['mha-ciso'].password);
      assert.equal(logins.status, 200, 'accounts survived');
      await assertAliveAndUnchanged({
        orgs: orgsMade, users: usersMade, tokens: tokensMade,
        // Each organisation made and renamed, each user, token and engagement made, and the
        // one login.
        audit: 2 * SQL_PAYLOADS.length + (orgsMade - SQL_PAYLOADS.length) + usersMade + tokensMade + engagementsMade + 1,
      });
    });

    test('expired, garbage, forged and misplaced credentials are 401 and change nothing', async () => {
      // Material: a token and a session of centre-analyst, expired by hand; a revoked token;
      // a logged-out session.
      const expTok = JSON.parse(kijunOk(dsn, ['token', 'create', '--user', 'centre-analyst', '--json']).stdout);
      const revTok = JSON.parse(kijunOk(dsn, ['token', 'create', '--user', 'centre-admin', '--json']).stdout);
      const live = new Client(srv.url);
      assert.equal((await live.login('centre-analyst', accounts['centre-analyst'].password)).status, 200);
      const expired = new Client(srv.url);
      assert.equal((await expired.login('centre-admin', accounts['centre-admin'].password)).status, 200);
      const out = new Client(srv.url);
      assert.equal((await out.login('mpf-ciso', accounts['mpf-ciso'].password)).status, 200);
      assert.equal((await new Client(srv.url, { token: expTok.token }).get('/api/v1/session')).status, 200);
      assert.equal((await admin.del(`/api/v1/tokens/${revTok.id}`)).status, 200);
      const outCookie = out.cookie;
      assert.equal((await out.del('/api/v1/session')).status, 200);
      sql(dsn, `UPDATE api_token SET expires_at = '2001-01-01T00:00:00Z' WHERE uuid = '${expTok.id}'`);
      sql(dsn, "UPDATE session SET expires_at = '2001-01-01T00:00:00Z' WHERE user_id = (SELECT id FROM app_user WHERE name = 'centre-admin')");
      snapshot = await state();

      const liveSession = live.cookie.split('=')[1];
      const valid = accounts['centre-admin'].token;
      const forged = `kj_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;
      const authHeaders = [
        'Bearer garbage', 'Bearer ', 'Bearer', `Bearer ${forged}`, `Bearer kj_${'A'.repeat(43)}`, `Bearer kj_${'A'.repeat(2000)}`,
        `Bearer ${valid.slice(0, -1)}`, `Bearer ${valid}x`, `Bearer ${valid} ${valid}`, `Bearer  ${valid}`,
        `Basic ${Buffer.from(`centre-admin:${accounts['centre-admin'].password}`).toString('base64')}`,
        `Token ${valid}`, valid, `Bearer ${expTok.token}`, `Bearer ${revTok.token}`, `Bearer ${liveSession}`,
        `Bearer ${live.csrf}`, "Bearer ' OR 1=1 --", `Bearer ${valid.replace('kj_', 'KJ_')}`,
      ];
      const cookies = [
        'kijun_session=garbage', `kijun_session=${forged}`, 'kijun_session=', `kijun_session=${'x'.repeat(5000)}`,
        `kijun_session=${liveSession.slice(0, -1)}`, `kijun_session=${valid}`, `kijun_session=${live.csrf}`,
        outCookie, expired.cookie, "kijun_session=' OR 1=1 --", `kijun_session="${liveSession}x"`,
      ];
      const org = { kind: 'bureau', code: 'MHA-AUTH', name_ja: '認証局', name_en: 'Auth', parent: 'MHA' };
      const tryCreds = async (headers) => {
        const get = await fetchJson('GET', '/api/v1/session', headers);
        assertRefused(get, { status: 401 });
        const post = await fetchJson('POST', '/api/v1/orgs', { ...headers, 'X-CSRF-Token': live.csrf }, org);
        assertRefused(post, { status: 401 });
      };
      for (const a of authHeaders) await tryCreds({ Authorization: a });
      for (const c of cookies) await tryCreds({ Cookie: c });
      // A bad bearer token is not rescued by a good cookie.
      await tryCreds({ Authorization: 'Bearer garbage', Cookie: live.cookie });
      // The login reply's CSRF token is not a credential on its own.
      await tryCreds({ 'X-CSRF-Token': live.csrf });
      assert.equal((await live.get('/api/v1/session')).status, 200, 'the live session was hurt');
      await assertAliveAndUnchanged();

      async function fetchJson(method, path, headers, body) {
        const res = await fetch(srv.url + path, {
          method,
          headers: { ...headers, ...(body ? { 'Content-Type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
        const text = await res.text();
        let json = null;
        try { json = JSON.parse(text); } catch { json = null; }
        return { status: res.status, headers: res.headers, text, body: json };
      }
    });
  });
}
