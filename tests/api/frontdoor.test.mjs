// frontdoor.test.mjs: the server's front door under attack and load. An upload without a
// valid login is refused on its head, before its body is read, and the server's memory
// stays low; ambiguous framing (two Content-Lengths, Content-Length with Transfer-Encoding)
// is refused and the connection closed; the server's own refusals of a head (414, 431,
// 400) carry the security headers and a JSON body; connections that trickle a head are
// closed while others are served; TLS takes only forward-secret AEAD suites on 1.2 and up;
// PDF printing never holds the worker threads, and a full queue is 503 with Retry-After;
// a FIFO as the certificate is refused at once. Head and upload checks run on SQLite and,
// when the test run has one, on PostgreSQL; the rest on SQLite.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import {
  BIN, Client, backends, demoGovernment, freePort, freshSqlite, kijunOk, startServer, tempDir, makeCertificate,
} from './harness.mjs';

const SUITE = 'frontdoor';
const SECURITY_HEADERS = {
  'x-content-type-options': /^nosniff$/,
  'cache-control': /^no-store$/,
  'referrer-policy': /^no-referrer$/,
  'x-frame-options': /^DENY$/,
  'content-security-policy': /default-src 'none'/,
};

function sleep(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

/** Polls check() every 100 ms until it is true or waitMs pass; returns its last answer. */
async function eventually(check, waitMs) {
  for (let waited = 0; ; waited += 100) {
    if (await check()) return true;
    if (waited >= waitMs) return false;
    await sleep(100);
  }
}

function parseHead(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(lines[0].split(' ')[1]), headers, bodyAt: end + 4 };
}

/**
 * Writes parts to a plain socket (without ending it) and collects what comes back until the
 * server closes or waitMs pass. Resolves {status, headers, text, body, closed}: closed says
 * the server closed the connection after its reply; status 0 when no reply came.
 */
function rawHttp(port, parts, { waitMs = 10000, localAddress } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress });
    let buf = Buffer.alloc(0);
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      const h = parseHead(buf);
      if (h === null) { resolve({ status: 0, headers: {}, text: '', body: null, closed }); return; }
      const n = Number(h.headers['content-length'] ?? buf.length - h.bodyAt);
      const text = buf.subarray(h.bodyAt, h.bodyAt + n).toString('utf8');
      let body = null;
      try { body = JSON.parse(text); } catch { body = null; }
      resolve({ status: h.status, headers: h.headers, text, body, closed });
    };
    const timer = setTimeout(finish, waitMs);
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); });
    sock.on('end', () => { closed = true; finish(); });
    sock.on('close', () => { closed = true; finish(); });
    sock.on('error', () => {});
    sock.on('connect', async () => {
      try {
        for (const p of parts) {
          if (sock.destroyed) return;
          if (!sock.write(p)) await once(sock, 'drain');
        }
      } catch { /* the server may close while we write: its answer is what counts */ }
    });
  });
}

function assertOurRefusal(r, status, what) {
  assert.equal(r.status, status, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
  assert.match(r.headers['content-type'] || '', /^application\/json/, what);
  for (const [h, re] of Object.entries(SECURITY_HEADERS)) assert.match(r.headers[h] || '', re, `${what}: ${h}`);
  assert.ok(r.body && typeof r.body.error === 'string' && r.body.message.length > 3, `${what}: ${r.text}`);
}

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]);
}

const BIG_ROUTES = ['/api/v1/evidence', '/api/v1/editions', '/api/v1/campaigns/C1/answers', '/api/v1/audit-engagements/E1/papers'];

