// faults.test.mjs: a crash under load. On the full demo, several clients at once answer
// their checklists (PUT /api/v1/checklists/{id}/answers/{item}), import answers by CSV
// (POST /api/v1/campaigns/{code}/answers) and upload evidence (POST /api/v1/evidence);
// mid-way the server gets SIGKILL. After a restart on the same database: every write the
// server acknowledged is there; an answer not acknowledged is either absent or whole; each
// CSV import is all or nothing (every row of the file carries the import's mark, or none);
// `kijun audit verify` passes; and the roll-up counters equal the answers counted from the
// campaign's export. On SQLite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { backends, Client, kijun, kijunOk, startServer } from './harness.mjs';

const STAFF = ['ag01-staff', 'ag02-staff', 'ag03-staff', 'ag04-staff'];
const VALUES = ['implemented', 'partial', 'not_implemented', 'not_applicable'];
const CLASS = { implemented: 'done', partial: 'partial', not_implemented: 'not_done', not_applicable: 'excluded' };

function fullDemo(dsn) {
  const out = JSON.parse(kijunOk(dsn, ['init', '--demo', '--json']).stdout);
  const accounts = {};
  for (const a of out.accounts) accounts[a.name] = a;
  return accounts;
}

async function login(url, accounts, name) {
  const c = new Client(url);
  const r = await c.login(name, accounts[name].password);
  assert.equal(r.status, 200, `login ${name}: ${r.text}`);
  return c;
}

/** Rows of a CSV text (RFC 4180 quoting), header first. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') q = false; else field += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** The campaign's answers from its CSV export: Map "checklist|item" -> {value, comment}. */
async function answersOf(client, campaign) {
  const r = await client.get(`/api/v1/campaigns/${campaign}/export?format=csv`);
  assert.equal(r.status, 200, r.text);
  const [head, ...rows] = parseCsv(r.text);
  const ix = (n) => head.indexOf(n);
  const m = new Map();
  for (const x of rows) m.set(`${x[ix('checklist')]}|${x[ix('item')]}`, { value: x[ix('value')], comment: x[ix('comment')] });
  return m;
}

