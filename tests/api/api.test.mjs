// api.test.mjs: the JSON API as its users meet it. Logging in and out, password changes,
// login throttling, API tokens, CSRF protection, organisations with ETags, pagination,
// filters, editions (export, import, diff), the audit log, and one error body shape.
// Runs on SQLite and, when the test run has one, on PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  Client, backends, demoGovernment, freshPg, freshSqlite, kijunOk, startServer,
} from './harness.mjs';

const SUITE = 'api';
const STANDARD_FY2025 = JSON.parse(readFileSync(new URL('../../data/demo/standard-fy2025.json', import.meta.url), 'utf8'));

/** Another fresh database on the same backend as b (a schema of its own on PostgreSQL). */
function freshDb(b, tag) {
  return b.label === 'postgresql' ? freshPg(`api_${SUITE}_${tag}`) : freshSqlite();
}

/** The one error body: exactly {error, message}, as JSON, with the status expected. */
function assertError(r, status, messagePattern) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${short(r.text)}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.ok(r.body && typeof r.body === 'object', `not a JSON body: ${r.text}`);
  assert.deepEqual(Object.keys(r.body).sort(), ['error', 'message'], short(r.text));
  assert.equal(typeof r.body.error, 'string');
  assert.ok(r.body.error.length > 0);
  assert.equal(typeof r.body.message, 'string');
  assert.ok(r.body.message.length > 0);
  if (messagePattern) assert.match(r.body.message, messagePattern);
}

