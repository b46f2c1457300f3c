// cluster.test.mjs: several `kijun serve` processes on one database, and a clean stop.
// Two servers on one PostgreSQL schema share sessions, login throttling and token
// revocation, because all of it lives in the database (PostgreSQL only: skipped with a
// message without KIJUN_TEST_PG_DSN). On SQLite and PostgreSQL both: SIGTERM while
// requests are in flight ends the server with exit code 0, every request that got a 2xx
// reply is in the database afterwards, and none that was refused or cut off is.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client, backends, demoGovernment, freshPg, freshSqlite, kijun, kijunOk, startServer,
} from './harness.mjs';

const SUITE = 'cluster';
const PG = process.env.KIJUN_TEST_PG_DSN;

function short(s) {
  return s && s.length > 300 ? `${s.slice(0, 300)}...` : s;
}

function assertStatus(r, status) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${short(r.text)}`);
}

function freshDb(b, tag) {
  return b.label === 'postgresql' ? freshPg(`api_${SUITE}_${tag}`) : freshSqlite();
}

describe('two servers on one PostgreSQL schema', {
  skip: PG ? false : 'KIJUN_TEST_PG_DSN is not set: the cluster tests need PostgreSQL (scripts/pg-start.sh)',
}, () => {
  let dsn;
  let a;
  let b;
  let accounts;

  before(async () => {
    dsn = freshPg(`api_${SUITE}_two`);
    ({ accounts } = demoGovernment(dsn));
    a = await startServer(dsn);
    b = await startServer(dsn);
  });

  after(async () => {
    if (a) assert.equal(await a.stop(), 0, a.stderr());
    if (b) assert.equal(await b.stop(), 0, b.stderr());
  });

  /** The same cookie session (and CSRF token) pointed at another server. */
  function onServer(c, srv) {
    const d = new Client(srv.url);
    d.cookie = c.cookie;
    d.csrf = c.csrf;
    return d;
  }

  test('a session made on A works on B, with its CSRF token, and B\'s change is seen on A', async () => {
    const onA = new Client(a.url);
    assertStatus(await onA.login('mha-ciso', accounts['mha-ciso'].password), 200);
    const onB = onServer(onA, b);
    const me = await onB.get('/api/v1/session');
    assertStatus(me, 200);
    assert.equal(me.body.user.name, 'mha-ciso');
    assert.equal(me.body.csrf_token, onA.csrf);

    const org = { kind: 'bureau', code: 'MHA-CLU', name_ja: '分散局', name_en: 'Cluster Bureau', parent: 'MHA' };
    const refused = await onB.post('/api/v1/orgs', org, { csrf: false });
    assertStatus(refused, 403);
    const made = await onB.post('/api/v1/orgs', org);
    assertStatus(made, 201);
    const seen = await onA.get('/api/v1/orgs/MHA-CLU');
    assertStatus(seen, 200);
    assert.equal(seen.body.id, made.body.id);
    assert.equal(seen.headers.get('etag'), made.headers.get('etag'));

    // An ETag read on one server is checked on the other.
    const admin = new Client(a.url, { token: accounts['centre-admin'].token });
    const adminB = new Client(b.url, { token: accounts['centre-admin'].token });
    const etag = seen.headers.get('etag');
    const renamed = await admin.patch('/api/v1/orgs/MHA-CLU', { name_en: 'Renamed on A', date: '2099-01-01' }, { headers: { 'If-Match': etag } });
    assertStatus(renamed, 200);
    assertStatus(await adminB.patch('/api/v1/orgs/MHA-CLU', { name_en: 'Renamed on B', date: '2099-02-01' }, { headers: { 'If-Match': etag } }), 412);
    assert.equal((await adminB.get('/api/v1/orgs/MHA-CLU')).body.name_en, 'Renamed on A');

    // Logging out on B ends the session on A too.
    assertStatus(await onB.del('/api/v1/session'), 200);
    assertStatus(await onA.get('/api/v1/session'), 401);
  });

  test('login throttling counts the failures made on both servers together', async () => {
    const pw = 'cluster-throttle-pw-1';
    kijunOk(dsn, ['user', 'add', '--name', 'cl-throttle', '--org', 'MHA-GA', '--role', 'staff', '--password-stdin'], { input: `${pw}\n` });
    const onA = new Client(a.url);
    const onB = new Client(b.url);
    for (let i = 0; i < 3; i++) assertStatus(await onA.login('cl-throttle', `wrong-password-a${i}`), 401);
    for (let i = 0; i < 2; i++) assertStatus(await onB.login('cl-throttle', `wrong-password-b${i}`), 401);
    const r1 = await onA.login('cl-throttle', pw);
    assertStatus(r1, 429);
    assert.match(r1.headers.get('retry-after') || '', /^[1-9][0-9]*$/);
    assertStatus(await onB.login('cl-throttle', pw), 429);
  });

  test('a token revoked through B stops working on A at once', async () => {
    const owner = new Client(a.url);
    assertStatus(await owner.login('mpf-ciso', accounts['mpf-ciso'].password), 200);
    const t = await owner.post('/api/v1/tokens', { name: 'cluster' });
    assertStatus(t, 201);
    const tokA = new Client(a.url, { token: t.body.token });
    const tokB = new Client(b.url, { token: t.body.token });
    assertStatus(await tokA.get('/api/v1/session'), 200);
    assertStatus(await tokB.get('/api/v1/session'), 200);
    assertStatus(await onServer(owner, b).del(`/api/v1/tokens/${t.body.id}`), 200);
    assertStatus(await tokA.get('/api/v1/session'), 401);
    assertStatus(await tokA.post('/api/v1/orgs', { kind: 'bureau', code: 'MPF-REV', name_ja: '失効局', name_en: 'Revoked', parent: 'MPF' }), 401);
    assertStatus(await tokB.get('/api/v1/session'), 401);
    // The same for a disabled account: its token stops on both.
    const admin = new Client(b.url, { token: accounts['centre-admin'].token });
    const u = await admin.get('/api/v1/users/ag01-ciso');
    assertStatus(await new Client(a.url, { token: accounts['ag01-ciso'].token }).get('/api/v1/session'), 200);
    assertStatus(await admin.patch('/api/v1/users/ag01-ciso', { disabled: true }, { headers: { 'If-Match': u.headers.get('etag') } }), 200);
    assertStatus(await new Client(a.url, { token: accounts['ag01-ciso'].token }).get('/api/v1/session'), 401);
  });
});

for (const bk of backends(SUITE)) {
  test(`SIGTERM with requests in flight on ${bk.label}: exit 0, and every 2xx is in the database`, async (t) => {
    const dsn = freshDb(bk, 'sigterm');
    const { accounts } = demoGovernment(dsn);
    const srv = await startServer(dsn, { args: ['--threads', '4'] });
    const token = accounts['centre-admin'].token;
    // Fewer than the 64 connections one address may hold.
    const N = 48;
    const codes = Array.from({ length: N }, (_, i) => `MHA-ST${i}`);
    let answered = 0;
    const results = codes.map((code) => fetch(`${srv.url}/api/v1/orgs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'bureau', code, name_ja: '停止局', name_en: 'Stop Bureau', parent: 'MHA' }),
      signal: AbortSignal.timeout(30000),
    }).then(async (r) => {
      answered++;
      const text = await r.text();
      let body = null;
      try { body = JSON.parse(text); } catch { body = null; }
      return { code, status: r.status, text, body };
    }, (e) => ({ code, error: e.cause?.code || e.message })));

    // Stop as soon as the first replies are back: the rest are in flight.
    const deadline = Date.now() + 10000;
    while (answered < 3 && Date.now() < deadline) await sleep(1);
    const exit = srv.stop('SIGTERM');
    const done = await Promise.all(results);
    const code = await exit;
    assert.equal(code, 0, `exit ${code}: ${srv.stderr()}`);

    const tally = {};
    for (const r of done) tally[r.error || r.status] = (tally[r.error || r.status] || 0) + 1;
    t.diagnostic(`replies: ${JSON.stringify(tally)}`);
    const ok = done.filter((r) => r.status === 201);
    assert.ok(ok.length >= 3, 'too few requests were answered before the stop');
    for (const r of done) {
      const inDb = kijun(dsn, ['org', 'show', r.code, '--json']);
      if (r.status === 201) {
        // Every organisation the server said it made is there.
        assert.equal(inDb.code, 0, `${r.code} got 201 but is not in the database: ${inDb.stderr}`);
        assert.equal(JSON.parse(inDb.stdout).id, r.body.id);
      } else if (r.status === 503) {
        // Begun after the stop: refused, with the one error body, and nothing made.
        assert.equal(r.body?.error, 'unavailable', short(r.text));
        assert.equal(typeof r.body.message, 'string');
        assert.notEqual(inDb.code, 0, `${r.code} was refused with 503 but made all the same`);
      } else if (r.error) {
        // Never reached the server: nothing made. A change made but never answered
        // would look failed to its client, who would make it again.
        assert.notEqual(inDb.code, 0, `${r.code} was cut off (${r.error}) after it was made`);
      } else {
        assert.fail(`${r.code}: ${r.status} ${short(r.text)}`);
      }
    }
    // The audit chain survived the stop.
    assert.equal(JSON.parse(kijunOk(dsn, ['audit', 'verify', '--json']).stdout).ok, true);
    // And the server is gone.
    await assert.rejects(fetch(`${srv.url}/api/v1/health`));
  });
}
