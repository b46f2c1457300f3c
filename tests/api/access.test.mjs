// access.test.mjs: the access matrix. Every route of src/server/routes.c (but the benchmark
// one) is tried by every principal (one per role, read-only tokens, a lapsed external
// auditor, and nobody at all) against targets in the principal's own organisation, its
// subtree, a sibling ministry (MPF and its units) and a supervised agency (AG01). The
// expected status of each row comes from the rules (src/lib/model/access.h, and the rules
// the policy, inspection, audit and plan models state), worked out here from
// data/demo/government.json, not from what the server answers.
//
// The matrix is a table built in code (CASES x PRINCIPALS x targets); a route of routes.c
// without rows fails the coverage test. Reads run first on the untouched demo database,
// then the writes, which act on fresh organisations and accounts where they would spoil
// later rows. A 404 for something that exists must read exactly like the 404 for
// something that does not. Rows where the server is known to break the rules in a file
// outside this test's remit are run as todo subtests naming the defect.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, backends, demoGovernment, kijunOk, startServer } from './harness.mjs';

const SOURCE = process.env.KIJUN_SOURCE_DIR || process.cwd();
const API = '/api/v1';

const NONE = '-';
const SELF = '(self)';
const MISSING = '(missing)';
const MISSING_ORG = 'NO-SUCH-ORG';
const MISSING_USER = 'no-such-user';
const MISSING_TOKEN = '00000000-0000-4000-8000-000000000000';
const MISSING_EDITION = 'no-such-edition';
const EDITION = 'demo-fy2023';

// ---- The routes the server has --------------------------------------------------------

/** "METHOD /pattern" for every non-benchmark route in routes.c. */
function serverRoutes() {
  const text = readFileSync(join(SOURCE, 'src/server/routes.c'), 'utf8');
  const re = /\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*\w+\s*,\s*([^}]*?)\s*\}/g;
  const out = [];
  for (const m of text.matchAll(re)) {
    if (/KJ_ROUTE_BENCH/.test(m[3])) continue;
    out.push(`${m[1]} ${m[2]}`);
  }
  return out;
}

// ---- The government and who sees what ------------------------------------------------

const GOV = JSON.parse(readFileSync(join(SOURCE, 'data/demo/government.json'), 'utf8')).organisations;
const ORGS = new Map(GOV.map((o) => [o.code, o]));	// fresh ones are added as they are made
const ALL_CODES = GOV.map((o) => o.code);
const LIVE_CODES = GOV.filter((o) => !o.valid_to).map((o) => o.code);

/** The organisation above: the parent, else (an agency) the supervising ministry. */
function up(code) {
  const o = ORGS.get(code);
  return o ? (o.parent || o.supervisor || null) : null;
}

/** code is root or below it. */
function within(root, code) {
  for (let a = code, d = 0; a && d < 64; a = up(a), d++) if (a === root) return true;
  return false;
}

/** The principal's scope holds code (and code exists). */
function sees(p, code) {
  if (!ORGS.has(code)) return false;
  return p.all || p.roots.some((r) => within(r, code));
}

// Accounts: name -> [role, org]. The first eight come from harness.demoGovernment.
const ACCOUNTS = {
  'centre-admin': ['centre_admin', 'NCO'],
  'centre-analyst': ['centre_analyst', 'NCO'],
  'mha-ciso': ['org_admin', 'MHA'],
  'mha-ga-officer': ['unit_officer', 'MHA-GA'],
  'mha-staff': ['staff', 'MHA-GA-IT'],
  'ag01-ciso': ['org_admin', 'AG01'],
  'mpf-ciso': ['org_admin', 'MPF'],
  auditor: ['external_auditor', 'NCO'],
  // Added here: a peer of mha-staff, unit members of the sibling ministry, an auditor
  // whose only engagement ended in 2020, and an auditor to engage in the write rows.
  'mha-peer': ['staff', 'MHA-GA-IT'],
  'mpf-staff': ['staff', 'MPF-GA-IT'],
  'mpf-ga-staff': ['staff', 'MPF-GA'],
  'auditor-lapsed': ['external_auditor', 'NCO'],
  'auditor-spare': ['external_auditor', 'NCO'],
};
const EXTRA_ACCOUNTS = ['mha-peer', 'mpf-staff', 'mpf-ga-staff', 'auditor-lapsed', 'auditor-spare'];
const FRESH_USERS = new Map();	// name -> [role, org], made during the write rows

function accountOf(name) {
  return ACCOUNTS[name] || FRESH_USERS.get(name) || null;
}

const PRINCIPALS = [
  { id: 'centre-admin', account: 'centre-admin', role: 'centre_admin', all: true, roots: [] },
  { id: 'centre-analyst', account: 'centre-analyst', role: 'centre_analyst', all: true, roots: [] },
  { id: 'mha-ciso', account: 'mha-ciso', role: 'org_admin', roots: ['MHA'] },
  { id: 'mha-ga-officer', account: 'mha-ga-officer', role: 'unit_officer', roots: ['MHA-GA'] },
  { id: 'mha-staff', account: 'mha-staff', role: 'staff', roots: ['MHA-GA-IT'] },
  { id: 'ag01-ciso', account: 'ag01-ciso', role: 'org_admin', roots: ['AG01'] },
  { id: 'mpf-ciso', account: 'mpf-ciso', role: 'org_admin', roots: ['MPF'] },
  { id: 'auditor', account: 'auditor', role: 'external_auditor', roots: ['MHA'] },
  { id: 'auditor-lapsed', account: 'auditor-lapsed', role: 'external_auditor', roots: [] },
  { id: 'centre-admin/read-only', account: 'centre-admin', role: 'centre_admin', all: true, roots: [], readOnly: true },
  { id: 'mha-ciso/read-only', account: 'mha-ciso', role: 'org_admin', roots: ['MHA'], readOnly: true },
  { id: 'anonymous', account: null, role: null, roots: [], anon: true },
];
for (const p of PRINCIPALS) p.org = p.account ? ACCOUNTS[p.account][1] : null;

const ORG_TARGETS = ['NCO', 'MHA', 'MHA-GA', 'MHA-GA-IT', 'AG01', 'MPF', 'MPF-GA', 'MPF-GA-IT', MISSING];
// One account in each organisation that has one; SELF is the principal's own.
const USER_TARGETS = ['centre-analyst', 'mha-ciso', 'mha-ga-officer', 'mha-peer', 'ag01-ciso', 'mpf-ciso',
  'mpf-ga-staff', 'mpf-staff', 'auditor', SELF, MISSING];
// The organisations that get a campaign (CMP-<code>), a policy document (PD) and, for each
// account of theirs, a checklist before the rows run; an account in each of them.
const ORG_THINGS = ['NCO', 'MHA', 'MHA-GA', 'MHA-GA-IT', 'AG01', 'MPF', 'MPF-GA', 'MPF-GA-IT'];
const USER_AT = {
  NCO: 'centre-analyst', MHA: 'mha-ciso', 'MHA-GA': 'mha-ga-officer', 'MHA-GA-IT': 'mha-peer', AG01: 'ag01-ciso',
  MPF: 'mpf-ciso', 'MPF-GA': 'mpf-ga-staff', 'MPF-GA-IT': 'mpf-staff',
};
const CISO_OF = { MHA: 'mha-ciso', AG01: 'ag01-ciso', MPF: 'mpf-ciso' };
const DOC = 'PD';
const REQ = '1.2.1(1)(a)';	// a requirement of demo-fy2023 for the role staff: checklists get it
const MISSING_CAMPAIGN = 'NO-SUCH-CAMPAIGN';
const campaignOf = (t) => (t === MISSING ? MISSING_CAMPAIGN : `CMP-${t}`);
const EDITION_TARGETS = [EDITION, MISSING];

const orgCode = (t) => (t === MISSING ? MISSING_ORG : t);
const userName = (p, t) => (t === MISSING ? MISSING_USER : t === SELF ? (p.account || 'mha-ciso') : t);
const editionId = (t) => (t === MISSING ? MISSING_EDITION : t);

const RESTRICTED = ['staff', 'unit_officer', 'external_auditor'];	// list only their own account

/** Roles the principal may give (account.c role_assignable). */
function assignable(p, role) {
  if (p.role === 'centre_admin') return true;
  return p.role === 'org_admin' && ['org_admin', 'unit_officer', 'staff'].includes(role);
}

function userVisible(p, name) {
  if (name === p.account) return true;
  const a = accountOf(name);
  return a !== null && sees(p, a[1]);
}

// ---- Expected outcomes, from access.h ------------------------------------------------

/** A read of something in an organisation. */
const read = (p, code, ok = 200) => (sees(p, code) ? ok : 404);

/** Renaming, moving or abolishing code (KJ_PERM_ORG_CHANGE), after reading it. */
function change(p, code, ok = 200) {
  if (!sees(p, code)) return 404;
  if (p.readOnly) return 403;
  if (p.role === 'centre_admin') return ok;
  return p.role === 'org_admin' && code !== p.org ? ok : 403;
}

/** Putting an organisation under parent (KJ_PERM_ORG_WRITE), after reading the parent. */
function place(p, parent, ok) {
  if (!sees(p, parent)) return 404;
  if (p.readOnly) return 403;
  return p.role === 'centre_admin' || p.role === 'org_admin' ? ok : 403;
}

/** Top-level organisations and supervision (KJ_PERM_ORG_TOP). */
const top = (p, ok) => (!p.readOnly && p.role === 'centre_admin' ? ok : 403);

/** Changing another account (KJ_PERM_USER_WRITE and the role it holds), after reading it. */
function manage(p, name, ok) {
  if (!userVisible(p, name)) return 404;
  if (p.readOnly) return 403;
  if (p.role === 'centre_admin') return ok;
  return p.role === 'org_admin' && assignable(p, accountOf(name)[0]) ? ok : 403;
}

/** Changing an account with role at org to newRole (the account is in scope when org is). */
function manageAt(p, org, role, newRole, ok) {
  if (!sees(p, org)) return 404;
  if (p.readOnly) return 403;
  if (p.role === 'centre_admin') return ok;
  return p.role === 'org_admin' && assignable(p, role) && assignable(p, newRole) ? ok : 403;
}

/** Whose tokens: one's own, or an account one manages (account.c token_owner). */
const tokenOwner = (p, name, ok) => (name === p.account ? ok : manage(p, name, ok));

/** Drafting policies and running inspections (KJ_PERM_POLICY_WRITE, _INSPECTION_MANAGE). */
function manageUnit(p, org, ok) {
  if (!sees(p, org)) return 404;
  if (p.readOnly) return 403;
  return ['centre_admin', 'org_admin', 'unit_officer'].includes(p.role) ? ok : 403;
}

/** Approving the organisation's own policy, instructing it (KJ_PERM_POLICY_APPROVE): its CISO. */
function ciso(p, org, ok) {
  if (!sees(p, org)) return 404;
  if (p.readOnly) return 403;
  return p.role === 'org_admin' && p.org === org ? ok : 403;
}

/** The people of the units below a campaign's organisation take part in it, so they see it
 * (inspection.c takes_part) though its organisation is out of their scope. Not an external
 * auditor: its account is only kept at the centre. */
function takesPart(p, t) {
  return t !== MISSING && p.org !== null && !sees(p, orgCode(t)) && within(orgCode(t), p.org);
}
const participant = (p, t) => takesPart(p, t) && p.role !== 'external_auditor';
const seesCampaign = (p, t) => sees(p, orgCode(t)) || participant(p, t);

/** A campaign's results: not for staff; a participant sees the campaign, not its results. */
function campaignResults(p, t) {
  if (!seesCampaign(p, t)) return 404;
  if (p.role === 'staff') return 403;
  return sees(p, orgCode(t)) ? 200 : 404;
}

/** A checklist is seen by its holder and by everyone but staff with its unit in scope. */
function seesChecklist(p, holder) {
  const a = accountOf(holder);
  return a !== null && (holder === p.account || (p.role !== 'staff' && sees(p, a[1])));
}

/** Audit programmes made before the rows (code -> owner): the centre's, and the internal
 * audits of MHA, AG01 and MPF by their CISOs. An organisation's programme is seen by the
 * centre's roles and (not external auditors) those with its owner in scope. */
const PROGRAMMES = { 'AP-NCO': 'NCO', 'IP-MHA': 'MHA', 'IP-AG01': 'AG01', 'IP-MPF': 'MPF' };
const seesProgramme = (p, owner) => p.all || (p.role !== 'external_auditor' && sees(p, owner));
// The organisations audited by an engagement of the centre's programme: AE-<code> in
// fieldwork and AS-<code> signed off, each with a finding on REQ.
const ENG_TARGETS = ['MHA', 'MHA-GA', 'MHA-GA-IT', 'AG01', 'MPF', 'MPF-GA-IT', MISSING];
const MISSING_ENGAGEMENT = 'NO-SUCH-ENGAGEMENT';
const MISSING_PROGRAMME = 'NO-SUCH-PROGRAMME';
const engagementOf = (t, signed = false) => (t === MISSING ? MISSING_ENGAGEMENT : `${signed ? 'AS' : 'AE'}-${t}`);
const LEAD = 'centre-analyst';
/** The team member of an engagement of t besides the lead: a CISO of the other ministry
 * (independent of t). */
const memberFor = (t) => (within('MPF', t) ? 'mha-ciso' : 'mpf-ciso');
const onTeam = (p, t) => t !== MISSING && p.account !== null && (p.account === LEAD || p.account === memberFor(t));

/** An engagement of the centre's programme (audit.c visible): the centre's roles, its team,
 * and once signed off the audited organisation's officers (not staff, not external
 * auditors) with it in scope. */
function seesEngagement(p, t, signed) {
  if (t === MISSING) return false;
  if (p.all || onTeam(p, t)) return true;
  return signed && !['staff', 'external_auditor'].includes(p.role) && sees(p, t);
}

/** A change to an engagement of t: read-only tokens are refused first, then it must be
 * seen, then who may (planners: the centre administrator; lead: LEAD; team). */
function engagementChange(p, t, ok, { planner = false, lead = false, team = false }) {
  if (p.readOnly) return 403;
  if (!seesEngagement(p, t, false)) return 404;
  if (planner && p.role === 'centre_admin') return ok;
  if (lead && p.account === LEAD) return ok;
  if (team && onTeam(p, t)) return ok;
  return 403;
}

/** Recommendations and improvement plans (plan.c): made before the rows for each engagement
 * target T, citing the finding of AS-<T>: recommendation RC-<T> from the centre, issued;
 * plan PL-<T> directly for the finding, in draft; plan PR-<T> likewise, in progress. Each is
 * seen by those with T in scope. */