for (const b of backends(SUITE)) {
  describe(`the front door on ${b.label}`, () => {
    let srv;
    let accounts;

    before(async () => {
      const dsn = b.dsn();
      ({ accounts } = demoGovernment(dsn));
      srv = await startServer(dsn);
    });

    after(async () => {
      if (srv) assert.equal(await srv.stop(), 0, srv.stderr());
    });

    test('an upload without a valid login is refused on its head, its body unread', async () => {
      const head = (path, extra = '') => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n`
        + `Content-Length: ${60 << 20}\r\n${extra}\r\n`;
      // 60 MB announced, 16 KiB sent, nothing more: the reply can only come before the body.
      // (The server closes after the reply; a client still sending then would see the
      // connection reset, so these send no more than the server reads with the head.)
      const part = Buffer.alloc(16 * 1024, 0x61);
      for (const path of BIG_ROUTES) {
        const anon = await rawHttp(srv.port, [head(path), part]);
        assertOurRefusal(anon, 401, `anonymous ${path}`);
        assert.ok(anon.closed, `${path}: the connection stays open with an unread body`);
        const forged = await rawHttp(srv.port, [head(path, 'Authorization: Bearer kj_not-a-token\r\n'), part]);
        assertOurRefusal(forged, 401, `forged token ${path}`);
      }
      // A cookie session without its CSRF token: 403, also before the body.
      const web = new Client(srv.url);
      const name = 'centre-admin';
      assert.equal((await web.login(name, accounts[name].password)).status, 200);
      const noCsrf = await rawHttp(srv.port, [head('/api/v1/evidence', `Cookie: ${web.cookie}\r\n`), part]);
      assertOurRefusal(noCsrf, 403, 'cookie without CSRF');
      // A client that asks before sending (Expect: 100-continue) gets the refusal instead of
      // the go-ahead, and sends nothing.
      const asked = await rawHttp(srv.port, [head('/api/v1/editions', 'Expect: 100-continue\r\n')]);
      assertOurRefusal(asked, 401, 'Expect: 100-continue');
      // Logged in, the same route reads its body (and judges what it says).
      const token = accounts[name].token;
      const ok = await rawHttp(srv.port, [`POST /api/v1/evidence HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n`
        + 'Content-Type: application/octet-stream\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello']);
      assert.notEqual(ok.status, 401, ok.text);
      assert.notEqual(ok.status, 0, 'no reply to a logged-in upload');
      // Several at once leave the server's memory where it was (a sanity check: each would
      // be 60 MB if the bodies were kept).
      const before = rssKiB(srv.proc.pid);
      const many = await Promise.all(Array.from({ length: 6 }, () => rawHttp(srv.port, [head('/api/v1/evidence'), part])));
      for (const r of many) assertOurRefusal(r, 401, 'one of six uploads');
      const grown = rssKiB(srv.proc.pid) - before;
      assert.ok(grown < 32 * 1024, `the server grew by ${grown} KiB for six refused uploads`);
      assert.equal((await fetch(`${srv.url}/api/v1/health`)).status, 200);
    });

    test('ambiguous framing is 400 and the connection closed', async () => {
      const token = accounts['centre-admin'].token;
      const smuggled = 'GET /api/v1/orgs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
      const cases = {
        'two Content-Lengths': `POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: ${2 + smuggled.length}\r\n\r\n{}${smuggled}`,
        'Content-Length and chunked': `POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n${smuggled}`,
        'both, logged in': `POST /api/v1/orgs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n{}`,
        'a coding other than chunked': 'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n{}',
        'chunked twice': 'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      };
      for (const [what, req] of Object.entries(cases)) {
        const r = await rawHttp(srv.port, [req]);
        assertOurRefusal(r, 400, what);
        assert.equal(r.body.error, 'invalid');
        assert.match(r.body.message, /Content-Length|Transfer-Encoding/, what);
        assert.ok(r.closed, `${what}: the connection stays open`);
        assert.equal(r.headers.connection, 'close', what);
        assert.ok(!r.text.includes('"items"'), `${what}: the smuggled request was answered`);
      }
    });

    test("the server's own refusals of a head carry the security headers and JSON", async () => {
      const get = (target, headers = '') => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`;
      const r414 = await rawHttp(srv.port, [get(`/api/v1/orgs?q=${'a'.repeat(20000)}`)]);
      assertOurRefusal(r414, 414, 'a 20 KB target');
      assert.equal(r414.body.error, 'uri_too_long');
      const r414b = await rawHttp(srv.port, [get(`/api/v1/${'b'.repeat(20000)}`)]);
      assertOurRefusal(r414b, 414, 'a 20 KB path');
      const r431 = await rawHttp(srv.port, [get('/api/v1/health', `X-Big: ${'c'.repeat(40000)}\r\n`)]);
      assertOurRefusal(r431, 431, 'a 40 KB header');
      assert.equal(r431.body.error, 'header_too_large');
      const noHost = await rawHttp(srv.port, ['GET /api/v1/health HTTP/1.1\r\n\r\n']);
      assertOurRefusal(noHost, 400, 'HTTP/1.1 without Host');
      assert.match(noHost.body.message, /Host/);
      // HTTP/1.0 needs no Host; and a head within the limits is served.
      assert.equal((await rawHttp(srv.port, ['GET /api/v1/health HTTP/1.0\r\n\r\n'])).status, 200);
      assert.equal((await rawHttp(srv.port, [get('/api/v1/health', `X-Mid: ${'d'.repeat(12000)}\r\nConnection: close\r\n`)])).status, 200);
    });
  });
}

