// harness.mjs: what the API tests share. Starts the real `kijun serve` on 127.0.0.1 with a
// fresh database (SQLite file, or a schema of its own on the PostgreSQL that
// scripts/test.sh started), runs the real CLI, and speaks HTTP with fetch.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

export const BIN = process.env.KIJUN_BIN || 'build/kijun';
const tmpRoots = [];

process.on('exit', () => {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
});

export function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'kijun-api-'));
  tmpRoots.push(d);
  return d;
}

/** A fresh SQLite database: its DSN. */
export function freshSqlite() {
  return `sqlite:${join(tempDir(), 'api.db')}`;
}

/** A fresh PostgreSQL schema on the test server, or null when there is none. */
export function freshPg(schema) {
  const base = process.env.KIJUN_TEST_PG_DSN;
  if (!base) return null;
  const r = spawnSync('psql', [base, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`,
    '-c', `CREATE SCHEMA ${schema}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  return `${base}?options=-csearch_path%3D${schema}`;
}

/** Runs the CLI: {code, stdout, stderr}. */
export function kijun(dsn, args, { input, env } = {}) {
  const r = spawnSync(BIN, ['--db', dsn, ...args], {
    encoding: 'utf8', input, env: { ...process.env, ...(env || {}) },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI and fails the test unless it exits 0. */
export function kijunOk(dsn, args, opts) {
  const r = kijun(dsn, args, opts);
  if (r.code !== 0) throw new Error(`kijun ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  return r;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Starts `kijun serve` on a free loopback port. Resolves once it listens.
 * Returns {url, port, proc, stop(signal)}; stop resolves with the exit code.
 */
export async function startServer(dsn, { args = [], env = {} } = {}) {
  const port = await freePort();
  const proc = spawn(BIN, ['--db', dsn, 'serve', '--listen', `127.0.0.1:${port}`, '--quiet', ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      if (out.includes('listening on')) { clearTimeout(timer); resolve(); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const scheme = args.includes('--tls-cert') ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    proc,
    stderr: () => stderr,
    stop: (signal = 'SIGTERM') => new Promise((resolve) => {
      const done = (code) => {
        // A server that did not stop cleanly says why on its stderr: show it.
        if (code !== 0) process.stderr.write(`kijun serve exited ${code}:\n${stderr}\n`);
        resolve(code);
      };
      if (proc.exitCode !== null) { done(proc.exitCode); return; }
      proc.once('exit', (code, sig) => done(code ?? sig));
      proc.kill(signal);
    }),
  };
}

/**
 * The demo government plus one account per role, with passwords and tokens:
 * returns {accounts: {NAME: {role, org, password, token}}}.
 * Organisations used: NCO (the centre), MHA (a ministry), MHA-GA (its bureau),
 * MHA-GA-IT (a division), AG01 (an agency MHA supervises), MPF (another ministry).
 */
export function demoGovernment(dsn) {
  kijunOk(dsn, ['init', '--demo', '--demo-parts', 'government,standard']);
  const plan = [
    ['centre-admin', 'centre_admin', 'NCO'],
    ['centre-analyst', 'centre_analyst', 'NCO'],
    ['mha-ciso', 'org_admin', 'MHA'],
    ['mha-ga-officer', 'unit_officer', 'MHA-GA'],
    ['mha-staff', 'staff', 'MHA-GA-IT'],
    ['ag01-ciso', 'org_admin', 'AG01'],
    ['mpf-ciso', 'org_admin', 'MPF'],
    ['auditor', 'external_auditor', 'NCO'],
  ];
  const accounts = {};
  for (const [name, role, org] of plan) {
    const password = `pw-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
    kijunOk(dsn, ['user', 'add', '--name', name, '--org', org, '--role', role, '--password-stdin'], { input: `${password}\n` });
    const t = kijunOk(dsn, ['token', 'create', '--user', name, '--name', 'tests']);
    const token = t.stdout.trim().split(/\s+/).pop();
    accounts[name] = { role, org, password, token };
  }
  kijunOk(dsn, ['user', 'engage', 'auditor', '--org', 'MHA', '--from', '2020-01-01', '--to', '2099-12-31']);
  return { accounts };
}

/** A small HTTP client: a bearer token, or a cookie session with its CSRF token. */
export class Client {
  constructor(base, { token } = {}) {
    this.base = base;
    this.token = token;
    this.cookie = null;
    this.csrf = null;
  }

  async login(name, password) {
    const r = await this.request('POST', '/api/v1/session', { name, password });
    if (r.status === 200) {
      const sc = r.headers.get('set-cookie');
      this.cookie = sc.split(';')[0];
      this.csrf = r.body.csrf_token;
    }
    return r;
  }

  /** Sends a request. body: an object (sent as JSON) or a string (sent as is). */
  async request(method, path, body, { headers = {}, csrf = true } = {}) {
    const h = { ...headers };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    if (this.cookie) h.Cookie = this.cookie;
    if (this.cookie && csrf && this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      h['Content-Type'] = h['Content-Type'] || 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: res.status, headers: res.headers, body: json, text };
  }

  get(path, opts) { return this.request('GET', path, undefined, opts); }
  post(path, body, opts) { return this.request('POST', path, body, opts); }
  patch(path, body, opts) { return this.request('PATCH', path, body, opts); }
  del(path, opts) { return this.request('DELETE', path, undefined, opts); }
}

/** The backends the suites run on: always SQLite, and PostgreSQL when the test run has it. */
export function backends(name) {
  const list = [{ label: 'sqlite', dsn: () => freshSqlite() }];
  if (process.env.KIJUN_TEST_PG_DSN) list.push({ label: 'postgresql', dsn: () => freshPg(`api_${name}`) });
  else if (process.env.KIJUN_REQUIRE_PG === '1') throw new Error('KIJUN_TEST_PG_DSN is not set');
  return list;
}

/** The full demo (`kijun init --demo --json`) and its accounts: {name: {role, org, password}}. */
export function fullDemo(dsn) {
  const out = JSON.parse(kijunOk(dsn, ['init', '--demo', '--json']).stdout);
  const accounts = {};
  for (const a of out.accounts) accounts[a.name] = a;
  return accounts;
}

/** A client logged in as one of fullDemo's accounts; throws unless the login succeeds. */
export async function loginAs(url, accounts, name) {
  const c = new Client(url);
  const r = await c.login(name, accounts[name].password);
  if (r.status !== 200) throw new Error(`login ${name}: ${r.status} ${r.text}`);
  return c;
}

/** A self-signed certificate for 127.0.0.1 in a temporary directory: {key, cert} paths. */
export function makeCertificate() {
  const dir = tempDir();
  const key = join(dir, 'k.pem');
  const cert = join(dir, 'c.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1',
    '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  return { key, cert };
}
