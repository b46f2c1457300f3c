// view-loop.js: the follow-up of audits as a board that follows the loop: audits and their
// findings → recommendations → improvement plans (draft, submitted, accepted, in progress,
// done, verified) → the recommendation closed. Each step is a button on the page of the
// recommendation or plan; the server decides who may take it and says why not. The board
// reads the recommendations and the plans as two paged lists (GET /plans), so it costs a
// request per page, not per plan; plans made directly for findings get cards of their own.
import { h, replace } from './dom.js';
import { get, getAll as all, post, seg } from './api.js';
import { t, pick, fmtDate } from './i18n.js';
import { actionButton, form, notice, pageTitle, reload, table, today } from './ui.js';

const STAGES = ['issued', 'accepted', 'plan_draft', 'plan_submitted', 'plan_accepted', 'plan_in_progress',
  'plan_done', 'plan_verified', 'closed'];
const CENTRE = ['centre_admin', 'centre_analyst'];

function stageOf(rec, plan) {
  if (rec.status === 'closed' || rec.status === 'withdrawn') return rec.status;
  if (plan) return `plan_${plan.status}`;
  return rec.status;
}

/** A card of the board: a recommendation with its plan, or a plan made directly for findings. */
function card(r, p) {
  return h('li', { class: 'card' },
    r ? h('a', { href: `#/recs/${seg(r.code)}` }, r.code) : null, h('span', null, (r || p).org),
    p ? h('a', { href: `#/plans/${seg(p.code)}` }, `${t('orgPlan')} ${p.code}`) : null,
    h('span', { class: 'help' }, `${t('clDue')} ${fmtDate((r || p).due_on)}`),
    p && p.overdue ? h('span', { class: 'help' }, `${t('loopOverdue')} ${p.overdue}`) : null);
}

export async function renderBoard(main, params, query, ctx) {
  // The plans come as a list, a page at a time, however many organisations there are.
  const [recs, plans, engagements] = await Promise.all([all('/recommendations'), all('/plans'), all('/audit-engagements')]);
  if (!ctx.isCurrent()) return;
  const byPlan = new Map(plans.map((p) => [p.code, p]));
  const columns = new Map(STAGES.map((s) => [s, []]));
  const put = (s, c) => {
    if (!columns.has(s)) columns.set(s, []);
    columns.get(s).push(c);
  };
  for (const r of recs) {
    const p = r.plan ? byPlan.get(r.plan) : null;
    put(stageOf(r, p), card(r, p));
  }
  for (const p of plans) if (!p.recommendation) put(`plan_${p.status}`, card(null, p));
  const board = h('div', { class: 'board', id: 'board' }, [...columns].map(([s, list]) => h('section', { class: 'column', 'aria-labelledby': `col-${s}` },
    h('h3', { id: `col-${s}` }, `${t(`loop_${s}`)} (${list.length})`),
    h('ul', { dataset: { stage: s } }, list))));
  replace(main, pageTitle(t('loopTitle')), h('h2', null, t('loopRecs')), board,
    h('h2', null, t('loopAudits')), table(null, [t('cpCode'), t('dbOrg'), t('stItemTitle'), t('clStatus')],
      engagements.map((e) => h('tr', null, h('td', null, h('a', { href: `#/audits/${seg(e.code)}` }, e.code)),
        h('td', null, e.org), h('td', null, pick(e, 'title')), h('td', null, t(`eng_${e.status}`)))), { id: 'engagements' }));
}

