// view-audit.js: audits planned and run in the browser: the programmes of a fiscal year and
// a new one; a programme's engagements and a new one; an engagement (criteria, dates, team,
// scope, the next status step, findings, working papers); and its audit report, a draft
// until the lead auditor signs it off. The server decides who may do what and says why
// not; its refusals are shown beside the field or button they are about.
import './texts-audit.js';
import { h, replace } from './dom.js';
import { api, get, getAll as all, post, put, seg } from './api.js';
import { t, pick, fmtDate, fmtFY, currentFY } from './i18n.js';
import { actionButton, errorText, form, notice, pageTitle, reload, table } from './ui.js';

const STATUSES = ['draft', 'fieldwork', 'reporting', 'signed_off'];
const CATEGORIES = ['finding', 'advice', 'good_practice'];
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
// The kinds of programme each planner may create (the server checks the same).
const KINDS = {
  centre_admin: ['management_audit', 'penetration_test', 'external_firm'],
  org_admin: ['internal_audit', 'external_firm'],
};
const PLANNERS = Object.keys(KINDS);
const engHref = (code) => `#/audit-engagements/${seg(code)}`;
const lines = (s) => s.split('\n').map((x) => x.trim()).filter(Boolean);
const section = (id, title, ...body) => h('section', { id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), body);

/** An error about "requirements[2]: ..." belongs beside the field requirements. */
function fieldOf(e, name) {
  if (!e.field || !e.field.startsWith(`${name}[`)) return e;
  return { status: e.status, message: e.message, field: name };
}

function engagementTable(list, id) {
  if (!list.length) return notice(t('auNoEngagements'), 'info');
  return table(null, [t('cpCode'), t('dbOrg'), t('stItemTitle'), t('cpPeriod'), t('clStatus'), t('aurole_lead')],
    list.map((e) => h('tr', null, h('td', null, h('a', { href: engHref(e.code) }, e.code)), h('td', null, e.org),
      h('td', null, pick(e, 'title')), h('td', null, `${fmtDate(e.starts_on)} – ${fmtDate(e.ends_on)}`),
      h('td', null, t(`eng_${e.status}`)), h('td', null, e.lead || '–'))), { id });
}

export async function renderProgrammes(main, params, query, ctx) {
  const fy = Number(query.get('fy')) || currentFY();
  const [every, engs] = await Promise.all([all('/audit-programmes'), all('/audit-engagements')]);
  if (!ctx.isCurrent()) return;
  const progs = every.filter((p) => p.fiscal_year === fy);
  const codes = new Set(every.map((p) => p.code));
  const count = (c) => engs.filter((e) => e.programme === c).length;
  const year = h('input', { type: 'number', id: 'au-fy', name: 'fy', value: String(fy), min: '2000', max: '2100' });
  const picker = h('form', { class: 'toolbar', id: 'au-fy-form' }, h('div', null, h('label', { for: 'au-fy' }, t('dbYear')), year),
    h('button', { type: 'submit' }, t('auShow')));
  picker.addEventListener('submit', (ev) => { ev.preventDefault(); location.hash = `#/audit-programmes?fy=${encodeURIComponent(year.value)}`; });
  const out = [pageTitle(`${t('auProgrammes')} ${fmtFY(fy)}`), h('p', null, h('a', { href: '#/loop' }, t('auBoard'))), picker,
    progs.length ? table(null, [t('cpCode'), t('auOwner'), t('auKind'), t('stItemTitle'), t('auEngagements')], progs.map((p) => h('tr', null,
      h('td', null, h('a', { href: `#/audit-programmes/${seg(p.code)}` }, p.code)), h('td', null, p.org),
      h('td', null, t(`aukind_${p.kind}`)), h('td', null, pick(p, 'title')), h('td', { class: 'num' }, count(p.code)))), { id: 'programmes' })
      : notice(t('auNoProgrammes'), 'info')];
  // Engagements of the year whose programme is out of sight (an external auditor's) too.
  const others = engs.filter((e) => !codes.has(e.programme) && e.starts_on >= `${fy}-04-01` && e.starts_on < `${fy + 1}-04-01`);
  if (others.length) out.push(section('au-others', t('auEngagements'), engagementTable(others, 'other-engagements')));
  const kinds = KINDS[ctx.user.role];
  if (kinds) {
    out.push(section('au-new', t('auNewProgramme'), form([
      { name: 'code', label: t('cpCode'), attrs: { autocomplete: 'off' } },
      { name: 'org', label: t('auOwner'), attrs: { value: ctx.user.org || '', autocomplete: 'off' } },
      { name: 'fiscal_year', label: t('dbYear'), type: 'number', attrs: { value: String(fy) } },
      { name: 'kind', label: t('auKind'), options: kinds.map((k) => [k, t(`aukind_${k}`)]) },
      { name: 'title_ja', label: t('auTitleJa') },
      { name: 'title_en', label: t('auTitleEn') },
    ], t('auCreate'), async (v) => {
      await post('/audit-programmes', { ...v, fiscal_year: Number(v.fiscal_year) });
      location.hash = `#/audit-programmes/${seg(v.code)}`;
    }, { id: 'new-programme' })));
  }
  replace(main, ...out);
}

