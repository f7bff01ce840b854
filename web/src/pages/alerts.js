import { api } from '../api.js';
import { h, clear } from '../dom.js';
import { t, fmtDateTime } from '../strings.js';
import { hitLine, reportLink, errorBox } from './common.js';
import { openLive } from './live.js';
import { describeMore } from './notices.js';

const POLL_SECONDS = 5;
let timer = null;
let source = null;

export function stopAlerts() {
  clearInterval(timer);
  timer = null;
  if (source) source.close();
  source = null;
}

// Every alert of the inbox, oldest first (the API's order), page by page.
export async function fetchAlerts(after = 0, max = 5000) {
  const all = [];
  let cursor = after;
  while (all.length < max) {
    const r = await api('GET', `/api/v1/alerts?after=${cursor}&limit=500`);
    all.push(...r.alerts);
    if (r.alerts.length === 0 || r.next === cursor) return { alerts: all, next: r.next };
    cursor = r.next;
  }
  return { alerts: all, next: cursor };
}

function describe(a) {
  const d = a.data || {};
  if (a.kind === 'match' && d.visibility === 'hit') {
    return [h('code', null, d.key), ' — ', reportLink(d.your_report, t('alerts.open.yours')), ': ', hitLine(d.agency, d.contact_ref)];
  }
  if (a.kind === 'match') {
    return [h('code', null, d.key), ' — ', reportLink(d.your_report, t('alerts.open.yours')), ' ↔ ',
      reportLink(d.report, t('report.match.full', { report: d.report, agency: d.agency }))];
  }
  const more = describeMore(a);
  if (more) return more;
  return [t('alerts.silent', { agency: d.agency || '?', action: d.action || d.principal || '', key: d.key || '', yours: d.your_report || '' }),
    ' ', d.your_report ? reportLink(d.your_report, t('alerts.open.yours')) : ''];
}

function item(a) {
  return h('li', { class: `alert alert-${a.kind}`, 'data-testid': 'alert', 'data-kind': a.kind },
    h('p', { class: 'alert-head' }, h('strong', null, t(`alerts.kind.${a.kind}`)), ' ', h('time', { datetime: a.created }, fmtDateTime(a.created))),
    h('p', null, describe(a)));
}

export async function alertsPage(main) {
  const list = h('ol', { class: 'alerts', reversed: true, 'data-testid': 'alerts' });
  const mode = h('p', { class: 'muted', 'data-testid': 'alerts-mode' });
  const news = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const empty = h('p', { 'data-testid': 'alerts-none' }, t('alerts.none'));
  main.append(h('h1', null, t('alerts.title')), mode, news, empty, list);
  let next = 0;
  const seen = new Set();
  function add(alerts, announce) {
    let n = 0;
    for (const a of alerts) {
      if (seen.has(a.id)) continue;
      seen.add(a.id);
      list.prepend(item(a));
      n += 1;
    }
    empty.hidden = seen.size > 0;
    if (announce && n) news.textContent = t('alerts.new', { n });
  }
  try {
    const r = await fetchAlerts(0);
    add(r.alerts, false);
    next = r.next;
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  // Live over SSE (GET /api/v1/events, the session cookie); while the
  // stream is down (or the browser has no EventSource), polling.
  function state(st) {
    mode.dataset.mode = st;
    mode.textContent = st === 'live' ? t('alerts.live') : t('alerts.poll', { s: POLL_SECONDS });
    if (st === 'live') {
      clearInterval(timer);
      timer = null;
      poll();
    } else if (!timer) {
      timer = setInterval(poll, POLL_SECONDS * 1000);
    }
  }
  const close = openLive(next, (a) => {
    if (a.seq > next) next = a.seq;
    add([a], true);
  }, state);
  source = { close };
  let busy = false;
  async function poll() {
    if (busy) return;
    busy = true;
    try {
      const r = await fetchAlerts(next);
      next = r.next;
      add(r.alerts, true);
    } catch (e) { /* try again at the next tick */ }
    busy = false;
  }
  if (mode.dataset.mode !== 'live' && !timer) state('down');
}