const MISSING_PLAN = 'NO-SUCH-PLAN';
const MISSING_RECOMMENDATION = 'NO-SUCH-RECOMMENDATION';
const planOf = (t, kind = 'PL') => (t === MISSING ? MISSING_PLAN : `${kind}-${t}`);
/** Who writes T's plans in the setup: the CISO of the ministry or agency T is in. */
const writerFor = (t) => CISO_OF[['AG01', 'MHA', 'MPF'].find((x) => within(x, t))];
/** An account of T (or below it) to own measures. */
const ownerFor = (t) => USER_AT[t];

/** A change by the organisation's officers (plan.c writes_for): read-only tokens are
 * refused first, then T must be seen, then its administrator or a unit officer writes
 * (never the centre's roles, which review). */
function planWrite(p, t, ok) {
  if (p.readOnly) return 403;
  if (t === MISSING || !sees(p, t)) return 404;
  return ['org_admin', 'unit_officer'].includes(p.role) ? ok : 403;
}

/** A change by the reviewer, the centre (plan.c reviews_for): its administrator. */
function planReview(p, t, ok) {
  if (p.readOnly) return 403;
  if (t === MISSING || !sees(p, t)) return 404;
  return p.role === 'centre_admin' ? ok : 403;
}

function auditReadable(p) {
  return p.all || p.role === 'org_admin' || p.role === 'external_auditor';
}

// ---- Helpers -------------------------------------------------------------------------

function setDiff(got, want) {
  const g = new Set(got);
  const w = new Set(want);
  const missing = [...w].filter((x) => !g.has(x)).sort();
  const extra = [...g].filter((x) => !w.has(x)).sort();
  if (missing.length === 0 && extra.length === 0 && got.length === new Set(got).size) return null;
  return `missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}` +
    (got.length !== g.size ? ', duplicates' : '');
}

async function allPages(c, path) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await c.get(path + (cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''));
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
    if (!cursor) return items;
  }
  throw new Error(`${path}: more than 50 pages`);
}

/** The organisations in an org listing or audit records about organisations, as codes. */
function orgCodesOfAudit(env, records) {
  return records.map((r) => env.orgByUuid.get(r.entity_id) || `?${r.entity_id}`);
}

function userNamesOfAudit(env, records) {
  return records.map((r) => env.userByUuid.get(r.entity_id) || `?${r.entity_id}`);
}

const IF_MATCH = { 'If-Match': '*' };

function miniCatalogue(id) {
  return JSON.stringify({
    format: 'kijun-catalog', version: 1,
    edition: { id, label_ja: 'アクセス試験', label_en: 'Access test' },
    items: [{ kind: 'part', number: '1', title_ja: '総則', title_en: 'General' }],
  });
}

function policyVersion() {
  return {
    edition: EDITION,
    clauses: [{ number: '1', title: 'Staff duties', text_en: 'Staff follow the rules.', mappings: [{ requirement: REQ, status: 'adopted' }] }],
  };
}

/** Only the holder answers or submits a checklist (and not with a read-only token). */
function holderOnly(p, t, ok) {
  const holder = userName(p, t);
  if (t === MISSING || !seesChecklist(p, holder)) return 404;
  if (holder !== p.account) return 403;
  return p.readOnly ? 403 : ok;
}

/** A kind a new unit under parent may have. */
function unitKind(parent) {
  const k = ORGS.get(parent)?.kind;
  return ['centre', 'ministry', 'agency', 'corporation'].includes(k) ? 'bureau' : 'division';
}

// ---- Improving the standard (act.c): what its rows act on --------------------------------

// The organisations that keep policies among the targets; what a campaign of MHA-GA or
// MPF-GA-IT touches counts for its ministry.
const ACT_KEEPERS = ['NCO', 'MHA', 'AG01', 'MPF'];
const ACT_PROPOSERS = ['centre_admin', 'centre_analyst', 'org_admin'];
// "of ORG": the proposal or directive of that organisation (units keep none).
const ACT_TARGETS = ['of NCO', 'of MHA', 'of AG01', 'of MPF', MISSING];
const actOrg = (t) => t.slice(3);
// Directives go to ministries, agencies and corporations: the shared ones to these. The
// answer rows try every organisation target but the centre.
const ACT_DIRECTED = ['MHA', 'AG01', 'MPF'];
const ACT_ORG_TARGETS = ORG_TARGETS.filter((t) => t !== 'NCO');

/** A directive target's answer: read-only refused, the directive must be seen (a target in
 * scope), then the organisation, which must be a target; then only its own administrator
 * answers. */
function actAnswer(p, t, ok) {
  if (p.readOnly) return 403;
  if (!p.all && !ACT_DIRECTED.some((o) => sees(p, o))) return 404;
  if (!sees(p, orgCode(t)) || !ACT_DIRECTED.includes(t)) return 404;
  return p.role === 'org_admin' && p.org === t ? ok : 403;
}

/** An organisation in scope that the directive does not go to is absent from it, and reads
 * so whatever the principal: its 404 is compared with itself (the same request, which
 * request gives), not with a missing organisation's. */
const actNotTarget = (request) => (t, p, env) => (sees(p, orgCode(t)) && !ACT_DIRECTED.includes(t) ? request(t, p, env) : null);

const actClient = (env, id) => env.client(PRINCIPALS.find((p) => p.id === id));
const ACT_AUTHOR = { NCO: 'centre-admin', MHA: 'mha-ciso', AG01: 'ag01-ciso', MPF: 'mpf-ciso' };

async function actMust(env, method, path, body, status, who = 'centre-admin') {
  const r = await actClient(env, who).request(method, `${API}${path}`, body);
  if (r.status !== status) throw new Error(`setting up: ${method} ${path}: ${r.status} ${r.text}`);
  return r;
}

/** Imports a one-requirement edition (superseding old when given); returns its code. */
async function actEdition(env, code, old) {
  const text = old ? 'Name the officer in writing.' : 'Name an officer.';
  await actMust(env, 'POST', '/editions', JSON.stringify({
    format: 'kijun-catalog', version: 1,
    edition: { id: code, label_ja: '試験版', label_en: 'Test edition', ...(old ? { supersedes: old } : {}) },
    items: [{ kind: 'part', number: '1', title_ja: '総則', title_en: 'General',
      items: [{ kind: 'requirement', number: '1-1', text_ja: text, text_en: text }] }],
  }), 201);
  return code;
}

function actProposal(act, code, org) {
  return {
    code, org, edition: act.old, kind: 'change', item: '1-1', text_ja: '文書で指名する。', text_en: 'In writing.',
    rationale: 'Matrix.', evidence: [{ kind: 'incident', ref: 'INC-1' }],
  };
}

function actDirective(env, code, orgs) {
  return { code, title_ja: '緊急', title_en: 'Urgent', text_ja: '対応すること。', text_en: 'Act now.', due_on: env.day(30), orgs };
}

/** A proposal of org by its proposer, submitted when asked. */
async function freshProposal(env, org, submit = false) {
  await actFixtures(env);
  const code = env.freshCode();
  await actMust(env, 'POST', '/proposals', actProposal(await actFixtures(env), code, org), 201, ACT_AUTHOR[org]);
  if (submit) await actMust(env, 'POST', `/proposals/${code}/status`, { status: 'submitted' }, 200, ACT_AUTHOR[org]);
  return code;
}

/** Once per backend: an edition and a newer one published over campaigns of the targets on
 * the older; a proposal of each keeper; a directive to each keeper but the centre; two
 * directives to every target but the centre, to acknowledge and complete. */
function actFixtures(env) {
  if (!env.act) {
    env.act = (async () => {
      const act = { proposal: {}, directive: {} };
      const tag = env.freshCode().toLowerCase();
      act.old = await actEdition(env, `act-old-${tag}`);
      act.published = await actEdition(env, `act-pub-${tag}`, act.old);
      for (const org of ['NCO', 'MHA', 'MHA-GA', 'AG01', 'MPF', 'MPF-GA-IT']) {
        await actMust(env, 'POST', '/campaigns', { code: env.freshCode(), org, title_ja: '点検', title_en: 'Inspection', edition: act.old,
          opens_on: env.day(-10), due_on: env.day(30), select: { numbers: ['1-1'] } }, 201);
      }
      await actMust(env, 'POST', `/editions/${act.published}/publish`, { revise_by: env.day(60) }, 201);
      for (const org of ACT_KEEPERS) {
        act.proposal[org] = env.freshCode();
        await actMust(env, 'POST', '/proposals', actProposal(act, act.proposal[org], org), 201, ACT_AUTHOR[org]);
        if (org === 'NCO') continue;
        act.directive[org] = env.freshCode();
        await actMust(env, 'POST', '/directives', actDirective(env, act.directive[org], [org]), 201);
      }
      act.shared = env.freshCode();
      await actMust(env, 'POST', '/directives', actDirective(env, act.shared, ACT_DIRECTED), 201);
      act.sharedComplete = env.freshCode();
      await actMust(env, 'POST', '/directives', actDirective(env, act.sharedComplete, ACT_DIRECTED), 201);
      env.act = act;	// from now on read directly by the checks
      return act;
    })();
  }
  return env.act;
}

// ---- The cases: one or more per route ------------------------------------------------
//
// request(target, p, env) gives {method, path, body, headers, subject}; subject is the
// name a 404 message may carry (normalised away when comparing with a missing one).
// expect(p, target) gives the status (a non-public route answers 401 to nobody first).
// check(res, p, target, env) looks at a 2xx body: null when right, else why not.
// missing(target, p, env), optional: the same request with what was hidden swapped for
// something absent (by default request(MISSING)), to compare the two 404s.
// bug(p, target, backend): why a known defect outside this test's files makes the row
// differ (it then runs as a todo subtest), or null.

