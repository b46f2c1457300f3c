// view-dashboard.js: the centre's picture of the government for a fiscal year (summary,
// spread, trend, laggards, weak requirements, the heatmap of organisations by part, the
// PDCA board) and one organisation's evaluation. Data: /api/v1/evaluations/{fy}[/board|
// /orgs/{code}] (shapes in src/lib/model/eval.h).
import { h, replace } from './dom.js';
import { get, getAll, seg } from './api.js';
import { t, pick, fmtFY, fmtNum, fmtDate, currentFY } from './i18n.js';
import { notice, pageTitle, table } from './ui.js';
import { bars, lines } from './chart.js';

const STATES = ['done', 'in_progress', 'not_started', 'not_applicable'];

/** The heat class of a score: colour bands, always with the number beside. */
function heat(v) {
  if (v === null || v === undefined) return 'hn';
  if (v < 40) return 'h0';
  if (v < 60) return 'h1';
  if (v < 75) return 'h2';
  if (v < 90) return 'h3';
  return 'h4';
}

function scoreCell(v) {
  return h('td', { class: ['num', heat(v)] }, fmtNum(v));
}

function legend() {
  return h('ul', { class: 'legend', 'aria-label': 'legend' },
    [['h0', '< 40'], ['h1', '40–59'], ['h2', '60–74'], ['h3', '75–89'], ['h4', '≥ 90'], ['hn', '–']]
      .map(([c, s]) => h('li', { class: c }, s)));
}

function yearSelect(fy, years, onPick) {
  const sel = h('select', { id: 'fy' }, [...new Set([...years, fy])].sort().reverse()
    .map((y) => h('option', { value: String(y), selected: y === fy }, fmtFY(y))));
  sel.addEventListener('change', () => onPick(Number(sel.value)));
  return h('div', null, h('label', { for: 'fy' }, t('dbYear')), sel);
}

function tiles(list) {
  return h('ul', { class: 'tiles' }, list.map(([k, v]) => h('li', null, h('span', null, k), h('span', { class: 'v' }, v))));
}

function heatmap(gov) {
  const parts = gov.parts;
  const filter = h('input', { type: 'search', id: 'heat-filter', autocomplete: 'off' });
  const shown = h('p', { class: 'help', role: 'status' });
  const rows = gov.orgs.map((o) => {
    const tr = h('tr', null,
      h('th', { scope: 'row' }, h('a', { href: `#/orgs/${seg(o.code)}?fy=${gov.fiscal_year}` }, pick(o, 'name')), ' ',
        h('span', { class: 'reqno' }, o.code)),
      scoreCell(o.score),
      h('td', { class: 'num' }, o.maturity ?? '–'),
      h('td', { class: 'num' }, o.delta === null || o.delta === undefined ? '–' : `${o.delta > 0 ? '+' : ''}${fmtNum(o.delta)}`),
      (o.parts || []).map(scoreCell));
    tr.dataset.search = `${o.code} ${o.name_ja || ''} ${o.name_en || ''}`.toLowerCase();
    return tr;
  });
  const count = () => { shown.textContent = t('dbShown', { n: rows.filter((r) => !r.hidden).length }); };
  filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    for (const r of rows) r.hidden = q !== '' && !r.dataset.search.includes(q);
    count();
  });
  count();
  const head = [t('dbOrg'), t('dbScore'), t('dbMaturity'), t('dbDelta'),
    ...parts.map((p) => h('abbr', { title: pick(p, 'title') }, p.number))];
  return [
    h('div', { class: 'toolbar' }, h('div', null, h('label', { for: 'heat-filter' }, t('dbFilter')), filter), shown),
    legend(),
    h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('dbHeatmap') },
      table(null, head, rows, { class: 'heat', id: 'heatmap' })),
  ];
}

