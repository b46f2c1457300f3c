// soak.mjs URL PID ACCOUNTS.json: the API under mixed load for a bounded time, watching
// the server for growth. Run by bench_soak.sh, which starts the server.
//
// Clients: one per staff account of the demo (up to KIJUN_SOAK_CLIENTS, default 24), each
// logged in with its password. Each client loops: reads (its checklists, one checklist,
// the organisation tree), an answer to its own open checklist, and now and then a fresh
// login (a new session). Every KIJUN_SOAK_INTERVAL seconds (default 15) it prints the
// server's resident memory (VmRSS), its open file descriptors (/proc/PID/fd), the requests
// of the interval with their latency percentiles, and the 5xx count. Stops after
// KIJUN_SOAK_SECONDS (default 180). Loopback only; at most CLIENTS requests in flight.
import { readFileSync, readdirSync } from 'node:fs';

const [url, pidArg, accountsFile] = process.argv.slice(2);
const pid = Number(pidArg);
const SECONDS = Number(process.env.KIJUN_SOAK_SECONDS || 180);
const INTERVAL = Number(process.env.KIJUN_SOAK_INTERVAL || 15);
const CLIENTS = Number(process.env.KIJUN_SOAK_CLIENTS || 24);
const VALUES = ['implemented', 'partial', 'not_implemented', 'not_applicable'];

const accounts = JSON.parse(readFileSync(accountsFile, 'utf8')).accounts.filter((a) => a.role === 'staff').slice(0, CLIENTS);

function rssKb() {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) : 0;
}
const fds = () => readdirSync(`/proc/${pid}/fd`).length;

let lat = [], n5xx = 0, nOther = 0, total5xx = 0;
const byKind = {};

async function call(kind, method, path, { cookie, csrf, body } = {}) {
  const h = {};
  if (cookie) h.Cookie = cookie;
  if (csrf && method !== 'GET') h['X-CSRF-Token'] = csrf;
  if (body) h['Content-Type'] = 'application/json';
  const t0 = process.hrtime.bigint();
  let res, text;
  try {
    res = await fetch(url + path, { method, headers: h, body: body && JSON.stringify(body) });
    text = await res.text();
  } catch (e) {
    nOther++;
    return null;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  lat.push(ms);
  byKind[kind] = (byKind[kind] || 0) + 1;
  if (res.status >= 500) { n5xx++; total5xx++; } else if (res.status >= 400) nOther++;
  return { status: res.status, headers: res.headers, text };
}

async function login(a) {
  const r = await call('login', 'POST', '/api/v1/session', { body: { name: a.name, password: a.password } });
  if (!r || r.status !== 200) return null;
  return { cookie: r.headers.get('set-cookie').split(';')[0], csrf: JSON.parse(r.text).csrf_token };
}

const deadline = Date.now() + SECONDS * 1000;

async function client(a, w) {
  let s = await login(a);
  if (!s) return;
  const mine = JSON.parse((await call('read', 'GET', '/api/v1/checklists', s)).text).items || [];
  const cl = mine.find((c) => c.status === 'open');
  const items = cl ? JSON.parse((await call('read', 'GET', `/api/v1/checklists/${cl.id}`, s)).text).items.map((i) => i.requirement) : [];
  for (let i = 0; Date.now() < deadline; i++) {
    await call('read', 'GET', '/api/v1/checklists', s);
    await call('read', 'GET', '/api/v1/orgs', s);
    if (cl) await call('read', 'GET', `/api/v1/checklists/${cl.id}`, s);
    if (cl && items.length) {
      const item = items[i % items.length];
      await call('answer', 'PUT', `/api/v1/checklists/${cl.id}/answers/${encodeURIComponent(item)}`,
        { ...s, body: { value: VALUES[(i + w) % 4], comment: `soak ${i}` } });
    }
    if (i % 20 === 19) {
      await call('logout', 'DELETE', '/api/v1/session', s);
      s = (await login(a)) || s;
    }
  }
}

function pct(sorted, p) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const samples = [];
function report(elapsed) {
  const sorted = lat.sort((x, y) => x - y);
  const s = { t: elapsed, rss: rssKb(), fds: fds(), n: sorted.length, p50: pct(sorted, 50), p95: pct(sorted, 95), p99: pct(sorted, 99), e5xx: n5xx, e4xx: nOther };
  samples.push(s);
  console.log(`soak: t=${String(elapsed).padStart(4)}s  VmRSS ${(s.rss / 1024).toFixed(1)} MB  fds ${s.fds}  ` +
    `requests ${s.n} (${(s.n / INTERVAL).toFixed(0)}/s)  p50 ${s.p50.toFixed(1)} ms  p95 ${s.p95.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms  5xx ${s.e5xx}  4xx/errors ${s.e4xx}`);
  lat = [];
  n5xx = 0;
  nOther = 0;
}

const start = Date.now();
console.log(`soak: ${accounts.length} clients against ${url} for ${SECONDS} s, figures every ${INTERVAL} s`);
const s0 = { rss: rssKb(), fds: fds() };
console.log(`soak: t=   0s  VmRSS ${(s0.rss / 1024).toFixed(1)} MB  fds ${s0.fds}  (before the load)`);
const timer = setInterval(() => report(Math.round((Date.now() - start) / 1000)), INTERVAL * 1000);
await Promise.all(accounts.map((a, w) => client(a, w)));
clearInterval(timer);
// The tail after the last full interval, when there is one worth a line.
if (lat.length > 0 && (samples.length === 0 || Math.round((Date.now() - start) / 1000) > samples[samples.length - 1].t)) {
  report(Math.round((Date.now() - start) / 1000));
}
// Growth is measured from the end of the second interval (the first warms up: thread
// connections, caches, allocator arenas) to the end.
const first = samples[Math.min(1, samples.length - 1)], last = samples[samples.length - 1];
console.log(`soak: requests by kind: ${JSON.stringify(byKind)}`);
console.log(`soak: VmRSS ${(first.rss / 1024).toFixed(1)} MB after warm-up (t=${first.t}s), ${(last.rss / 1024).toFixed(1)} MB at the end; ` +
  `fds ${first.fds} -> ${last.fds}; 5xx in all: ${total5xx}`);
const grew = last.rss > first.rss * 1.2;
console.log(`soak: ${total5xx === 0 && last.fds <= first.fds + 2 && !grew ? 'target met' : 'target missed'} (no 5xx, no growth of descriptors or memory)`);
