// smoke.test.mjs: the server starts, answers health, and a demo account can log in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, demoGovernment, freshSqlite, startServer } from './harness.mjs';

test('health and login on a fresh demo database', async () => {
  const dsn = freshSqlite();
  const { accounts } = demoGovernment(dsn);
  const srv = await startServer(dsn);
  try {
    const c = new Client(srv.url);
    const h = await c.get('/api/v1/health');
    assert.equal(h.status, 200);
    assert.equal(h.body.status, 'ok');
    const login = await c.login('mha-ciso', accounts['mha-ciso'].password);
    assert.equal(login.status, 200);
    assert.match(login.headers.get('set-cookie'), /HttpOnly/);
    assert.match(login.headers.get('set-cookie'), /SameSite=Strict/);
    const me = await c.get('/api/v1/session');
    assert.equal(me.body.user.name, 'mha-ciso');
  } finally {
    assert.equal(await srv.stop(), 0);
  }
});
