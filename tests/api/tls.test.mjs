// tls.test.mjs: `kijun serve --tls-cert --tls-key` speaks TLS 1.2 and 1.3 only, sends
// Strict-Transport-Security, and marks the session cookie Secure. Uses a throw-away
// self-signed certificate made with openssl in a temp dir. Runs on SQLite and, when the
// test run has one, on PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { backends, freshPg, freshSqlite, kijunOk, startServer, tempDir, makeCertificate } from './harness.mjs';

const SUITE = 'tls';
// The client must be able to offer old versions at all, or a refusal proves nothing:
// OpenSSL 3 refuses TLS 1.0 and 1.1 at its default security level.
const OLD_CIPHERS = 'DEFAULT@SECLEVEL=0';

/** One HTTPS request with its own connection: {status, headers, text, body, protocol, fingerprint}. */
function request(port, path, { method = 'GET', headers = {}, body, tlsOptions = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port, path, method, agent: false, rejectUnauthorized: false,
      headers: { ...headers, ...(body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}) },
      ...tlsOptions,
    }, (res) => {
      const protocol = res.socket.getProtocol();
      const fingerprint = res.socket.getPeerCertificate().fingerprint256;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode, headers: res.headers, text, body: json, protocol, fingerprint });
      });
    });
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** A TLS handshake only: resolves with the protocol agreed, rejects when refused. */
function handshake(port, options) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      const p = s.getProtocol();
      s.end();
      resolve(p);
    });
    s.setTimeout(10000, () => s.destroy(new Error('timeout')));
    s.on('error', reject);
  });
}

for (const b of backends(SUITE)) {
  describe(`TLS on ${b.label}`, () => {
    let srv;
    let certs;
    let fingerprint;
    const password = 'tls-test-password-1';

    before(async () => {
      const dsn = b.label === 'postgresql' ? freshPg(`api_${SUITE}`) : freshSqlite();
      kijunOk(dsn, ['init', '--demo']);
      kijunOk(dsn, ['user', 'add', '--name', 'tls-user', '--org', 'MHA', '--role', 'org_admin', '--password-stdin'], { input: `${password}\n` });
      certs = makeCertificate();
      fingerprint = new X509Certificate(readFileSync(certs.cert)).fingerprint256;
      srv = await startServer(dsn, { args: ['--tls-cert', certs.cert, '--tls-key', certs.key] });
      assert.match(srv.url, /^https:/);
    });

    after(async () => {
      if (srv) assert.equal(await srv.stop(), 0, srv.stderr());
    });

    test('TLS 1.2 and TLS 1.3 connect, with our certificate', async () => {
      for (const v of ['TLSv1.2', 'TLSv1.3']) {
        const r = await request(srv.port, '/api/v1/health', { tlsOptions: { minVersion: v, maxVersion: v } });
        assert.equal(r.status, 200);
        assert.equal(r.body.status, 'ok');
        assert.equal(r.protocol, v);
        assert.equal(r.fingerprint, fingerprint, 'not the certificate the server was given');
      }
      // A client that allows anything gets the newest.
      assert.equal(await handshake(srv.port, {}), 'TLSv1.3');
      // With the certificate as the only trusted root the chain verifies. (The host name
      // check is left out: the certificate names 127.0.0.1 only in its CN, which clients
      // ignore for IP addresses.)
      const verified = await handshake(srv.port, {
        rejectUnauthorized: true, ca: readFileSync(certs.cert), checkServerIdentity: () => undefined,
      });
      assert.equal(verified, 'TLSv1.3');
    });

    test('TLS 1.1 and 1.0 are refused', async () => {
      // First show that this client can speak TLS 1.1 and 1.0 at all, to a server that allows them.
      const control = tls.createServer({
        key: readFileSync(certs.key), cert: readFileSync(certs.cert), minVersion: 'TLSv1', maxVersion: 'TLSv1.3', ciphers: OLD_CIPHERS,
      }, (s) => s.end());
      await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
      try {
        for (const v of ['TLSv1.1', 'TLSv1']) {
          const p = await handshake(control.address().port, { minVersion: v, maxVersion: v, ciphers: OLD_CIPHERS });
          assert.equal(p, v, `the client cannot speak ${v}: the test below would prove nothing`);
        }
      } finally {
        control.close();
      }
      for (const v of ['TLSv1.1', 'TLSv1']) {
        await assert.rejects(handshake(srv.port, { minVersion: v, maxVersion: v, ciphers: OLD_CIPHERS }),
          (e) => { assert.ok(e instanceof Error); return true; }, `${v} was accepted`);
        await assert.rejects(request(srv.port, '/api/v1/health', { tlsOptions: { minVersion: v, maxVersion: v, ciphers: OLD_CIPHERS } }));
      }
      // The server still serves after refusing.
      assert.equal((await request(srv.port, '/api/v1/health')).status, 200);
    });

    test('every reply carries Strict-Transport-Security', async () => {
      const replies = [
        await request(srv.port, '/api/v1/health'),
        await request(srv.port, '/api/v1/nothing-here'),
        await request(srv.port, '/api/v1/orgs'),
        await request(srv.port, '/api/v1/session', { method: 'POST', body: JSON.stringify({ name: 'tls-user', password: 'wrong-password-123' }) }),
        await request(srv.port, '/api/v1/health', { method: 'DELETE' }),
      ];
      assert.deepEqual(replies.map((r) => r.status), [200, 404, 401, 401, 405]);
      for (const r of replies) {
        assert.match(r.headers['strict-transport-security'] || '', /max-age=\d{7,}/, `no HSTS on a ${r.status}`);
      }
    });

    test('the login cookie is Secure, HttpOnly and SameSite=Strict, and works over TLS', async () => {
      const r = await request(srv.port, '/api/v1/session', { method: 'POST', body: JSON.stringify({ name: 'tls-user', password }) });
      assert.equal(r.status, 200, r.text);
      const sc = r.headers['set-cookie'];
      assert.equal(sc.length, 1);
      assert.match(sc[0], /^kijun_session=kj_[A-Za-z0-9_-]{43};/);
      assert.match(sc[0], /;\s*Secure(;|$)/i);
      assert.match(sc[0], /;\s*HttpOnly(;|$)/i);
      assert.match(sc[0], /;\s*SameSite=Strict(;|$)/i);
      const cookie = sc[0].split(';')[0];
      const me = await request(srv.port, '/api/v1/session', { headers: { Cookie: cookie } });
      assert.equal(me.status, 200);
      assert.equal(me.body.user.name, 'tls-user');
      const out = await request(srv.port, '/api/v1/session', { method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': r.body.csrf_token } });
      assert.equal(out.status, 200);
      assert.match(out.headers['set-cookie'][0], /Max-Age=0.*Secure|Secure.*Max-Age=0/);
    });

    test('plain HTTP on the TLS port gets no page', async () => {
      const answer = await new Promise((resolve) => {
        const s = net.connect(srv.port, '127.0.0.1', () => s.write('GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
        let data = '';
        s.setTimeout(5000, () => s.destroy());
        s.on('data', (d) => { data += d.toString('latin1'); });
        s.on('close', () => resolve(data));
        s.on('error', () => {});
      });
      assert.doesNotMatch(answer, /"status":"ok"/);
      assert.equal((await request(srv.port, '/api/v1/health')).status, 200);
    });
  });
}