const CASES = [
  // -- meta
  {
    route: 'GET /api/v1/health', public: true, phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/health` }),
  },
  {
    route: 'GET /api/v1/openapi.json', public: true, phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/openapi.json` }),
  },

  // -- session
  {
    route: 'POST /api/v1/session', variant: 'own password (anonymous: a wrong one)', public: true, phase: 'write',
    targets: [NONE],
    expect: (p) => (p.anon ? 401 : 200),
    request: (t, p, env) => ({
      method: 'POST', path: `${API}/session`,
      body: p.anon ? { name: 'mha-ciso', password: 'not-the-password' } : { name: p.account, password: env.password(p.account) },
    }),
    check: (res, p) => (res.body.user?.name === p.account ? null : `logged in as ${res.body.user?.name}`),
  },
  {
    route: 'GET /api/v1/session', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/session` }),
    check: (res, p) => (res.body.user?.name === p.account && Boolean(res.body.user?.read_only) === Boolean(p.readOnly)
      ? null : `principal ${JSON.stringify(res.body.user)}`),
  },
  {
    // Everyone reads their own notifications, and only their own.
    route: 'GET /api/v1/notifications', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/notifications?limit=1000` }),
    check: (res) => (Array.isArray(res.body.items) ? null : 'no items'),
  },
  {
    // Nobody marks a notification that is not theirs: absent or someone else's reads as
    // not found; a read-only token is refused first.
    route: 'POST /api/v1/notifications/{id}/read', phase: 'write', targets: [NONE],
    expect: (p) => (p.readOnly ? 403 : 404),
    request: () => ({ method: 'POST', path: `${API}/notifications/${MISSING_TOKEN}/read`, subject: MISSING_TOKEN }),
  },
  {
    // With a bearer token there is no session to end: nothing changes.
    route: 'DELETE /api/v1/session', phase: 'write', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'DELETE', path: `${API}/session` }),
  },
  {
    // A real change would end the account's other tokens (the matrix's own among them): the
    // same password is refused as invalid (400) once access is granted.
    route: 'POST /api/v1/session/password', variant: 'to the same password (access probe: 400 = allowed)', phase: 'write', targets: [NONE],
    expect: (p) => (p.readOnly ? 403 : 400),
    request: (t, p, env) => ({
      method: 'POST', path: `${API}/session/password`,
      body: { current: env.password(p.account), new: env.password(p.account) },
    }),
  },

  // -- organisations: reads
  {
    route: 'GET /api/v1/orgs', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/orgs?limit=1000` }),
    check: (res, p) => {
      const why = setDiff(res.body.items.map((o) => o.code), LIVE_CODES.filter((c) => sees(p, c)));
      return why && `listing: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/orgs', variant: 'include_abolished', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/orgs?limit=1000&include_abolished=true` }),
    check: (res, p) => {
      const why = setDiff(res.body.items.map((o) => o.code), ALL_CODES.filter((c) => sees(p, c)));
      return why && `listing: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/orgs', variant: 'under=T', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/orgs?limit=1000&under=${orgCode(t)}`, subject: orgCode(t) }),
    check: (res, p, t) => {
      const why = setDiff(res.body.items.map((o) => o.code), LIVE_CODES.filter((c) => within(t, c)));
      return why && `listing: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/orgs/{code}', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/orgs/${orgCode(t)}`, subject: orgCode(t) }),
    check: (res, p, t) => (res.body.code === t ? null : `got ${res.body.code}`),
  },

  // -- organisations: writes
  {
    route: 'POST /api/v1/orgs', variant: 'a unit under T', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => place(p, orgCode(t), 201),
    request: (t, p, env) => {
      const parent = orgCode(t);
      return {
        method: 'POST', path: `${API}/orgs`, subject: parent,
        body: { kind: unitKind(parent), code: env.freshCode(), name_ja: '試験課', name_en: 'Test unit', parent },
      };
    },
    check: (res, p, t, env) => env.registerOrg(res, { parent: t }),
  },
  {
    route: 'POST /api/v1/orgs', variant: 'a ministry (top level)', phase: 'write', targets: [NONE],
    expect: (p) => top(p, 201),
    request: (t, p, env) => ({
      method: 'POST', path: `${API}/orgs`,
      body: { kind: 'ministry', code: env.freshCode(), name_ja: '試験省', name_en: 'Ministry of Tests' },
    }),
    check: (res, p, t, env) => env.registerOrg(res, {}),
  },
  {
    route: 'POST /api/v1/orgs', variant: 'an agency supervised by T', phase: 'write', targets: ['MHA', 'MPF', MISSING],
    expect: (p, t) => (sees(p, orgCode(t)) ? top(p, 201) : 404),
    request: (t, p, env) => ({
      method: 'POST', path: `${API}/orgs`, subject: orgCode(t),
      body: { kind: 'agency', code: env.freshCode(), name_ja: '試験機構', name_en: 'Test agency', supervisor: orgCode(t) },
    }),
    check: (res, p, t, env) => env.registerOrg(res, { supervisor: t }),
  },
  {
    route: 'PATCH /api/v1/orgs/{code}', variant: 'rename T (name_en)', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => change(p, orgCode(t)),
    request: (t, p, env) => ({
      method: 'PATCH', path: `${API}/orgs/${orgCode(t)}`, headers: IF_MATCH, subject: orgCode(t),
      body: { name_en: `Renamed by ${p.id}`, date: env.nextDate() },
    }),
    check: (res, p) => (res.body.name_en === `Renamed by ${p.id}` ? null : `name_en ${res.body.name_en}`),
  },
  {
    route: 'PATCH /api/v1/orgs/{code}', variant: 'move T where it is', phase: 'write', targets: ORG_TARGETS,
    // A unit stays under its parent (ORG_WRITE there); a ministry stays at the top and an
    // agency keeps its supervisor (ORG_TOP, the centre's).
    expect: (p, t) => {
      const code = orgCode(t);
      const r = change(p, code);
      if (r !== 200 || p.role === 'centre_admin') return r;
      const o = ORGS.get(code);
      return o.parent ? place(p, o.parent, 200) : top(p, 200);
    },
    request: (t, p, env) => {
      const code = orgCode(t);
      const o = ORGS.get(code) || {};
      const body = o.supervisor ? { supervisor: o.supervisor } : { parent: o.parent || '' };
      return { method: 'PATCH', path: `${API}/orgs/${code}`, headers: IF_MATCH, subject: code, body: { ...body, date: env.nextDate() } };
    },
  },
  {
    route: 'PATCH /api/v1/orgs/{code}', variant: 'move a fresh unit under T to T', phase: 'write', targets: ORG_TARGETS,
    // The fresh unit is never the principal's own: org_admin may change it (ORG_CHANGE)
    // and put it under T (ORG_WRITE) exactly when T is in scope.
    expect: (p, t) => place(p, orgCode(t), 200),
    request: async (t, p, env) => {
      const unit = t === MISSING ? MISSING_ORG : await env.freshUnit(t);
      return {
        method: 'PATCH', path: `${API}/orgs/${unit}`, headers: IF_MATCH, subject: unit,
        body: { parent: orgCode(t), date: env.nextDate() },
      };
    },
  },
  {
    route: 'PATCH /api/v1/orgs/{code}', variant: 'move a fresh unit under T out to the other ministry', phase: 'write',
    targets: ORG_TARGETS,
    expect: (p, t) => {
      if (!sees(p, orgCode(t))) return 404;
      if (p.readOnly) return 403;
      if (p.role === 'centre_admin') return 200;
      return p.role === 'org_admin' ? read(p, otherSide(t), 200) : 403;
    },
    // Refused for the unit (out of scope) or for where it would go: the 404 names that one.
    request: async (t, p, env) => {
      const unit = t === MISSING ? MISSING_ORG : await env.freshUnit(t);
      return {
        method: 'PATCH', path: `${API}/orgs/${unit}`, headers: IF_MATCH, subject: sees(p, orgCode(t)) ? otherSide(t) : unit,
        body: { parent: otherSide(t), date: env.nextDate() },
      };
    },
    missing: async (t, p, env) => {
      if (!sees(p, orgCode(t))) return null;
      const unit = await env.freshUnit(t);
      return {
        method: 'PATCH', path: `${API}/orgs/${unit}`, headers: IF_MATCH, subject: MISSING_ORG,
        body: { parent: MISSING_ORG, date: env.nextDate() },
      };
    },
  },
  {
    route: 'PATCH /api/v1/orgs/{code}', variant: 'set the supervisor of a fresh agency supervised by T', phase: 'write',
    targets: ['MHA', 'MPF', MISSING],
    expect: (p, t) => (sees(p, orgCode(t)) ? top(p, 200) : 404),
    request: async (t, p, env) => {
      const ag = t === MISSING ? MISSING_ORG : await env.freshAgency(t);
      return {
        method: 'PATCH', path: `${API}/orgs/${ag}`, headers: IF_MATCH, subject: ag,
        body: { supervisor: orgCode(t), date: env.nextDate() },
      };
    },
  },
  {
    // Abolishing T for real would spoil the rows after; a date before its current state
    // is refused (400) only once access allowed it.
    route: 'POST /api/v1/orgs/{code}/abolish', variant: 'T, dated too early (access probe: 400 = allowed)',
    phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => change(p, orgCode(t), 400),
    request: (t) => ({
      method: 'POST', path: `${API}/orgs/${orgCode(t)}/abolish`, headers: IF_MATCH, subject: orgCode(t),
      body: { date: '1990-01-01' },
    }),
  },
  {
    route: 'POST /api/v1/orgs/{code}/abolish', variant: 'a fresh unit under T', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => place(p, orgCode(t), 200),
    request: async (t, p, env) => {
      const unit = t === MISSING ? MISSING_ORG : await env.freshUnit(t);
      return {
        method: 'POST', path: `${API}/orgs/${unit}/abolish`, headers: IF_MATCH, subject: unit,
        body: { date: env.nextDate() },
      };
    },
    check: (res) => (res.body.valid_to ? null : 'not abolished'),
  },

  // -- the standard: public within the government
  {
    route: 'GET /api/v1/editions', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/editions` }),
    check: (res) => (res.body.items.some((e) => e.id === EDITION) ? null : 'the demo edition is not listed'),
  },
  {
    route: 'POST /api/v1/editions', phase: 'write', targets: [NONE],
    expect: (p) => top(p, 201),	// KJ_PERM_STANDARD_WRITE: the centre administrator's
    request: (t, p, env) => ({
      method: 'POST', path: `${API}/editions`, body: miniCatalogue(`acc-${env.freshCode().toLowerCase()}`),
    }),
  },
  {
    route: 'GET /api/v1/editions/{edition}', phase: 'read', targets: EDITION_TARGETS,
    expect: (p, t) => (t === MISSING ? 404 : 200),
    request: (t) => ({ method: 'GET', path: `${API}/editions/${editionId(t)}` }),
  },
  {
    route: 'GET /api/v1/editions/{edition}/export', phase: 'read', targets: EDITION_TARGETS,
    expect: (p, t) => (t === MISSING ? 404 : 200),
    request: (t) => ({ method: 'GET', path: `${API}/editions/${editionId(t)}/export` }),
  },
  {
    route: 'GET /api/v1/editions/{edition}/items', phase: 'read', targets: EDITION_TARGETS,
    expect: (p, t) => (t === MISSING ? 404 : 200),
    request: (t) => ({ method: 'GET', path: `${API}/editions/${editionId(t)}/items?limit=5` }),
  },
  {
    route: 'GET /api/v1/editions/{edition}/items/{number}', phase: 'read', targets: EDITION_TARGETS,
    expect: (p, t) => (t === MISSING ? 404 : 200),
    request: (t) => ({ method: 'GET', path: `${API}/editions/${editionId(t)}/items/1` }),
  },
  {
    route: 'GET /api/v1/diff', phase: 'read', targets: EDITION_TARGETS,
    expect: (p, t) => (t === MISSING ? 404 : 200),
    request: (t) => ({ method: 'GET', path: `${API}/diff?old=${editionId(t)}&new=demo-fy2025` }),
  },

  // -- accounts
  {
    route: 'GET /api/v1/users', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/users?limit=1000` }),
    check: (res, p) => {
      const want = Object.keys(ACCOUNTS).filter((n) => (RESTRICTED.includes(p.role) ? n === p.account : sees(p, ACCOUNTS[n][1])));
      const why = setDiff(res.body.items.map((u) => u.name), want);
      return why && `listing: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/users', variant: 'org=T', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/users?limit=1000&org=${orgCode(t)}`, subject: orgCode(t) }),
    check: (res, p, t) => {
      const want = Object.keys(ACCOUNTS).filter((n) => within(t, ACCOUNTS[n][1]) &&
        (RESTRICTED.includes(p.role) ? n === p.account : sees(p, ACCOUNTS[n][1])));
      const why = setDiff(res.body.items.map((u) => u.name), want);
      return why && `listing: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/users/{name}', phase: 'read', targets: USER_TARGETS,
    expect: (p, t) => (userVisible(p, userName(p, t)) ? 200 : 404),
    request: (t, p) => ({ method: 'GET', path: `${API}/users/${userName(p, t)}`, subject: userName(p, t) }),
    check: (res, p, t) => (res.body.name === userName(p, t) ? null : `got ${res.body.name}`),
  },
  {
    route: 'POST /api/v1/users', variant: 'a staff account at T', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => place(p, orgCode(t), 201),
    request: (t, p, env) => env.newUserRequest(t, 'staff'),
    check: (res, p, t, env) => env.registerUser(res, 'staff', t),
  },
  {
    route: 'POST /api/v1/users', variant: 'an external_auditor account at T', phase: 'write',
    targets: ['NCO', 'MHA', 'MHA-GA-IT', 'AG01', 'MPF', MISSING],
    expect: (p, t) => {
      const r = place(p, orgCode(t), 201);
      return r === 201 && !assignable(p, 'external_auditor') ? 403 : r;
    },
    request: (t, p, env) => env.newUserRequest(t, 'external_auditor'),
    check: (res, p, t, env) => env.registerUser(res, 'external_auditor', t),
  },
  {
    // The centre's roles belong to the centre: elsewhere the request is refused on its
    // merits (400), after access.
    route: 'POST /api/v1/users', variant: 'a centre_analyst account at T', phase: 'write',
    targets: ['NCO', 'MHA', 'AG01', 'MPF', MISSING],
    expect: (p, t) => {
      const r = place(p, orgCode(t), 201);
      if (r !== 201) return r;
      if (!assignable(p, 'centre_analyst')) return 403;
      return t === 'NCO' ? 201 : 400;
    },
    request: (t, p, env) => env.newUserRequest(t, 'centre_analyst'),
    check: (res, p, t, env) => env.registerUser(res, 'centre_analyst', t),
  },
  {
    route: 'PATCH /api/v1/users/{name}', variant: 'display_name', phase: 'write', targets: USER_TARGETS,
    expect: (p, t) => manage(p, userName(p, t), 200),
    request: (t, p) => ({
      method: 'PATCH', path: `${API}/users/${userName(p, t)}`, headers: IF_MATCH, subject: userName(p, t),
      body: { display_name: `Touched by ${p.id}` },
    }),
  },
  {
    route: 'PATCH /api/v1/users/{name}', variant: 'make a fresh staff account at T an org_admin', phase: 'write',
    targets: ['NCO', 'MHA', 'MHA-GA-IT', 'AG01', 'MPF', MISSING],
    expect: (p, t) => manageAt(p, orgCode(t), 'staff', 'org_admin', 200),
    request: async (t, p, env) => {
      const name = t === MISSING ? MISSING_USER : await env.staffAt(t, p);
      return {
        method: 'PATCH', path: `${API}/users/${name}`, headers: IF_MATCH, subject: name, body: { role: 'org_admin' },
      };
    },
  },
  {
    route: 'PATCH /api/v1/users/{name}', variant: 'make a fresh staff account at T an external_auditor', phase: 'write',
    targets: ['MHA-GA-IT', 'AG01', 'MPF', MISSING],
    expect: (p, t) => manageAt(p, orgCode(t), 'staff', 'external_auditor', 200),
    request: async (t, p, env) => {
      const name = t === MISSING ? MISSING_USER : await env.staffAt(t, p);
      return {
        method: 'PATCH', path: `${API}/users/${name}`, headers: IF_MATCH, subject: name, body: { role: 'external_auditor' },
      };
    },
  },
  {
    route: 'PATCH /api/v1/users/{name}', variant: 'make a fresh staff account at T a centre_analyst', phase: 'write',
    targets: ['NCO', 'MHA', 'AG01', 'MPF', MISSING],
    expect: (p, t) => {
      const r = manageAt(p, orgCode(t), 'staff', 'centre_analyst', 200);
      return r === 200 && t !== 'NCO' ? 400 : r;
    },
    request: async (t, p, env) => {
      const name = t === MISSING ? MISSING_USER : await env.staffAt(t, p);
      return {
        method: 'PATCH', path: `${API}/users/${name}`, headers: IF_MATCH, subject: name, body: { role: 'centre_analyst' },
      };
    },
  },
  {
    route: 'GET /api/v1/tokens', variant: 'own', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/tokens` }),
    check: (res, p) => (res.body.items.length > 0 && res.body.items.every((t) => t.user === p.account)
      ? null : `tokens of ${[...new Set(res.body.items.map((t) => t.user))]}`),
  },
  {
    route: 'GET /api/v1/tokens', variant: 'user=U', phase: 'read', targets: USER_TARGETS,
    expect: (p, t) => tokenOwner(p, userName(p, t), 200),
    request: (t, p) => ({ method: 'GET', path: `${API}/tokens?user=${userName(p, t)}`, subject: userName(p, t) }),
    check: (res, p, t) => (res.body.items.every((x) => x.user === userName(p, t)) ? null : 'tokens of someone else'),
  },
  {
    route: 'POST /api/v1/tokens', variant: 'own', phase: 'write', targets: [NONE],
    expect: (p) => (p.readOnly ? 403 : 201),
    request: () => ({ method: 'POST', path: `${API}/tokens`, body: { name: 'matrix', days: 1 } }),
    check: (res, p) => (res.body.user === p.account ? null : `token for ${res.body.user}`),
  },
  {
    route: 'POST /api/v1/tokens', variant: 'for U', phase: 'write', targets: USER_TARGETS,
    // A read-only token is refused before the account is looked up. A token is minted only
    // by its own account: for anyone else it is refused, and absent when out of scope.
    expect: (p, t) => {
      const name = userName(p, t);
      if (p.readOnly) return 403;
      if (name === p.account) return 201;
      return userVisible(p, name) ? 403 : 404;
    },
    request: (t, p) => ({
      method: 'POST', path: `${API}/tokens`, subject: userName(p, t),
      body: { user: userName(p, t), name: 'matrix', scope: 'read', days: 1 },
    }),
    check: (res, p, t) => (res.body.user === userName(p, t) ? null : `token for ${res.body.user}`),
  },
  {
    route: 'DELETE /api/v1/tokens/{id}', variant: 'a spare token of U', phase: 'write', targets: USER_TARGETS,
    // Someone else's token is hidden unless one manages its account.
    expect: (p, t) => {
      const name = userName(p, t);
      if (t === MISSING) return 404;
      if (name !== p.account && manage({ ...p, readOnly: false }, name, 200) !== 200) return 404;
      return p.readOnly ? 403 : 200;
    },
    request: (t, p, env) => {
      const id = t === MISSING ? MISSING_TOKEN : env.spareToken(userName(p, t));
      return { method: 'DELETE', path: `${API}/tokens/${id}`, subject: id };
    },
  },
  {
    route: 'POST /api/v1/engagements', variant: 'engage auditor-spare on T (in 2000)', phase: 'write', targets: ORG_TARGETS,
    // KJ_PERM_ENGAGEMENT_WRITE is asked first: everyone else gets 403 whatever T is.
    expect: (p, t) => (top(p, 201) === 201 && t === MISSING ? 404 : top(p, 201)),
    request: (t) => ({
      method: 'POST', path: `${API}/engagements`,
      body: { user: 'auditor-spare', org: orgCode(t), from: '2000-01-01', to: '2000-12-31' },
    }),
  },

  // -- policies of organisations
  {
    route: 'GET /api/v1/orgs/{code}/policies', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/orgs/${orgCode(t)}/policies`, subject: orgCode(t) }),
    check: (res, p, t) => (res.body.org === t && res.body.documents.some((d) => d.code === DOC) ? null : `documents ${res.text.slice(0, 120)}`),
  },
  {
    route: 'POST /api/v1/orgs/{code}/policies', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => manageUnit(p, orgCode(t), 201),
    request: (t, p, env) => ({
      method: 'POST', path: `${API}/orgs/${orgCode(t)}/policies`, subject: orgCode(t),
      body: { code: env.freshCode(), kind: 'rules', title_ja: '運用規程', title_en: 'Operating rules' },
    }),
  },
  {
    route: 'POST /api/v1/orgs/{code}/policies/{doc}/versions', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => manageUnit(p, orgCode(t), 201),
    request: (t) => ({ method: 'POST', path: `${API}/orgs/${orgCode(t)}/policies/${DOC}/versions`, subject: orgCode(t), body: policyVersion() }),
  },
  {
    route: 'GET /api/v1/orgs/{code}/policies/{doc}/versions/{version}', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/orgs/${orgCode(t)}/policies/${DOC}/versions/1`, subject: orgCode(t) }),
    check: (res, p, t) => (res.body.org === t && res.body.status === 'draft' ? null : `version ${res.text.slice(0, 120)}`),
  },
  {
    // The centre administrator drafted it: only the organisation's own CISO approves.
    route: 'POST /api/v1/orgs/{code}/policies/{doc}/versions/{version}/approve', variant: 'a fresh draft', phase: 'write',
    targets: ORG_TARGETS,
    expect: (p, t) => ciso(p, orgCode(t), 200),
    request: async (t, p, env) => {
      const v = t === MISSING ? 1 : await env.freshPolicyVersion(t);
      return { method: 'POST', path: `${API}/orgs/${orgCode(t)}/policies/${DOC}/versions/${v}/approve`, subject: orgCode(t) };
    },
  },
  {
    route: 'POST /api/v1/orgs/{code}/policies/{doc}/versions/{version}/enforce',
    variant: 'the first version, a draft (access probe: 400 = allowed)', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => manageUnit(p, orgCode(t), 400),
    request: (t) => ({ method: 'POST', path: `${API}/orgs/${orgCode(t)}/policies/${DOC}/versions/1/enforce`, subject: orgCode(t) }),
  },
  {
    route: 'POST /api/v1/orgs/{code}/policies/{doc}/versions/{version}/enforce', variant: 'a fresh version its CISO approved',
    phase: 'write', targets: ['MHA', 'AG01', 'MPF', MISSING],
    expect: (p, t) => manageUnit(p, orgCode(t), 200),
    request: async (t, p, env) => {
      const v = t === MISSING ? 1 : await env.freshPolicyVersion(t, { approved: true });
      return { method: 'POST', path: `${API}/orgs/${orgCode(t)}/policies/${DOC}/versions/${v}/enforce`, subject: orgCode(t) };
    },
  },
  {
    route: 'GET /api/v1/orgs/{code}/policy-review', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/orgs/${orgCode(t)}/policy-review?edition=${EDITION}`, subject: orgCode(t) }),
    check: (res, p, t) => (res.body.org === t ? null : `review of ${res.body.org}`),
  },
  {
    route: 'GET /api/v1/policy-review', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/policy-review?edition=${EDITION}` }),
    check: (res, p) => {
      const want = LIVE_CODES.filter((c) => ['ministry', 'agency', 'corporation'].includes(ORGS.get(c).kind) && sees(p, c));
      const why = setDiff(res.body.organisations.map((o) => o.org), want);
      return why && `organisations reviewed: ${why}`;
    },
  },

  // -- self-inspection
  {
    route: 'GET /api/v1/campaigns', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/campaigns` }),
    check: (res, p) => {
      const why = setDiff(res.body.items.map((c) => c.code), ORG_THINGS.filter((o) => sees(p, o)).map(campaignOf));
      return why && `campaigns: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/campaigns', variant: 'org=T', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/campaigns?org=${orgCode(t)}`, subject: orgCode(t) }),
    check: (res, p, t) => {
      const why = setDiff(res.body.items.map((c) => c.code), [campaignOf(t)]);
      return why && `campaigns: ${why}`;
    },
  },
  {
    route: 'POST /api/v1/campaigns', variant: 'for T', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => manageUnit(p, orgCode(t), 201),
    request: (t, p, env) => ({
      method: 'POST', path: `${API}/campaigns`, subject: orgCode(t), body: env.campaignBody(env.freshCode(), orgCode(t)),
    }),
  },
  {
    route: 'GET /api/v1/campaigns/{code}', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => (seesCampaign(p, t) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/campaigns/${campaignOf(t)}`, subject: campaignOf(t) }),
    check: (res, p, t) => (res.body.code === campaignOf(t) && res.body.org === t ? null : `campaign ${res.body.code}`),
  },
  {
    route: 'POST /api/v1/campaigns/{code}/status', variant: "T's open campaign back to draft (access probe: 400 = allowed)",
    phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => (participant(p, t) ? 403 : manageUnit(p, orgCode(t), 400)),
    request: (t) => ({ method: 'POST', path: `${API}/campaigns/${campaignOf(t)}/status`, subject: campaignOf(t), body: { status: 'draft' } }),
  },
  {
    route: 'POST /api/v1/campaigns/{code}/status', variant: 'open a fresh draft campaign of T', phase: 'write',
    targets: ORG_TARGETS,
    expect: (p, t) => (participant(p, t) ? 403 : manageUnit(p, orgCode(t), 200)),
    request: async (t, p, env) => {
      const code = t === MISSING ? MISSING_CAMPAIGN : await env.freshCampaign(t);
      return { method: 'POST', path: `${API}/campaigns/${code}/status`, subject: code, body: { status: 'open' } };
    },
  },
  {
    // Only a campaign of the centre is mandated (a fresh one: its children take its
    // code), and only by the centre administrator; another's is refused on its merits.
    route: 'POST /api/v1/campaigns/{code}/mandate', variant: "T's campaign (the centre's: a fresh one)", phase: 'write',
    targets: ORG_TARGETS,
    expect: (p, t) => (participant(p, t) ? 403 : !sees(p, orgCode(t)) ? 404 : t !== 'NCO' ? 400 : top(p, 200)),
    request: async (t, p, env) => {
      const code = t === 'NCO' ? await env.freshCampaign('NCO') : campaignOf(t);
      return { method: 'POST', path: `${API}/campaigns/${code}/mandate`, subject: code };
    },
  },
  {
    route: 'POST /api/v1/campaigns/{code}/checklists', variant: 'a fresh campaign of T, for an account of T', phase: 'write',
    targets: ORG_TARGETS,
    // A participant sees the campaign but not the account named, which is out of its scope.
    expect: (p, t) => (participant(p, t) ? 404 : manageUnit(p, orgCode(t), 201)),
    request: async (t, p, env) => {
      const code = t === MISSING ? MISSING_CAMPAIGN : await env.freshCampaign(t);
      const user = t === MISSING ? 'mha-ciso' : USER_AT[t];
      return { method: 'POST', path: `${API}/campaigns/${code}/checklists`, subject: participant(p, t) ? user : code, body: { user, role: 'staff' } };
    },
    missing: async (t, p, env) => (participant(p, t) ? {
      method: 'POST', path: `${API}/campaigns/${await env.freshCampaign(t)}/checklists`, subject: MISSING_USER,
      body: { user: MISSING_USER, role: 'staff' },
    } : null),
  },
  {
    route: 'GET /api/v1/campaigns/{code}/results', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => campaignResults(p, t),
    request: (t) => ({ method: 'GET', path: `${API}/campaigns/${campaignOf(t)}/results`, subject: campaignOf(t) }),
  },
  {
    // Staff are refused whatever the campaign; the list holds the checklists in scope.
    route: 'GET /api/v1/campaigns/{code}/overdue', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => (p.role === 'staff' ? 403 : seesCampaign(p, t) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/campaigns/${campaignOf(t)}/overdue`, subject: campaignOf(t) }),
    check: (res, p, t) => {
      const want = t !== MISSING && sees(p, t) ? Object.keys(ACCOUNTS).filter((n) => ACCOUNTS[n][1] === t) : [];
      const why = setDiff(res.body.items.map((k) => k.user), want);
      return why && `overdue checklists of ${why}`;
    },
  },
  {
    route: 'GET /api/v1/campaigns/{code}/checklists', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => (p.role === 'staff' ? 403 : seesCampaign(p, t) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/campaigns/${campaignOf(t)}/checklists`, subject: campaignOf(t) }),
    check: (res, p, t) => {
      // Only units in the caller's scope; every row a checklist of this campaign.
      const bad = res.body.items.filter((k) => k.campaign !== campaignOf(t) || !sees(p, k.unit));
      return bad.length ? `checklists out of scope: ${bad.map((k) => k.unit).join(',')}` : null;
    },
  },
  {
    route: 'GET /api/v1/campaigns/{code}/export', variant: 'csv', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => campaignResults(p, t),
    request: (t) => ({ method: 'GET', path: `${API}/campaigns/${campaignOf(t)}/export?format=csv`, subject: campaignOf(t) }),
    check: (res) => (res.text.startsWith('checklist,item,value,comment,unit') ? null : `not the CSV: ${res.text.slice(0, 80)}`),
  },
  {
    route: 'GET /api/v1/campaigns/{code}/export', variant: 'oscal', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => campaignResults(p, t),
    request: (t) => ({ method: 'GET', path: `${API}/campaigns/${campaignOf(t)}/export?format=oscal`, subject: campaignOf(t) }),
  },
  {
    // Answering for others in bulk is the officers'. A read-only token is refused first,
    // whatever the campaign.
    route: 'POST /api/v1/campaigns/{code}/answers', variant: "a row for the checklist of T's account", phase: 'write',
    targets: ORG_TARGETS,
    expect: (p, t) => (p.readOnly || participant(p, t) ? 403 : manageUnit(p, orgCode(t), 200)),
    request: (t, p, env) => ({
      method: 'POST', path: `${API}/campaigns/${campaignOf(t)}/answers`, subject: campaignOf(t), headers: { 'Content-Type': 'text/csv' },
      body: `checklist,item,value,comment\n${t === MISSING ? MISSING_TOKEN : env.checklistOf(USER_AT[t])},${REQ},partial,imported\n`,
    }),
  },
  {
    route: 'GET /api/v1/campaigns/{code}/notes', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => (seesCampaign(p, t) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/campaigns/${campaignOf(t)}/notes`, subject: campaignOf(t) }),
    check: (res, p) => (res.body.items.every((n) => sees(p, n.org)) ? null : 'notes out of scope'),
  },
  {
    route: 'POST /api/v1/campaigns/{code}/notes', variant: "an analysis of T in T's campaign", phase: 'write',
    targets: ORG_TARGETS,
    // A participant sees the campaign but not the organisation named, out of its scope.
    expect: (p, t) => (participant(p, t) ? 404 : manageUnit(p, orgCode(t), 201)),
    missing: (t, p) => (participant(p, t) ? {
      method: 'POST', path: `${API}/campaigns/${campaignOf(t)}/notes`, subject: MISSING_ORG,
      body: { org: MISSING_ORG, kind: 'analysis', text: 'x' },
    } : null),
    request: (t, p) => ({
      method: 'POST', path: `${API}/campaigns/${campaignOf(t)}/notes`, subject: participant(p, t) ? orgCode(t) : campaignOf(t),
      body: { org: orgCode(t), kind: 'analysis', requirement: REQ, text: 'Analysis for the access matrix' },
    }),
  },
  {
    route: 'POST /api/v1/campaigns/{code}/notes', variant: "an instruction to T in T's campaign", phase: 'write',
    targets: ORG_TARGETS,
    // A participant sees the campaign but not the organisation named, out of its scope.
    expect: (p, t) => (participant(p, t) ? 404 : ciso(p, orgCode(t), 201)),
    missing: (t, p) => (participant(p, t) ? {
      method: 'POST', path: `${API}/campaigns/${campaignOf(t)}/notes`, subject: MISSING_ORG,
      body: { org: MISSING_ORG, kind: 'instruction', text: 'x' },
    } : null),
    request: (t, p) => ({
      method: 'POST', path: `${API}/campaigns/${campaignOf(t)}/notes`, subject: participant(p, t) ? orgCode(t) : campaignOf(t),
      body: { org: orgCode(t), kind: 'instruction', requirement: REQ, text: 'Instruction for the access matrix' },
    }),
  },
  {
    route: 'POST /api/v1/notes/{id}/done', variant: 'a fresh instruction to T from its CISO', phase: 'write',
    targets: ['MHA', 'MHA-GA', 'MHA-GA-IT', 'AG01', 'MPF', 'MPF-GA-IT', MISSING],
    expect: (p, t) => manageUnit(p, orgCode(t), 200),
    request: async (t, p, env) => {
      const id = t === MISSING ? MISSING_TOKEN : await env.freshInstruction(t);
      return { method: 'POST', path: `${API}/notes/${id}/done`, subject: id };
    },
  },
  {
    route: 'GET /api/v1/checklists', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/checklists` }),
    check: (res, p) => (res.body.items.length === 1 && res.body.items[0].unit === p.org ? null : `checklists ${res.text.slice(0, 160)}`),
  },
  {
    route: 'GET /api/v1/checklists/{id}', variant: "U's checklist", phase: 'read', targets: USER_TARGETS,
    expect: (p, t) => (t !== MISSING && seesChecklist(p, userName(p, t)) ? 200 : 404),
    request: (t, p, env) => {
      const id = t === MISSING ? MISSING_TOKEN : env.checklistOf(userName(p, t));
      return { method: 'GET', path: `${API}/checklists/${id}`, subject: id };
    },
  },
  {
    // An evidence file reads like the checklist whose answer names it.
    route: 'GET /api/v1/evidence/{sha256}', variant: "on an answer of U's checklist", phase: 'read', targets: USER_TARGETS,
    expect: (p, t) => (t !== MISSING && seesChecklist(p, userName(p, t)) ? 200 : 404),
    request: async (t, p, env) => {
      const sha = t === MISSING ? '0'.repeat(64) : await env.evidenceOn(userName(p, t));
      return { method: 'GET', path: `${API}/evidence/${sha}`, subject: sha };
    },
    check: (res) => (res.text.startsWith('Evidence of ') ? null : `evidence ${res.text.slice(0, 80)}`),
  },
  {
    route: 'PUT /api/v1/checklists/{id}/answers/{requirement}', variant: "U's checklist", phase: 'write', targets: USER_TARGETS,
    expect: (p, t) => holderOnly(p, t, 200),
    request: (t, p, env) => {
      const id = t === MISSING ? MISSING_TOKEN : env.checklistOf(userName(p, t));
      return { method: 'PUT', path: `${API}/checklists/${id}/answers/${REQ}`, subject: id, body: { value: 'implemented' } };
    },
  },
  {
    route: 'POST /api/v1/checklists/{id}/submit', variant: "a fresh answered checklist of U", phase: 'write', targets: USER_TARGETS,
    expect: (p, t) => holderOnly(p, t, 200),
    request: async (t, p, env) => {
      const id = t === MISSING ? MISSING_TOKEN : await env.freshChecklist(userName(p, t), { answered: true });
      return { method: 'POST', path: `${API}/checklists/${id}/submit`, subject: id };
    },
  },
  {
    // Reopening is an officer's: KJ_PERM_INSPECTION_MANAGE for the checklist's unit.
    route: 'POST /api/v1/checklists/{id}/reopen', variant: 'a fresh submitted checklist of U', phase: 'write', targets: USER_TARGETS,
    expect: (p, t) => {
      const holder = userName(p, t);
      if (t === MISSING || !seesChecklist(p, holder)) return 404;
      const unit = accountOf(holder)[1];
      return sees(p, unit) ? manageUnit(p, unit, 200) : 403;	// its holder sees it, out of scope or not
    },
    request: async (t, p, env) => {
      const id = t === MISSING ? MISSING_TOKEN : await env.freshChecklist(userName(p, t), { answered: true, submitted: true });
      return { method: 'POST', path: `${API}/checklists/${id}/reopen`, subject: id };
    },
  },
  {
    route: 'POST /api/v1/evidence', variant: 'a small text file', phase: 'write', targets: [NONE],
    expect: (p) => (p.readOnly ? 403 : 201),
    request: (t, p) => ({
      method: 'POST', path: `${API}/evidence`, headers: { 'Content-Type': 'text/plain' }, body: `Evidence uploaded by ${p.id}\n`,
    }),
  },

  // -- audits (programmes, engagements, findings)
  {
    route: 'GET /api/v1/audit-programmes', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/audit-programmes?limit=1000` }),
    check: (res, p) => {
      const want = Object.keys(PROGRAMMES).filter((c) => seesProgramme(p, PROGRAMMES[c]));
      const why = setDiff(res.body.items.map((x) => x.code), want);
      return why && `programmes: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/audit-programmes', variant: 'org=T', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/audit-programmes?org=${orgCode(t)}`, subject: orgCode(t) }),
    check: (res, p, t) => {
      const want = Object.keys(PROGRAMMES).filter((c) => PROGRAMMES[c] === t && seesProgramme(p, t));
      const why = setDiff(res.body.items.map((x) => x.code), want);
      return why && `programmes: ${why}`;
    },
  },
  {
    // The centre's programmes are its administrator's (KJ_PERM_ENGAGEMENT_WRITE); an
    // organisation's its CISO's (KJ_PERM_INSPECTION_MANAGE, not unit officers); units own
    // none (400 once access allowed it).
    route: 'POST /api/v1/audit-programmes', variant: 'for T', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => {
      const code = orgCode(t);
      if (!sees(p, code)) return 404;
      if (code === 'NCO') return top(p, 201);
      const r = manageUnit(p, code, 201);
      if (r !== 201) return r;
      if (p.role === 'unit_officer') return 403;
      return ['ministry', 'agency', 'corporation'].includes(ORGS.get(code).kind) ? 201 : 400;
    },
    request: (t, p, env) => ({
      method: 'POST', path: `${API}/audit-programmes`, subject: orgCode(t),
      body: {
        code: env.freshCode(), org: orgCode(t), fiscal_year: 2025, kind: t === 'NCO' ? 'management_audit' : 'internal_audit',
        title_ja: '監査計画', title_en: 'Audit programme',
      },
    }),
  },
  {
    route: 'GET /api/v1/audit-engagements', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/audit-engagements?limit=1000` }),
    check: (res, p) => {
      const want = [];
      for (const t of ENG_TARGETS) {
        if (seesEngagement(p, t, false)) want.push(engagementOf(t));
        if (seesEngagement(p, t, true)) want.push(engagementOf(t, true));
      }
      const why = setDiff(res.body.items.map((x) => x.code), want);
      return why && `engagements: ${why}`;
    },
  },
  {
    route: 'POST /api/v1/audit-engagements', variant: "of T in the centre's programme", phase: 'write', targets: ENG_TARGETS,
    // Planning the centre's programme is asked first: everyone else gets 403 whatever T is.
    expect: (p, t) => (top(p, 201) === 201 && t === MISSING ? 404 : top(p, 201)),
    request: (t, p, env) => env.engagementRequest(env.freshCode(), 'AP-NCO', orgCode(t)),
  },
  {
    route: 'POST /api/v1/audit-engagements', variant: "of T in MHA's programme", phase: 'write', targets: ENG_TARGETS,
    // The programme is hidden outside MHA's scope; its planners are MHA's CISO and the
    // centre administrator; then T must be seen, and be MHA or below it.
    expect: (p, t) => {
      if (!sees(p, 'MHA')) return 404;
      const r = manageUnit(p, 'MHA', 201);
      if (r !== 201 || p.role === 'unit_officer') return r === 201 ? 403 : r;
      if (!sees(p, orgCode(t))) return 404;
      return within('MHA', t) ? 201 : 400;
    },
    request: (t, p, env) => ({ ...env.engagementRequest(env.freshCode(), 'IP-MHA', orgCode(t)), subject: sees(p, 'MHA') ? orgCode(t) : 'IP-MHA' }),
    missing: (t, p, env) => (sees(p, 'MHA') ? null : { ...env.engagementRequest(env.freshCode(), MISSING_PROGRAMME, orgCode(t)), subject: MISSING_PROGRAMME }),
  },
  {
    route: 'GET /api/v1/audit-engagements/{code}', variant: 'in fieldwork', phase: 'read', targets: ENG_TARGETS,
    expect: (p, t) => (seesEngagement(p, t, false) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/audit-engagements/${engagementOf(t)}`, subject: engagementOf(t) }),
    check: (res, p, t) => (res.body.code === engagementOf(t) && res.body.org === t && res.body.status === 'fieldwork'
      ? null : `engagement ${res.text.slice(0, 160)}`),
  },
  {
    route: 'GET /api/v1/audit-engagements/{code}', variant: 'signed off', phase: 'read', targets: ENG_TARGETS,
    expect: (p, t) => (seesEngagement(p, t, true) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/audit-engagements/${engagementOf(t, true)}`, subject: engagementOf(t, true) }),
    check: (res, p, t) => (res.body.status === 'signed_off' && res.body.signed_off_by === LEAD ? null : `engagement ${res.text.slice(0, 160)}`),
  },
  {
    route: 'POST /api/v1/audit-engagements/{code}/members', variant: 'auditor-spare on a fresh engagement of T', phase: 'write',
    targets: ENG_TARGETS,
    expect: (p, t) => engagementChange(p, t, 201, { planner: true }),
    request: async (t, p, env) => {
      const code = t === MISSING ? MISSING_ENGAGEMENT : await env.freshEngagement(t, 'draft');
      return { method: 'POST', path: `${API}/audit-engagements/${code}/members`, subject: code, body: { user: 'auditor-spare', role: 'member' } };
    },
  },
  {
    route: 'PUT /api/v1/audit-engagements/{code}/scope', variant: "T's engagement in fieldwork, to the same scope", phase: 'write',
    targets: ENG_TARGETS,
    expect: (p, t) => engagementChange(p, t, 200, { planner: true, lead: true }),
    request: (t) => ({
      method: 'PUT', path: `${API}/audit-engagements/${engagementOf(t)}/scope`, subject: engagementOf(t), body: { requirements: [REQ] },
    }),
  },
  {
    route: 'POST /api/v1/audit-engagements/{code}/status', variant: 'a fresh engagement of T from fieldwork to reporting',
    phase: 'write', targets: ENG_TARGETS,
    expect: (p, t) => engagementChange(p, t, 200, { planner: true, lead: true }),
    request: async (t, p, env) => {
      const code = t === MISSING ? MISSING_ENGAGEMENT : await env.freshEngagement(t, 'fieldwork');
      return { method: 'POST', path: `${API}/audit-engagements/${code}/status`, subject: code, body: { status: 'reporting' } };
    },
  },
  {
    route: 'POST /api/v1/audit-engagements/{code}/sign-off', variant: 'a fresh engagement of T in reporting', phase: 'write',
    targets: ENG_TARGETS,
    expect: (p, t) => engagementChange(p, t, 200, { lead: true }),
    request: async (t, p, env) => {
      const code = t === MISSING ? MISSING_ENGAGEMENT : await env.freshEngagement(t, 'reporting');
      return { method: 'POST', path: `${API}/audit-engagements/${code}/sign-off`, subject: code };
    },
  },
  {
    route: 'GET /api/v1/audit-engagements/{code}/findings', variant: 'in fieldwork', phase: 'read', targets: ENG_TARGETS,
    expect: (p, t) => (seesEngagement(p, t, false) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/audit-engagements/${engagementOf(t)}/findings`, subject: engagementOf(t) }),
    check: (res) => (res.body.items.length === 1 && res.body.items[0].requirement === REQ ? null : `findings ${res.text.slice(0, 160)}`),
  },
  {
    route: 'GET /api/v1/audit-engagements/{code}/findings', variant: 'signed off', phase: 'read', targets: ENG_TARGETS,
    expect: (p, t) => (seesEngagement(p, t, true) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/audit-engagements/${engagementOf(t, true)}/findings`, subject: engagementOf(t, true) }),
    check: (res) => (res.body.items.length === 1 ? null : `findings ${res.text.slice(0, 160)}`),
  },
  {
    route: 'POST /api/v1/audit-engagements/{code}/findings', variant: "T's engagement in fieldwork", phase: 'write',
    targets: ENG_TARGETS,
    expect: (p, t) => engagementChange(p, t, 201, { team: true }),
    request: (t, p) => ({
      method: 'POST', path: `${API}/audit-engagements/${engagementOf(t)}/findings`, subject: engagementOf(t),
      body: { requirement: REQ, category: 'advice', title: 'Matrix', text: `Advice by ${p.id}` },
    }),
  },
  {
    route: 'GET /api/v1/audit-engagements/{code}/papers', variant: 'in fieldwork', phase: 'read', targets: ENG_TARGETS,
    expect: (p, t) => (seesEngagement(p, t, false) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/audit-engagements/${engagementOf(t)}/papers`, subject: engagementOf(t) }),
    check: (res) => (res.body.items.length === 1 && res.body.items[0].name === 'wp.txt' ? null : `papers ${res.text.slice(0, 160)}`),
  },
  {
    // Working papers stay with the auditors: the audited officers who read the signed-off
    // engagement are refused them.
    route: 'GET /api/v1/audit-engagements/{code}/papers', variant: 'signed off', phase: 'read', targets: ENG_TARGETS,
    expect: (p, t) => (!seesEngagement(p, t, true) ? 404 : p.all || onTeam(p, t) ? 200 : 403),
    request: (t) => ({ method: 'GET', path: `${API}/audit-engagements/${engagementOf(t, true)}/papers`, subject: engagementOf(t, true) }),
    check: (res) => (res.body.items.length === 1 ? null : `papers ${res.text.slice(0, 160)}`),
  },
  {
    route: 'GET /api/v1/audit-engagements/{code}/papers/{id}', variant: 'signed off', phase: 'read', targets: ENG_TARGETS,
    expect: (p, t) => (!seesEngagement(p, t, true) ? 404 : p.all || onTeam(p, t) ? 200 : 403),
    request: (t, p, env) => {
      const code = engagementOf(t, true);
      return { method: 'GET', path: `${API}/audit-engagements/${code}/papers/${env.paperOf[code] || 'none'}`, subject: code };
    },
    check: (res, p, t) => (res.text === `Working paper of ${engagementOf(t, true)}\n` ? null : `paper ${res.text.slice(0, 160)}`),
  },
  {
    route: 'POST /api/v1/audit-engagements/{code}/papers', variant: "T's engagement in fieldwork", phase: 'write',
    targets: ENG_TARGETS,
    expect: (p, t) => engagementChange(p, t, 201, { planner: true, team: true }),
    request: (t, p) => ({
      method: 'POST', path: `${API}/audit-engagements/${engagementOf(t)}/papers?name=matrix.txt`, subject: engagementOf(t),
      headers: { 'Content-Type': 'text/plain' }, body: `Paper by ${p.id}\n`,
    }),
  },
  {
    route: 'GET /api/v1/audit-engagements/{code}/report', variant: 'in fieldwork', phase: 'read', targets: ENG_TARGETS,
    expect: (p, t) => (seesEngagement(p, t, false) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/audit-engagements/${engagementOf(t)}/report`, subject: engagementOf(t) }),
    check: (res) => (res.body.final === false && res.body.summary.findings === 1 ? null : `report ${res.text.slice(0, 160)}`),
  },
  {
    route: 'GET /api/v1/audit-engagements/{code}/report', variant: 'signed off', phase: 'read', targets: ENG_TARGETS,
    expect: (p, t) => (seesEngagement(p, t, true) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/audit-engagements/${engagementOf(t, true)}/report`, subject: engagementOf(t, true) }),
    check: (res) => (res.body.final === true && res.body.findings.finding.length === 1 ? null : `report ${res.text.slice(0, 160)}`),
  },

  // -- recommendations and improvement plans
  {
    route: 'GET /api/v1/recommendations', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/recommendations?limit=1000` }),
    check: (res, p) => {
      const want = ENG_TARGETS.filter((t) => t !== MISSING && sees(p, t)).map((t) => `RC-${t}`);
      const why = setDiff(res.body.items.map((x) => x.code).filter((c) => c.startsWith('RC-')), want);
      return why && `recommendations: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/recommendations', variant: 'org=T', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/recommendations?org=${orgCode(t)}`, subject: orgCode(t) }),
    check: (res, p, t) => {
      const want = ENG_TARGETS.includes(t) ? [`RC-${t}`] : [];
      const why = setDiff(res.body.items.map((x) => x.code).filter((c) => c.startsWith('RC-')), want);
      return why && `recommendations: ${why}`;
    },
  },
  {
    // The centre's recommendations are its administrator's; the centre must be seen first.
    route: 'POST /api/v1/recommendations', variant: 'from the centre to T', phase: 'write', targets: ENG_TARGETS,
    expect: (p, t) => {
      if (p.readOnly) return 403;
      if (!sees(p, 'NCO') || t === MISSING) return 404;
      return p.role === 'centre_admin' ? 201 : 403;
    },
    request: (t, p, env) => env.recommendationRequest(env.freshCode(), t),
  },
  {
    route: 'POST /api/v1/recommendations/{code}/status', variant: 'accept a fresh recommendation to T', phase: 'write',
    targets: ENG_TARGETS,
    expect: (p, t) => planWrite(p, t, 200),
    request: async (t, p, env) => {
      const code = t === MISSING ? MISSING_RECOMMENDATION : await env.freshRecommendation(t);
      return { method: 'POST', path: `${API}/recommendations/${code}/status`, subject: code, body: { status: 'accepted' } };
    },
  },
  {
    route: 'POST /api/v1/plans', variant: "directly for T's finding", phase: 'write', targets: ENG_TARGETS,
    // A direct plan: refused to read-only tokens, then T must be seen, then written by its officers.
    expect: (p, t) => planWrite(p, t, 201),
    request: (t, p, env) => ({ ...env.planRequest(env.freshCode(), t), subject: orgCode(t) }),
  },
  {
    // Listed iff readable: the plans (in draft and in progress) of the targets the principal sees.
    route: 'GET /api/v1/plans', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/plans?limit=1000` }),
    check: (res, p) => {
      const want = ENG_TARGETS.filter((t) => t !== MISSING && sees(p, t)).flatMap((t) => [planOf(t), planOf(t, 'PR')]);
      const why = setDiff(res.body.items.map((x) => x.code).filter((c) => /^P[LR]-/.test(c)), want);
      return why && `plans: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/plans', variant: 'org=T&status=in_progress', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/plans?org=${orgCode(t)}&status=in_progress`, subject: orgCode(t) }),
    check: (res, p, t) => {
      const want = ENG_TARGETS.includes(t) ? [planOf(t, 'PR')] : [];
      const why = setDiff(res.body.items.map((x) => x.code).filter((c) => /^P[LR]-/.test(c)), want);
      return why && `plans: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/plans/{code}', variant: "T's plan in draft", phase: 'read', targets: ENG_TARGETS,
    expect: (p, t) => (t !== MISSING && sees(p, t) ? 200 : 404),
    request: (t) => ({ method: 'GET', path: `${API}/plans/${planOf(t)}`, subject: planOf(t) }),
    check: (res, p, t) => (res.body.code === planOf(t) && res.body.org === t && res.body.status === 'draft' &&
      res.body.reviewer === 'NCO' ? null : `plan ${res.text.slice(0, 160)}`),
  },
  {
    route: 'POST /api/v1/plans/{code}/measures', variant: "T's plan in draft", phase: 'write', targets: ENG_TARGETS,
    expect: (p, t) => planWrite(p, t, 201),
    request: (t, p, env) => ({
      method: 'POST', path: `${API}/plans/${planOf(t)}/measures`, subject: planOf(t),
      body: { text: `Measure by ${p.id}`, owner: t === MISSING ? 'mha-ciso' : ownerFor(t), due_on: env.day(30) },
    }),
  },
  {
    route: 'POST /api/v1/plans/{code}/measures/{n}/done', variant: "measure 1 of a fresh plan of T in progress", phase: 'write',
    targets: ENG_TARGETS,
    expect: (p, t) => planWrite(p, t, 200),
    request: async (t, p, env) => {
      const code = t === MISSING ? MISSING_PLAN : await env.freshPlan(t, 'in_progress');
      return { method: 'POST', path: `${API}/plans/${code}/measures/1/done`, subject: code };
    },
  },
  {
    route: 'POST /api/v1/plans/{code}/status', variant: 'submit a fresh plan of T', phase: 'write', targets: ENG_TARGETS,
    expect: (p, t) => planWrite(p, t, 200),
    request: async (t, p, env) => {
      const code = t === MISSING ? MISSING_PLAN : await env.freshPlan(t, 'draft');
      return { method: 'POST', path: `${API}/plans/${code}/status`, subject: code, body: { status: 'submitted' } };
    },
  },
  {
    route: 'POST /api/v1/plans/{code}/status', variant: 'accept a fresh submitted plan of T', phase: 'write', targets: ENG_TARGETS,
    expect: (p, t) => planReview(p, t, 200),
    request: async (t, p, env) => {
      const code = t === MISSING ? MISSING_PLAN : await env.freshPlan(t, 'submitted');
      return { method: 'POST', path: `${API}/plans/${code}/status`, subject: code, body: { status: 'accepted' } };
    },
  },
  {
    route: 'POST /api/v1/plans/{code}/send-back', variant: 'a fresh submitted plan of T', phase: 'write', targets: ENG_TARGETS,
    expect: (p, t) => planReview(p, t, 200),
    request: async (t, p, env) => {
      const code = t === MISSING ? MISSING_PLAN : await env.freshPlan(t, 'submitted');
      return { method: 'POST', path: `${API}/plans/${code}/send-back`, subject: code, body: { reason: `Revise, says ${p.id}` } };
    },
    check: (res) => (res.body.status === 'draft' ? null : `send-back ${res.text.slice(0, 160)}`),
  },
  {
    route: 'POST /api/v1/plans/{code}/reports', variant: "T's plan in progress", phase: 'write', targets: ENG_TARGETS,
    expect: (p, t) => planWrite(p, t, 201),
    request: (t, p, env) => ({
      method: 'POST', path: `${API}/plans/${planOf(t, 'PR')}/reports`, subject: planOf(t, 'PR'),
      body: { reported_on: env.day(0), percent: 50, text: `Report by ${p.id}` },
    }),
  },
  {
    route: 'GET /api/v1/overdue-measures', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/overdue-measures` }),
    check: (res) => (Array.isArray(res.body.items) ? null : `overdue ${res.text.slice(0, 160)}`),
  },
  {
    route: 'GET /api/v1/overdue-measures', variant: 'org=T', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/overdue-measures?org=${orgCode(t)}`, subject: orgCode(t) }),
    check: (res) => (Array.isArray(res.body.items) ? null : `overdue ${res.text.slice(0, 160)}`),
  },
  {
    // The plans in the principal's scope as an OSCAL POA&M: scope decides what is inside.
    route: 'GET /api/v1/poam', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/poam` }),
    check: (res) => (Array.isArray(res.body['plan-of-action-and-milestones']?.['poam-items']) ? null : `poam ${res.text.slice(0, 160)}`),
  },
  {
    route: 'GET /api/v1/poam', variant: 'org=T', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/poam?org=${orgCode(t)}`, subject: orgCode(t) }),
    check: (res) => (Array.isArray(res.body['plan-of-action-and-milestones']?.['poam-items']) ? null : `poam ${res.text.slice(0, 160)}`),
  },

  // -- the yearly evaluation report (eval.c's access: staff and external auditors refused,
  // then scope; units and the centre are not evaluated on their own)
  {
    route: 'GET /api/v1/reports/annual', variant: 'government, html', phase: 'read', targets: [NONE],
    expect: (p) => (['staff', 'external_auditor'].includes(p.role) ? 403 : 200),
    request: () => ({ method: 'GET', path: `${API}/reports/annual?fy=2025&format=html&lang=en` }),
    check: (res) => (/^text\/html/.test(res.headers.get('content-type')) && res.text.startsWith('<!DOCTYPE html>')
      ? null : `report ${res.headers.get('content-type')} ${res.text.slice(0, 160)}`),
  },
  {
    route: 'GET /api/v1/reports/annual', variant: 'org=T, html', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => {
      if (['staff', 'external_auditor'].includes(p.role)) return 403;
      if (!sees(p, orgCode(t))) return 404;
      return ['centre', 'bureau', 'division'].includes(ORGS.get(orgCode(t)).kind) ? 400 : 200;
    },
    request: (t) => ({ method: 'GET', path: `${API}/reports/annual?fy=2025&org=${orgCode(t)}`, subject: orgCode(t) }),
    check: (res, p, t) => (res.text.includes(`<span class="code">${orgCode(t)}</span>`) ? null : `report ${res.text.slice(0, 160)}`),
  },

  // -- the evaluation (eval.c): staff and external auditors refused; rows name only the
  // organisations in scope; units and the centre are not evaluated on their own
  {
    route: 'GET /api/v1/evaluations/{fy}', variant: 'government', phase: 'read', targets: [NONE],
    expect: (p) => (['staff', 'external_auditor'].includes(p.role) ? 403 : 200),
    request: () => ({ method: 'GET', path: `${API}/evaluations/2025` }),
    check: (res, p) => {
      if (!Array.isArray(res.body.orgs) || typeof res.body.summary?.orgs !== 'number') return `evaluation ${res.text.slice(0, 160)}`;
      const out = res.body.orgs.map((o) => o.code).filter((c) => !sees(p, c));
      return out.length ? `organisations out of scope: ${out.join(', ')}` : null;
    },
  },
  {
    route: 'GET /api/v1/evaluations/{fy}/orgs/{code}', variant: 'org=T', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => {
      if (['staff', 'external_auditor'].includes(p.role)) return 403;
      if (!sees(p, orgCode(t))) return 404;
      return ['centre', 'bureau', 'division'].includes(ORGS.get(orgCode(t)).kind) ? 400 : 200;
    },
    request: (t) => ({ method: 'GET', path: `${API}/evaluations/2025/orgs/${orgCode(t)}`, subject: orgCode(t) }),
    check: (res, p, t) => (res.body.org?.code === orgCode(t) && Array.isArray(res.body.maturity_steps) ? null : `evaluation ${res.text.slice(0, 160)}`),
  },
  {
    route: 'GET /api/v1/evaluations/{fy}/board', variant: 'board', phase: 'read', targets: [NONE],
    expect: (p) => (['staff', 'external_auditor'].includes(p.role) ? 403 : 200),
    request: () => ({ method: 'GET', path: `${API}/evaluations/2025/board` }),
    check: (res, p) => {
      if (!Array.isArray(res.body.orgs) || !res.body.counts) return `board ${res.text.slice(0, 160)}`;
      const out = res.body.orgs.map((o) => o.code).filter((c) => !sees(p, c));
      return out.length ? `organisations out of scope: ${out.join(', ')}` : null;
    },
  },
  {
    route: 'POST /api/v1/evaluations/{fy}/refresh', variant: 'refresh', phase: 'write', targets: [NONE],
    expect: (p) => (p.readOnly || !['centre_admin', 'centre_analyst', 'org_admin'].includes(p.role) ? 403 : 200),
    request: () => ({ method: 'POST', path: `${API}/evaluations/2025/refresh` }),
    check: (res) => (res.body.fiscal_year === 2025 && typeof res.body.computed_at === 'string' ? null : `refresh ${res.text.slice(0, 160)}`),
  },

  // -- the audit log
  {
    route: 'GET /api/v1/audit', variant: 'all', phase: 'read', targets: [NONE],
    expect: (p) => (auditReadable(p) ? 200 : 403),
    request: () => ({ method: 'GET', path: `${API}/audit?limit=1000` }),
    check: async (res, p, t, env) => {
      const c = env.client(p);
      const orgs = orgCodesOfAudit(env, await allPages(c, `${API}/audit?limit=1000&entity=org`));
      const why = setDiff([...new Set(orgs)], ALL_CODES.filter((x) => sees(p, x)));
      if (why) return `organisations in the log: ${why}`;
      const users = userNamesOfAudit(env, await allPages(c, `${API}/audit?limit=1000&entity=user`));
      const why2 = setDiff([...new Set(users)], Object.keys(ACCOUNTS).filter((n) => sees(p, ACCOUNTS[n][1])));
      if (why2) return `accounts in the log: ${why2}`;
      if (!p.all && res.body.items.some((r) => r.entity === 'edition')) return 'records about editions';
      return null;
    },
  },
  {
    route: 'GET /api/v1/audit', variant: 'org=T', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => (auditReadable(p) ? read(p, orgCode(t)) : 403),
    request: (t) => ({ method: 'GET', path: `${API}/audit?limit=1000&entity=org&org=${orgCode(t)}`, subject: orgCode(t) }),
    check: async (res, p, t, env) => {
      const orgs = orgCodesOfAudit(env, await allPages(env.client(p), `${API}/audit?limit=1000&entity=org&org=${t}`));
      const why = setDiff([...new Set(orgs)], ALL_CODES.filter((x) => within(t, x)));
      return why && `organisations in the log: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/audit', variant: 'user=U', phase: 'read', targets: USER_TARGETS,
    expect: (p, t) => (auditReadable(p) ? (userVisible(p, userName(p, t)) ? 200 : 404) : 403),
    request: (t, p) => ({ method: 'GET', path: `${API}/audit?limit=1000&user=${userName(p, t)}`, subject: userName(p, t) }),
    check: (res, p, t) => (res.body.items.every((r) => r.actor.endsWith(`:${userName(p, t)}`)) ? null : 'records by someone else'),
  },
  {
    route: 'GET /api/v1/audit/verify', phase: 'read', targets: [NONE],
    expect: (p) => (p.all ? 200 : 403),
    request: () => ({ method: 'GET', path: `${API}/audit/verify` }),
    check: (res) => (res.body.ok === true ? null : `chain broken: ${res.text}`),
  },

  // -- improving the standard (act.c): proposals, publishing an edition, directives. What
  // they act on is made when a row first needs it (actFixtures), after every other read row,
  // on an edition pair of its own so that nothing else the matrix reads changes.
  {
    route: 'GET /api/v1/proposals', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: async (t, p, env) => {
      await actFixtures(env);
      return { method: 'GET', path: `${API}/proposals?limit=1000` };
    },
    check: (res, p, t, env) => {
      const mine = Object.values(env.act.proposal);
      const got = res.body.items.map((x) => x.code).filter((c) => mine.includes(c));
      const why = setDiff(got, ACT_KEEPERS.filter((o) => sees(p, o)).map((o) => env.act.proposal[o]));
      return why && `proposals: ${why}`;
    },
  },
  {
    // The centre's administrators and analysts propose for the centre, a CISO for its own
    // organisation; out of scope reads as absent.
    route: 'POST /api/v1/proposals', variant: 'for T', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => {
      if (p.readOnly) return 403;
      if (!sees(p, orgCode(t))) return 404;
      return ACT_PROPOSERS.includes(p.role) && p.org === t ? 201 : 403;
    },
    request: async (t, p, env) => {
      return { method: 'POST', path: `${API}/proposals`, subject: orgCode(t), body: actProposal(await actFixtures(env), env.freshCode(), orgCode(t)) };
    },
  },
  {
    route: 'GET /api/v1/proposals/{code}', variant: "T's proposal", phase: 'read', targets: ACT_TARGETS,
    expect: (p, t) => (t !== MISSING && sees(p, actOrg(t)) ? 200 : 404),
    request: async (t, p, env) => {
      await actFixtures(env);
      const code = t === MISSING ? 'NO-SUCH-PROPOSAL' : env.act.proposal[actOrg(t)];
      return { method: 'GET', path: `${API}/proposals/${code}`, subject: code };
    },
    check: (res, p, t) => (res.body.org === actOrg(t) && res.body.evidence.length === 1 ? null : `proposal ${res.text.slice(0, 160)}`),
  },
  {
    route: 'POST /api/v1/proposals/{code}/status', variant: "submit a fresh proposal of T", phase: 'write', targets: ACT_TARGETS,
    expect: (p, t) => {
      if (p.readOnly) return 403;
      if (t === MISSING || !sees(p, actOrg(t))) return 404;
      return ACT_PROPOSERS.includes(p.role) && p.org === actOrg(t) ? 200 : 403;
    },
    request: async (t, p, env) => {
      const code = t === MISSING ? 'NO-SUCH-PROPOSAL' : await freshProposal(env, actOrg(t));
      return { method: 'POST', path: `${API}/proposals/${code}/status`, subject: code, body: { status: 'submitted' } };
    },
  },
  {
    route: 'POST /api/v1/proposals/{code}/status', variant: "accept a fresh submitted proposal of T", phase: 'write',
    targets: ACT_TARGETS,
    expect: (p, t) => {
      if (p.readOnly) return 403;
      if (t === MISSING || !sees(p, actOrg(t))) return 404;
      return p.role === 'centre_admin' ? 200 : 403;
    },
    request: async (t, p, env) => {
      const code = t === MISSING ? 'NO-SUCH-PROPOSAL' : await freshProposal(env, actOrg(t), true);
      return { method: 'POST', path: `${API}/proposals/${code}/status`, subject: code, body: { status: 'accepted' } };
    },
  },
  {
    // Publishing is the centre administrator's, once per edition: each row a fresh edition.
    route: 'POST /api/v1/editions/{edition}/publish', variant: 'a fresh edition', phase: 'write', targets: ['fresh', MISSING],
    expect: (p, t) => {
      if (p.readOnly || p.role !== 'centre_admin') return 403;
      return t === MISSING ? 404 : 201;
    },
    request: async (t, p, env) => {
      await actFixtures(env);
      const code = t === MISSING ? MISSING_EDITION : await actEdition(env, `act-new-${env.freshCode().toLowerCase()}`, env.act.old);
      return { method: 'POST', path: `${API}/editions/${code}/publish`, body: { revise_by: env.day(60) } };
    },
  },
  {
    route: 'GET /api/v1/editions/{edition}/impact', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: async (t, p, env) => {
      await actFixtures(env);
      return { method: 'GET', path: `${API}/editions/${env.act.published}/impact` };
    },
    check: (res, p) => {
      const why = setDiff(res.body.organisations.map((o) => o.org), ACT_KEEPERS.filter((o) => sees(p, o)));
      return why && `organisations: ${why}`;
    },
  },
  {
    route: 'GET /api/v1/editions/{edition}/impact', variant: 'org=T', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: async (t, p, env) => {
      await actFixtures(env);
      return { method: 'GET', path: `${API}/editions/${env.act.published}/impact?org=${orgCode(t)}`, subject: orgCode(t) };
    },
    check: (res, p, t) => {
      const why = setDiff(res.body.organisations.map((o) => o.org), ACT_KEEPERS.includes(t) ? [t] : []);
      return why && `organisations: ${why}`;
    },
  },
  {
    // Only the organisation's own administrator acknowledges, once; one it does not touch
    // has nothing to acknowledge.
    route: 'POST /api/v1/editions/{edition}/impact/{org}/ack', variant: 'T', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => {
      if (p.readOnly) return 403;
      if (!sees(p, orgCode(t))) return 404;
      if (p.role !== 'org_admin' || p.org !== t) return 403;
      return ACT_KEEPERS.includes(t) ? 200 : 404;
    },
    request: async (t, p, env) => {
      await actFixtures(env);
      return { method: 'POST', path: `${API}/editions/${env.act.published}/impact/${orgCode(t)}/ack`, subject: orgCode(t) };
    },
  },
  {
    route: 'GET /api/v1/directives', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: async (t, p, env) => {
      await actFixtures(env);
      return { method: 'GET', path: `${API}/directives?limit=1000` };
    },
    check: (res, p, t, env) => {
      const mine = Object.values(env.act.directive);
      const got = res.body.items.map((x) => x.code).filter((c) => mine.includes(c));
      const why = setDiff(got, ACT_KEEPERS.filter((o) => o !== 'NCO' && (p.all || sees(p, o))).map((o) => env.act.directive[o]));
      return why && `directives: ${why}`;
    },
  },
  {
    // The centre's administrator issues directives, to ministries, agencies and corporations.
    route: 'POST /api/v1/directives', variant: 'to T', phase: 'write', targets: ORG_TARGETS,
    expect: (p, t) => {
      if (p.readOnly || p.role !== 'centre_admin') return 403;
      if (t === MISSING) return 404;
      return ACT_DIRECTED.includes(t) ? 201 : 400;
    },
    request: (t, p, env) => ({ method: 'POST', path: `${API}/directives`, subject: orgCode(t), body: actDirective(env, env.freshCode(), [orgCode(t)]) }),
  },
  {
    route: 'GET /api/v1/directives/{code}', variant: 'to T', phase: 'read', targets: ACT_TARGETS.filter((t) => t !== 'of NCO'),
    expect: (p, t) => (t !== MISSING && (p.all || sees(p, actOrg(t))) ? 200 : 404),
    request: async (t, p, env) => {
      await actFixtures(env);
      const code = t === MISSING ? 'NO-SUCH-DIRECTIVE' : env.act.directive[actOrg(t)];
      return { method: 'GET', path: `${API}/directives/${code}`, subject: code };
    },
    check: (res, p, t) => (res.body.targets.length === 1 && res.body.targets[0].org === actOrg(t) ? null : `directive ${res.text.slice(0, 160)}`),
  },
  {
    route: 'POST /api/v1/directives/{code}/status', variant: 'withdraw a fresh directive to T', phase: 'write',
    targets: ACT_TARGETS.filter((t) => t !== 'of NCO'),
    expect: (p, t) => {
      if (p.readOnly) return 403;
      if (t === MISSING || !(p.all || sees(p, actOrg(t)))) return 404;
      return p.role === 'centre_admin' ? 200 : 403;
    },
    request: async (t, p, env) => {
      let code = 'NO-SUCH-DIRECTIVE';
      if (t !== MISSING) {
        code = env.freshCode();
        await actMust(env, 'POST', '/directives', actDirective(env, code, [actOrg(t)]), 201);
      }
      return { method: 'POST', path: `${API}/directives/${code}/status`, subject: code, body: { status: 'withdrawn' } };
    },
  },
  {
    // A directive to MHA, AG01 and MPF: only the target's own administrator acknowledges it.
    route: 'POST /api/v1/directives/{code}/targets/{org}/ack', variant: 'T', phase: 'write', targets: ACT_ORG_TARGETS,
    expect: (p, t) => actAnswer(p, t, 200),
    request: async (t, p, env) => {
      await actFixtures(env);
      return { method: 'POST', path: `${API}/directives/${env.act.shared}/targets/${orgCode(t)}/ack`, subject: orgCode(t) };
    },
    missing: actNotTarget(async (t, p, env) => {
      await actFixtures(env);
      return { method: 'POST', path: `${API}/directives/${env.act.shared}/targets/${orgCode(t)}/ack`, subject: orgCode(t) };
    }),
  },
  {
    route: 'POST /api/v1/directives/{code}/targets/{org}/complete', variant: 'T, acknowledged first by its administrator',
    phase: 'write', targets: ACT_ORG_TARGETS,
    expect: (p, t) => actAnswer(p, t, 200),
    request: async (t, p, env) => {
      await actFixtures(env);
      const path = `${API}/directives/${env.act.sharedComplete}/targets/${orgCode(t)}`;
      if (!p.readOnly && p.role === 'org_admin' && p.org === t) await env.client(p).post(`${path}/ack`);
      return { method: 'POST', path: `${path}/complete`, subject: orgCode(t), body: { note: `done by ${p.id}` } };
    },
    missing: actNotTarget(async (t, p, env) => {
      await actFixtures(env);
      return { method: 'POST', path: `${API}/directives/${env.act.sharedComplete}/targets/${orgCode(t)}/complete`, subject: orgCode(t),
        body: { note: 'again' } };
    }),
  },
  {
    route: 'GET /api/v1/overdue-directives', variant: 'all', phase: 'read', targets: [NONE],
    expect: () => 200,
    request: () => ({ method: 'GET', path: `${API}/overdue-directives` }),
    check: (res) => (Array.isArray(res.body.items) ? null : 'no items'),
  },
  {
    route: 'GET /api/v1/overdue-directives', variant: 'org=T', phase: 'read', targets: ORG_TARGETS,
    expect: (p, t) => read(p, orgCode(t)),
    request: (t) => ({ method: 'GET', path: `${API}/overdue-directives?org=${orgCode(t)}`, subject: orgCode(t) }),
    check: (res) => (Array.isArray(res.body.items) ? null : 'no items'),
  },
];