export async function renderAudit(main, [code], query, ctx) {
  const [e, findings] = await Promise.all([get(`/audit-engagements/${seg(code)}`), all(`/audit-engagements/${seg(code)}/findings`)]);
  if (!ctx.isCurrent()) return;
  const boxes = [];
  const rows = findings.map((f, i) => {
    const box = h('input', { type: 'checkbox', id: `fd-${i}`, value: f.id, disabled: f.category !== 'finding' });
    boxes.push(box);
    return h('tr', null, h('td', null, box, h('label', { for: `fd-${i}`, class: 'reqno' }, ` ${f.requirement}`)),
      h('td', null, f.title), h('td', null, t(`cat_${f.category}`)), h('td', null, f.severity ? t(`sev_${f.severity}`) : '–'));
  });
  const out = [pageTitle(`${e.code} ${pick(e, 'title')}`), h('p', null, h('a', { href: '#/loop' }, t('loopTitle')),
    ' · ', h('a', { href: `#/audit-engagements/${seg(e.code)}` }, t('auOpenEngagement'))),
    h('dl', { class: 'facts' }, h('dt', null, t('dbOrg')), h('dd', null, e.org),
      h('dt', null, t('clStatus')), h('dd', null, t(`eng_${e.status}`)),
      h('dt', null, t('cpPeriod')), h('dd', null, `${fmtDate(e.starts_on)} – ${fmtDate(e.ends_on)}`)),
    h('h2', null, t('orgFindings')),
    table(null, [t('stNumber'), t('stItemTitle'), t('stKind'), t('loopSeverity')], rows, { id: 'findings' })];
  if (e.status === 'signed_off' && ctx.user.role !== 'staff') {
    out.push(h('h2', null, t('loopRecommend')), form([
      { name: 'code', label: t('cpCode') },
      { name: 'text', label: t('stText'), tag: 'textarea', attrs: { rows: '3' } },
      { name: 'due_on', label: t('clDue'), type: 'date' },
    ], t('loopIssue'), async (v) => {
      await post('/recommendations', { code: v.code, issuer: ctx.user.org, org: e.org, text: v.text, due_on: v.due_on,
        findings: boxes.filter((b) => b.checked).map((b) => b.value) });
      location.hash = `#/recs/${seg(v.code)}`;
    }, { id: 'recommend' }));
  }
  replace(main, ...out);
}

export async function renderRec(main, [code], query, ctx) {
  const recs = await all('/recommendations');
  const r = recs.find((x) => x.code === code);
  if (!ctx.isCurrent()) return;
  if (!r) { replace(main, pageTitle(t('errNotFound'))); return; }
  const plan = r.plan ? await get(`/plans/${seg(r.plan)}`).catch(() => null) : null;
  const issuer = ctx.user.org === r.issuer;
  const orgSide = !issuer && !CENTRE.includes(ctx.user.role);
  const status = (s) => post(`/recommendations/${seg(code)}/status`, { status: s }).then(reload);
  const actions = [];
  if (orgSide && r.status === 'issued') actions.push(actionButton(t('loopAccept'), () => status('accepted'), { id: 'rec-accept' }));
  if (issuer && (r.status === 'issued' || r.status === 'accepted')) {
    if (plan && plan.status === 'verified') actions.push(actionButton(t('loopClose'), () => status('closed'), { id: 'rec-close', class: 'primary' }));
    actions.push(actionButton(t('loopWithdraw'), () => status('withdrawn'), { id: 'rec-withdraw' }));
  }
  const out = [pageTitle(`${t('loopRec')} ${r.code}`), h('p', null, h('a', { href: '#/loop' }, t('loopTitle'))),
    h('dl', { class: 'facts' },
      h('dt', null, t('loopIssuer')), h('dd', null, r.issuer), h('dt', null, t('dbOrg')), h('dd', null, r.org),
      h('dt', null, t('clStatus')), h('dd', { id: 'rec-status' }, t(`rec_${r.status}`)),
      h('dt', null, t('loopIssued')), h('dd', null, fmtDate(r.issued_on)), h('dt', null, t('clDue')), h('dd', null, fmtDate(r.due_on)),
      h('dt', null, t('orgFindings')), h('dd', null, r.findings.length),
      h('dt', null, t('orgPlan')), h('dd', null, r.plan ? h('a', { href: `#/plans/${seg(r.plan)}` }, `${r.plan} (${plan ? t(`plan_${plan.status}`) : ''})`) : t('orgNoPlan'))),
    h('p', { class: 'item-text' }, r.text), h('div', { class: 'buttons left' }, actions)];
  if (orgSide && r.status === 'accepted' && !r.plan) {
    out.push(h('h2', null, t('loopNewPlan')), form([
      { name: 'code', label: t('cpCode') },
      { name: 'text', label: t('stText'), tag: 'textarea', attrs: { rows: '3' } },
      { name: 'due_on', label: t('clDue'), type: 'date' },
    ], t('loopCreate'), async (v) => {
      await post('/plans', { code: v.code, recommendation: code, text: v.text, due_on: v.due_on });
      location.hash = `#/plans/${seg(v.code)}`;
    }, { id: 'new-plan' }));
  }
  replace(main, ...out);
}