function boardSection(board) {
  const counts = table(null, [t('dbStage'), ...STATES.map((s) => t(`state_${s}`))],
    board.stages.map((s) => h('tr', null, h('th', { scope: 'row' }, t(`stage_${s}`)),
      STATES.map((st) => h('td', { class: ['num', `st-${st}`] }, board.counts?.[s]?.[st] ?? 0)))), { id: 'board-counts' });
  // The per-organisation board is long at national scale: built when opened.
  const details = h('details', null, h('summary', null, `${t('dbBoard')}: ${t('dbShown', { n: board.orgs.length })}`));
  details.addEventListener('toggle', () => {
    if (!details.open || details.dataset.built) return;
    details.dataset.built = '1';
    details.append(h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('dbBoard') },
      table(null, [t('dbOrg'), ...board.stages.map((s) => t(`stage_${s}`))], board.orgs.map((o) => h('tr', null,
        h('th', { scope: 'row' }, h('a', { href: `#/orgs/${seg(o.code)}?fy=${board.fiscal_year}` }, pick(o, 'name'))),
        board.stages.map((s) => h('td', { class: `st-${o.stages[s]}` }, t(`state_${o.stages[s]}`))))))));
  });
  return [counts, details];
}

export async function renderDashboard(main, params, query, ctx) {
  let fy = Number(query.get('fy')) || currentFY();
  let [gov, board] = await Promise.all([get(`/evaluations/${fy}`), get(`/evaluations/${fy}/board`)]);
  // No data this year yet (April): show the latest year that has some.
  if (!query.get('fy') && !gov.summary.scored) {
    const last = [...gov.trend].reverse().find((y) => y.scored > 0);
    if (last && last.fiscal_year !== fy) {
      fy = last.fiscal_year;
      [gov, board] = await Promise.all([get(`/evaluations/${fy}`), get(`/evaluations/${fy}/board`)]);
    }
  }
  if (!ctx.isCurrent()) return;
  performance.mark('kj:dashboard-data');
  const s = gov.summary;
  const years = gov.trend.map((y) => y.fiscal_year);
  const out = [pageTitle(`${t('dbTitle')} ${fmtFY(fy)}`),
    h('div', { class: 'toolbar' }, yearSelect(fy, years, (y) => { location.hash = `#/dashboard?fy=${y}`; }),
      h('p', { class: 'help' }, `${gov.method} · ${gov.edition || ''} · ${fmtDate(gov.computed_at)}`))];
  if (!s.scored) out.push(notice(t('dbNoData'), 'info'));
  out.push(h('h2', null, t('dbSummary')), tiles([
    [t('dbOrgs'), s.orgs], [t('dbScored'), s.scored], [t('dbMean'), fmtNum(s.mean)], [t('dbMedian'), fmtNum(s.median)],
    [t('dbStdev'), fmtNum(s.stdev)], [t('dbRange'), `${fmtNum(s.min)}–${fmtNum(s.max)}`]]));
  const bins = Array.from({ length: 10 }, (_, i) => ({ label: String(i * 10), value: 0 }));
  for (const o of gov.orgs) if (o.score !== null && o.score !== undefined) bins[Math.min(9, Math.floor(o.score / 10))].value++;
  out.push(h('div', { class: 'charts' },
    h('figure', null, h('figcaption', null, t('dbSpread')),
      bars(bins, { label: `${t('dbSpreadDesc')}: ${bins.map((b) => `${b.label}: ${b.value}`).join(', ')}` })),
    h('figure', null, h('figcaption', null, t('dbTrend')),
      lines(gov.trend.map((y) => fmtFY(y.fiscal_year)), [{ cls: 'line', points: gov.trend.map((y) => ({ y: y.mean })) }],
        { label: `${t('dbTrend')}: ${gov.trend.map((y) => `${fmtFY(y.fiscal_year)} ${fmtNum(y.mean)}`).join(', ')}` }))));
  out.push(h('h2', null, t('dbHeatmap')), ...heatmap(gov));
  out.push(h('h2', null, t('dbBoard')), ...boardSection(board));
  out.push(h('h2', null, t('dbLaggards')), h('ul', { id: 'laggards' }, (gov.part_summary || []).map((p) => {
    const part = gov.parts.find((x) => x.number === p.number);
    return h('li', null, h('strong', null, `${p.number} ${pick(part, 'title')}`), ' (', t('dbMean'), ' ', fmtNum(p.mean), '): ',
      p.laggards.length ? p.laggards.map((l, i) => [i ? ', ' : '',
        h('a', { href: `#/orgs/${seg(l.code)}?fy=${fy}` }, pick(l, 'name')), ` ${fmtNum(l.score)}`]) : t('dbNoLaggards'));
  })));
  if (gov.weak_requirements?.length) {
    out.push(h('h2', null, t('dbWeak')), table(null, [t('stNumber'), t('stItemTitle'), t('dbMean'), t('dbOrgs')],
      gov.weak_requirements.map((w) => h('tr', null,
        h('td', { class: 'reqno' }, h('a', { href: `#/standard/${seg(gov.edition)}/items/${seg(w.number)}` }, w.number)),
        h('td', null, pick(w, 'title')),
        h('td', { class: 'num' }, fmtNum(w.mean_rate * 100)),
        h('td', { class: 'num' }, `${w.orgs_below} / ${w.orgs}`)))));
  }
  performance.mark('kj:dashboard-built');
  replace(main, ...out);
  // Ready once the browser has laid the page out (forced here, so the mark means it).
  void main.offsetHeight;
  performance.mark('kj:dashboard-ready');
  document.body.dataset.ready = `dashboard-${fy}`;
}

