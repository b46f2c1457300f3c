// app.js: the start of the web interface: the session, the frame (header, menu, language
// switch), and the router over location.hash (#/path?query). Pages are modules that
// export render(main, params, query, ctx) and build their DOM with dom.js only.
import { h, replace } from './dom.js';
import { get, del, setCsrf, onUnauthenticated } from './api.js';
import { t, setLang, setUser, currentLang } from './i18n.js';
import { errorText, notice, pageTitle } from './ui.js';
import * as auth from './view-auth.js';
import * as checklist from './view-checklist.js';
import * as dashboard from './view-dashboard.js';
import * as standard from './view-standard.js';
import * as campaign from './view-campaign.js';
import * as loop from './view-loop.js';
import * as audit from './view-audit.js';
import * as admin from './view-admin.js';

const CENTRE = ['centre_admin', 'centre_analyst'];
const EVAL = [...CENTRE, 'org_admin', 'unit_officer'];
const LOOP = [...EVAL, 'external_auditor'];
const ADMIN = ['centre_admin', 'org_admin'];

// [pattern, render, roles (null: every logged-in user; 'public': nobody needs to be)]
const ROUTES = [
  [/^\/login$/, auth.renderLogin, 'public'],
  [/^\/$/, renderHome, null],
  [/^\/account$/, auth.renderPassword, null],
  [/^\/checklists$/, checklist.renderList, null],
  [/^\/checklists\/([^/]+)$/, checklist.renderOne, null],
  [/^\/dashboard$/, dashboard.renderDashboard, EVAL],
  [/^\/orgs\/([^/]+)$/, dashboard.renderOrg, EVAL],
  [/^\/campaigns$/, campaign.renderCampaigns, EVAL],
  [/^\/campaigns\/([^/]+)$/, campaign.renderCampaign, EVAL],
  [/^\/loop$/, loop.renderBoard, LOOP],
  [/^\/audits\/([^/]+)$/, loop.renderAudit, LOOP],
  [/^\/recs\/([^/]+)$/, loop.renderRec, LOOP],
  [/^\/plans\/([^/]+)$/, loop.renderPlan, LOOP],
  [/^\/audit-programmes$/, audit.renderProgrammes, LOOP],
  [/^\/audit-programmes\/([^/]+)$/, audit.renderProgramme, LOOP],
  [/^\/audit-engagements\/([^/]+)$/, audit.renderEngagement, null],
  [/^\/audit-engagements\/([^/]+)\/report$/, audit.renderReport, null],
  [/^\/admin\/orgs$/, admin.renderOrgs, ADMIN],
  [/^\/admin\/orgs\/([^/]+)$/, admin.renderOrg, ADMIN],
  [/^\/admin\/users$/, admin.renderUsers, ADMIN],
  [/^\/admin\/tokens$/, admin.renderTokens, ADMIN],
  [/^\/admin\/audit$/, admin.renderAudit, ADMIN],
  [/^\/standard$/, standard.renderEditions, null],
  [/^\/standard\/([^/]+)$/, standard.renderEdition, null],
  [/^\/standard\/([^/]+)\/items\/(.+)$/, standard.renderItem, null],
  [/^\/diff$/, standard.renderDiff, null],
];

const ctx = { user: null };

/** The screens a user may open, for the menu and the start page. */
function menu(user) {
  const items = [['#/', 'home', null]];
  if (EVAL.includes(user.role)) items.push(['#/dashboard', 'dashboard', 'homeDashboard']);
  items.push(['#/checklists', 'checklists', 'homeChecklists']);
  if (EVAL.includes(user.role)) items.push(['#/campaigns', 'campaigns', 'homeCampaigns']);
  if (LOOP.includes(user.role)) items.push(['#/loop', 'loop', 'homeLoop']);
  if (LOOP.includes(user.role)) items.push(['#/audit-programmes', 'auMenu', 'auHome']);
  items.push(['#/standard', 'standard', 'homeStandard']);
  if (ADMIN.includes(user.role)) items.push(['#/admin/orgs', 'admin', 'homeAdmin']);
  items.push(['#/account', 'account', 'homeAccount']);
  return items;
}

