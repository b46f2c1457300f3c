// view-campaign.js: an officer's view of self-inspection: the campaigns in scope, and one
// campaign's progress (checklists submitted, who is behind) and results (rates by unit,
// organisation, requirement or role beside the year before; the weakest requirements) and
// the officer's tools: the answers as CSV or Excel, reopening a submitted checklist after a
// confirmation, the all-or-nothing CSV import of answers with its report of bad rows, and
// the unit officers' analyses and the CISO's instructions.
import { h, replace } from './dom.js';
import { get, getAll, post, seg } from './api.js';
import { t, pick, fmtDate, fmtFY, fmtNum } from './i18n.js';
import { actionButton, errorText, field, form, notice, pageTitle, table } from './ui.js';
import './texts-inspection.js';

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
  const base = `/campaigns/${seg(code)}`;
  const [c, res, overdue, notes, submitted] = await Promise.all([get(base), get(`${base}/results?by=${by}`),
    get(`${base}/overdue`), get(`${base}/notes`), get(`${base}/checklists?status=submitted`)]);
  if (!ctx.isCurrent()) return;
  const sel = h('select', { id: 'cp-by' }, ['unit', 'org', 'requirement', 'role'].map((b) =>
    h('option', { value: b, selected: b === by }, t(`by_${b}`))));
  sel.addEventListener('change', () => { location.hash = `#/campaigns/${seg(code)}?by=${sel.value}`; });
  const prev = res.previous?.total;
  const manage = ctx.user.role !== 'centre_analyst';	// the analysts read; the others act
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
      : notice(t('cpNoOverdue'), 'ok'),
    exportsSection(base, code), manage && reopenSection(redraw, submitted.items), manage && importSection(base, redraw),
    notesSection(base, c, notes, manage, redraw));

  // Draws the page again with the new numbers, then says what happened where it was done.
  async function redraw(where, text) {
    await renderCampaign(main, [code], query, ctx);
    const slot = main.querySelector(`#${where}`);
    const n = notice(text, 'ok');
    n.tabIndex = -1;
    replace(slot, n);
    n.focus();
  }
}

// The exports are same-origin GETs that the session cookie authenticates; the server sends
// no Content-Disposition, so the link names the file.
function exportsSection(base, code) {
  const link = (fmt, ext, label) => h('li', null,
    h('a', { href: `/api/v1${base}/export?format=${fmt}`, download: `${code}.${ext}`, id: `ip-export-${fmt}` }, label));
  return [h('h2', null, t('ipExports')), h('ul', null, link('csv', 'csv', t('ipExportCsv')), link('xlsx', 'xlsx', t('ipExportXlsx')))];
}

/** A modal question: cancel (focused first) or confirm, which runs action; a failure
 * closes the dialog and goes to fail(e). */
function confirmDialog(id, question, confirmLabel, action, fail) {
  const dialog = h('dialog', { 'aria-labelledby': `${id}-q` });
  const cancel = h('button', { type: 'button' }, t('ipCancel'));
  const ok = h('button', { type: 'button', class: 'primary', id: `${id}-confirm` }, confirmLabel);
  replace(dialog, h('p', { id: `${id}-q` }, question), h('div', { class: 'buttons' }, cancel, ok));
  cancel.addEventListener('click', () => dialog.close());
  ok.addEventListener('click', async () => {
    dialog.close();
    try { await action(); } catch (e) { fail(e); }
  });
  dialog.ask = () => { dialog.showModal(); cancel.focus(); };
  return dialog;
}

function reopenSection(redraw, submitted) {
  const id = field(t('ipChecklistId'), { id: 'ip-reopen-id', autocomplete: 'off', spellcheck: 'false' });
  const dialog = confirmDialog('ip-reopen', t('ipReopenConfirm'), t('ipReopenBtn'), async () => {
    await post(`/checklists/${seg(id.input.value.trim())}/reopen`);
    await redraw('ip-reopen-status', t('ipReopened'));
  }, (e) => {
    // The refusal belongs to the checklist named: beside its field.
    id.set(e.error === 'state' ? t('ipAlreadyOpen') : errorText(e));
    id.input.focus();
  });
  const f = h('form', { class: 'form narrow', novalidate: true, 'aria-describedby': 'ip-reopen-help' },
    id.wrap, h('button', { type: 'submit' }, t('ipReopenBtn')));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    id.set(id.input.value.trim() ? '' : t('ipRequired'));
    if (id.input.value.trim()) dialog.ask();
    else id.input.focus();
  });
  // The submitted checklists, each chosen with a button: its ID goes in the field and the
  // same question is asked.
  const rows = submitted.map((k) => {
    const b = h('button', { type: 'button' }, t('ipChoose', { user: k.user }));
    b.addEventListener('click', () => { id.input.value = k.checklist; id.set(''); dialog.ask(); });
    return h('tr', null, h('td', null, k.user), h('td', null, k.unit),
      h('td', null, k.submitted_at ? fmtDate(k.submitted_at.slice(0, 10)) : ''), h('td', null, b));
  });
  return [h('h2', null, t('ipReopen')), h('p', { class: 'help', id: 'ip-reopen-help' }, t('ipReopenHelp')),
    h('div', { id: 'ip-reopen-status' }),
    rows.length ? table(null, [t('cpUser'), t('clUnit'), t('ipSubmittedOn'), t('ipChooseCol')], rows, { id: 'ip-submitted' }) : null,
    f, dialog];
}

