// view-standard.js: the standard browser: the editions, the tree of one edition, search
// in both languages, one item with its sub-items and example measures, and the diff of
// two editions side by side.
import { h, replace } from './dom.js';
import { get, getAll as all, seg } from './api.js';
import { t, pick, fmtDate, currentLang } from './i18n.js';
import { pageTitle, table } from './ui.js';

const label = (x) => pick(x, 'title') || pick(x, 'text');
const itemHref = (ed, number) => `#/standard/${seg(ed)}/items/${seg(number)}`;

function editionPicker(id, text, editions, selected) {
  return h('div', null, h('label', { for: id }, text),
    h('select', { id, name: id }, editions.map((e) => h('option', { value: e.id, selected: e.id === selected }, pick(e, 'label') || e.id))));
}

export async function renderEditions(main, params, query, ctx) {
  const eds = await all('/editions');
  if (!ctx.isCurrent()) return;
  const form = h('form', { class: 'toolbar', id: 'diff-form' },
    editionPicker('old', t('stOld'), eds, eds.length > 1 ? eds[eds.length - 2].id : eds[0]?.id),
    editionPicker('new', t('stNew'), eds, eds[eds.length - 1]?.id),
    h('button', { type: 'submit' }, t('stCompare')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#/diff?old=${encodeURIComponent(form.elements.old.value)}&new=${encodeURIComponent(form.elements.new.value)}`;
  });
  replace(main, pageTitle(t('stTitle')), h('h2', null, t('stEditions')),
    table(null, [t('stEditions'), 'ID', t('stDecided'), t('stEffective'), t('stItems')], eds.map((e) => h('tr', null,
      h('td', null, h('a', { href: `#/standard/${seg(e.id)}` }, pick(e, 'label') || e.id)),
      h('td', { class: 'reqno' }, e.id), h('td', null, fmtDate(e.decided_on)), h('td', null, fmtDate(e.effective_on)),
      h('td', { class: 'num' }, `${e.requirements} / ${e.items}`)))),
    h('h2', null, t('stDiff')), form);
}

function tree(ed, items) {
  const kids = new Map();
  for (const it of items) {
    const k = it.parent ?? '';
    if (!kids.has(k)) kids.set(k, []);
    kids.get(k).push(it);
  }
  const node = (it) => {
    const link = h('a', { href: itemHref(ed, it.number) }, h('span', { class: 'reqno' }, it.number), ' ', label(it));
    const children = kids.get(it.number);
    if (!children) return h('li', null, link);
    // A link inside a summary would nest two controls: the summary is text, the link inside.
    return h('li', null, h('details', null, h('summary', null, h('span', { class: 'reqno' }, it.number), ' ', label(it)),
      h('ul', null, h('li', null, link), children.map(node))));
  };
  return h('ul', { class: 'tree', id: 'tree' }, (kids.get('') || []).map(node));
}

export async function renderEdition(main, [ed], query, ctx) {
  const q = query.get('q') || '';
  const [edition, items] = await Promise.all([get(`/editions/${seg(ed)}`),
    all(`/editions/${seg(ed)}/items${q ? `?q=${encodeURIComponent(q)}` : ''}`)]);
  if (!ctx.isCurrent()) return;
  const input = h('input', { type: 'search', id: 'st-q', name: 'q', value: q, autocomplete: 'off' });
  const form = h('form', { class: 'toolbar', role: 'search' },
    h('div', null, h('label', { for: 'st-q' }, t('stSearch')), input), h('button', { type: 'submit' }, t('stSearchBtn')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#/standard/${seg(ed)}${input.value ? `?q=${encodeURIComponent(input.value)}` : ''}`;
  });
  const body = q
    ? (items.length ? table(`${items.length}`, [t('stNumber'), t('stKind'), t('stItemTitle')], items.map((it) => h('tr', null,
      h('td', { class: 'reqno' }, h('a', { href: itemHref(ed, it.number) }, it.number)),
      h('td', null, it.kind), h('td', null, label(it)))), { id: 'results' }) : h('p', null, t('stNoItems')))
    : tree(ed, items);
  replace(main, pageTitle(pick(edition, 'label') || ed), h('p', null, h('a', { href: '#/standard' }, t('stEditions'))), form, body);
}

export async function renderItem(main, [ed, number], query, ctx) {
  const it = await get(`/editions/${seg(ed)}/items/${seg(number)}`);
  if (!ctx.isCurrent()) return;
  const other = currentLang() === 'ja' ? 'en' : 'ja';
  const text = pick(it, 'text');
  const otherText = it[`text_${other}`];
  const out = [pageTitle(`${it.number} ${pick(it, 'title') || ''}`.trim()),
    h('p', null, h('a', { href: `#/standard/${seg(ed)}` }, ed)),
    h('dl', { class: 'facts' }, h('dt', null, t('stKind')), h('dd', null, it.kind),
      it.role ? [h('dt', null, t('stRole')), h('dd', null, it.role)] : null,
      it.parent ? [h('dt', null, t('stParent')), h('dd', null, h('a', { href: itemHref(ed, it.parent) }, it.parent))] : null)];
  if (text) out.push(h('h2', null, t('stText')), h('p', { class: 'item-text' }, text));
  if (otherText && otherText !== text) out.push(h('p', { class: 'item-text help', lang: other }, otherText));
  if (it.children?.length) {
    out.push(h('h2', null, t('stChildren')), h('ul', { id: 'children' }, it.children.map((c) => h('li', null,
      h('a', { href: itemHref(ed, c.number) }, h('span', { class: 'reqno' }, c.number)), ' ',
      c.kind === 'measure' ? h('strong', null, `[${t('stMeasure')}] `) : null, label(c)))));
  }
  replace(main, ...out);
}

export async function renderDiff(main, params, query, ctx) {
  const oldE = query.get('old');
  const newE = query.get('new');
  const d = await get(`/diff?old=${encodeURIComponent(oldE)}&new=${encodeURIComponent(newE)}`);
  if (!ctx.isCurrent()) return;
  const side = (nums, ed, txt, cls) => h('td', { class: nums.length ? cls : null },
    nums.map((n, i) => [i ? ', ' : '', h('a', { href: itemHref(ed, n), class: 'reqno' }, n)]), txt ? h('div', null, txt) : null);
  const counts = Object.entries(d.counts).map(([k, v]) => `${t(`chg_${k}`)} ${v}`).join(' · ');
  replace(main, pageTitle(`${t('stDiff')}: ${oldE} → ${newE}`), h('p', null, h('a', { href: '#/standard' }, t('stEditions'))),
    h('p', { id: 'diff-counts' }, counts),
    table(null, [t('stKind'), `${t('stOld')} (${oldE})`, `${t('stNew')} (${newE})`], d.changes.map((c) => h('tr', null,
      h('td', null, t(`chg_${c.change}`)),
      side(c.old, oldE, pick(c, 'old_text'), 'diff-old'),
      side(c.new, newE, pick(c, 'new_text'), 'diff-new'))), { id: 'diff', class: 'diff' }));
}