/** What else the organisation's page shows; a part the principal may not read is left out. */
async function orgContext(code, fy) {
  const soft = (p) => p.catch(() => null);
  const [policy, campaigns, recs, agencies, corps] = await Promise.all([
    soft(get(`/orgs/${seg(code)}/policy-review`)),
    soft(getAll(`/campaigns?org=${encodeURIComponent(code)}&fiscal_year=${fy}`)),
    soft(getAll(`/recommendations?org=${encodeURIComponent(code)}`)),
    soft(getAll(`/orgs?under=${encodeURIComponent(code)}&kind=agency`)),
    soft(getAll(`/orgs?under=${encodeURIComponent(code)}&kind=corporation`))]);
  return { policy, campaigns, recs, supervised: [...(agencies || []), ...(corps || [])].filter((o) => o.code !== code) };
}

function orgSections(x, fy) {
  const out = [];
  if (x.policy) {
    const c = x.policy.counts;
    out.push(h('h2', null, t('orgPolicy')), h('ul', { class: 'tiles', id: 'org-policy' },
      h('li', null, h('span', null, t('orgCoverage')), h('span', { class: 'v' }, `${fmtNum(c.coverage * 100)}%`)),
      h('li', null, h('span', null, t('orgGaps')), h('span', { class: 'v' }, c.gaps)),
      h('li', null, h('span', null, t('orgStale')), h('span', { class: 'v' }, c.stale)),
      h('li', null, h('span', null, t('orgNoReason')), h('span', { class: 'v' }, c.missing_reason))));
    if (x.policy.gaps.length) {
      out.push(h('details', null, h('summary', null, `${t('orgGaps')} (${x.policy.gaps.length})`),
        h('ul', null, x.policy.gaps.map((g) => h('li', null, h('a', { class: 'reqno', href: `#/standard/${seg(x.policy.edition)}/items/${seg(g.requirement)}` }, g.requirement),
          ' ', pick(g, 'text'))))));
    }
  }
  if (x.campaigns?.length) {
    out.push(h('h2', null, t('orgCampaigns')), table(null, [t('cpCode'), t('clStatus'), t('clDue'), t('cpSubmitted')],
      x.campaigns.map((c) => h('tr', null, h('td', null, h('a', { href: `#/campaigns/${seg(c.code)}` }, c.code)),
        h('td', null, t(`cstatus_${c.status}`)), h('td', null, fmtDate(c.due_on)), h('td', { class: 'num' }, `${c.submitted} / ${c.checklists}`)))));
  }
  if (x.recs?.length) {
    out.push(h('h2', null, t('loopRecs')), table(null, [t('loopRec'), t('clStatus'), t('clDue'), t('orgPlan')],
      x.recs.map((r) => h('tr', null, h('td', null, h('a', { href: `#/recs/${seg(r.code)}` }, r.code)), h('td', null, t(`rec_${r.status}`)),
        h('td', null, fmtDate(r.due_on)), h('td', null, r.plan ? h('a', { href: `#/plans/${seg(r.plan)}` }, r.plan) : t('orgNoPlan'))))));
  }
  if (x.supervised.length) {
    out.push(h('h2', null, t('orgSupervised')), h('ul', { id: 'org-supervised' }, x.supervised.map((o) =>
      h('li', null, h('a', { href: `#/orgs/${seg(o.code)}?fy=${fy}` }, pick(o, 'name')), ' ', h('span', { class: 'reqno' }, o.code)))));
  }
  return out;
}

