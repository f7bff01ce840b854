import { api, ApiError } from '../api.js';
import { h, clear, field } from '../dom.js';
import { t, label, fmtDateTime } from '../strings.js';
import { dl, errorBox, hitLine, reportLink, selectorLink } from './common.js';

function pct(x) { return `${Math.round(x * 1000) / 10}%`; }

// The node's words for an explanation, in the reader's language (the
// node's own word when it is one this page does not know).
function exValue(k, v) {
  if (k === 'whole_name') return v && typeof v === 'object' && typeof v.similarity === 'number' ? pct(v.similarity) : String(v);
  if (k === 'patronym') return t('common.yes');
  return label('exv', String(v).replace(/ /g, '_'));
}

function explainList(x) {
  const ex = x.explain || {};
  const items = [];
  items.push(h('li', null, t('person.ex.name', { name: ex.name || '', score: pct(ex.name_score || 0) })));
  for (const tok of ex.tokens || []) {
    items.push(h('li', { 'data-testid': 'person-token' }, t('person.ex.token', { q: tok.query, m: tok.matched, how: label('how', tok.how), sim: pct(tok.similarity) })));
  }
  if ((ex.unmatched_query || []).length) items.push(h('li', null, t('person.ex.unq', { list: ex.unmatched_query.join(', ') })));
  if ((ex.unmatched_record || []).length) items.push(h('li', null, t('person.ex.unr', { list: ex.unmatched_record.join(', ') })));
  for (const k of ['dob', 'nationality', 'whole_name', 'patronym', 'alias', 'document']) {
    if (ex[k] !== undefined && ex[k] !== null) items.push(h('li', null, t(`person.ex.${k}`, { v: exValue(k, ex[k]) })));
  }
  return h('ul', { class: 'explain', 'data-testid': 'person-explain' }, items);
}

// The answer of POST /api/v1/persons/search: best first, each score with
// the reasons the node gives for it.
export function personResults(r) {
  const box = h('section', { class: 'card', 'data-testid': 'person-results' }, h('h2', null, t('person.results')));
  box.append(h('p', { class: 'muted' }, t('person.threshold', { th: pct(r.threshold) })));
  if (!r.results.length && !(r.contacts || []).length) box.append(h('p', { 'data-testid': 'person-none' }, t('person.none')));
  if (r.results.length) {
    box.append(h('ol', { class: 'results' }, r.results.map((x) => h('li', { 'data-testid': 'person-result' },
      h('p', null, h('a', { href: `#/person/${encodeURIComponent(x.id)}` }, x.explain && x.explain.name ? x.explain.name : x.ref),
        ` (${x.ref}, ${x.explain && x.explain.agency ? x.explain.agency : ''}) — `,
        h('span', { class: `score${x.score >= r.threshold ? ' score-alert' : ''}`, 'data-testid': 'person-score' },
          t(x.score >= r.threshold ? 'person.score.alert' : 'person.score', { s: x.score.toFixed(4) }))),
      explainList(x)))));
  }
  if ((r.contacts || []).length) {
    box.append(h('h3', null, t('search.contacts')), h('ul', null, r.contacts.map((c) => h('li', { 'data-testid': 'person-contact' },
      hitLine(c.agency, c.contact_ref), ` — ${t('person.score', { s: c.score.toFixed(4) })}`))));
  }
  return box;
}

export async function personSearch(name, extra = {}) {
  return api('POST', '/api/v1/persons/search', { name, ...extra, limit: 10 });
}

