// view-admin.js: administration: organisations (list, search, create, rename), accounts
// (list, create, disable), one's API tokens (create, shown once; revoke), and the audit log
// with the state of its hash chain. Changes of versioned records send If-Match.
import { h, replace } from './dom.js';
import { get, post, patch, del, seg } from './api.js';
import { t, pick, fmtDate } from './i18n.js';
import { actionButton, errorText, form, notice, pageTitle, reload, table, today } from './ui.js';

const ROLES = ['centre_admin', 'centre_analyst', 'org_admin', 'unit_officer', 'staff', 'external_auditor'];
const KINDS = ['ministry', 'bureau', 'division', 'agency', 'corporation'];

function tabs(here) {
  return h('nav', { 'aria-label': t('admin'), class: 'tabs' }, h('ul', null,
    [['orgs', 'adOrgs'], ['users', 'adUsers'], ['tokens', 'adTokens'], ['audit', 'adAudit']].map(([k, label]) =>
      h('li', null, h('a', { href: `#/admin/${k}`, 'aria-current': k === here ? 'page' : null }, t(label))))));
}

/** A paged table: load(cursor) gives {items, next_cursor}; row(item) a <tr>. */
async function paged(headers, load, row, id) {
  const body = h('tbody');
  const more = h('button', { type: 'button', id: `${id}-more` }, t('stMore'));
  const tbl = h('table', { id }, h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))), body);
  let cursor = null;
  const next = async () => {
    const r = await load(cursor);
    body.append(...r.items.map(row));
    cursor = r.next_cursor;
    more.hidden = !cursor;
  };
  more.addEventListener('click', next);
  await next();
  return [tbl, more];
}

export async function renderOrgs(main, params, query, ctx) {
  const q = query.get('q') || '';
  const search = h('input', { type: 'search', id: 'ad-q', value: q, autocomplete: 'off' });
  const sform = h('form', { class: 'toolbar', role: 'search' }, h('div', null, h('label', { for: 'ad-q' }, t('dbFilter')), search),
    h('button', { type: 'submit' }, t('stSearchBtn')));
  sform.addEventListener('submit', (ev) => { ev.preventDefault(); location.hash = `#/admin/orgs${search.value ? `?q=${encodeURIComponent(search.value)}` : ''}`; });
  const list = await paged([t('cpCode'), t('dbOrg'), t('stKind'), t('adParent'), t('adValidFrom')],
    (c) => get(`/orgs?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}${c ? `&cursor=${encodeURIComponent(c)}` : ''}`),
    (o) => h('tr', null, h('td', { class: 'reqno' }, h('a', { href: `#/admin/orgs/${seg(o.code)}` }, o.code)),
      h('td', null, pick(o, 'name')), h('td', null, t(`kind_${o.kind}`)), h('td', null, o.parent || o.supervisor || ''),
      h('td', null, fmtDate(o.valid_from))), 'orgs');
  if (!ctx.isCurrent()) return;
  replace(main, pageTitle(t('adOrgs')), tabs('orgs'), sform, ...list,
    h('h2', null, t('adNewOrg')), form([
      { name: 'kind', label: t('stKind'), options: KINDS.map((k) => [k, t(`kind_${k}`)]) },
      { name: 'code', label: t('cpCode'), attrs: { autocomplete: 'off' } },
      { name: 'name_ja', label: t('adNameJa'), attrs: { lang: 'ja' } },
      { name: 'name_en', label: t('adNameEn'), attrs: { lang: 'en' } },
      { name: 'parent', label: t('adParentCode') },
      { name: 'supervisor', label: t('adSupervisor') },
      { name: 'valid_from', label: t('adValidFrom'), type: 'date', attrs: { value: today() } },
    ], t('loopCreate'), async (v) => {
      const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ''));
      await post('/orgs', body);
      location.hash = `#/admin/orgs/${seg(v.code)}`;
    }, { id: 'new-org' }));
}

export async function renderOrg(main, [code], query, ctx) {
  const { data: o, etag } = await get(`/orgs/${seg(code)}`, { etag: true });
  if (!ctx.isCurrent()) return;
  replace(main, pageTitle(pick(o, 'name')), tabs('orgs'),
    h('dl', { class: 'facts' }, h('dt', null, t('cpCode')), h('dd', null, o.code), h('dt', null, t('stKind')), h('dd', null, t(`kind_${o.kind}`)),
      h('dt', null, t('adNameJa')), h('dd', { lang: 'ja' }, o.name_ja), h('dt', null, t('adNameEn')), h('dd', { lang: 'en' }, o.name_en),
      h('dt', null, t('adParent')), h('dd', null, o.parent || o.supervisor || '–'),
      h('dt', null, t('adValidFrom')), h('dd', null, fmtDate(o.valid_from))),
    h('h2', null, t('adRename')), form([
      { name: 'name_ja', label: t('adNameJa'), attrs: { value: o.name_ja, lang: 'ja' } },
      { name: 'name_en', label: t('adNameEn'), attrs: { value: o.name_en, lang: 'en' } },
      { name: 'date', label: t('adFrom'), type: 'date', attrs: { value: today() } },
    ], t('adSave'), async (v) => {
      await patch(`/orgs/${seg(code)}`, v, { headers: { 'If-Match': etag } });
      reload();
    }, { id: 'rename' }));
}

