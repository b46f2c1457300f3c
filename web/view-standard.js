// view-standard.js: the standard browser: the editions, the tree of one edition loaded a
// level at a time as its nodes open, search in both languages (on the server, a page of
// results at a time), one item with its sub-items and example measures, and the diff of
// two editions side by side.
import { h, replace } from './dom.js';
import { get, getAll as all, seg } from './api.js';
import { t, pick, fmtDate, currentLang } from './i18n.js';
import { errorText, notice, pageTitle, table } from './ui.js';
import './texts-loop.js';

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

const PAGE = 100;	// search results and sub-items, a page at a time

/** One page of an edition's items (q or parent narrows them) and a button for the next. */
async function itemPage(ed, filter, cursor) {
  return get(`/editions/${seg(ed)}/items?${filter}&limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
}

/**
 * Appends the rows (made by row) of a page of filter to into; while more follow, a "show
 * more" button (placed by wrap) that appends the next page in its stead.
 */
async function appendPages(ed, filter, into, row, wrap, cursor = null) {
  const r = await itemPage(ed, filter, cursor);
  into.append(...r.items.map(row));
  if (r.next_cursor) {
    const more = h('button', { type: 'button', class: 'more' }, t('stMore'));
    const place = wrap(more);
    more.addEventListener('click', async () => {
      more.disabled = true;
      try {
        await appendPages(ed, filter, into, row, wrap, r.next_cursor);
        place.remove();
      } catch (e) {
        more.disabled = false;
        place.append(notice(errorText(e)));
      }
    });
    into.append(place);
  }
  return r;
}

/**
 * A node of the tree: a button that opens or closes its sub-items (aria-expanded, loaded
 * from GET items?parent= the first time it opens, a page at a time) and a link to the item.
 */
function node(ed, it) {
  const list = h('ul', { id: `tc-${it.number}`, hidden: true });
  const button = h('button', { type: 'button', class: 'twisty', 'aria-expanded': 'false', 'aria-controls': list.id,
    'aria-label': `${t('stExpand')} ${it.number}` });
  let loaded = false;
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    list.hidden = !open;
    if (!open || loaded) return;
    loaded = true;
    list.setAttribute('aria-busy', 'true');
    try {
      const r = await appendPages(ed, `parent=${encodeURIComponent(it.number)}`, list, (c) => node(ed, c),
        (b) => h('li', { class: 'more-row' }, b));
      if (!r.items.length) list.append(h('li', { class: 'help' }, t('stNoChildren')));
    } catch (e) {
      loaded = false;
      list.append(h('li', null, notice(errorText(e))));
    }
    list.removeAttribute('aria-busy');
  });
  return h('li', { dataset: { number: it.number } }, button, ' ',
    h('a', { href: itemHref(ed, it.number) }, h('span', { class: 'reqno' }, it.number), ' ', label(it)), list);
}

/** The top of an edition: its items without a parent (`parent=` empty). */
async function roots(ed) {
  return all(`/editions/${seg(ed)}/items?parent=`);
}

export async function renderEdition(main, [ed], query, ctx) {
  const q = query.get('q') || '';
  // The first paint needs only the top level, or the first page of a search; the rest
  // loads as the reader opens nodes or asks for more results.
  const [edition, top] = await Promise.all([get(`/editions/${seg(ed)}`), q ? null : roots(ed)]);
  if (!ctx.isCurrent()) return;
  const input = h('input', { type: 'search', id: 'st-q', name: 'q', value: q, autocomplete: 'off' });
  const form = h('form', { class: 'toolbar', role: 'search' },
    h('div', null, h('label', { for: 'st-q' }, t('stSearch')), input), h('button', { type: 'submit' }, t('stSearchBtn')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#/standard/${seg(ed)}${input.value ? `?q=${encodeURIComponent(input.value)}` : ''}`;
  });
  const head = [pageTitle(pick(edition, 'label') || ed), h('p', null, h('a', { href: '#/standard' }, t('stEditions'))), form];
  if (!q) {
    replace(main, ...head, h('p', { class: 'help' }, t('stTreeNote')),
      h('ul', { class: 'tree', id: 'tree' }, top.map((it) => node(ed, it))));
    return;
  }
  const rows = h('tbody');
  const r = await appendPages(ed, `q=${encodeURIComponent(q)}`, rows, (it) => h('tr', null,
    h('td', { class: 'reqno' }, h('a', { href: itemHref(ed, it.number) }, it.number)),
    h('td', null, it.kind), h('td', null, label(it))), (b) => h('tr', null, h('td', { colspan: '3' }, b)));
  if (!ctx.isCurrent()) return;
  replace(main, ...head, r.items.length ? h('table', { id: 'results' },
    h('thead', null, h('tr', null, [t('stNumber'), t('stKind'), t('stItemTitle')].map((x) => h('th', { scope: 'col' }, x)))), rows)
    : h('p', null, t('stNoItems')));
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
