// auditlog.test.mjs: GET /api/v1/audit/verify?state=1, the live rows compared with their
// last audit records (docs/AUDITLOG.md), and `kijun audit verify --state` through the
// server. Rows are edited straight in the database, as its administrator could.
// Runs on SQLite and, when the test run has one, on PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  BIN, Client, backends, demoGovernment, startServer,
} from './harness.mjs';

/** Runs SQL on the database behind dsn, bypassing kijun; returns its output, trimmed. */
function sql(dsn, statement) {
  let r;
  if (dsn.startsWith('sqlite:')) {
    r = spawnSync('sqlite3', [dsn.slice('sqlite:'.length), statement], { encoding: 'utf8' });
  } else {
    const [base, query] = dsn.split('?');
    const schema = decodeURIComponent(query).replace(/^options=-csearch_path=/, '');
    r = spawnSync('psql', [base, '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', statement], {
      encoding: 'utf8', env: { ...process.env, PGOPTIONS: `-csearch_path=${schema}` },
    });
  }
  if (r.status !== 0) throw new Error(`${statement}: ${r.stderr}`);
  return r.stdout.trim();
}

for (const b of backends('auditlog')) {
  describe(`audit log state over the API on ${b.label}`, () => {
    let dsn;
    let srv;
    let accounts;
    let admin;

    before(async () => {
      dsn = b.dsn();
      ({ accounts } = demoGovernment(dsn));
      srv = await startServer(dsn);
      admin = new Client(srv.url, { token: accounts['centre-admin'].token });
    });

    after(async () => {
      if (srv) assert.equal(await srv.stop(), 0, `server did not stop cleanly: ${srv.stderr()}`);
    });

    test('a database kept by kijun verifies with its live state', async () => {
      const r = await admin.get('/api/v1/audit/verify?state=1');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.ok, true, r.text);
      assert.equal(r.body.state.ok, true, r.text);
      assert.deepEqual(r.body.state.problems, []);
      assert.ok(r.body.state.checked.app_user >= 8, r.text);
      assert.ok(r.body.state.checked.org > 50, r.text);
      const plain = await admin.get('/api/v1/audit/verify');
      assert.equal(plain.body.state, undefined, 'no state unless asked');
      assert.equal((await admin.get('/api/v1/audit/verify?state=maybe')).status, 400);
      assert.equal((await new Client(srv.url, { token: accounts['mha-staff'].token }).get('/api/v1/audit/verify?state=1')).status, 403);
    });

    test('a role raised behind kijun\'s back is named, and the chain alone does not see it', async () => {
      const uuid = sql(dsn, "SELECT uuid FROM app_user WHERE name = 'mha-staff'");
      sql(dsn, "UPDATE app_user SET role = 'centre_admin' WHERE name = 'mha-staff'");
      const plain = await admin.get('/api/v1/audit/verify');
      assert.equal(plain.body.ok, true, 'the chain holds: nothing in the log changed');
      const r = await admin.get('/api/v1/audit/verify?state=1');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.ok, false);
      assert.equal(r.body.state.ok, false);
      const p = r.body.state.problems.find((x) => x.table === 'app_user' && x.id === uuid);
      assert.ok(p, `mha-staff (${uuid}) not named: ${r.text}`);
      assert.match(p.why, /differs from the state its last audit record/);
      assert.equal(r.body.state.problems.length, 1, r.text);

      // The command line through the server says the same, and exits 1.
      const cli = spawnSync(BIN, ['--server', srv.url, 'audit', 'verify', '--state'], {
        encoding: 'utf8', env: { ...process.env, KIJUN_TOKEN: accounts['centre-admin'].token },
      });
      assert.equal(cli.status, 1, cli.stderr);
      assert.match(cli.stderr, new RegExp(`app_user ${uuid}: differs`));
    });
  });
}