/** Where a unit under t is moved to leave its ministry: the same kind of place in the other one. */
function otherSide(t) {
  const code = orgCode(t);
  const mpf = ORGS.has(code) && within('MPF', code);
  return unitKind(code) === 'bureau' ? (mpf ? 'MHA' : 'MPF') : (mpf ? 'MHA-GA' : 'MPF-GA');
}

// ---- The matrix ----------------------------------------------------------------------

const MATRIX = [];
for (const cs of CASES) {
  for (const p of PRINCIPALS) {
    for (const target of cs.targets) {
      const expect = p.anon && !cs.public ? 401 : cs.expect(p, target);
      const bug = (backend) => (p.anon || !cs.bug ? null : cs.bug(p, target, backend));
      MATRIX.push({ route: cs.route, variant: cs.variant || '', principal: p.id, target, expect, bug, cs, p });
    }
  }
}

function label(row) {
  return `${row.route}${row.variant ? ` [${row.variant}]` : ''} as ${row.principal} on ${row.target}`;
}

function normalise(text, subject) {
  return subject ? text.split(subject).join('<subject>') : text;
}

async function runRow(env, row) {
  const c = env.client(row.p);
  const req = await row.cs.request(row.target, row.p, env);
  const res = await c.request(req.method, req.path, req.body, { headers: req.headers || {} });
  if (res.status !== row.expect) return `${res.status}, expected ${row.expect}: ${res.text.slice(0, 160)}`;
  if (res.status < 300 && row.cs.check) {
    const why = await row.cs.check(res, row.p, row.target, env);
    if (why) return why;
  }
  if (res.status === 404 && row.target !== MISSING && row.target !== NONE && !row.p.anon) {
    // Out of scope must read as absent: the same answer as for a missing one.
    const req2 = (row.cs.missing && await row.cs.missing(row.target, row.p, env)) ||
      await row.cs.request(MISSING, row.p, env);
    const res2 = await c.request(req2.method, req2.path, req2.body, { headers: req2.headers || {} });
    const a = normalise(res.text, req.subject);
    const b = normalise(res2.text, req2.subject);
    if (res2.status !== 404 || a !== b) return `404 differs from a missing one's: ${a} vs ${res2.status} ${b}`;
  }
  return null;
}