export async function renderProgramme(main, [code], query, ctx) {
  const [progs, engs, eds] = await Promise.all([all('/audit-programmes'), all(`/audit-engagements?programme=${seg(code)}`), all('/editions')]);
  if (!ctx.isCurrent()) return;
  const p = progs.find((x) => x.code === code);
  if (!p) { replace(main, pageTitle(t('errNotFound')), h('p', null, h('a', { href: '#/audit-programmes' }, t('auBack')))); return; }
  const out = [pageTitle(`${t('auProgramme', { code: p.code })} ${pick(p, 'title')}`),
    h('p', null, h('a', { href: `#/audit-programmes?fy=${p.fiscal_year}` }, t('auBack'))),
    h('dl', { class: 'facts' }, h('dt', null, t('auOwner')), h('dd', null, p.org), h('dt', null, t('dbYear')), h('dd', null, fmtFY(p.fiscal_year)),
      h('dt', null, t('auKind')), h('dd', null, t(`aukind_${p.kind}`))),
    section('au-engs', t('auEngagements'), engagementTable(engs, 'engagements'))];
  if (PLANNERS.includes(ctx.user.role)) {
    out.push(section('au-new-eng', t('auNewEngagement'), form([
      { name: 'code', label: t('cpCode'), attrs: { autocomplete: 'off' } },
      { name: 'org', label: t('auAudited'), attrs: { autocomplete: 'off' } },
      { name: 'edition', label: t('auEdition'), options: eds.map((e) => [e.id, pick(e, 'label') || e.id]).reverse() },
      { name: 'policy', label: t('auPolicy'), attrs: { autocomplete: 'off' } },
      { name: 'title_ja', label: t('auTitleJa') },
      { name: 'title_en', label: t('auTitleEn') },
      { name: 'starts_on', label: t('auStarts'), type: 'date' },
      { name: 'ends_on', label: t('auEnds'), type: 'date' },
    ], t('auCreate'), async (v) => {
      const body = { ...v, programme: p.code };
      if (!body.policy) delete body.policy;
      await post('/audit-engagements', body);
      location.hash = engHref(v.code);
    }, { id: 'new-engagement' })));
  }
  replace(main, ...out);
}

/** The status steps as a list, the current one marked, and the button for the next. */
function steps(e, lead, planner, base) {
  const i = STATUSES.indexOf(e.status);
  const next = STATUSES[i + 1];
  let button = null;
  if (next === 'signed_off' && lead) button = actionButton(t('auSignOff'), () => post(`${base}/sign-off`).then(reload), { id: 'au-sign-off', class: 'primary' });
  else if (next && next !== 'signed_off' && (planner || lead)) {
    button = actionButton(t('auNext', { s: t(`eng_${next}`) }), () => post(`${base}/status`, { status: next }).then(reload),
      { id: 'au-next', class: 'primary' });
  }
  return section('au-steps', t('auSteps'),
    h('ol', { class: 'steps' }, STATUSES.map((s, k) => h('li', { class: k <= i ? 'done' : null, 'aria-current': k === i ? 'step' : null }, t(`eng_${s}`)))),
    e.signed_off_by ? h('p', null, t('auSignedOff', { who: e.signed_off_by, at: fmtDate(e.signed_off_at) })) : null,
    h('div', { class: 'buttons left' }, button));
}

