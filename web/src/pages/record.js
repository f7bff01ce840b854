import { api } from '../api.js';
import { h } from '../dom.js';
import { t, label, fmtDate, fmtDateTime } from '../strings.js';
import { dl, money, hitLine, matchItem, selectorLink, errorBox } from './common.js';
import { checkResult } from './search.js';
import { networksOfReport } from './networks.js';
import { watchButton } from './watches.js';

const LE = ['admin', 'analyst', 'investigator', 'supervisor'];

export async function reportPage(main, { arg, me }) {
  const id = arg;
  let r;
  try {
    r = await api('GET', `/api/v1/reports/${encodeURIComponent(id)}`);
  } catch (e) {
    main.append(h('h1', null, t('report.title', { id })));
    main.append(e.status === 404 ? h('p', { class: 'notice', 'data-testid': 'report-notfound' }, t('report.notfound', { id })) : errorBox(e));
    return;
  }
  main.append(h('h1', null, t('report.title', { id: r.id })));
  if (r.visibility === 'hit') {
    main.append(h('section', { class: 'card', 'data-testid': 'report-hit' },
      h('p', null, t('report.hitonly')), h('p', null, hitLine(r.agency, r.contact_ref))));
    return;
  }
  const m = r.markings || {};
  const marks = [m.tlp && `TLP:${m.tlp}`, (m.releasable_to || []).join(', '), m.disclosure && label('disc', m.disclosure), m.orcon ? 'ORCON' : null].filter(Boolean).join(' · ');
  main.append(h('section', { class: 'card', 'data-testid': 'report-full' }, dl([
    [t('report.agency'), r.agency], [t('report.reference'), r.reference], [t('report.created'), fmtDateTime(r.created)],
    [t('report.occurred'), r.occurred_at && fmtDate(r.occurred_at)], [t('report.scamtype'), r.scam_type ? label('scam', r.scam_type) : null], [t('report.status'), r.status],
    [t('report.loss'), r.loss ? money(r.loss) : null], [t('report.victimcountry'), r.victim_country], [t('report.markings'), marks],
  ])));
  if (r.narrative) main.append(h('section', { class: 'card' }, h('h2', null, t('report.narrative')), h('p', { class: 'prose', translate: 'no' }, r.narrative)));
  if (r.victim) main.append(h('section', { class: 'card' }, h('h2', null, t('report.victim')), h('pre', null, JSON.stringify(r.victim, null, 2))));
  if (r.selectors && r.selectors.length) {
    main.append(h('section', { class: 'card' }, h('h2', null, t('report.selectors')),
      h('ul', { 'data-testid': 'report-selectors' }, r.selectors.map((s) => h('li', null, selectorLink(s.key), ` — ${label('seltype', s.type)}, ${label('selrole', s.role)}`,
        s.valid ? '' : h('span', { class: 'warn' }, ` (${t('report.sel.flagged', { flag: s.flag || '' })})`))))));
  }
  if (r.matches && r.matches.length) {
    main.append(h('section', { class: 'card' }, h('h2', null, t('report.matches')), h('ul', { 'data-testid': 'matches' }, r.matches.map(matchItem))));
  }
  if (LE.includes(me.role)) main.append(await networksOfReport(r));
}

export async function selectorPage(main, { arg, me }) {
  const key = arg;
  main.append(h('h1', null, t('selector.title', { key })));
  try {
    const r = await api('POST', '/api/v1/check', { selectors: [{ key }] });
    main.append(checkResult(r.results[0]));
    if (LE.includes(me.role) && r.results[0].hit) {
      main.append(h('p', { 'data-testid': 'selector-network' }, h('a', { href: `#/network?key=${encodeURIComponent(key)}` }, t('net.graph.key')), ' · ',
        h('a', { href: `#/networks?key=${encodeURIComponent(key)}` }, t('net.ofkey'))));
    }
    main.append(h('p', null, watchButton('selector', key)));
  } catch (e) {
    main.append(errorBox(e));
  }
}
