// pgrestart.test.mjs: PostgreSQL stopped and started again under load. The test runs a
// PostgreSQL cluster of its own (scripts/pg-start.sh in a temporary directory), never the
// shared one. While PostgreSQL is down every request gets a clean 503 with Retry-After (not
// a 500, not a hang, not a crash); once it is back the same server process answers again,
// each of its threads on a connection opened anew, and writes work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, demoGovernment, startServer, tempDir } from './harness.mjs';

const SRC = process.env.KIJUN_SOURCE_DIR || '.';
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/** The cluster's settings from DIR/pg.env. */
function pgEnv(dir) {
  const env = {};
  for (const line of readFileSync(join(dir, 'pg.env'), 'utf8').split('\n')) {
    const m = line.match(/^(\w+)=(.*)$/);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** pg_ctl ARGS as the cluster's owner. */
function pgCtl(e, args) {
  const cmd = [join(e.PGBIN, 'pg_ctl'), '-D', e.PGDATA, ...args];
  const asOwner = process.getuid() === 0 && e.PGOWNER !== 'root';
  const r = asOwner ? spawnSync('runuser', ['-u', e.PGOWNER, '--', ...cmd], { encoding: 'utf8' })
    : spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  assert.equal(r.status, 0, `pg_ctl ${args.join(' ')}: ${r.stderr}`);
}

/** A request that must be answered within 20 s (a hang fails the test). */
async function timed(client, method, path, body) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 20000);
  try {
    const h = { Authorization: `Bearer ${client.token}` };
    if (body) h['Content-Type'] = 'application/json';
    const res = await fetch(client.base + path, { method, headers: h, body: body && JSON.stringify(body), signal: ac.signal });
    const text = await res.text();
    return { status: res.status, retry: res.headers.get('retry-after'), text };
  } catch (e) {
    return { status: ac.signal.aborted ? 'hang' : `error ${e.message}` };
  } finally {
    clearTimeout(timer);
  }
}

const have = spawnSync('bash', ['-c', 'ls /usr/lib/postgresql/*/bin/initdb || command -v initdb'], { encoding: 'utf8' }).status === 0;

test('PostgreSQL restarted under load: 503 while down, recovery without a server restart', { skip: !have && !process.env.CI && 'no PostgreSQL server binaries' }, async (t) => {
  const dir = tempDir();
  const start = spawnSync('bash', [join(SRC, 'scripts/pg-start.sh'), dir], { encoding: 'utf8' });
  assert.equal(start.status, 0, start.stderr);
  const dsn = start.stdout.trim();
  const e = pgEnv(dir);
  const opts = `-c listen_addresses=127.0.0.1 -p ${e.PGPORT} -k ${e.PGDATA} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  let srv = null;
  try {
    const { accounts } = demoGovernment(dsn);
    srv = await startServer(dsn, { args: ['--threads', '4'] });
    const c = new Client(srv.url, { token: accounts['centre-admin'].token });
    assert.equal((await timed(c, 'GET', '/api/v1/orgs')).status, 200);

    // Load from several clients, reads and writes, for the whole test.
    let stop = false, n = 0;
    const seen = [];
    const load = [];
    for (let w = 0; w < 6; w++) {
      load.push((async () => {
        for (let i = 0; !stop; i++) {
          const r = w % 2 === 0 ? await timed(c, 'GET', '/api/v1/orgs')
            : await timed(c, 'POST', '/api/v1/orgs', { kind: 'division', code: `PGR-${w}-${i}`, parent: 'MHA-GA', name_ja: `課${w}-${i}`, name_en: `Division ${w}-${i}` });
          seen.push(r);
          n++;
          await sleep(20);
        }
      })());
    }
    while (n < 30) await sleep(20);

    pgCtl(e, ['-m', 'fast', '-w', 'stop']);
    const down = [];
    for (let i = 0; i < 24; i++) {
      down.push(await timed(c, i % 2 ? 'POST' : 'GET', '/api/v1/orgs', i % 2 ? { kind: 'division', code: `DOWN-${i}`, parent: 'MHA-GA', name_ja: 'x', name_en: 'x' } : undefined));
    }
    for (const r of down) {
      assert.equal(r.status, 503, `while PostgreSQL is down: ${r.status} ${r.text || ''}`);
      assert.equal(r.retry, '5');
      assert.equal(JSON.parse(r.text).error, 'unavailable');
    }
    assert.equal(srv.proc.exitCode, null, 'the server still runs');

    pgCtl(e, ['-l', join(dir, 'server.log'), '-w', '-o', opts, 'start']);
    // Back: the first request may find the old connection broken; it is opened again.
    let back = null;
    for (let i = 0; i < 100 && (!back || back.status !== 200); i++) {
      back = await timed(c, 'GET', '/api/v1/orgs');
      if (back.status !== 200) await sleep(100);
    }
    assert.equal(back.status, 200, `after PostgreSQL is back: ${back.status} ${back.text}`);
    // Every thread: many requests at once, all answered.
    const after = await Promise.all(Array.from({ length: 24 }, () => timed(c, 'GET', '/api/v1/orgs')));
    assert.deepEqual(after.map((r) => r.status), after.map(() => 200));
    const w = await timed(c, 'POST', '/api/v1/orgs', { kind: 'division', code: 'PGR-AFTER', parent: 'MHA-GA', name_ja: '後', name_en: 'After' });
    assert.equal(w.status, 201, w.text);
    stop = true;
    await Promise.all(load);
    const bad = seen.filter((r) => r.status !== 200 && r.status !== 201 && r.status !== 503);
    assert.deepEqual(bad.map((r) => `${r.status} ${r.text || ''}`), [], 'only 200, 201 or 503 under load');
    t.diagnostic(`${seen.length} requests under load: ${seen.filter((r) => r.status === 503).length} got 503 while PostgreSQL was down`);
    assert.equal(await srv.stop(), 0);
    srv = null;
    const v = spawnSync(process.env.KIJUN_BIN || 'build/kijun', ['--db', dsn, 'audit', 'verify'], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
  } finally {
    if (srv) await srv.stop();
    spawnSync('bash', [join(SRC, 'scripts/pg-stop.sh'), dir], { encoding: 'utf8' });
  }
});