function renderHeader() {
  const top = document.getElementById('top');
  const here = location.hash.split('?')[0] || '#/';
  const langBtn = h('button', {
    type: 'button', class: 'lang', lang: currentLang() === 'ja' ? 'en' : 'ja',
    'aria-label': t('switchLabel'), id: 'lang-switch',
    onclick: async () => {
      setLang(currentLang() === 'ja' ? 'en' : 'ja');
      await route();
      document.getElementById('lang-switch')?.focus();
    },
  }, t('switchTo'));
  const parts = [h('a', { class: 'brand', href: '#/' }, t('app'))];
  if (ctx.user) {
    parts.push(h('nav', { 'aria-label': t('nav') }, h('ul', null, menu(ctx.user).map(([href, k]) =>
      h('li', null, h('a', { href, 'aria-current': here === href ? 'page' : null }, t(k)))))));
    parts.push(h('div', { class: 'who' },
      h('span', null, t('signedInAs', { name: ctx.user.display_name || ctx.user.name, role: t(`role_${ctx.user.role}`) })),
      langBtn,
      h('button', { type: 'button', id: 'logout', onclick: logout }, t('logout'))));
  } else {
    parts.push(h('div', { class: 'who' }, langBtn));
  }
  replace(top, ...parts);
  document.querySelector('.skip').textContent = t('skip');
}

async function logout() {
  try { await del('/session'); } catch { /* gone already */ }
  ctx.user = null;
  setCsrf(null);
  setUser(null);
  sessionStorage.setItem('kijun.flash', 'loggedOut');
  location.hash = '#/login';
}

function renderHome(main) {
  const cards = menu(ctx.user).filter(([, , d]) => d).map(([href, k, d]) =>
    h('li', null, h('a', { href, class: 'card' }, h('span', { class: 'card-title' }, t(k)), h('span', null, t(d)))));
  replace(main, pageTitle(t('homeTitle')), h('h2', null, t('homeIntro')), h('ul', { class: 'cards' }, cards));
}

/** Called after login (user, csrf) or with the session found at start. */
export function signedIn(user, csrf) {
  ctx.user = user;
  setCsrf(csrf);
  setUser(user.name);
}

let routing = 0;

export async function route() {
  const seq = ++routing;
  const [path, qs] = (location.hash.slice(1) || '/').split('?');
  const query = new URLSearchParams(qs || '');
  const main = document.getElementById('main');
  let found = null;
  let params = [];
  for (const [re, fn, roles] of ROUTES) {
    const m = re.exec(path);
    if (m) { found = [fn, roles]; params = m.slice(1).map(decodeURIComponent); break; }
  }
  if (found && found[1] !== 'public' && !ctx.user) {
    sessionStorage.setItem('kijun.after', location.hash);
    location.hash = '#/login';
    return;
  }
  if (found && found[1] === 'public' && ctx.user) {
    location.hash = '#/';
    return;
  }
  renderHeader();
  if (!found || (Array.isArray(found[1]) && !found[1].includes(ctx.user.role))) {
    replace(main, pageTitle(t('errNotFound')), h('p', null, h('a', { href: '#/' }, t('home'))));
    document.body.dataset.route = location.hash;
    return;
  }
  main.setAttribute('aria-busy', 'true');
  try {
    await found[0](main, params, query, { ...ctx, isCurrent: () => seq === routing, signedIn });
  } catch (e) {
    if (seq === routing) replace(main, pageTitle(t('errServer')), notice(errorText(e)));
  }
  if (seq !== routing) return;
  main.removeAttribute('aria-busy');
  document.body.dataset.route = location.hash;	// what is drawn: tests wait for it
  const h1 = main.querySelector('h1');
  if (h1 && !main.contains(document.activeElement)) h1.focus();
}

async function start() {
  // The skip link moves the focus; as a link to #main it would be taken for a route.
  document.querySelector('.skip').addEventListener('click', (ev) => {
    ev.preventDefault();
    document.getElementById('main').focus();
  });
  onUnauthenticated(() => {
    if (!ctx.user) return;
    ctx.user = null;
    setUser(null);
    location.hash = '#/login';
  });
  try {
    const s = await get('/session', { quiet401: true });
    signedIn(s.user, s.csrf_token);
  } catch {
    setUser(null);
  }
  window.addEventListener('hashchange', route);
  await route();
  document.body.dataset.started = '1';
}

start();