describe('slow clients', () => {
  let srv;

  before(async () => {
    const dsn = freshSqlite();
    kijunOk(dsn, ['init']);
    // The limits from a config file, as an operator would set them.
    const config = join(tempDir(), 'kijun.conf');
    writeFileSync(config, '# slow clients\nheader_timeout = 2\nmax_connections = 6\nthreads = 2\n');
    srv = await startServer(dsn, { args: ['--config', config] });
  });

  after(async () => {
    if (srv) assert.equal(await srv.stop(), 0, srv.stderr());
  });

  test('heads trickled from many addresses are cut off, and a normal client is served', async () => {
    // Six connections, each from an address of its own, take every slot and send a head one
    // header a quarter second, which an idle timeout alone never ends.
    const slow = [];
    for (let i = 0; i < 6; i++) {
      const s = net.connect({ port: srv.port, host: '127.0.0.1', localAddress: `127.0.0.${i + 2}` });
      const c = { sock: s, closed: false, got: '' };
      s.on('data', (d) => { c.got += d.toString('latin1'); });
      s.on('close', () => { c.closed = true; });
      s.on('error', () => {});
      await once(s, 'connect');
      s.write('GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      c.timer = setInterval(() => { if (!s.destroyed) s.write(`X-Slow-${Date.now()}: 1\r\n`); }, 250);
      slow.push(c);
    }
    try {
      // A normal client: served once the slots are freed (until then its connection is
      // refused at once, and it tries again).
      const served = await eventually(async () => {
        try {
          return (await fetch(`${srv.url}/api/v1/health`, { signal: AbortSignal.timeout(2000) })).status === 200;
        } catch {
          return false;
        }
      }, 20000);
      assert.ok(served, 'a normal client was never served while slow heads held the slots');
      assert.ok(await eventually(() => slow.every((c) => c.closed), 20000),
        `${slow.filter((c) => !c.closed).length} of 6 trickling connections are still open`);
      for (const c of slow) assert.doesNotMatch(c.got, /"status":"ok"/, 'a head that never ended was answered');
      // A login whose body trickles is cut off the same way: nobody logged in may hold a
      // connection with a slow body either.
      const login = net.connect({ port: srv.port, host: '127.0.0.1', localAddress: '127.0.0.8' });
      let loginClosed = false;
      login.on('close', () => { loginClosed = true; });
      login.on('error', () => {});
      await once(login, 'connect');
      login.write('POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
      const drip = setInterval(() => { if (!login.destroyed) login.write(' '); }, 250);
      try {
        assert.ok(await eventually(() => loginClosed, 20000), 'a trickled login body holds its connection');
      } finally {
        clearInterval(drip);
        login.destroy();
      }
      // Another from the same addresses, quick this time, is served: the limit is on time.
      const quick = await rawHttp(srv.port, ['GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'],
        { localAddress: '127.0.0.2' });
      assert.equal(quick.status, 200);
    } finally {
      for (const c of slow) { clearInterval(c.timer); c.sock.destroy(); }
    }
  });
});

/** A TLS handshake: resolves with {protocol, cipher}, rejects when refused. */
function handshake(port, options) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      const r = { protocol: s.getProtocol(), cipher: s.getCipher().name };
      s.end();
      resolve(r);
    });
    s.setTimeout(10000, () => s.destroy(new Error('timeout')));
    s.on('error', reject);
  });
}