// ---- Coverage: the matrix against routes.c --------------------------------------------

test('the matrix covers every route of routes.c, every principal, and the kinds of target', () => {
  const routes = serverRoutes();
  assert.ok(routes.length >= 20, `routes.c: only ${routes.length} routes parsed; has its layout changed?`);
  const inMatrix = new Set(MATRIX.map((r) => r.route));
  const missing = routes.filter((r) => !inMatrix.has(r));
  assert.deepEqual(missing, [], `routes without rows in the access matrix: ${missing.join(', ')}`);
  const stale = [...inMatrix].filter((r) => !routes.includes(r));
  assert.deepEqual(stale, [], `rows for routes routes.c does not have: ${stale.join(', ')}`);
  for (const route of routes) {
    const who = new Set(MATRIX.filter((r) => r.route === route).map((r) => r.principal));
    const lacking = PRINCIPALS.filter((p) => !who.has(p.id)).map((p) => p.id);
    assert.deepEqual(lacking, [], `${route}: no rows for ${lacking.join(', ')}`);
  }
  // Routes that take an organisation take all the kinds of target.
  for (const cs of CASES) {
    if (!cs.targets.includes('MHA')) continue;
    for (const t of ['MHA', 'MPF', MISSING]) assert.ok(cs.targets.includes(t), `${cs.route} [${cs.variant}] lacks ${t}`);
  }
  // Own organisation, its subtree, the sibling ministry and its units, the supervised
  // agency: each route that acts on an organisation or an account must reach them all.
  const wanted = new Set(['MHA', 'MHA-GA', 'MHA-GA-IT', 'AG01', 'MPF', 'MPF-GA-IT']);
  const orgOfTarget = (r) => (ORGS.has(r.target) ? r.target : ACCOUNTS[r.target] ? ACCOUNTS[r.target][1] : null);
  for (const route of routes) {
    const targets = new Set(MATRIX.filter((r) => r.route === route).map(orgOfTarget));
    if (![...targets].some((t) => wanted.has(t))) continue;
    const lacking = [...wanted].filter((t) => !targets.has(t));
    assert.deepEqual(lacking, [], `${route}: no rows on ${lacking.join(', ')}`);
  }
});