/** Rows of the evidence table, straight from the database. */
function evidenceDigests(dsn) {
  let r;
  if (dsn.startsWith('sqlite:')) r = spawnSync('sqlite3', [dsn.slice(7), 'SELECT sha256 FROM evidence'], { encoding: 'utf8' });
  else {
    const [base, opts] = dsn.split('?options=-csearch_path%3D');
    r = spawnSync('psql', [base, '-XAtq', '-c', `SELECT sha256 FROM ${opts}.evidence`], { encoding: 'utf8' });
  }
  assert.equal(r.status, 0, r.stderr);
  return new Set(r.stdout.split('\n').filter(Boolean));
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

for (const be of backends('faults')) {
  test(`a crash under load loses nothing acknowledged (${be.label})`, async (t) => {
    const dsn = be.dsn();
    const accounts = fullDemo(dsn);
    let srv = await startServer(dsn, { args: ['--threads', '8'] });
    let stop = false, killed = false;
    const answerLog = [];	// per worker: {cl, item, seq, acked}
    const importLog = [];	// {n, acked}
    const evidenceLog = [];	// {sha, acked}
    const workers = [];
    const clients = {};
    const csvRows = [];	// [checklist id, item] of every CSV file
    try {
      // The answering clients: each answers its own open checklist, over and over.
      for (const name of STAFF) {
        const c = await login(srv.url, accounts, name);
        const cl = (await c.get('/api/v1/checklists')).body.items.find((x) => x.status === 'open');
        assert.ok(cl, `${name} has an open checklist`);
        const detail = await c.get(`/api/v1/checklists/${cl.id}`);
        clients[name] = { c, cl, items: detail.body.items.map((i) => i.requirement) };
      }
      // The CSV client: the same rows of the MHA campaign, imported again and again, each
      // file's rows marked with its number in the comment.
      const ciso = await login(srv.url, accounts, 'mha-ciso');
      // The rows: the items of mha-staff's open checklists of that campaign.
      const holder = await login(srv.url, accounts, 'mha-staff');
      for (const l of (await holder.get('/api/v1/checklists')).body.items) {
        if (l.campaign !== 'GOV-FY2025-MHA' || l.status !== 'open') continue;
        for (const it of (await holder.get(`/api/v1/checklists/${l.id}`)).body.items) csvRows.push([l.id, it.requirement]);
      }
      assert.ok(csvRows.length >= 10, `enough rows to import (${csvRows.length})`);
      const uploader = await login(srv.url, accounts, 'ag05-staff');

      const send = async (fn) => { try { return await fn(); } catch { return null; } };
      for (const [w, name] of STAFF.entries()) {
        workers.push((async () => {
          const { c, cl, items } = clients[name];
          for (let seq = 0; !stop; seq++) {
            const item = items[seq % items.length];
            const value = VALUES[(seq + w) % VALUES.length];
            const entry = { cl: cl.id, item, seq, value, acked: false };
            answerLog.push(entry);
            const r = await send(() => c.request('PUT', `/api/v1/checklists/${cl.id}/answers/${encodeURIComponent(item)}`,
              { value, comment: `w${w}-s${seq}` }));
            if (r && r.status === 200) entry.acked = true;
            else if (!killed && r) assert.fail(`answer: ${r.status} ${r.text}`);
          }
        })());
      }
      workers.push((async () => {
        for (let n = 0; !stop; n++) {
          const body = 'checklist,item,value,comment\n' +
            csvRows.map(([id, item], i) => `${id},${item},${VALUES[(n + i) % 3]},import-${n}`).join('\n') + '\n';
          const entry = { n, acked: false };
          importLog.push(entry);
          const r = await send(() => ciso.request('POST', '/api/v1/campaigns/GOV-FY2025-MHA/answers', body, { headers: { 'Content-Type': 'text/csv' } }));
          if (r && r.status === 200) entry.acked = true;
          else if (!killed && r) assert.fail(`import: ${r.status} ${r.text}`);
        }
      })());
      workers.push((async () => {
        for (let n = 0; !stop; n++) {
          const text = `evidence ${be.label} ${n} ${'x'.repeat(2000 + n)}\n`;
          const entry = { sha: null, acked: false };
          evidenceLog.push(entry);
          const r = await send(() => uploader.request('POST', '/api/v1/evidence', text, { headers: { 'Content-Type': 'text/plain' } }));
          if (r && r.status === 201) { entry.acked = true; entry.sha = r.body.sha256; } else if (!killed && r) assert.fail(`evidence: ${r.status} ${r.text}`);
        }
      })());

      // Mid-way: once every kind of write has been acknowledged a few times.
      for (let i = 0; i < 600; i++) {
        if (answerLog.filter((e) => e.acked).length >= 40 && importLog.filter((e) => e.acked).length >= 3 &&
            evidenceLog.filter((e) => e.acked).length >= 5) break;
        await sleep(50);
      }
      killed = true;
      srv.proc.kill('SIGKILL');
      await new Promise((res) => (srv.proc.exitCode !== null || srv.proc.signalCode ? res() : srv.proc.once('exit', res)));
      stop = true;
      await Promise.all(workers);
    } finally {
      stop = true;
      if (!killed) await srv.stop();
    }
    assert.ok(answerLog.some((e) => e.acked) && importLog.some((e) => e.acked) && evidenceLog.some((e) => e.acked),
      'writes of every kind were acknowledged before the kill');

    const n = (log) => `${log.filter((e) => e.acked).length} acknowledged, ${log.filter((e) => !e.acked).length} not`;
    t.diagnostic(`at the kill: answers ${n(answerLog)}; imports ${n(importLog)}; uploads ${n(evidenceLog)}`);
    srv = await startServer(dsn);
    try {
      const centre = await login(srv.url, accounts, 'centre-admin');
      // Answers: for each checklist item, the stored answer is the last acknowledged one,
      // or one sent after it that the kill left unanswered; never anything else.
      const byCampaign = new Map();
      for (const name of STAFF) {
        const { cl } = clients[name];
        if (!byCampaign.has(cl.campaign)) byCampaign.set(cl.campaign, await answersOf(centre, cl.campaign));
      }
      const keys = new Map();
      for (const e of answerLog) {
        const k = `${e.cl}|${e.item}`;
        if (!keys.has(k)) keys.set(k, []);
        keys.get(k).push(e);
      }
      let checked = 0;
      for (const [w, name] of STAFF.entries()) {
        const { cl } = clients[name];
        const stored = byCampaign.get(cl.campaign);
        for (const [k, list] of keys) {
          if (!k.startsWith(`${cl.id}|`)) continue;
          const lastAcked = list.filter((e) => e.acked).pop();
          const allowed = list.filter((e) => !lastAcked || e.seq >= lastAcked.seq).map((e) => `w${w}-s${e.seq}`);
          const got = stored.get(k);
          if (lastAcked) {
            assert.ok(got, `${k}: acknowledged answer lost`);
            checked++;
          }
          if (got && got.comment.startsWith(`w${w}-`)) {
            assert.ok(allowed.includes(got.comment), `${k}: holds ${got.comment}, expected one of ${allowed.slice(0, 3)}`);
            const sent = list.find((e) => `w${w}-s${e.seq}` === got.comment);
            assert.equal(got.value, sent.value, `${k}: value and comment of one answer`);
          } else {
            assert.ok(!lastAcked, `${k}: acknowledged answer replaced by ${got && got.comment}`);
          }
        }
      }
      assert.ok(checked > 0);
      // CSV imports: every row of the file carries one import's mark (all or nothing), and
      // that import is the last acknowledged or a later one.
      const mha = await answersOf(centre, 'GOV-FY2025-MHA');
      const marks = new Set(csvRows.map(([id, item]) => (mha.get(`${id}|${item}`) || {}).comment));
      assert.equal(marks.size, 1, `one import's rows, not a mix: ${[...marks].slice(0, 4)}`);
      const mark = [...marks][0];
      const lastImport = importLog.filter((e) => e.acked).pop();
      assert.match(mark, /^import-\d+$/);
      assert.ok(Number(mark.slice(7)) >= lastImport.n, `import ${mark} is older than the acknowledged import-${lastImport.n}`);
      // Evidence: every acknowledged upload is stored.
      const stored = evidenceDigests(dsn);
      for (const e of evidenceLog.filter((x) => x.acked)) assert.ok(stored.has(e.sha), `evidence ${e.sha} lost`);
      // Roll-ups: the counters equal the answers of each campaign touched.
      for (const campaign of [...byCampaign.keys(), 'GOV-FY2025-MHA']) {
        const answers = await answersOf(centre, campaign);
        const want = { done: 0, partial: 0, not_done: 0, excluded: 0 };
        for (const a of answers.values()) want[CLASS[a.value]]++;
        const res = await centre.get(`/api/v1/campaigns/${campaign}/results`);
        assert.equal(res.status, 200, res.text);
        const t = res.body.total;
        assert.deepEqual({ done: t.done, partial: t.partial, not_done: t.not_done, excluded: t.excluded }, want, campaign);
      }
    } finally {
      await srv.stop();
    }
    const v = kijun(dsn, ['audit', 'verify']);
    assert.equal(v.code, 0, v.stderr);
  });
}