describe('TLS suites', () => {
  let srv;
  let certs;

  before(async () => {
    const dsn = freshSqlite();
    kijunOk(dsn, ['init']);
    certs = makeCertificate();
    srv = await startServer(dsn, { args: ['--tls-cert', certs.cert, '--tls-key', certs.key] });
  });

  after(async () => {
    if (srv) assert.equal(await srv.stop(), 0, srv.stderr());
  });

  test('only ECDHE with AES-GCM or ChaCha20-Poly1305 on TLS 1.2, and TLS 1.3', async () => {
    const v12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
    const refused = ['AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA256', 'AES128-SHA'];
    const accepted = ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305'];
    // First show that this client offers every one of them, to a server that allows them.
    const control = tls.createServer({
      key: readFileSync(certs.key), cert: readFileSync(certs.cert), ...v12, ciphers: [...refused, ...accepted].join(':'),
    }, (s) => s.end());
    await new Promise((resolve) => { control.listen(0, '127.0.0.1', resolve); });
    try {
      for (const c of [...refused, ...accepted]) {
        const r = await handshake(control.address().port, { ...v12, ciphers: c });
        assert.equal(r.cipher, c, `the client cannot use ${c}: the test below would prove nothing`);
      }
    } finally {
      control.close();
    }
    for (const c of refused) {
      await assert.rejects(handshake(srv.port, { ...v12, ciphers: c }), Error, `${c} was accepted`);
    }
    for (const c of accepted) {
      const r = await handshake(srv.port, { ...v12, ciphers: c });
      assert.deepEqual(r, { protocol: 'TLSv1.2', cipher: c });
    }
    await assert.rejects(handshake(srv.port, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
      Error, 'TLS 1.1 was accepted');
    assert.equal((await handshake(srv.port, {})).protocol, 'TLSv1.3');
  });
});

test('a FIFO as the certificate is refused at once, not waited on', async () => {
  const dsn = freshSqlite();
  kijunOk(dsn, ['init']);
  const dir = tempDir();
  const fifo = join(dir, 'cert.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const { key } = makeCertificate();
  const port = await freePort();
  const proc = spawn(BIN, ['--db', dsn, 'serve', '--listen', `127.0.0.1:${port}`, '--tls-cert', fifo, '--tls-key', key],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = once(proc, 'exit');
  // Should it wait on the FIFO, SIGTERM must still stop it.
  const stuck = setTimeout(() => proc.kill('SIGTERM'), 10000);
  const kill = setTimeout(() => proc.kill('SIGKILL'), 15000);
  const [code, signal] = await exited;
  clearTimeout(stuck);
  clearTimeout(kill);
  assert.notEqual(signal, 'SIGKILL', 'kijun serve ignored SIGTERM while it read the certificate');
  assert.equal(signal, null, `stopped by ${signal}, not refused: ${stderr}`);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /tls_cert: .*cert\.fifo: not a regular file/);
});

describe('PDF printing', () => {
  let dsn;
  let token;

  before(() => {
    dsn = freshSqlite();
    kijunOk(dsn, ['init', '--demo']);
    kijunOk(dsn, ['user', 'add', '--name', 'pdf-admin', '--org', 'NCO', '--role', 'centre_admin', '--password-stdin'],
      { input: 'a long enough password\n' });
    token = kijunOk(dsn, ['token', 'create', '--user', 'pdf-admin', '--name', 'pdf']).stdout.trim().split(/\s+/).pop();
  });

  const PDF = '/api/v1/reports/annual?fy=2025&format=pdf&lang=en&org=MHA';

  async function getPdf(url) {
    const res = await fetch(url + PDF, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  test('prints wait on job threads: /health is answered meanwhile, a full queue is 503', async () => {
    // A stand-in for Chromium that prints only when the test lets it, and says when it began.
    const dir = tempDir();
    const gate = join(dir, 'go');
    const fake = join(dir, 'fake-chromium');
    writeFileSync(fake, `#!/bin/sh
for a in "$@"; do case "$a" in --print-to-pdf=*) out="\${a#--print-to-pdf=}";; esac; done
touch "${dir}/started.$$"
while [ ! -e "${gate}" ]; do sleep 0.05; done
printf '%%PDF-1.4\\n%% stand-in\\n' > "$out"
`);
    chmodSync(fake, 0o755);
    const started = () => readdirSync(dir).filter((f) => f.startsWith('started.')).length;
    // The limits from the environment (one print at a time, one waiting).
    const srv = await startServer(dsn, {
      args: ['--threads', '2'], env: { KIJUN_CHROMIUM: fake, KIJUN_PDF_JOBS: '1', KIJUN_PDF_QUEUE: '1' },
    });
    try {
      const first = getPdf(srv.url);
      assert.ok(await eventually(() => started() === 1, 30000), 'the first print never began');
      // One more waits in the queue; of two more, one waits and one is refused.
      const more = [getPdf(srv.url), getPdf(srv.url)];
      const done = await Promise.race([Promise.any(more).then(() => 'some'), sleep(30000).then(() => 'none')]);
      assert.equal(done, 'some', 'no reply while the queue was full');
      // Both worker threads are free: /health is answered while the print still waits.
      const health = await fetch(`${srv.url}/api/v1/health`, { signal: AbortSignal.timeout(20000) });
      assert.equal(health.status, 200);
      assert.equal(started(), 1);
      assert.ok(!existsSync(gate));
      writeFileSync(gate, '');
      const replies = [await first, ...(await Promise.all(more))];
      const refused = replies.filter((r) => r.status === 503);
      const printed = replies.filter((r) => r.status === 200);
      assert.equal(refused.length, 1, replies.map((r) => r.status).join(' '));
      assert.equal(printed.length, 2);
      assert.match(refused[0].headers.get('retry-after') || '', /^\d+$/);
      assert.equal(JSON.parse(refused[0].bytes.toString()).error, 'unavailable');
      for (const r of printed) {
        assert.equal(r.headers.get('content-type'), 'application/pdf');
        assert.match(r.headers.get('content-disposition'), /kijun-annual-report\.pdf/);
        assert.equal(r.bytes.subarray(0, 5).toString(), '%PDF-');
      }
      assert.equal(started(), 2);
    } finally {
      writeFileSync(gate, '');
      assert.equal(await srv.stop(), 0, srv.stderr());
    }
  });

  test('with Chromium: PDFs printed while /health is answered, each a PDF', async () => {
    const srv = await startServer(dsn, { args: ['--threads', '2'] });
    try {
      const order = [];
      const pdfs = Array.from({ length: 3 }, () => getPdf(srv.url).then((r) => { order.push('pdf'); return r; }));
      const health = await fetch(`${srv.url}/api/v1/health`);
      order.push('health');
      assert.equal(health.status, 200);
      for (const r of await Promise.all(pdfs)) {
        assert.equal(r.status, 200, r.bytes.toString().slice(0, 200));
        assert.equal(r.bytes.subarray(0, 5).toString(), '%PDF-');
      }
      assert.equal(order.length, 4);
      assert.equal(order[0], 'health', 'a PDF was printed before /health was answered');
    } finally {
      assert.equal(await srv.stop(), 0, srv.stderr());
    }
  });

  test('a stop while prints wait answers them and ends cleanly', async () => {
    const dir = tempDir();
    const fake = join(dir, 'never-chromium');
    writeFileSync(fake, `#!/bin/sh\ntouch "${dir}/started"\nexec sleep 600\n`);
    chmodSync(fake, 0o755);
    const srv = await startServer(dsn, { args: ['--pdf-jobs', '1', '--pdf-queue', '2', '--threads', '2'], env: { KIJUN_CHROMIUM: fake } });
    const replies = Array.from({ length: 2 }, () => getPdf(srv.url).catch((e) => ({ status: 0, error: e })));
    assert.ok(await eventually(() => existsSync(join(dir, 'started')), 30000), 'the print never began');
    assert.equal(await srv.stop(), 0, srv.stderr());
    for (const r of await Promise.all(replies)) assert.ok(r.status === 503 || r.status === 0, `a waiting print got ${r.status}`);
  });
});
