// view-auth.js: logging in and changing one's password. Server errors go beside the
// field they name; nothing the server says is shown as anything but text.
import { h, replace } from './dom.js';
import { post } from './api.js';
import { t } from './i18n.js';
import { errorText, field, notice, pageTitle } from './ui.js';

export function renderLogin(main, params, query, ctx) {
  const name = field(t('userName'), { name: 'name', autocomplete: 'username', required: true, autocapitalize: 'off' });
  const pw = field(t('password'), { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { class: 'form-status' });
  const flash = sessionStorage.getItem('kijun.flash');
  sessionStorage.removeItem('kijun.flash');
  const form = h('form', { class: 'form narrow', novalidate: true }, name.wrap, pw.wrap, status,
    h('button', { type: 'submit', class: 'primary' }, t('login')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    name.set('');
    pw.set('');
    replace(status);
    if (!name.input.value) { name.set(t('required')); name.input.focus(); return; }
    if (!pw.input.value) { pw.set(t('required')); pw.input.focus(); return; }
    try {
      const r = await post('/session', { name: name.input.value, password: pw.input.value }, { quiet401: true });
      ctx.signedIn(r.user, r.csrf_token);
      const after = sessionStorage.getItem('kijun.after');
      sessionStorage.removeItem('kijun.after');
      location.hash = after && after !== '#/login' ? after : '#/';
    } catch (e) {
      if (e.status === 401) { pw.set(t('loginFailed')); pw.input.focus(); }
      else if (e.status === 429) pw.set(t('throttled', { s: e.retryAfter || '60' }));
      else if (e.field === 'name') name.set(e.message);
      else if (e.field === 'password') pw.set(e.message);
      else replace(status, notice(errorText(e)));
    }
  });
  replace(main, pageTitle(t('loginTitle')), flash ? notice(t(flash), 'ok') : null, form);
  name.input.focus();
}

export function renderPassword(main) {
  const cur = field(t('pwCurrent'), { type: 'password', autocomplete: 'current-password', required: true });
  const nw = field(t('pwNew'), { type: 'password', autocomplete: 'new-password', required: true });
  const again = field(t('pwConfirm'), { type: 'password', autocomplete: 'new-password', required: true });
  const status = h('div', { class: 'form-status' });
  const form = h('form', { class: 'form narrow', novalidate: true }, cur.wrap, nw.wrap, again.wrap, status,
    h('button', { type: 'submit', class: 'primary' }, t('pwChange')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    for (const f of [cur, nw, again]) f.set('');
    replace(status);
    for (const f of [cur, nw, again]) {
      if (!f.input.value) { f.set(t('required')); f.input.focus(); return; }
    }
    if (nw.input.value !== again.input.value) { again.set(t('pwMismatch')); again.input.focus(); return; }
    try {
      await post('/session/password', { current: cur.input.value, new: nw.input.value });
      form.reset();
      replace(status, notice(t('pwChanged'), 'ok'));
    } catch (e) {
      // The model names the field it refuses: "current password: ..." or "new password: ...".
      const m = (e.message || '').toLowerCase();
      if (e.status === 400 && m.startsWith('current')) { cur.set(e.message); cur.input.focus(); }
      else if (e.status === 400) { nw.set(e.message); nw.input.focus(); }
      else replace(status, notice(errorText(e)));
    }
  });
  replace(main, pageTitle(t('pwTitle')), form);
}