/** An account's role as a choice (not one's own): a change is saved at once, with
 * If-Match; a refusal is said beside it and the choice goes back. */
function roleCell(u, ctx) {
  if (u.name === ctx.user.name) return t(`role_${u.role}`);
  const sel = h('select', { 'aria-label': `${t('cpRole')}: ${u.name}` },
    ROLES.map((r) => h('option', { value: r, selected: r === u.role }, t(`role_${r}`))));
  const err = h('span', { class: 'field-error', role: 'status' });
  sel.addEventListener('change', async () => {
    err.textContent = '';
    try {
      const { etag } = await get(`/users/${seg(u.name)}`, { etag: true });
      await patch(`/users/${seg(u.name)}`, { role: sel.value }, { headers: { 'If-Match': etag } });
      reload();
    } catch (e) {
      sel.value = u.role;
      err.textContent = errorText(e);
    }
  });
  return [sel, ' ', err];
}

export async function renderUsers(main, params, query, ctx) {
  const list = await paged([t('userName'), t('adDisplay'), t('dbOrg'), t('cpRole'), t('clStatus'), ''],
    (c) => get(`/users?limit=200${c ? `&cursor=${encodeURIComponent(c)}` : ''}`),
    (u) => h('tr', null, h('td', null, u.name), h('td', null, u.display_name), h('td', null, u.org), h('td', null, roleCell(u, ctx)),
      h('td', null, u.disabled ? t('adDisabled') : t('adActive')),
      h('td', null, u.name === ctx.user.name ? '' : actionButton(u.disabled ? t('adEnable') : t('adDisable'), async () => {
        const { etag } = await get(`/users/${seg(u.name)}`, { etag: true });
        await patch(`/users/${seg(u.name)}`, { disabled: !u.disabled }, { headers: { 'If-Match': etag } });
        reload();
      }, { 'aria-label': `${u.disabled ? t('adEnable') : t('adDisable')}: ${u.name}` }))), 'users');
  if (!ctx.isCurrent()) return;
  replace(main, pageTitle(t('adUsers')), tabs('users'), ...list, h('h2', null, t('adNewUser')), form([
    { name: 'name', label: t('userName'), attrs: { autocomplete: 'off' } },
    { name: 'display_name', label: t('adDisplay') },
    { name: 'org', label: t('adOrgCode') },
    { name: 'role', label: t('cpRole'), options: ROLES.map((r) => [r, t(`role_${r}`)]) },
    { name: 'password', label: t('password'), type: 'password', attrs: { autocomplete: 'new-password' } },
  ], t('loopCreate'), async (v) => {
    await post('/users', Object.fromEntries(Object.entries(v).filter(([, x]) => x !== '')));
    reload();
  }, { id: 'new-user' }));
}

export async function renderTokens(main, params, query, ctx) {
  const r = await get('/tokens');
  if (!ctx.isCurrent()) return;
  const shown = h('div', { 'aria-live': 'polite', id: 'token-shown' });
  replace(main, pageTitle(t('adTokens')), tabs('tokens'), shown,
    r.items.length ? table(null, [t('adTokenName'), 'prefix', t('adScope'), t('adExpires'), t('adUsed'), t('clStatus')], r.items.map((x) => h('tr', null,
      h('td', null, x.name), h('td', { class: 'reqno' }, x.prefix), h('td', null, x.scope), h('td', null, fmtDate(x.expires_at)),
      h('td', null, fmtDate(x.used_at) || '–'),
      h('td', null, x.revoked_at ? `${t('adRevoked')} ${fmtDate(x.revoked_at)}`
        : actionButton(t('adRevoke'), () => del(`/tokens/${seg(x.id)}`).then(reload), { 'aria-label': `${t('adRevoke')}: ${x.name}` })))), { id: 'tokens' })
      : h('p', null, t('adNoTokens')),
    h('h2', null, t('adNewToken')), form([
      { name: 'name', label: t('adTokenName') },
      { name: 'scope', label: t('adScope'), options: [['read', 'read'], ['write', 'write']] },
      { name: 'days', label: t('adDays'), type: 'number', attrs: { min: '1', max: '366', value: '90' } },
    ], t('loopCreate'), async (v, el) => {
      const made = await post('/tokens', { name: v.name, scope: v.scope, days: Number(v.days) });
      el.reset();
      replace(shown, notice(t('adTokenOnce'), 'ok'), h('p', null, h('code', { id: 'token-secret' }, made.token)));
    }, { id: 'new-token' }));
}

export async function renderAudit(main, params, query, ctx) {
  const [v, list] = await Promise.all([get('/audit/verify'),
    paged([t('adSeq'), t('adAt'), t('adActor'), t('adOp'), t('adEntity')],
      (c) => get(`/audit?limit=100${c ? `&cursor=${encodeURIComponent(c)}` : ''}`),
      (x) => h('tr', null, h('td', { class: 'num' }, x.seq), h('td', null, x.at), h('td', null, x.actor), h('td', null, x.op),
        h('td', null, `${x.entity} ${x.entity_id || ''}`)), 'audit-log')]);
  if (!ctx.isCurrent()) return;
  replace(main, pageTitle(t('adAudit')), tabs('audit'),
    h('div', { id: 'verify' }, v.ok ? notice(t('adChainOk', { n: v.records }), 'ok')
      : notice(t('adChainBad', { seq: v.first_bad, why: v.why })), null), ...list);
}
