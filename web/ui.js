// ui.js: pieces the pages share: labelled fields with their error beside them, error
// texts, headings, tables.
import { h, replace } from './dom.js';
import { t } from './i18n.js';

let fieldSeq = 0;

/** A labelled input with a slot for its error: {wrap, input, error, set(msg)}. */
export function field(label, attrs = {}, tag = 'input') {
  const id = attrs.id || `f${++fieldSeq}`;
  const errId = `${id}-err`;
  const input = h(tag, { ...attrs, id, 'aria-describedby': errId });
  const error = h('p', { class: 'field-error', id: errId, role: 'alert' });
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input, error);
  return {
    wrap, input, error,
    set(msg) {
      error.textContent = msg || '';
      if (msg) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

/** A message for a failed request, in the reader's language where we know the case. */
export function errorText(e) {
  if (!e || e.status === undefined) return String(e && e.message ? e.message : e);
  if (e.status === 0) return t('errNetwork');
  if (e.status === 404) return t('errNotFound');
  if (e.status === 412) return t('errStale');
  if (e.status === 403) return `${t('errDenied')} ${e.message || ''}`.trim();
  if (e.status >= 500) return t('errServer');
  return e.message || e.error;
}

/** A page's heading; the router moves the focus to it after navigation. */
export function pageTitle(text) {
  document.title = `${text} – kijun`;
  return h('h1', { tabindex: '-1', class: 'page-title' }, text);
}

/** A box for a page-level message (role=alert when it is an error). */
export function notice(text, kind = 'error') {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** A table: headers (strings or nodes) and rows (arrays of strings or nodes). */
export function table(caption, headers, rows, attrs = {}) {
  return h('table', attrs,
    caption ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows));
}

/**
 * A form of labelled fields whose server errors land beside the field they name.
 * fields: [{name, label, type?, tag?, attrs?}]; action(values) is awaited on submit; a
 * failure whose message starts with a field's name ("due_on: ...") goes beside that field,
 * any other in a notice above the button.
 */
export function form(fields, submitLabel, action, attrs = {}) {
  const made = fields.map((f) => {
    const ctl = field(f.label, { name: f.name, type: f.tag || f.options ? undefined : (f.type || 'text'), ...(f.attrs || {}) },
      f.options ? 'select' : f.tag || 'input');
    for (const [v, text] of f.options || []) ctl.input.append(h('option', { value: v }, text));
    return { ...f, ctl };
  });
  const status = h('div', { class: 'form-status' });
  const button = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  const el = h('form', { class: 'form narrow', novalidate: true, ...attrs }, made.map((f) => f.ctl.wrap), status, button);
  el.status = status;
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    for (const f of made) f.ctl.set('');
    replace(status);
    const values = Object.fromEntries(made.map((f) => [f.name, f.ctl.input.value]));
    button.disabled = true;
    try {
      await action(values, el);
    } catch (e) {
      const key = e.field && e.field.replace(/^\$\.|^body\./, '');
      const hit = made.find((f) => f.name === key);
      if (hit && e.status === 400) { hit.ctl.set(e.message); hit.ctl.input.focus(); }
      else replace(status, notice(errorText(e)));
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

/** A button that runs action and shows a failure beside itself. */
export function actionButton(label, action, attrs = {}) {
  const msg = h('span', { class: 'field-error', role: 'alert' });
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', async () => {
    msg.textContent = '';
    b.disabled = true;
    try { await action(); } catch (e) { msg.textContent = errorText(e); } finally { b.disabled = false; }
  });
  return h('span', { class: 'action' }, b, ' ', msg);
}

/** Draws the current page again (after a change it shows). */
export const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));

/** Today as YYYY-MM-DD (UTC, as the server's dates). */
export const today = () => new Date().toISOString().slice(0, 10);