function findingRows(list) {
  return list.map((f) => h('tr', null, h('td', { class: 'reqno' }, f.requirement), h('td', null, t(`cat_${f.category}`)),
    h('td', null, f.severity ? t(`sev_${f.severity}`) : '–', f.urgent ? [' ', h('strong', null, t('auUrgentMark'))] : null),
    h('td', null, f.title), h('td', { class: 'item-text' }, f.text), h('td', null, f.created_by || '')));
}
const findingHead = () => [t('auRequirement'), t('auCategory'), t('auSeverity'), t('auTitle'), t('auText'), t('auAddedBy')];

function papersPart(base, papers, canFile) {
  if (papers instanceof Error) return notice(errorText(papers), 'info');
  const out = [papers.length ? table(null, [t('auPaperName'), t('auSize'), 'MIME', t('auAddedBy'), t('auAddedAt')], papers.map((p) => h('tr', null,
    h('td', null, h('a', { href: `/api/v1${base}/papers/${seg(p.id)}`, download: p.name }, p.name)), h('td', { class: 'num' }, p.size),
    h('td', null, p.media_type), h('td', null, p.added_by || ''), h('td', null, fmtDate(p.added_at)))), { id: 'papers' })
    : notice(t('auNoPapers'), 'info')];
  if (canFile) {
    const f = form([
      { name: 'file', label: t('auPaperFile'), type: 'file' },
      { name: 'name', label: t('auPaperName'), attrs: { autocomplete: 'off' } },
    ], t('auUpload'), async (v, el) => {
      const file = el.querySelector('input[type=file]').files[0];
      if (!file) throw { status: 400, field: 'file', message: t('auNeedFile') };
      await api('POST', `${base}/papers?name=${encodeURIComponent(v.name || file.name)}`, file);
      reload();
    }, { id: 'add-paper' });
    out.push(f);
  }
  return out;
}

export async function renderEngagement(main, [code], query, ctx) {
  const base = `/audit-engagements/${seg(code)}`;
  const [e, findings, papers] = await Promise.all([get(base), all(`${base}/findings`), get(`${base}/papers`).then((r) => r.items, (x) => x)]);
  if (!ctx.isCurrent()) return;
  const mine = e.team.find((m) => m.user === ctx.user.name);
  const lead = mine && mine.role === 'lead';
  const planner = PLANNERS.includes(ctx.user.role);
  const open = e.status !== 'signed_off';
  const out = [pageTitle(`${e.code} ${pick(e, 'title')}`),
    h('p', null, h('a', { href: `#/audit-programmes/${seg(e.programme)}` }, t('auProgramme', { code: e.programme })), ' · ',
      h('a', { href: `${engHref(e.code)}/report` }, t('auOpenReport')), ' · ', h('a', { href: `#/audits/${seg(e.code)}` }, t('auBoard'))),
    h('dl', { class: 'facts' }, h('dt', null, t('dbOrg')), h('dd', null, e.org),
      h('dt', null, t('auCriteria')), h('dd', null, h('a', { href: `#/standard/${seg(e.edition)}` }, e.edition), e.policy ? ` / ${e.policy}` : ''),
      h('dt', null, t('cpPeriod')), h('dd', null, `${fmtDate(e.starts_on)} – ${fmtDate(e.ends_on)}`),
      h('dt', null, t('clStatus')), h('dd', { id: 'au-status' }, t(`eng_${e.status}`))),
    steps(e, lead, planner, base)];

  const team = e.team.length ? table(null, [t('auUser'), t('dbOrg'), t('auRole')], e.team.map((m) => h('tr', null,
    h('td', null, m.user), h('td', null, m.org), h('td', null, t(`aurole_${m.role}`)))), { id: 'team' }) : notice(t('auNoTeam'), 'info');
  out.push(section('au-team', t('auTeam'), team, planner && open ? form([
    { name: 'user', label: t('auUser'), attrs: { autocomplete: 'off' } },
    { name: 'role', label: t('auRole'), options: ['member', 'lead'].map((r) => [r, t(`aurole_${r}`)]) },
  ], t('auAddMember'), (v) => post(`${base}/members`, v).then(reload), { id: 'add-member' }) : null));

  const reqs = e.requirements.length ? h('ul', { id: 'scope' }, e.requirements.map((n) => h('li', null,
    h('a', { class: 'reqno', href: `#/standard/${seg(e.edition)}/items/${seg(n)}` }, n)))) : notice(t('auNoScope'), 'info');
  out.push(section('au-scope', t('auScope'), reqs, e.units.length ? h('p', null, `${t('by_unit')}: ${e.units.join(', ')}`) : null,
    planner && (e.status === 'draft' || e.status === 'fieldwork') ? form([
      { name: 'requirements', label: t('auScopeReqs'), tag: 'textarea', attrs: { rows: '3', value: e.requirements.join('\n') } },
      { name: 'units', label: t('auScopeUnits'), tag: 'textarea', attrs: { rows: '2', value: e.units.join('\n') } },
    ], t('auSaveScope'), (v) => put(`${base}/scope`, { requirements: lines(v.requirements), units: lines(v.units) })
      .then(reload, (x) => { throw fieldOf(fieldOf(x, 'requirements'), 'units'); }), { id: 'scope-form' }) : null));

  out.push(section('au-findings', t('auFindings'),
    findings.length ? table(null, findingHead(), findingRows(findings), { id: 'findings' }) : notice(t('auNoFindings'), 'info'),
    mine && (e.status === 'fieldwork' || e.status === 'reporting') ? [h('h3', null, t('auAddFinding')), form([
      { name: 'requirement', label: t('auRequirement'), options: e.requirements.map((n) => [n, n]) },
      { name: 'category', label: t('auCategory'), options: CATEGORIES.map((c) => [c, t(`cat_${c}`)]) },
      { name: 'severity', label: t('auSeverity'), options: [...SEVERITIES.map((s) => [s, t(`sev_${s}`)]), ['', t('auSevNone')]] },
      { name: 'urgent', label: t('auUrgent'), type: 'checkbox' },
      { name: 'title', label: t('auTitle') },
      { name: 'text', label: t('auText'), tag: 'textarea', attrs: { rows: '3' } },
    ], t('loopAdd'), (v, el) => post(`${base}/findings`, { ...v, severity: v.severity || null, urgent: el.elements.urgent.checked })
      .then(reload), { id: 'add-finding' })] : null));

  out.push(section('au-papers', t('auPapers'), papersPart(base, papers, open && (mine || planner) && !(papers instanceof Error))));
  replace(main, ...out);
}