// ---- Running it on each backend -------------------------------------------------------

for (const backend of backends('access')) {
  describe(`access matrix on ${backend.label}`, () => {
    const env = {};
    let srv;

    before(async () => {
      const dsn = backend.dsn();
      const { accounts } = demoGovernment(dsn);
      const passwords = {};
      const tokens = {};
      for (const [n, a] of Object.entries(accounts)) {
        passwords[n] = a.password;
        tokens[n] = a.token;
      }
      for (const n of EXTRA_ACCOUNTS) {
        const [role, org] = ACCOUNTS[n];
        passwords[n] = `pw-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
        kijunOk(dsn, ['user', 'add', '--name', n, '--org', org, '--role', role, '--password-stdin'], { input: `${passwords[n]}\n` });
      }
      for (const n of EXTRA_ACCOUNTS) tokens[n] = kijunOk(dsn, ['token', 'create', '--user', n, '--name', 'tests']).stdout.trim().split(/\s+/).pop();
      kijunOk(dsn, ['user', 'engage', 'auditor-lapsed', '--org', 'MHA', '--from', '2020-01-01', '--to', '2020-12-31']);
      const readOnly = {};
      for (const n of ['centre-admin', 'mha-ciso']) {
        readOnly[n] = kijunOk(dsn, ['token', 'create', '--user', n, '--name', 'read-only', '--scope', 'read']).stdout.trim().split(/\s+/).pop();
      }
      // A spare token for every account, for the revoking rows.
      const spare = {};
      for (const n of Object.keys(ACCOUNTS)) {
        spare[n] = JSON.parse(kijunOk(dsn, ['token', 'create', '--user', n, '--name', 'spare', '--json']).stdout).id;
      }
      srv = await startServer(dsn);

      const clients = new Map();
      for (const p of PRINCIPALS) {
        const token = p.anon ? undefined : p.readOnly ? readOnly[p.account] : tokens[p.account];
        clients.set(p.id, new Client(srv.url, { token }));
      }
      const admin = clients.get('centre-admin');
      const own = new Map(Object.keys(ACCOUNTS).map((n) => [n, new Client(srv.url, { token: tokens[n] })]));
      const must = async (c, method, path, body, status) => {
        const r = await c.request(method, `${API}${path}`, body);
        if (r.status !== status) throw new Error(`setting up: ${method} ${path}: ${r.status} ${r.text}`);
        return r;
      };
      const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
      const checklists = {};
      const shared = new Map();
      const prefix = backend.label === 'sqlite' ? 'ZS' : 'ZP';
      let seq = 0;
      let date = Date.UTC(2031, 0, 1);

      Object.assign(env, {
        client: (p) => clients.get(p.id),
        password: (n) => passwords[n],
        spareToken: (n) => spare[n],
        freshCode: () => `${prefix}${String(++seq).padStart(5, '0')}`,
        // Each change must come after the state it ends began: one new day per use.
        nextDate: () => {
          date += 86400000;
          return new Date(date).toISOString().slice(0, 10);
        },
        checklistOf: (n) => checklists[n],
        // Opened two months ago and overdue for one: every checklist in it is overdue.
        campaignBody: (code, org) => ({
          code, org, title_ja: '自己点検', title_en: 'Self-inspection', edition: EDITION, opens_on: day(-60), due_on: day(-30),
          select: { numbers: [REQ] },
        }),
        freshCampaign: async (org) => {
          const code = env.freshCode();
          await must(admin, 'POST', '/campaigns', env.campaignBody(code, org), 201);
          return code;
        },
        freshPolicyVersion: async (org, { approved = false } = {}) => {
          const v = (await must(admin, 'POST', `/orgs/${org}/policies/${DOC}/versions`, policyVersion(), 201)).body.version_no;
          if (approved) await must(own.get(CISO_OF[org]), 'POST', `/orgs/${org}/policies/${DOC}/versions/${v}/approve`, undefined, 200);
          return v;
        },
        freshInstruction: async (org) => {
          const top = ['MHA', 'AG01', 'MPF'].find((x) => within(x, org));
          const r = await must(own.get(CISO_OF[top]), 'POST', `/campaigns/${campaignOf(top)}/notes`,
            { org, kind: 'instruction', requirement: REQ, text: 'Fix this' }, 201);
          return r.body.id;
        },
        // An evidence file on an answer of a fresh checklist of holder; its SHA-256.
        evidenceOn: async (holder) => {
          const id = await env.freshChecklist(holder);
          const up = await own.get(holder).request('POST', `${API}/evidence`, `Evidence of ${holder} in ${id}\n`,
            { headers: { 'Content-Type': 'text/plain' } });
          if (up.status !== 201) throw new Error(`setting up: evidence of ${holder}: ${up.status} ${up.text}`);
          await must(own.get(holder), 'PUT', `/checklists/${id}/answers/${REQ}`, { value: 'implemented', evidence: up.body.sha256 }, 200);
          return up.body.sha256;
        },
        freshChecklist: async (holder, { answered = false, submitted = false } = {}) => {
          const code = await env.freshCampaign(accountOf(holder)[1]);
          await must(admin, 'POST', `/campaigns/${code}/status`, { status: 'open' }, 200);
          const id = (await must(admin, 'POST', `/campaigns/${code}/checklists`, { user: holder, role: 'staff' }, 201)).body.id;
          if (answered) await must(own.get(holder), 'PUT', `/checklists/${id}/answers/${REQ}`, { value: 'implemented' }, 200);
          if (submitted) await must(own.get(holder), 'POST', `/checklists/${id}/submit`, undefined, 200);
          return id;
        },
        engagementRequest: (code, programme, org) => ({
          method: 'POST', path: `${API}/audit-engagements`, subject: org,
          body: {
            code, programme, org, edition: EDITION, title_ja: '監査', title_en: 'Audit', starts_on: '2025-06-01', ends_on: '2025-09-30',
          },
        }),
        // An engagement of t in the centre's programme with the team of the setup (a lead
        // and memberFor(t)), moved on to status; in fieldwork and after, with a finding.
        freshEngagement: async (t, status, code = env.freshCode()) => {
          await must(admin, 'POST', '/audit-engagements', env.engagementRequest(code, 'AP-NCO', t).body, 201);
          await must(admin, 'POST', `/audit-engagements/${code}/members`, { user: LEAD, role: 'lead' }, 201);
          await must(admin, 'POST', `/audit-engagements/${code}/members`, { user: memberFor(t), role: 'member' }, 201);
          await must(admin, 'PUT', `/audit-engagements/${code}/scope`, { requirements: [REQ] }, 200);
          const steps = ['draft', 'fieldwork', 'reporting', 'signed_off'];
          for (let i = 1; i <= steps.indexOf(status); i++) {
            if (i === 1) await must(admin, 'POST', `/audit-engagements/${code}/status`, { status: steps[i] }, 200);
            if (i === 1) {
              await must(own.get(LEAD), 'POST', `/audit-engagements/${code}/findings`,
                { requirement: REQ, category: 'finding', severity: 'medium', title: 'Setup', text: 'A finding' }, 201);
              const wp = await own.get(LEAD).request('POST', `${API}/audit-engagements/${code}/papers?name=wp.txt`,
                `Working paper of ${code}\n`, { headers: { 'Content-Type': 'text/plain' } });
              if (wp.status !== 201) throw new Error(`setting up: paper of ${code}: ${wp.status} ${wp.text}`);
              env.paperOf[code] = wp.body.id;
            }
            if (i === 2) await must(admin, 'POST', `/audit-engagements/${code}/status`, { status: steps[i] }, 200);
            if (i === 3) await must(own.get(LEAD), 'POST', `/audit-engagements/${code}/sign-off`, undefined, 200);
          }
          return code;
        },
        day,
        findingOf: {},
        paperOf: {},
        recommendationRequest: (code, t) => ({
          method: 'POST', path: `${API}/recommendations`, subject: orgCode(t),
          body: {
            code, issuer: 'NCO', org: orgCode(t), findings: [env.findingOf[t === MISSING ? 'MHA' : t]], text: 'Recommendation',
            due_on: day(120),
          },
        }),
        freshRecommendation: async (t, code = env.freshCode()) => {
          await must(admin, 'POST', '/recommendations', env.recommendationRequest(code, t).body, 201);
          return code;
        },
        planRequest: (code, t) => ({
          method: 'POST', path: `${API}/plans`,
          body: { code, org: orgCode(t), findings: [env.findingOf[t === MISSING ? 'MHA' : t]], text: 'Plan', due_on: day(90) },
        }),
        // A plan of t directly for the finding of AS-<t>, by writerFor(t), with one measure,
        // moved on to status.
        freshPlan: async (t, status, code = env.freshCode()) => {
          const w = own.get(writerFor(t));
          await must(w, 'POST', '/plans', env.planRequest(code, t).body, 201);
          await must(w, 'POST', `/plans/${code}/measures`, { text: 'Measure', owner: ownerFor(t), due_on: day(30) }, 201);
          const steps = ['draft', 'submitted', 'accepted', 'in_progress'];
          for (let i = 1; i <= steps.indexOf(status); i++) {
            await must(i === 2 ? admin : w, 'POST', `/plans/${code}/status`, { status: steps[i] }, 200);
          }
          return code;
        },
        orgByUuid: new Map(),
        userByUuid: new Map(),
        registerOrg: (res, where) => {
          ORGS.set(res.body.code, { code: res.body.code, kind: res.body.kind, ...where });
          return null;
        },
        registerUser: (res, role, t) => {
          FRESH_USERS.set(res.body.name, [role, t]);
          return res.body.org === t ? null : `account at ${res.body.org}`;
        },
        newUserRequest: (t, role) => ({
          method: 'POST', path: `${API}/users`, subject: orgCode(t),
          body: { name: env.freshCode().toLowerCase(), org: orgCode(t), role, password: 'matrix-password-1234' },
        }),
        freshUnit: async (parent) => {
          const code = env.freshCode();
          const r = await admin.post(`${API}/orgs`, { kind: unitKind(parent), code, name_ja: '新設課', name_en: 'Fresh unit', parent });
          if (r.status !== 201) throw new Error(`making a unit under ${parent}: ${r.status} ${r.text}`);
          ORGS.set(code, { code, kind: unitKind(parent), parent });
          return code;
        },
        freshAgency: async (supervisor) => {
          const code = env.freshCode();
          const r = await admin.post(`${API}/orgs`, { kind: 'agency', code, name_ja: '新設機構', name_en: 'Fresh agency', supervisor });
          if (r.status !== 201) throw new Error(`making an agency under ${supervisor}: ${r.status} ${r.text}`);
          ORGS.set(code, { code, kind: 'agency', supervisor });
          return code;
        },
        // A staff account at org to change: a fresh one for a principal that could change
        // it, else one shared by the rows that must leave it as it is.
        staffAt: async (org, p) => {
          if (['centre_admin', 'org_admin'].includes(p.role) && !p.readOnly) return env.freshUser(org, 'staff');
          if (!shared.has(org)) shared.set(org, await env.freshUser(org, 'staff'));
          return shared.get(org);
        },
        freshUser: async (org, role) => {
          const name = env.freshCode().toLowerCase();
          const r = await admin.post(`${API}/users`, { name, org, role, password: 'matrix-password-1234' });
          if (r.status !== 201) throw new Error(`making an account at ${org}: ${r.status} ${r.text}`);
          FRESH_USERS.set(name, [role, org]);
          return name;
        },
      });
      // What the inspection and policy rows act on: an open campaign, a policy document with
      // a draft, and a checklist for each account in its own organisation's campaign.
      for (const org of ORG_THINGS) {
        await must(admin, 'POST', '/campaigns', env.campaignBody(campaignOf(org), org), 201);
        await must(admin, 'POST', `/campaigns/${campaignOf(org)}/status`, { status: 'open' }, 200);
        await must(admin, 'POST', `/orgs/${org}/policies`, { code: DOC, kind: 'standard', title_ja: '情報セキュリティ規程', title_en: 'Security standard' }, 201);
        await must(admin, 'POST', `/orgs/${org}/policies/${DOC}/versions`, policyVersion(), 201);
      }
      for (const [n, [, org]] of Object.entries(ACCOUNTS)) {
        checklists[n] = (await must(admin, 'POST', `/campaigns/${campaignOf(org)}/checklists`, { user: n, role: 'staff' }, 201)).body.id;
      }
      // What the audit rows act on: the centre's programme and three organisations'
      // internal audits; for each engagement target one engagement in fieldwork and one
      // signed off.
      await must(admin, 'POST', '/audit-programmes', {
        code: 'AP-NCO', org: 'NCO', fiscal_year: 2025, kind: 'management_audit', title_ja: 'マネジメント監査', title_en: 'Management audit',
      }, 201);
      for (const org of ['MHA', 'AG01', 'MPF']) {
        await must(own.get(CISO_OF[org]), 'POST', '/audit-programmes', {
          code: `IP-${org}`, org, fiscal_year: 2025, kind: 'internal_audit', title_ja: '内部監査', title_en: 'Internal audit',
        }, 201);
      }
      for (const t of ENG_TARGETS.filter((x) => x !== MISSING)) {
        await env.freshEngagement(t, 'fieldwork', engagementOf(t));
        await env.freshEngagement(t, 'signed_off', engagementOf(t, true));
      }
      // What the plan rows act on: for each engagement target its signed-off finding, a
      // recommendation issued to it, a plan in draft and one in progress.
      for (const t of ENG_TARGETS.filter((x) => x !== MISSING)) {
        env.findingOf[t] = (await must(admin, 'GET', `/audit-engagements/${engagementOf(t, true)}/findings`, undefined, 200)).body.items[0].id;
        await env.freshRecommendation(t, `RC-${t}`);
        await env.freshPlan(t, 'draft', planOf(t));
        await env.freshPlan(t, 'in_progress', planOf(t, 'PR'));
      }
      for (const o of (await admin.get(`${API}/orgs?limit=1000&include_abolished=true`)).body.items) env.orgByUuid.set(o.id, o.code);
      for (const u of (await admin.get(`${API}/users?limit=1000`)).body.items) env.userByUuid.set(u.id, u.name);
    });

    after(async () => {
      if (srv) assert.equal(await srv.stop(), 0);
    });

    for (const phase of ['read', 'write']) {
      for (const cs of CASES.filter((c) => c.phase === phase)) {
        const rows = MATRIX.filter((r) => r.cs === cs);
        test(`${phase}: ${cs.route}${cs.variant ? ` [${cs.variant}]` : ''} (${rows.length} rows)`, async (t) => {
          const wrong = [];
          for (const row of rows) {
            const bug = row.bug(backend.label);
            if (bug) {
              await t.test(label(row), { todo: bug }, async () => {
                const why = await runRow(env, row);
                assert.equal(why, null, why);
              });
              continue;
            }
            const why = await runRow(env, row);
            if (why) wrong.push(`${label(row)}: ${why}`);
          }
          assert.deepEqual(wrong, [], `\n${wrong.join('\n')}`);
        });
      }
    }
  });
}

test('matrix size', (t) => {
  t.diagnostic(`${MATRIX.length} rows per backend: ${CASES.length} cases over ${new Set(MATRIX.map((r) => r.route)).size} routes, ` +
    `${PRINCIPALS.length} principals; ${MATRIX.filter((r) => r.bug('sqlite')).length} (SQLite) and ${MATRIX.filter((r) => r.bug('postgresql')).length} (PostgreSQL) rows are known defects outside this test's files (todo)`);
});