// The persons page: the same search with date of birth and nationality.
export async function personsPage(main, { query, go }) {
  const name = h('input', { name: 'name', value: query.get('name') || '', autocomplete: 'off', required: true, 'data-testid': 'person-name' });
  const dob = h('input', { name: 'dob', value: query.get('dob') || '', autocomplete: 'off', placeholder: 'YYYY-MM-DD' });
  const nat = h('input', { name: 'nationality', value: query.get('nationality') || '', autocomplete: 'off', maxlength: 2 });
  const out = h('div', { 'aria-live': 'polite' });
  main.append(h('h1', null, t('persons.name')), h('p', null, t('person.intro')),
    h('form', { role: 'search', class: 'card', onsubmit: (e) => {
      e.preventDefault();
      const p = new URLSearchParams({ name: name.value.trim() });
      if (dob.value.trim()) p.set('dob', dob.value.trim());
      if (nat.value.trim()) p.set('nationality', nat.value.trim().toUpperCase());
      go(`#/persons?${p}`);
    } }, field(t('person.name'), name),
      h('div', { class: 'grid3' }, field(t('person.dob'), dob, t('person.dob.help')), field(t('person.nationality'), nat, t('person.nationality.help'))),
      h('button', { type: 'submit' }, t('search.submit'))),
    out);
  if (!name.value.trim()) return;
  const extra = {};
  if (dob.value.trim()) extra.dob = dob.value.trim();
  if (nat.value.trim()) extra.nationality = nat.value.trim().toUpperCase();
  try {
    out.append(personResults(await personSearch(name.value.trim(), extra)));
  } catch (e) {
    out.append(errorBox(e));
  }
}

// #/person/ID: one person record as the policy lets the reader see it.
export async function personPage(main, { arg }) {
  let p;
  try {
    p = await api('GET', `/api/v1/persons/${encodeURIComponent(arg)}`);
  } catch (e) {
    main.append(h('h1', null, t('person.title', { id: arg })));
    main.append(e instanceof ApiError && e.status === 404 ? h('p', { class: 'notice', 'data-testid': 'person-notfound' }, t('person.notfound', { id: arg })) : errorBox(e));
    return;
  }
  if (p.visibility === 'hit') {
    main.append(h('h1', null, t('person.title', { id: p.id })),
      h('section', { class: 'card', 'data-testid': 'person-hit' }, h('p', null, t('report.hitonly')), h('p', null, hitLine(p.agency, p.contact_ref))));
    return;
  }
  const names = p.names || [];
  const m = p.markings || {};
  main.append(h('h1', null, t('person.title', { id: names.length ? names[0].name : p.id })),
    h('section', { class: 'card', 'data-testid': 'person-full' }, dl([
      [t('person.ref'), p.ref], [t('report.agency'), p.agency], [t('person.role'), p.role ? label('prole', p.role) : null],
      [t('person.dob'), Array.isArray(p.dob) ? p.dob.join(', ') : p.dob], [t('person.nationality'), (p.nationality || []).join(', ')],
      [t('person.gender'), p.gender && label('gender', p.gender)], [t('report.created'), fmtDateTime(p.created)],
      [t('report.markings'), [m.tlp && `TLP:${m.tlp}`, (m.releasable_to || []).join(', '), m.disclosure && label('disc', m.disclosure)].filter(Boolean).join(' · ')],
    ])));
  if (names.length) {
    main.append(h('section', { class: 'card' }, h('h2', null, t('person.names')),
      h('ul', { 'data-testid': 'person-names' }, names.map((n) => h('li', null, n.name, ` — ${[n.strength, n.script].filter(Boolean).join(', ')}`)))));
  }
  if ((p.documents || []).length) {
    main.append(h('section', { class: 'card' }, h('h2', null, t('person.documents')),
      h('ul', null, p.documents.map((d) => h('li', null, `${d.type || ''} ${d.country || ''} `, h('code', null, d.number || ''))))));
  }
  const links = p.links || {};
  if ((links.reports || []).length || (links.selectors || []).length) {
    main.append(h('section', { class: 'card' }, h('h2', null, t('person.links')),
      h('ul', null, (links.reports || []).map((r) => h('li', null, reportLink(r))), (links.selectors || []).map((s) => h('li', null, selectorLink(s))))));
  }
}