export async function renderReport(main, [code], query, ctx) {
  const r = await get(`/audit-engagements/${seg(code)}/report`);
  if (!ctx.isCurrent()) return;
  const s = r.summary;
  const lead = r.team.find((m) => m.role === 'lead');
  const counts = (caption, keys, of, prefix, id) => table(caption, keys.map((k) => t(`${prefix}${k}`)),
    h('tr', null, keys.map((k) => h('td', { class: 'num' }, of[k] ?? 0))), { id });
  const out = [pageTitle(`${t('auReport')} ${r.code} ${pick(r, 'title')}`),
    h('p', null, h('a', { href: engHref(r.code) }, t('auOpenEngagement'))),
    h('p', { id: 'report-state', class: 'notice info' }, r.final ? t('auFinal') : t('auDraft')),
    h('dl', { class: 'facts' }, h('dt', null, t('dbOrg')), h('dd', null, r.org),
      h('dt', null, t('auCriteria')), h('dd', null, r.edition, r.policy ? ` / ${r.policy}` : ''),
      h('dt', null, t('cpPeriod')), h('dd', null, `${fmtDate(r.starts_on)} – ${fmtDate(r.ends_on)}`),
      h('dt', null, t('aurole_lead')), h('dd', null, lead ? lead.user : '–'),
      r.final ? [h('dt', null, t('clStatus')), h('dd', null, t('auSignedOff', { who: r.signed_off_by, at: fmtDate(r.signed_off_at) }))] : null,
      h('dt', null, t('auScope')), h('dd', { class: 'reqno' }, r.requirements.join(', '))),
    counts(t('auByCategory'), CATEGORIES, s.by_category, 'cat_', 'by-category'),
    counts(t('auBySeverity'), SEVERITIES, s.by_severity, 'sev_', 'by-severity'),
    h('p', null, `${t('auTotal')}: ${s.total} · ${t('auUrgentMark')}: ${s.urgent}`)];
  for (const c of CATEGORIES) {
    const list = r.findings[c] || [];
    if (list.length) out.push(section(`rep-${c}`, `${t(`cat_${c}`)} (${list.length})`, table(null, findingHead(), findingRows(list), { id: `report-${c}` })));
  }
  replace(main, ...out);
}