export async function renderOrg(main, [code], query, ctx) {
  const fy = Number(query.get('fy')) || currentFY();
  const [e, more] = await Promise.all([get(`/evaluations/${fy}/orgs/${seg(code)}`), orgContext(code, fy)]);
  if (!ctx.isCurrent()) return;
  const name = pick(e.org, 'name');
  const out = [pageTitle(t('orgTitle', { name })),
    h('div', { class: 'toolbar' }, yearSelect(fy, e.trend.map((x) => x.fiscal_year),
      (y) => { location.hash = `#/orgs/${seg(code)}?fy=${y}`; }), h('p', null, h('span', { class: 'reqno' }, e.org.code))),
    tiles([[t('dbScore'), fmtNum(e.score)], [t('dbMaturity'), e.maturity ?? '–'],
      [t('orgGovMean'), fmtNum(e.gov?.mean)], [t('orgRankLabel'), e.gov ? t('orgRank', { rank: e.gov.rank ?? '–', of: e.gov.of }) : '–']])];
  out.push(h('div', { class: 'charts' }, h('figure', null, h('figcaption', null, t('orgTrend')),
    lines(e.trend.map((x) => fmtFY(x.fiscal_year)), [
      { cls: 'gov', points: e.trend.map((x) => ({ y: x.gov_mean })) },
      { cls: 'line', points: e.trend.map((x) => ({ y: x.score })) }],
    { label: `${t('orgTrend')}: ${e.trend.map((x) => `${fmtFY(x.fiscal_year)} ${fmtNum(x.score)} (${t('orgGovMean')} ${fmtNum(x.gov_mean)})`).join(', ')}` }))));
  out.push(h('h2', null, t('orgParts')), table(null, [t('stNumber'), t('stItemTitle'), t('dbScore'), t('orgGovMean')],
    e.parts.map((p) => h('tr', null, h('td', null, p.number), h('td', null, pick(p, 'title')), scoreCell(p.score),
      h('td', { class: 'num' }, fmtNum(p.gov_mean))))));
  out.push(h('h2', null, t('orgSteps')), h('ul', null, (e.maturity_steps || []).map((st) =>
    h('li', null, h('strong', null, `${st.level}: ${st.met ? t('orgMet') : t('orgNotMet')}`), ' – ', pick(st, 'why') || st.why))));
  if (e.pdca?.stages) {
    out.push(h('h2', null, t('dbBoard')), table(null, Object.keys(e.pdca.stages).map((s) => t(`stage_${s}`)),
      [h('tr', null, Object.values(e.pdca.stages).map((v) => h('td', { class: `st-${v}` }, t(`state_${v}`))))]));
  }
  const withFindings = e.requirements.filter((r) => r.findings?.length || (r.score !== null && r.score < 60));
  out.push(h('h2', null, t('orgReqs')), table(null, [t('stNumber'), t('dbScore'), t('orgFindings')],
    withFindings.map((r) => h('tr', null,
      h('td', { class: 'reqno' }, h('a', { href: `#/standard/${seg(e.edition)}/items/${seg(r.number)}` }, r.number)),
      scoreCell(r.score),
      h('td', null, (r.findings || []).map((f, i) => [i ? '; ' : '', `${f.severity || ''} `,
        f.plan ? `${t('orgPlan')} ${f.plan} (${f.plan_status || ''})` : t('orgNoPlan')]))))));
  out.push(...orgSections(more, fy));
  replace(main, ...out);
}
