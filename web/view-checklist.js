// view-checklist.js: a staff member's checklists. The list of one's own; one checklist
// answered by keyboard (digits pick an answer and move on; radios answer to the arrows),
// each answer saved as it is given; submitted after a confirmation in a modal dialog.
import { h, replace } from './dom.js';
import { get, post, put, seg } from './api.js';
import { t, pick, fmtDate } from './i18n.js';
import { errorText, notice, pageTitle, table } from './ui.js';

export async function renderList(main) {
  const data = await get('/checklists?limit=200');
  const rows = data.items.map((c) => h('tr', null,
    h('td', null, h('a', { href: `#/checklists/${seg(c.id)}` }, pick(c, 'title') || c.campaign)),
    h('td', null, c.unit),
    h('td', null, fmtDate(c.due_on)),
    h('td', null, t(`status_${c.status}`)),
    h('td', { class: 'num' }, `${c.answered} / ${c.total}`)));
  replace(main, pageTitle(t('clTitle')),
    rows.length ? table(null, [t('clCampaign'), t('clUnit'), t('clDue'), t('clStatus'), t('clProgress')], rows)
      : h('p', null, t('clNone')));
}

export async function renderOne(main, [id]) {
  const cl = await get(`/checklists/${seg(id)}`);
  const locked = cl.status !== 'open';
  const progress = h('p', { class: 'progress', 'aria-live': 'polite' });
  const items = [];

  function updateProgress() {
    const n = items.filter((x) => x.value !== null).length;
    progress.textContent = `${t('clProgress')}: ${n} / ${items.length}`;
  }

  function focusItem(i) {
    const it = items[Math.max(0, Math.min(items.length - 1, i))];
    const r = it.radios.find((x) => x.checked) || it.radios[0];
    r.focus();
    it.section.scrollIntoView({ block: 'nearest' });
  }

  // One save at a time per item, in order: the last answer given is the one kept.
  function save(it) {
    if (it.value === null) { it.status.textContent = it.comment.value || it.evidence ? t('clSaveComment') : ''; return; }
    it.status.textContent = t('clSaving');
    it.status.className = 'save-status';
    const body = { value: it.value, comment: it.comment.value || null, evidence: it.evidence };
    it.chain = it.chain.then(async () => {
      try {
        await put(`/checklists/${seg(id)}/answers/${seg(it.requirement)}`, body);
        it.status.textContent = t('clSaved');
        it.status.className = 'save-status ok';
      } catch (e) {
        it.status.textContent = errorText(e);
        it.status.className = 'save-status error';
      }
    });
  }

  cl.items.forEach((item, idx) => {
    const qid = `q${idx}`;
    const it = { requirement: item.requirement, value: item.value, evidence: item.evidence || null, chain: Promise.resolve(), radios: [] };
    it.status = h('span', { class: 'save-status', role: 'status' });
    const choices = cl.scale.map((s, k) => {
      const r = h('input', {
        type: 'radio', name: qid, value: s.value, id: `${qid}-${k}`, checked: item.value === s.value,
        disabled: locked, dataset: { key: String(k + 1) },
      });
      r.addEventListener('change', () => { it.value = s.value; updateProgress(); save(it); });
      it.radios.push(r);
      return h('label', { for: `${qid}-${k}`, class: 'choice' }, h('kbd', { 'aria-hidden': 'true' }, String(k + 1)), r, pick(s, 'label'));
    });
    it.comment = h('textarea', { id: `${qid}-c`, rows: '2', disabled: locked, maxlength: '4000' });
    it.comment.value = item.comment || '';
    it.comment.addEventListener('change', () => save(it));
    // Evidence: the file goes up first (checked by content on the server), the answer then
    // names it by its SHA-256.
    const file = h('input', { type: 'file', id: `${qid}-f`, disabled: locked, 'aria-describedby': `${qid}-fe` });
    // The attached file opens from the API (the session cookie reads it, as the checklist).
    const evidenceLink = (sha) => h('a', { href: `/api/v1/evidence/${sha}`, download: `evidence-${sha.slice(0, 12)}` },
      `${t('clEvidenceHas')} ${sha.slice(0, 12)}…`);
    const fileState = h('span', { id: `${qid}-fe`, class: 'evidence' }, it.evidence ? evidenceLink(it.evidence) : '');
    file.addEventListener('change', async () => {
      if (!file.files.length) return;
      fileState.textContent = t('clSaving');
      fileState.className = 'evidence';
      try {
        const r = await post('/evidence', file.files[0]);
        it.evidence = r.sha256;
        replace(fileState, evidenceLink(r.sha256));
        save(it);
      } catch (e) {
        fileState.textContent = errorText(e);
        fileState.className = 'evidence field-error';
      }
    });
    it.section = h('fieldset', { class: 'question', dataset: { requirement: item.requirement } },
      h('legend', null, h('span', { class: 'reqno' }, item.requirement), ' ', pick(item, 'question')),
      h('div', { class: 'choices' }, choices),
      h('div', { class: 'comment' }, h('label', { for: `${qid}-c` }, t('clComment')), it.comment),
      h('div', { class: 'file' }, h('label', { for: `${qid}-f` }, t('clEvidence')), file, ' ', fileState),
      it.status);
    it.section.addEventListener('keydown', (ev) => {
      if (locked || ev.target.tagName === 'TEXTAREA' || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      const k = Number(ev.key);
      if (Number.isInteger(k) && k >= 1 && k <= it.radios.length) {
        ev.preventDefault();
        it.radios[k - 1].checked = true;
        it.radios[k - 1].dispatchEvent(new Event('change'));
        focusItem(idx + 1 < items.length ? idx + 1 : idx);
      }
    });
    items.push(it);
  });
  updateProgress();

  const status = h('div', { class: 'form-status' });
  const parts = [pageTitle(`${cl.campaign} – ${t('clTitle')}`),
    h('p', null, h('a', { href: '#/checklists' }, t('clBack'))),
    h('dl', { class: 'facts' },
      h('dt', null, t('clDue')), h('dd', null, fmtDate(cl.due_on)),
      h('dt', null, t('clStatus')), h('dd', { id: 'cl-status' }, t(`status_${cl.status}`))),
    progress];
  if (locked) parts.push(notice(t('clLocked'), 'info'));
  else parts.push(h('p', { class: 'help', id: 'cl-help' }, t('clHelp', { n: cl.scale.length })));
  parts.push(h('form', { class: 'checklist', 'aria-describedby': locked ? null : 'cl-help', onsubmit: (e) => e.preventDefault() },
    items.map((x) => x.section)));
  if (!locked) {
    const dialog = h('dialog', { 'aria-labelledby': 'submit-q' });
    const dstatus = h('div', { class: 'form-status' });
    const confirmBtn = h('button', { type: 'button', class: 'primary', id: 'submit-confirm' }, t('clSubmit'));
    const cancelBtn = h('button', { type: 'button' }, t('clCancel'));
    replace(dialog, h('p', { id: 'submit-q' }, t('clSubmitConfirm')), dstatus, h('div', { class: 'buttons' }, cancelBtn, confirmBtn));
    cancelBtn.addEventListener('click', () => dialog.close());
    confirmBtn.addEventListener('click', async () => {
      replace(dstatus);
      await Promise.all(items.map((x) => x.chain));
      try {
        await post(`/checklists/${seg(id)}/submit`);
        dialog.close();
        await renderOne(main, [id]);
        main.querySelector('h1').after(notice(t('clSubmitted'), 'ok'));
        main.querySelector('h1').focus();
      } catch (e) {
        replace(dstatus, notice(errorText(e)));
      }
    });
    const submit = h('button', { type: 'button', class: 'primary', id: 'submit' }, t('clSubmit'));
    submit.addEventListener('click', () => {
      replace(status);
      const open = items.filter((x) => x.value === null).length;
      replace(dstatus, open ? notice(t('clUnanswered', { n: open }), 'info') : null);
      dialog.showModal();
      cancelBtn.focus();
    });
    parts.push(status, submit, dialog);
  }
  replace(main, ...parts);
}