function assertStatus(r, status) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${short(r.text)}`);
}

function short(s) {
  return s && s.length > 300 ? `${s.slice(0, 300)}...` : s;
}

/** Follows next_cursor from path (which has a query already) to the end. */
async function walk(client, path) {
  const items = [];
  let cursor = null;
  let pages = 0;
  for (;;) {
    const r = await client.get(cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path);
    assertStatus(r, 200);
    assert.ok(Array.isArray(r.body.items));
    items.push(...r.body.items);
    pages++;
    assert.ok(pages < 2000, 'pagination does not end');
    cursor = r.body.next_cursor;
    if (cursor === null) break;
    assert.equal(typeof cursor, 'string');
    assert.ok(r.body.items.length > 0, 'a page with a next cursor but no items');
  }
  return { items, pages };
}

/** The items of a kijun catalogue in document order, each with its parent's number. */
function flatItems(doc) {
  const out = [];
  const visit = (items, parent) => {
    for (const it of items) {
      out.push({ ...it, parent });
      visit(it.items || [], it.number);
    }
  };
  visit(doc.items, null);
  return out;
}

function uniqueCode(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
}

for (const b of backends(SUITE)) {
  describe(`API on ${b.label}`, () => {
    let dsn;
    let srv;
    let accounts;
    let admin;	// centre-admin by bearer token
    // Changes made through the API, checked against the audit log at the end:
    // {op, entity_id, user}.
    const changes = [];

    before(async () => {
      dsn = b.dsn();
      ({ accounts } = demoGovernment(dsn));
      srv = await startServer(dsn);
      admin = new Client(srv.url, { token: accounts['centre-admin'].token });
    });

    after(async () => {
      if (srv) assert.equal(await srv.stop(), 0, `server did not stop cleanly: ${srv.stderr()}`);
    });

    async function login(name, password = accounts[name].password) {
      const c = new Client(srv.url);
      const r = await c.login(name, password);
      assertStatus(r, 200);
      changes.push({ op: 'user.login', entity_id: r.body.user.id, user: name });
      return c;
    }

    async function auditRecords() {
      const r = await admin.get('/api/v1/audit/verify');
      assertStatus(r, 200);
      return r.body.records;
    }

    test('login sets an HttpOnly, SameSite=Strict session cookie without Secure over plain HTTP', async () => {
      const c = new Client(srv.url);
      const r = await c.login('mha-ciso', accounts['mha-ciso'].password);
      assertStatus(r, 200);
      const sc = r.headers.get('set-cookie');
      assert.match(sc, /^kijun_session=kj_[A-Za-z0-9_-]{43};/);
      assert.match(sc, /;\s*HttpOnly(;|$)/i);
      assert.match(sc, /;\s*SameSite=Strict(;|$)/i);
      assert.match(sc, /;\s*Path=\/(;|$)/);
      assert.doesNotMatch(sc, /Secure/i, 'a Secure cookie would never come back over plain HTTP');
      assert.equal(r.body.user.name, 'mha-ciso');
      assert.equal(r.body.user.role, 'org_admin');
      assert.equal(r.body.user.org, 'MHA');
      assert.match(r.body.csrf_token, /^kj_[A-Za-z0-9_-]{43}$/);
      const sessionToken = c.cookie.split('=')[1];
      assert.notEqual(r.body.csrf_token, sessionToken);
      assert.ok(!r.text.includes(sessionToken), 'the session token leaked into the body');
      changes.push({ op: 'user.login', entity_id: r.body.user.id, user: 'mha-ciso' });

      const me = await c.get('/api/v1/session');
      assertStatus(me, 200);
      assert.equal(me.body.user.name, 'mha-ciso');
      assert.equal(me.body.via, 'session');
      assert.equal(me.body.csrf_token, r.body.csrf_token);

      const byToken = await new Client(srv.url, { token: accounts['mha-ciso'].token }).get('/api/v1/session');
      assertStatus(byToken, 200);
      assert.equal(byToken.body.via, 'token');
      assert.equal(byToken.body.user.name, 'mha-ciso');
      assert.equal(byToken.body.csrf_token, undefined);

      assertError(await new Client(srv.url).get('/api/v1/session'), 401);
    });

    test('a wrong password is refused with 401 and no cookie, and says nothing about which part was wrong', async () => {
      const c = new Client(srv.url);
      const wrong = await c.login('mha-staff', 'not-the-password-at-all');
      assertError(wrong, 401);
      assert.equal(wrong.headers.get('set-cookie'), null);
      const unknown = await c.login('no-such-account', 'not-the-password-at-all');
      assertError(unknown, 401);
      assert.equal(unknown.body.message, wrong.body.message);
      // The right password still works: one failure does not lock anyone out.
      await login('mha-staff');
    });

    test('logout ends the session: the old cookie no longer works', async () => {
      const c = await login('mha-ga-officer');
      const cookie = c.cookie;
      const csrf = c.csrf;
      assertStatus(await c.get('/api/v1/session'), 200);
      const out = await c.del('/api/v1/session');
      assertStatus(out, 200);
      assert.match(out.headers.get('set-cookie') || '', /Max-Age=0/);
      changes.push({ op: 'user.logout', entity_id: (await admin.get('/api/v1/users/mha-ga-officer')).body.id, user: 'mha-ga-officer' });

      const replay = new Client(srv.url);
      replay.cookie = cookie;
      replay.csrf = csrf;
      assertError(await replay.get('/api/v1/session'), 401);
      assertError(await replay.get('/api/v1/orgs'), 401);
      assertError(await replay.post('/api/v1/tokens', { name: 'after-logout' }), 401);
    });

    test('password change: a wrong current password is 400, then the new one works and the old one fails', async () => {
      const oldPw = 'old-password-0123456';
      const newPw = 'new-password-6543210';
      kijunOk(dsn, ['user', 'add', '--name', 'pw-changer', '--org', 'MHA-GA', '--role', 'staff', '--password-stdin'],
        { input: `${oldPw}\n` });
      const c = await login('pw-changer', oldPw);

      const wrong = await c.post('/api/v1/session/password', { current: 'not-my-password-99', new: newPw });
      assertError(wrong, 400, /current password/);
      assertStatus(await c.get('/api/v1/session'), 200);	// a wrong current password does not end the session

      assertError(await c.post('/api/v1/session/password', { current: oldPw, new: 'short' }), 400, /password/);
      assertError(await c.post('/api/v1/session/password', { current: oldPw }), 400);

      const ok = await c.post('/api/v1/session/password', { current: oldPw, new: newPw });
      assertStatus(ok, 200);
      assert.equal(ok.body.changed, true);
      const me = (await c.get('/api/v1/session')).body.user;
      changes.push({ op: 'user.password', entity_id: me.id, user: 'pw-changer' });

      assertError(await new Client(srv.url).login('pw-changer', oldPw), 401);
      await login('pw-changer', newPw);
    });

    test('five wrong passwords lock the account: 429 with Retry-After, even for the right password', async () => {
      const pw = 'throttle-password-123';
      kijunOk(dsn, ['user', 'add', '--name', 'throttled', '--org', 'MHA-GA', '--role', 'staff', '--password-stdin'],
        { input: `${pw}\n` });
      const c = new Client(srv.url);
      for (let i = 0; i < 5; i++) assertError(await c.login('throttled', `wrong-password-${i}xx`), 401);

      const right = await c.login('throttled', pw);
      assertError(right, 429, /too many/);
      const retry = right.headers.get('retry-after');
      assert.match(retry || '', /^[0-9]+$/, 'Retry-After: seconds');
      assert.ok(Number(retry) >= 1 && Number(retry) <= 900, `Retry-After ${retry}`);
      assert.equal(right.headers.get('set-cookie'), null);
      assert.equal(c.cookie, null);
      assertError(await c.login('throttled', 'wrong-password-again'), 429);

      // Only that account waits: others log in from the same address.
      await login('ag01-ciso');
    });

    test('twenty failures from one address lock that address out, whatever the account', async () => {
      const dsn2 = freshDb(b, 'addr');
      kijunOk(dsn2, ['init', '--demo']);
      const pw = 'address-password-123';
      kijunOk(dsn2, ['user', 'add', '--name', 'victim', '--org', 'MHA', '--role', 'org_admin', '--password-stdin'],
        { input: `${pw}\n` });
      const tok = kijunOk(dsn2, ['token', 'create', '--user', 'victim']).stdout.trim().split(/\s+/).pop();
      const srv2 = await startServer(dsn2);
      try {
        const c = new Client(srv2.url);
        // One failure each for twenty accounts: no account reaches its own limit.
        for (let i = 0; i < 20; i++) assertError(await c.login(`nobody-${i}`, 'wrong-password-123'), 401);
        const right = await c.login('victim', pw);
        assertError(right, 429, /address/);
        assert.match(right.headers.get('retry-after') || '', /^[1-9][0-9]*$/);
        // Tokens are not logins: they keep working.
        assertStatus(await new Client(srv2.url, { token: tok }).get('/api/v1/session'), 200);
      } finally {
        assert.equal(await srv2.stop(), 0);
      }
    });

    test('API tokens: the secret is shown once, bearer works, read scope cannot write, revoked is 401', async () => {
      const c = await login('mha-ciso');
      const rd = await c.post('/api/v1/tokens', { name: 'ci-read', scope: 'read', days: 7 });
      assertStatus(rd, 201);
      assert.match(rd.body.token, /^kj_[A-Za-z0-9_-]{43}$/);
      assert.equal(rd.body.prefix, rd.body.token.slice(0, 10));
      assert.equal(rd.body.scope, 'read');
      assert.equal(rd.body.user, 'mha-ciso');
      const days = (Date.parse(rd.body.expires_at) - Date.now()) / 86400e3;
      assert.ok(days > 6.9 && days < 7.1, `expires in ${days} days`);
      const wr = await c.post('/api/v1/tokens', { name: 'ci-write' });
      assertStatus(wr, 201);
      assert.equal(wr.body.scope, 'write');
      changes.push({ op: 'token.create', entity_id: rd.body.id, user: 'mha-ciso' });
      changes.push({ op: 'token.create', entity_id: wr.body.id, user: 'mha-ciso' });

      const list = await c.get('/api/v1/tokens');
      assertStatus(list, 200);
      const ids = list.body.items.map((t) => t.id);
      assert.ok(ids.includes(rd.body.id) && ids.includes(wr.body.id));
      for (const t of list.body.items) assert.equal(t.token, undefined, 'a listed token carries its secret');
      assert.ok(!list.text.includes(rd.body.token) && !list.text.includes(wr.body.token), 'a secret in the list');
      assert.equal(list.body.items.find((t) => t.id === rd.body.id).prefix, rd.body.prefix);

      const reader = new Client(srv.url, { token: rd.body.token });
      const writer = new Client(srv.url, { token: wr.body.token });
      const me = await reader.get('/api/v1/session');
      assertStatus(me, 200);
      assert.equal(me.body.user.name, 'mha-ciso');
      assertStatus(await reader.get('/api/v1/orgs?limit=5'), 200);

      const code = uniqueCode('MHA-RD');
      const org = { kind: 'bureau', code, name_ja: '読取局', name_en: 'Read Bureau', parent: 'MHA' };
      assertError(await reader.post('/api/v1/orgs', org), 403);
      assertError(await admin.get(`/api/v1/orgs/${code}`), 404);
      const ga = (await admin.get('/api/v1/orgs/MHA-GA'));
      assertError(await reader.patch('/api/v1/orgs/MHA-GA', { name_en: 'Renamed by a reader', date: '2099-01-01' },
        { headers: { 'If-Match': ga.headers.get('etag') } }), 403);
      assertEqualOrg(await admin.get('/api/v1/orgs/MHA-GA'), ga);
      assertError(await reader.post('/api/v1/tokens', { name: 'minted-by-reader' }), 403);
      assertError(await reader.del(`/api/v1/tokens/${wr.body.id}`), 403);
      assertStatus(await writer.get('/api/v1/session'), 200);
      assertError(await reader.post('/api/v1/session/password',
        { current: accounts['mha-ciso'].password, new: 'reader-set-this-password' }), 403);
      assertError(await new Client(srv.url).login('mha-ciso', 'reader-set-this-password'), 401);
      await login('mha-ciso');

      const made = await writer.post('/api/v1/orgs', org);
      assertStatus(made, 201);
      changes.push({ op: 'org.create', entity_id: made.body.id, user: 'mha-ciso' });

      const rv = await c.del(`/api/v1/tokens/${wr.body.id}`);
      assertStatus(rv, 200);
      assert.equal(rv.body.revoked, true);
      changes.push({ op: 'token.revoke', entity_id: wr.body.id, user: 'mha-ciso' });
      assertError(await writer.get('/api/v1/session'), 401);
      assertError(await writer.post('/api/v1/orgs', { ...org, code: uniqueCode('MHA-RV') }), 401);
      const after = (await c.get('/api/v1/tokens')).body.items.find((t) => t.id === wr.body.id);
      assert.ok(after.revoked_at, 'the list shows the revocation');
      assertStatus(await reader.get('/api/v1/session'), 200);	// only the revoked one stops
    });

    function assertEqualOrg(a, b2) {
      assertStatus(a, 200);
      assert.equal(a.body.name_en, b2.body.name_en);
      assert.equal(a.body.version, b2.body.version);
    }

    test("disabling an account ends its sessions and stops its tokens", async () => {
      const pw = 'disable-me-password-1';
      kijunOk(dsn, ['user', 'add', '--name', 'leaver', '--org', 'MHA-GA-IT', '--role', 'staff', '--password-stdin'],
        { input: `${pw}\n` });
      const tok = kijunOk(dsn, ['token', 'create', '--user', 'leaver']).stdout.trim().split(/\s+/).pop();
      const c = await login('leaver', pw);
      const t = new Client(srv.url, { token: tok });
      assertStatus(await c.get('/api/v1/session'), 200);
      assertStatus(await t.get('/api/v1/session'), 200);

      const u = await admin.get('/api/v1/users/leaver');
      assertStatus(u, 200);
      const r = await admin.patch('/api/v1/users/leaver', { disabled: true }, { headers: { 'If-Match': u.headers.get('etag') } });
      assertStatus(r, 200);
      assert.equal(r.body.disabled, true);
      changes.push({ op: 'user.disable', entity_id: u.body.id, user: 'centre-admin' });

      assertError(await c.get('/api/v1/session'), 401);
      assertError(await t.get('/api/v1/session'), 401);
      assertError(await t.get('/api/v1/orgs'), 401);
      assertError(await new Client(srv.url).login('leaver', pw), 401);
    });

    test('CSRF: a cookie-authenticated change without the right X-CSRF-Token is 403 and changes nothing', async () => {
      const c = await login('mha-ciso');
      const records = await auditRecords();
      const code = uniqueCode('MHA-CS');
      const org = { kind: 'bureau', code, name_ja: '偽装局', name_en: 'Forged Bureau', parent: 'MHA' };
      const sessionToken = c.cookie.split('=')[1];
      const wrongs = [
        {},
        { 'X-CSRF-Token': 'kj_' + 'A'.repeat(43) },
        { 'X-CSRF-Token': c.csrf.slice(0, -1) },
        { 'X-CSRF-Token': `${c.csrf}x` },
        { 'X-CSRF-Token': sessionToken },
        { 'X-CSRF-Token': '' },
      ];
      for (const headers of wrongs) {
        assertError(await c.post('/api/v1/orgs', org, { csrf: false, headers }), 403, /CSRF/);
      }
      assertError(await admin.get(`/api/v1/orgs/${code}`), 404);

      const ga = await admin.get('/api/v1/orgs/MHA-GA');
      assertError(await c.patch('/api/v1/orgs/MHA-GA', { name_en: 'CSRF Renamed', date: '2099-01-01' },
        { csrf: false, headers: { 'If-Match': ga.headers.get('etag') } }), 403);
      assertEqualOrg(await admin.get('/api/v1/orgs/MHA-GA'), ga);

      const tokensBefore = (await c.get('/api/v1/tokens')).body.items.length;
      assertError(await c.post('/api/v1/tokens', { name: 'csrf' }, { csrf: false }), 403);
      assert.equal((await c.get('/api/v1/tokens')).body.items.length, tokensBefore);

      const mine = (await c.get('/api/v1/tokens')).body.items.find((t) => t.revoked_at === null);
      assertError(await c.del(`/api/v1/tokens/${mine.id}`, { csrf: false }), 403);
      assert.equal((await c.get('/api/v1/tokens')).body.items.find((t) => t.id === mine.id).revoked_at, null);

      assertError(await c.del('/api/v1/session', { csrf: false }), 403);
      assertStatus(await c.get('/api/v1/session'), 200);
      assertError(await c.post('/api/v1/session/password', { current: accounts['mha-ciso'].password, new: 'csrf-password-123' },
        { csrf: false }), 403);

      assert.equal(await auditRecords(), records, 'a refused request left a trace in the audit log');

      // A bearer token is not sent by browsers on their own: it needs no CSRF token.
      const bearer = new Client(srv.url, { token: accounts['mha-ciso'].token });
      const made = await bearer.post('/api/v1/orgs', org);
      assertStatus(made, 201);
      changes.push({ op: 'org.create', entity_id: made.body.id, user: 'mha-ciso' });
      // And with the right token the cookie session can change things.
      const ok = await c.post('/api/v1/orgs', { ...org, code: uniqueCode('MHA-OK') });
      assertStatus(ok, 201);
      changes.push({ op: 'org.create', entity_id: ok.body.id, user: 'mha-ciso' });
    });

    test('organisations: create, read with path and history, rename and move with If-Match, abolish', async () => {
      const code = uniqueCode('MHA-LC');
      const created = await admin.post('/api/v1/orgs', {
        kind: 'bureau', code, name_ja: '試験局', name_en: 'Lifecycle Bureau', parent: 'MHA', valid_from: '2024-01-01',
      });
      assertStatus(created, 201);
      assert.equal(created.headers.get('location'), `/api/v1/orgs/${code}`);
      assert.equal(created.headers.get('etag'), '"v1"');
      assert.equal(created.body.code, code);
      assert.equal(created.body.parent, 'MHA');
      assert.equal(created.body.path, `MHA > ${code}`);
      assert.deepEqual(created.body.history, []);
      changes.push({ op: 'org.create', entity_id: created.body.id, user: 'centre-admin' });
      assertError(await admin.post('/api/v1/orgs', {
        kind: 'bureau', code, name_ja: '重複局', name_en: 'Duplicate', parent: 'MHA',
      }), 409);

      const got = await admin.get(created.headers.get('location'));
      assertStatus(got, 200);
      assert.equal(got.body.id, created.body.id);
      assert.equal(got.body.name_en, 'Lifecycle Bureau');
      assert.equal(got.headers.get('etag'), '"v1"');

      const url = `/api/v1/orgs/${code}`;
      const rename = { name_en: 'Renamed Bureau', date: '2025-01-01' };
      const missing = await admin.patch(url, rename);
      assertError(missing, 428, /If-Match/);
      const stale = await admin.patch(url, rename, { headers: { 'If-Match': '"v0"' } });
      assertError(stale, 412);
      assert.equal(stale.headers.get('etag'), '"v1"', 'a 412 tells the current ETag');
      assert.equal((await admin.get(url)).body.name_en, 'Lifecycle Bureau', 'a refused rename changed the name');

      const renamed = await admin.patch(url, rename, { headers: { 'If-Match': '"v1"' } });
      assertStatus(renamed, 200);
      assert.equal(renamed.headers.get('etag'), '"v2"');
      assert.equal(renamed.body.name_en, 'Renamed Bureau');
      assert.equal(renamed.body.state_from, '2025-01-01');
      assert.equal(renamed.body.history.length, 1);
      assert.equal(renamed.body.history[0].name_en, 'Lifecycle Bureau');
      assert.equal(renamed.body.history[0].valid_to, '2024-12-31');
      changes.push({ op: 'org.rename', entity_id: created.body.id, user: 'centre-admin' });
      // The old ETag is stale now.
      assertError(await admin.patch(url, { name_en: 'Again', date: '2025-02-01' }, { headers: { 'If-Match': '"v1"' } }), 412);

      const moved = await admin.patch(url, { parent: 'MPF', date: '2025-06-01' }, { headers: { 'If-Match': renamed.headers.get('etag') } });
      assertStatus(moved, 200);
      assert.equal(moved.body.parent, 'MPF');
      assert.equal(moved.body.path, `MPF > ${code}`);
      assert.equal(moved.body.history.length, 2);
      assert.equal(moved.headers.get('etag'), '"v3"');
      changes.push({ op: 'org.move', entity_id: created.body.id, user: 'centre-admin' });

      assertError(await admin.post(`${url}/abolish`, { date: '2026-01-01' }), 428);
      const abolished = await admin.post(`${url}/abolish`, { date: '2026-01-01' }, { headers: { 'If-Match': '"v3"' } });
      assertStatus(abolished, 200);
      assert.equal(abolished.body.valid_to, '2025-12-31');
      changes.push({ op: 'org.abolish', entity_id: created.body.id, user: 'centre-admin' });
      assert.equal((await admin.get(`/api/v1/orgs?q=${code}`)).body.items.length, 0);
      const all = await admin.get(`/api/v1/orgs?q=${code}&include_abolished=true`);
      assert.deepEqual(all.body.items.map((o) => o.code), [code]);
      // What the API says is what the database holds.
      const shown = JSON.parse(kijunOk(dsn, ['org', 'show', code, '--json']).stdout);
      assert.equal(shown.name_en, 'Renamed Bureau');
      assert.equal(shown.parent, 'MPF');
      assert.equal(shown.valid_to, '2025-12-31');
    });

    test('pagination: organisations, items and the audit log are each walked exactly once', async () => {
      const orgs = await walk(admin, '/api/v1/orgs?limit=10');
      const codes = orgs.items.map((o) => o.code);
      assert.equal(new Set(codes).size, codes.length, 'an organisation appeared twice');
      const cli = JSON.parse(kijunOk(dsn, ['org', 'list', '--json']).stdout).map((o) => o.code);
      assert.deepEqual([...codes].sort(), [...cli].sort());
      assert.ok(codes.length > 150);
      assert.equal(orgs.pages, Math.ceil(codes.length / 10));

      const items = await walk(admin, '/api/v1/editions/demo-fy2025/items?limit=50');
      const numbers = items.items.map((i) => i.number);
      assert.deepEqual(numbers, flatItems(STANDARD_FY2025).map((i) => i.number), 'items missing, repeated or out of order');
      assert.equal(items.pages, Math.ceil(numbers.length / 50));

      const audit = await walk(admin, '/api/v1/audit?limit=50');
      const seqs = audit.items.map((a) => a.seq);
      const n = await auditRecords();
      assert.equal(seqs.length, n);
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] < seqs[i - 1], 'audit not newest first, or repeated');
      assert.equal(seqs[0], n);
      assert.equal(seqs[seqs.length - 1], 1);

      for (const path of ['/api/v1/orgs', '/api/v1/audit', '/api/v1/editions/demo-fy2025/items', '/api/v1/editions']) {
        assertError(await admin.get(`${path}?cursor=garbage`), 400, /cursor/);
        assertError(await admin.get(`${path}?limit=0`), 400, /limit/);
        assertError(await admin.get(`${path}?limit=1001`), 400, /limit/);
      }
      // Larger than any position this server hands out: a 13-digit cursor overflowed.
      assertError(await admin.get('/api/v1/audit?cursor=czzzzzzzzzzzzz'), 400, /cursor/);
    });

    test('filters: items by kind, parent, level, role and q; organisations by kind and q; audit by entity, user, org and since', async () => {
      const flat = flatItems(STANDARD_FY2025);
      const itemsWhere = async (query) => (await walk(admin, `/api/v1/editions/demo-fy2025/items?limit=1000&${query}`)).items;
      const expectNumbers = (pred) => flat.filter(pred).map((i) => i.number);

      let got = await itemsWhere('kind=requirement');
      assert.deepEqual(got.map((i) => i.number), expectNumbers((i) => i.kind === 'requirement'));
      got = await itemsWhere('parent=2.1.1');
      assert.ok(got.length > 0);
      assert.deepEqual(got.map((i) => i.number), expectNumbers((i) => i.parent === '2.1.1'));
      got = await itemsWhere('parent=');
      assert.deepEqual(got.map((i) => i.number), expectNumbers((i) => i.parent === null));
      assert.equal(got.length, 8);
      got = await itemsWhere('level=basic');
      assert.deepEqual(got.map((i) => i.number), expectNumbers((i) => i.level === 'basic'));
      got = await itemsWhere('role=ciso');
      assert.deepEqual(got.map((i) => i.number), expectNumbers((i) => i.role === 'ciso'));
      got = await itemsWhere('kind=measure&level=additional');
      assert.deepEqual(got.map((i) => i.number), expectNumbers((i) => i.kind === 'measure' && i.level === 'additional'));
      const q = 'クラウド';
      got = await itemsWhere(`q=${encodeURIComponent(q)}`);
      const hasQ = (i) => [i.number, i.title_ja, i.title_en, i.text_ja, i.text_en].some((s) => s && s.includes(q));
      assert.ok(got.length > 0);
      assert.deepEqual(got.map((i) => i.number), expectNumbers(hasQ));
      got = await itemsWhere('q=100%25');	// % is a character to look for, not a wildcard
      assert.deepEqual(got.map((i) => i.number), expectNumbers((i) => [i.number, i.title_ja, i.title_en, i.text_ja, i.text_en].some((s) => s && s.includes('100%'))));
      assert.deepEqual(await itemsWhere('kind=no-such-kind'), []);

      const allOrgs = (await walk(admin, '/api/v1/orgs?limit=1000')).items;
      const ministries = (await walk(admin, '/api/v1/orgs?limit=7&kind=ministry')).items;
      assert.ok(ministries.length > 3);
      assert.deepEqual(ministries.map((o) => o.code), allOrgs.filter((o) => o.kind === 'ministry').map((o) => o.code));
      const mha = (await walk(admin, '/api/v1/orgs?limit=5&q=MHA')).items;
      assert.ok(mha.length > 3);
      assert.deepEqual(mha.map((o) => o.code),
        allOrgs.filter((o) => [o.code, o.name_ja, o.name_en].some((s) => s.includes('MHA'))).map((o) => o.code));
      assertError(await admin.get('/api/v1/orgs?kind=castle'), 400, /kind/);

      // Audit: one new organisation under MPF, made by mpf-ciso, to look for.
      const start = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      const mpf = new Client(srv.url, { token: accounts['mpf-ciso'].token });
      const code = uniqueCode('MPF-FL');
      const made = await mpf.post('/api/v1/orgs', { kind: 'bureau', code, name_ja: '絞込局', name_en: 'Filter Bureau', parent: 'MPF' });
      assertStatus(made, 201);
      changes.push({ op: 'org.create', entity_id: made.body.id, user: 'mpf-ciso' });
      const audit = (await walk(admin, '/api/v1/audit?limit=1000')).items;

      const byEntity = (await walk(admin, '/api/v1/audit?limit=100&entity=org')).items;
      assert.ok(byEntity.length > 0);
      assert.ok(byEntity.every((a) => a.entity === 'org'));
      assert.deepEqual(byEntity.map((a) => a.seq), audit.filter((a) => a.entity === 'org').map((a) => a.seq));

      const byUser = (await walk(admin, '/api/v1/audit?limit=100&user=mpf-ciso')).items;
      assert.ok(byUser.some((a) => a.entity_id === made.body.id));
      assert.ok(byUser.every((a) => /^user:\d+:mpf-ciso$/.test(a.actor)), JSON.stringify(byUser.map((a) => a.actor)));
      assert.deepEqual(byUser.map((a) => a.seq), audit.filter((a) => /^user:\d+:mpf-ciso$/.test(a.actor)).map((a) => a.seq));

      const byMpf = (await walk(admin, '/api/v1/audit?limit=100&org=MPF')).items;
      const byMha = (await walk(admin, '/api/v1/audit?limit=100&org=MHA')).items;
      assert.ok(byMpf.some((a) => a.entity_id === made.body.id));
      assert.ok(!byMha.some((a) => a.entity_id === made.body.id), 'an MPF record under org=MHA');
      assert.ok(byMha.length > 0);

      const since = (await walk(admin, `/api/v1/audit?limit=100&since=${start}`)).items;
      assert.ok(since.some((a) => a.entity_id === made.body.id));
      assert.ok(since.every((a) => a.at >= start));
      assert.deepEqual(since.map((a) => a.seq), audit.filter((a) => a.at >= start).map((a) => a.seq));
      const until = (await walk(admin, `/api/v1/audit?limit=100&until=${start}`)).items;
      assert.deepEqual(until.map((a) => a.seq), audit.filter((a) => a.at < start).map((a) => a.seq));
      assertError(await admin.get('/api/v1/audit?since=yesterday'), 400, /since/);
      assertError(await admin.get('/api/v1/audit?user=no-such-account'), 404);
    });

    test('editions: list, get, export as kijun and OSCAL, import (201) and the same again (409)', async () => {
      const list = await admin.get('/api/v1/editions');
      assertStatus(list, 200);
      const ids = list.body.items.map((e) => e.id);
      assert.ok(ids.includes('demo-fy2023') && ids.includes('demo-fy2025'), JSON.stringify(ids));
      const ed = await admin.get('/api/v1/editions/demo-fy2025');
      assertStatus(ed, 200);
      assert.equal(ed.body.items, flatItems(STANDARD_FY2025).length);
      assert.equal(ed.body.supersedes, 'demo-fy2023');
      assertError(await admin.get('/api/v1/editions/demo-fy1999'), 404);

      const kj = await admin.get('/api/v1/editions/demo-fy2025/export?format=kijun');
      assertStatus(kj, 200);
      assert.equal(kj.body.format, 'kijun-catalog');
      assert.equal(kj.body.edition.id, 'demo-fy2025');
      assert.deepEqual(flatItems(kj.body).map((i) => i.number), flatItems(STANDARD_FY2025).map((i) => i.number));
      const dflt = await admin.get('/api/v1/editions/demo-fy2025/export');
      assert.equal(dflt.body.format, 'kijun-catalog');
      const oscal = await admin.get('/api/v1/editions/demo-fy2025/export?format=oscal');
      assertStatus(oscal, 200);
      assert.equal(oscal.body.catalog.uuid, ed.body.uuid);
      assert.equal(oscal.body.catalog.metadata.version, 'demo-fy2025');
      assertError(await admin.get('/api/v1/editions/demo-fy2025/export?format=pdf'), 400, /format/);

      const old = (await admin.get('/api/v1/editions/demo-fy2023/export')).body;
      old.edition.id = 'api-import';
      delete old.edition.uuid;
      const body = JSON.stringify(old);
      assertError(await new Client(srv.url, { token: accounts['mha-ciso'].token }).post('/api/v1/editions', body), 403);
      const imp = await admin.post('/api/v1/editions', body);
      assertStatus(imp, 201);
      assert.equal(imp.body.id, 'api-import');
      assert.equal(imp.headers.get('location'), '/api/v1/editions/api-import');
      assert.equal(imp.body.items, flatItems(old).length);
      const got = await admin.get('/api/v1/editions/api-import');
      assertStatus(got, 200);
      changes.push({ op: 'standard.import', entity_id: got.body.uuid, user: 'centre-admin' });
      assertError(await admin.post('/api/v1/editions', body), 409);
      assert.equal((await admin.get('/api/v1/editions')).body.items.filter((e) => e.id === 'api-import').length, 1);
      assertError(await admin.post('/api/v1/editions', '{"format":"kijun-catalog"}'), 400);
    });

    test('diff: every kind of change, with the counts the demo data promises', async () => {
      const r = await admin.get('/api/v1/diff?old=demo-fy2023&new=demo-fy2025&include_same=true');
      assertStatus(r, 200);
      const expected = { same: 220, changed: 10, renumbered: 19, split: 3, merged: 3, added: 25, removed: 7 };
      assert.deepEqual(r.body.counts, expected);
      const seen = {};
      for (const c of r.body.changes) seen[c.change] = (seen[c.change] || 0) + 1;
      assert.deepEqual(seen, expected);
      const split = r.body.changes.find((c) => c.change === 'split');
      assert.equal(split.old.length, 1);
      assert.ok(split.new.length >= 2);
      const merged = r.body.changes.find((c) => c.change === 'merged');
      assert.ok(merged.old.length >= 2);
      assert.equal(merged.new.length, 1);
      const without = await admin.get('/api/v1/diff?old=demo-fy2023&new=demo-fy2025');
      assert.ok(!without.body.changes.some((c) => c.change === 'same'));
      assertError(await admin.get('/api/v1/diff?old=demo-fy2023'), 400);
      assertError(await admin.get('/api/v1/diff?old=demo-fy2023&new=demo-fy1999'), 404);
      assertError(await admin.get('/api/v1/diff?old=demo-fy2023&new=demo-fy2025&table=maybe'), 400, /table/);
    });

    test('every change made through the API is in the audit log with the acting user, and the log verifies', async () => {
      assert.ok(changes.length >= 15, `only ${changes.length} changes recorded by the tests before`);
      const audit = (await walk(admin, '/api/v1/audit?limit=1000')).items;
      for (const ch of changes) {
        const hit = audit.find((a) => a.op === ch.op && a.entity_id === ch.entity_id && new RegExp(`^user:\\d+:${ch.user}$`).test(a.actor));
        assert.ok(hit, `no audit record ${ch.op} of ${ch.entity_id} by ${ch.user}`);
      }
      const v = await admin.get('/api/v1/audit/verify');
      assertStatus(v, 200);
      assert.equal(v.body.ok, true);
      assert.equal(v.body.first_bad, 0);
      assert.equal(v.body.records, audit.length);
      const cli = JSON.parse(kijunOk(dsn, ['audit', 'verify', '--json']).stdout);
      assert.equal(cli.records, v.body.records);
      assertError(await new Client(srv.url, { token: accounts['mha-staff'].token }).get('/api/v1/audit/verify'), 403);
    });

    test('one error body shape everywhere: {error, message}', async () => {
      const anon = new Client(srv.url);
      assertError(await admin.get('/api/v1/nothing-here'), 404);
      assertError(await anon.get('/nothing-here'), 404);
      // / is the web interface (tests/ui); a file it does not have is a 404 of the same shape.
      assertError(await anon.get('/static/nothing-here.js'), 404);
      assertError(await admin.request('PUT', '/api/v1/orgs', { a: 1 }), 405);
      assertError(await admin.request('DELETE', '/api/v1/health'), 405);
      assertError(await admin.post('/api/v1/orgs/MHA'), 405);
      // A 405 says what the path does take; HEAD is GET without the body.
      const wrong = await admin.request('DELETE', '/api/v1/health');
      assert.equal(wrong.headers.get('allow'), 'GET, HEAD');
      const orgsWrong = await admin.request('PUT', '/api/v1/orgs', { a: 1 });
      assert.deepEqual(orgsWrong.headers.get('allow').split(', ').sort(), ['GET', 'HEAD', 'POST']);
      const head = await admin.request('HEAD', '/api/v1/orgs/MHA');
      assert.equal(head.status, 200);
      assert.equal(head.text, '');
      assert.ok(head.headers.get('etag'), 'HEAD carries the ETag GET would');
      assert.equal((await anon.request('HEAD', '/api/v1/orgs/MHA')).status, 401);
      assertError(await anon.get('/api/v1/orgs'), 401);
      assertError(await admin.post('/api/v1/orgs', '{"kind":'), 400);
      assertError(await admin.get('/api/v1/orgs/NO-SUCH-ORG'), 404);
      assertError(await new Client(srv.url, { token: accounts['mha-staff'].token })
        .post('/api/v1/orgs', { kind: 'division', code: 'STAFF-X', name_ja: '職員課', name_en: 'Staff', parent: 'MHA-GA-IT' }), 403);
      assertError(await admin.post('/api/v1/orgs', { kind: 'ministry', code: 'MHA', name_ja: '内政省', name_en: 'Dup' }), 409);
      assertError(await admin.patch('/api/v1/orgs/MHA', { name_en: 'X', date: '2099-01-01' }), 428);
      assertError(await admin.patch('/api/v1/orgs/MHA', { name_en: 'X', date: '2099-01-01' }, { headers: { 'If-Match': '"v999"' } }), 412);
      assertError(await admin.post('/api/v1/orgs', JSON.stringify({ name_ja: 'x'.repeat(1100000) })), 413);
      const h = await anon.get('/api/v1/health');
      assertStatus(h, 200);
      assert.equal(h.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(h.headers.get('cache-control'), 'no-store');
      assert.equal(h.headers.get('strict-transport-security'), null, 'HSTS over plain HTTP');
    });
  });
}