function importSection(base, redraw) {
  const file = field(t('ipFile'), { type: 'file', accept: '.csv,text/csv', id: 'ip-import-file' });
  const status = h('div', { class: 'form-status', id: 'ip-import-status' });
  const button = h('button', { type: 'submit' }, t('ipImportBtn'));
  const f = h('form', { class: 'form narrow', novalidate: true, 'aria-describedby': 'ip-import-help' }, file.wrap, button);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    file.set('');
    replace(status);
    const csv = file.input.files[0];
    if (!csv) { file.set(t('ipNoFile')); file.input.focus(); return; }
    button.disabled = true;
    try {
      // Sent as it is, typed as CSV whatever the browser guessed from the name.
      const r = await post(`${base}/answers`, new Blob([csv], { type: 'text/csv' }));
      await redraw('ip-import-status', t('ipImported', { n: r.rows }));
    } catch (e) {
      const rep = e.body && e.body.report;
      file.set(rep ? t('ipBadRows', { n: rep.bad_rows }) : errorText(e));
      if (rep) {
        replace(status, table(t('ipReport'), [t('ipRow'), t('ipColumn'), t('ipMessage')],
          rep.rows.map((x) => h('tr', null, h('td', { class: 'num' }, x.row), h('td', null, x.column), h('td', null, x.message))),
          { id: 'ip-import-report' }));
      }
      file.input.focus();
    } finally {
      button.disabled = false;
    }
  });
  return [h('h2', null, t('ipImport')), h('p', { class: 'help', id: 'ip-import-help' }, t('ipImportHelp')), f, status];
}

function notesSection(base, c, notes, manage, redraw) {
  const rows = notes.items.map((n) => h('tr', null,
    h('td', null, t(`ipkind_${n.kind}`)), h('td', null, n.org), h('td', { class: 'reqno' }, n.requirement || ''),
    h('td', { class: 'item-text' }, n.text), h('td', null, fmtDate(n.due_on)), h('td', null, fmtDate(n.created_at)),
    h('td', null, t(`ipnote_${n.status}`), manage && n.kind === 'instruction' && n.status === 'open'
      ? [' ', actionButton(t('ipMarkDone'), async () => {
        await post(`/notes/${seg(n.id)}/done`);
        await redraw('ip-notes-status', t('ipMarkedDone'));
      }, { 'aria-label': `${t('ipMarkDone')}: ${n.text.slice(0, 40)}` })] : null)));
  const add = manage && form([
    { name: 'kind', label: t('ipKind'), options: ['analysis', 'instruction'].map((k) => [k, t(`ipkind_${k}`)]) },
    { name: 'org', label: t('ipOrg'), attrs: { value: c.org, autocomplete: 'off' } },
    { name: 'requirement', label: t('ipRequirement'), attrs: { autocomplete: 'off' } },
    { name: 'text', label: t('ipText'), tag: 'textarea', attrs: { rows: '3', maxlength: '4000' } },
    { name: 'due_on', label: t('ipDue'), type: 'date' },
  ], t('ipAddNote'), async (v) => {
    const body = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x.trim() || undefined]));
    await post(`${base}/notes`, body);
    await redraw('ip-notes-status', t('ipNoteAdded'));
  }, { id: 'ip-note-form' });
  return [h('h2', null, t('ipNotes')), h('div', { id: 'ip-notes-status' }), rows.length
    ? table(null, [t('ipKind'), t('dbOrg'), t('ipReqCol'), t('ipText'), t('clDue'), t('ipCreated'), t('ipNoteStatus')], rows,
      { id: 'ip-notes' })
    : h('p', null, t('ipNoNotes')), add && [h('h3', null, t('ipNewNote')), add]];
}
