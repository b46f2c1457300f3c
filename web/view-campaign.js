// view-campaign.js: an officer's view of self-inspection: the campaigns in scope, and one
// campaign's progress (checklists submitted, who is behind) and results (rates by unit,
// organisation, requirement or role beside the year before; the weakest requirements).
import { h, replace } from './dom.js';
import { get, getAll, seg } from './api.js';
import { t, pick, fmtDate, fmtFY, fmtNum } from './i18n.js';
import { notice, pageTitle, table } from './ui.js';

const pct = (r) => (r === null || r === undefined ? '–' : `${fmtNum(r * 100)}%`);

export async function renderCampaigns(main, params, query, ctx) {
  const fy = query.get('fy');
  const items = await getAll(`/campaigns${fy ? `?fiscal_year=${encodeURIComponent(fy)}` : ''}`);
  if (!ctx.isCurrent()) return;
  items.sort((a, b) => b.fiscal_year - a.fiscal_year || a.code.localeCompare(b.code));
  replace(main, pageTitle(t('cpTitle')), items.length
    ? table(null, [t('cpCode'), t('dbYear'), t('dbOrg'), t('clStatus'), t('clDue'), t('cpSubmitted')], items.map((c) => h('tr', null,
      h('td', null, h('a', { href: `#/campaigns/${seg(c.code)}` }, c.code), h('div', { class: 'help' }, pick(c, 'title'))),
      h('td', null, fmtFY(c.fiscal_year)), h('td', null, c.org), h('td', null, t(`cstatus_${c.status}`)),
      h('td', null, fmtDate(c.due_on)), h('td', { class: 'num' }, `${c.submitted} / ${c.checklists}`))), { id: 'campaigns' })
    : h('p', null, t('cpNone')));
}

export async function renderCampaign(main, [code], query, ctx) {
  const by = ['unit', 'org', 'requirement', 'role'].includes(query.get('by')) ? query.get('by') : 'unit';
  const [c, res, overdue] = await Promise.all([get(`/campaigns/${seg(code)}`),
    get(`/campaigns/${seg(code)}/results?by=${by}`), get(`/campaigns/${seg(code)}/overdue`)]);
  if (!ctx.isCurrent()) return;
  const sel = h('select', { id: 'cp-by' }, ['unit', 'org', 'requirement', 'role'].map((b) =>
    h('option', { value: b, selected: b === by }, t(`by_${b}`))));
  sel.addEventListener('change', () => { location.hash = `#/campaigns/${seg(code)}?by=${sel.value}`; });
  const prev = res.previous?.total;
  replace(main, pageTitle(`${c.code} ${pick(c, 'title')}`),
    h('p', null, h('a', { href: '#/campaigns' }, t('cpTitle'))),
    h('dl', { class: 'facts' },
      h('dt', null, t('dbOrg')), h('dd', null, c.org),
      h('dt', null, t('clStatus')), h('dd', null, t(`cstatus_${c.status}`)),
      h('dt', null, t('cpPeriod')), h('dd', null, `${fmtDate(c.opens_on)} – ${fmtDate(c.due_on)}`),
      h('dt', null, t('cpItems')), h('dd', null, c.items),
      h('dt', null, t('cpSubmitted')), h('dd', { id: 'cp-submitted' }, `${c.submitted} / ${c.checklists}`)),
    h('h2', null, t('cpResults')),
    h('ul', { class: 'tiles' },
      h('li', null, h('span', null, t('cpRate')), h('span', { class: 'v', id: 'cp-rate' }, pct(res.total.rate))),
      h('li', null, h('span', null, t('cpPrevious')), h('span', { class: 'v' }, pct(prev?.rate))),
      h('li', null, h('span', null, t('cpAnswers')), h('span', { class: 'v' }, res.total.answers))),
    h('div', { class: 'toolbar' }, h('div', null, h('label', { for: 'cp-by' }, t('cpBy')), sel)),
    table(null, [t(`by_${by}`), t('cpRate'), t('cpDone'), t('cpPartial'), t('cpNotDone'), t('cpExcluded')],
      res.rows.map((r) => h('tr', null, h('td', { class: by === 'requirement' ? 'reqno' : null }, r.key),
        h('td', { class: 'num' }, pct(r.rate)), h('td', { class: 'num' }, r.done), h('td', { class: 'num' }, r.partial),
        h('td', { class: 'num' }, r.not_done), h('td', { class: 'num' }, r.excluded))), { id: 'cp-rows' }),
    h('h2', null, t('cpWeakest')), h('ol', null, (res.weakest || []).map((w) => h('li', null,
      h('a', { href: `#/standard/${seg(c.edition)}/items/${seg(w.requirement)}`, class: 'reqno' }, w.requirement), ` ${pct(w.rate)}`))),
    h('h2', null, t('cpOverdue')), overdue.items.length
      ? table(null, [t('cpUser'), t('clUnit'), t('cpRole'), t('clDue'), t('clProgress')], overdue.items.map((o) => h('tr', null,
        h('td', null, o.user), h('td', null, o.unit), h('td', null, t(`role_${o.role}`) === `role_${o.role}` ? o.role : t(`role_${o.role}`)),
        h('td', null, fmtDate(o.due_on)), h('td', { class: 'num' }, o.answered))), { id: 'cp-overdue' })
      : notice(t('cpNoOverdue'), 'ok'));
}
