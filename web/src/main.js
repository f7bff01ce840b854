// The Simpul web application: a shell (header, navigation by role) and one
// page module per route. Pages use the node's public HTTP API only.
import { api, ApiError, setCsrf } from './api.js';
import { h, clear } from './dom.js';
import { t, initLanguage } from './strings.js';
import { langSwitch } from './lang.js';
import { signinPage } from './pages/signin.js';
import { dashboardPage } from './pages/dashboard.js';
import { intakePage } from './pages/intake.js';
import { searchPage } from './pages/search.js';
import { reportPage, selectorPage } from './pages/record.js';
import { alertsPage, stopAlerts } from './pages/alerts.js';
import { auditPage } from './pages/audit.js';
import { publicPage } from './pages/public.js';
import { unavailablePage } from './pages/unavailable.js';
import { networksPage, networkPage } from './pages/networks.js';
import { watchesPage } from './pages/watches.js';
import { personsPage, personPage } from './pages/persons.js';
import { noticesPage } from './pages/notices.js';
import { requestsPage } from './pages/requests.js';
import { documentsPage } from './pages/documents.js';

const LE = ['admin', 'analyst', 'investigator', 'supervisor'];
const READERS = [...LE, 'partner'];

// Each route: who sees it in the navigation, and how it renders. Pages for
// APIs other branches are building (persons, networks, notices, requests)
// are listed with the endpoint they need: they show an honest
// "not available on this node yet" until it appears, and each becomes a
// real page by replacing its `render` with a module like the others.
export const ROUTES = [
  { path: 'dashboard', nav: 'nav.dashboard', roles: [...READERS, 'auditor'], render: dashboardPage },
  { path: 'intake', nav: 'nav.intake', roles: READERS, render: intakePage },
  { path: 'search', nav: 'nav.search', roles: READERS, render: searchPage },
  { path: 'alerts', nav: 'nav.alerts', roles: READERS, render: alertsPage },
  { path: 'persons', nav: 'nav.persons', roles: LE, render: personsPage },
  { path: 'person', roles: LE, render: personPage },
  { path: 'documents', nav: 'nav.documents', roles: READERS, render: documentsPage },
  { path: 'networks', nav: 'nav.networks', roles: LE, render: networksPage },
  { path: 'network', roles: LE, render: networkPage },
  { path: 'watches', nav: 'nav.watches', roles: READERS, render: watchesPage },
  { path: 'notices', nav: 'nav.notices', roles: LE, render: noticesPage },
  { path: 'requests', nav: 'nav.requests', roles: READERS, render: requestsPage },
  { path: 'report', roles: [...READERS, 'auditor'], render: reportPage },
  { path: 'selector', roles: READERS, render: selectorPage },
  { path: 'audit', nav: 'nav.audit', roles: ['admin', 'auditor'], render: auditPage },
];

const root = document.getElementById('app');
let me = null;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart, query = ''] = raw.split('?');
  const [path, ...rest] = pathPart.split('/');
  return { path: path || '', arg: rest.map(decodeURIComponent).join('/'), query: new URLSearchParams(query) };
}

export function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function homeFor(role) {
  return role === 'auditor' ? '#/audit' : '#/dashboard';
}

function header(route) {
  const nav = h('ul', { class: 'nav' });
  for (const r of ROUTES) {
    if (!r.nav || !r.roles.includes(me.role)) continue;
    const a = h('a', { href: `#/${r.path}` }, t(r.nav));
    if (route && route.path === r.path) a.setAttribute('aria-current', 'page');
    nav.append(h('li', null, a));
  }
  const out = h('button', { type: 'button', class: 'linkish', onclick: signOut }, t('nav.signout'));
  return h('header', { class: 'top' },
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); document.getElementById('main').focus(); } }, t('app.skip')),
    h('div', { class: 'bar' },
      h('a', { class: 'brand', href: homeFor(me.role) }, t('app.name')),
      h('p', { class: 'who', 'data-testid': 'whoami' },
        t('nav.signedin', { name: me.name, role: t(`role.${me.role}`), agency: me.agency.id })),
      out, langSwitch()),
    h('nav', { 'aria-label': t('nav.label') }, nav));
}

async function signOut() {
  try { await api('DELETE', '/api/v1/session'); } catch (e) { /* the cookie is cleared either way */ }
  me = null;
  setCsrf(null);
  stopAlerts();
  sessionStorage.setItem('simpul.flash', t('signin.signedout'));
  go('#/signin');
}

async function whoami() {
  try {
    const s = await api('GET', '/api/v1/session');
    setCsrf(s.csrf || null);
    return s;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export async function signedIn(session) {
  me = session;
  setCsrf(session.csrf || null);
  go(homeFor(me.role));
}

async function render() {
  stopAlerts();
  if (location.pathname === '/public') {
    clear(root);
    const main = h('main', { id: 'main', tabindex: '-1' });
    root.append(main);
    await publicPage(main);
    // At the top: a member of the public may not read the first language.
    const top = main.querySelector('.public-top');
    if (top) top.insertBefore(langSwitch(), top.lastChild);
    else main.append(h('footer', { class: 'narrow foot' }, langSwitch()));
    return;
  }
  const { path, arg, query } = parseHash();
  if (me === null && path !== 'signin') {
    try {
      me = await whoami();
    } catch (e) {
      me = null;
    }
  }
  if (me === null) {
    clear(root);
    const main = h('main', { id: 'main', tabindex: '-1' });
    root.append(main);
    signinPage(main, { onSignedIn: signedIn });
    main.append(h('footer', { class: 'narrow foot' }, langSwitch()));
    return;
  }
  if (path === 'signin' || path === '') {
    go(homeFor(me.role));
    return;
  }
  const route = ROUTES.find((r) => r.path === path && r.roles.includes(me.role));
  clear(root);
  root.append(header(route));
  const main = h('main', { id: 'main', tabindex: '-1' });
  root.append(main);
  if (!route) {
    go(homeFor(me.role));
    return;
  }
  try {
    await route.render(main, { me, arg, query, go });
  } catch (e) {
    main.append(h('p', { class: 'error', role: 'alert' }, e instanceof ApiError && e.status === 0 ? t('app.offline') : t('app.error', { detail: e.message })));
  }
  const h1 = main.querySelector('h1');
  if (h1) {
    h1.setAttribute('tabindex', '-1');
    h1.focus();
  }
  document.title = `${h1 ? h1.textContent + ' — ' : ''}${t('app.name')}`;
}

initLanguage();
window.addEventListener('hashchange', render);
window.addEventListener('simpul:language', () => {
  // Drawn again in the new language, focus back on the switch.
  render().then(() => { const s = document.querySelector('[data-testid=lang]'); if (s) s.focus(); });
});
render();