export async function renderPlan(main, [code], query, ctx) {
  const p = await get(`/plans/${seg(code)}`);
  if (!ctx.isCurrent()) return;
  const reviewer = ctx.user.org === p.reviewer;
  const orgSide = !reviewer && !CENTRE.includes(ctx.user.role);
  const base = `/plans/${seg(code)}`;
  const status = (s) => post(`${base}/status`, { status: s }).then(reload);
  const actions = [];
  const forms = [];
  const sendBack = () => forms.push(h('h2', null, t('loopSendBack')), form([{ name: 'reason', label: t('loopReason'), tag: 'textarea', attrs: { rows: '2' } }],
    t('loopSendBack'), (v) => post(`${base}/send-back`, { reason: v.reason }).then(reload), { id: 'send-back' }));
  if (orgSide && p.status === 'draft') {
    actions.push(actionButton(t('loopSubmit'), () => status('submitted'), { id: 'plan-submit', class: 'primary' }));
    forms.push(h('h2', null, t('loopAddMeasure')), form([
      { name: 'text', label: t('stText'), tag: 'textarea', attrs: { rows: '2' } },
      { name: 'owner', label: t('loopOwner'), attrs: { autocomplete: 'off' } },
      { name: 'due_on', label: t('clDue'), type: 'date' },
    ], t('loopAdd'), (v) => post(`${base}/measures`, v).then(reload), { id: 'add-measure' }));
  }
  if (reviewer && p.status === 'submitted') {
    actions.push(actionButton(t('loopAccept'), () => status('accepted'), { id: 'plan-accept', class: 'primary' }));
    sendBack();
  }
  if (orgSide && p.status === 'accepted') actions.push(actionButton(t('loopStart'), () => status('in_progress'), { id: 'plan-start', class: 'primary' }));
  if (orgSide && p.status === 'in_progress') {
    actions.push(actionButton(t('loopComplete'), () => status('done'), { id: 'plan-complete', class: 'primary' }));
    forms.push(h('h2', null, t('loopReport')), form([
      { name: 'reported_on', label: t('loopReportedOn'), type: 'date', attrs: { value: today() } },
      { name: 'percent', label: t('loopPercent'), type: 'number', attrs: { min: '0', max: '100' } },
      { name: 'text', label: t('stText'), tag: 'textarea', attrs: { rows: '2' } },
    ], t('loopAdd'), (v) => post(`${base}/reports`, { ...v, percent: Number(v.percent) }).then(reload), { id: 'add-report' }));
  }
  if (reviewer && p.status === 'done') {
    actions.push(actionButton(t('loopVerify'), () => status('verified'), { id: 'plan-verify', class: 'primary' }));
    sendBack();
  }
  const measures = table(null, ['#', t('stText'), t('loopOwner'), t('clDue'), t('clStatus')], p.measures.map((m) => h('tr', null,
    h('td', { class: 'num' }, m.n), h('td', null, m.text), h('td', null, m.owner), h('td', null, fmtDate(m.due_on)),
    h('td', null, m.status === 'done' ? `${t('state_done')} ${fmtDate(m.done_on)}` : [m.overdue ? t('loopOverdue') : t('measure_open'),
      orgSide && p.status === 'in_progress'
        ? [' ', actionButton(t('loopMeasureDone'), () => post(`${base}/measures/${m.n}/done`).then(reload),
          { 'aria-label': `${t('loopMeasureDone')}: ${m.n}`, class: 'measure-done' })] : null]))), { id: 'measures' });
  replace(main, pageTitle(`${t('orgPlan')} ${p.code}`), h('p', null, h('a', { href: '#/loop' }, t('loopTitle')),
    p.recommendation ? [' · ', h('a', { href: `#/recs/${seg(p.recommendation)}` }, `${t('loopRec')} ${p.recommendation}`)] : null),
  h('dl', { class: 'facts' }, h('dt', null, t('dbOrg')), h('dd', null, p.org), h('dt', null, t('loopReviewer')), h('dd', null, p.reviewer),
    h('dt', null, t('clStatus')), h('dd', { id: 'plan-status' }, t(`plan_${p.status}`)),
    h('dt', null, t('clDue')), h('dd', null, fmtDate(p.due_on))),
  h('p', { class: 'item-text' }, p.text), h('div', { class: 'buttons left' }, actions),
  h('h2', null, t('loopMeasures')), measures,
  p.reports.length ? [h('h2', null, t('loopReports')), table(null, [t('loopReportedOn'), t('loopPercent'), t('stText')],
    p.reports.map((x) => h('tr', null, h('td', null, fmtDate(x.reported_on)), h('td', { class: 'num' }, `${x.percent}%`), h('td', null, x.text))))] : null,
  forms, p.status === 'draft' && !p.measures.length ? notice(t('loopNeedMeasure'), 'info') : null);
}
