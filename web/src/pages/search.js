import { api } from '../api.js';
import { detect, TYPES } from '../detect.js';
import { h, field, select, clear } from '../dom.js';
import { t, fmtDate } from '../strings.js';
import { COUNTRIES, hitLine, reportLink, errorBox } from './common.js';
import { personResults, personSearch } from './persons.js';
import { checkDocument, documentResult } from './documents.js';

// One result of POST /api/v1/check, as a reader sees it.
export function checkResult(r) {
  const box = h('section', { class: 'card', 'data-testid': 'check-result' });
  const n = r.records.length + r.contacts.length;
  box.append(h('h2', null, r.hit ? t('search.hit', { key: r.key, n }) : t('search.nohit', { key: r.key })));
  if (!r.valid) box.append(h('p', { class: 'warn' }, t('search.invalid', { key: r.key })));
  if (r.records.length) {
    box.append(h('h3', null, t('search.records')),
      h('ul', null, r.records.map((x) => h('li', null, reportLink(x.id, t('report.match.full', { report: x.reference || x.id, agency: x.agency })),
        ` — TLP:${x.tlp}, ${fmtDate(x.created)}`))));
  }
  if (r.contacts.length) {
    box.append(h('h3', null, t('search.contacts')), h('ul', null, r.contacts.map((c) => h('li', null, hitLine(c.agency, c.ref)))));
  }
  return box;
}

export async function searchPage(main, { me, query, go }) {
  const q = h('input', { type: 'search', name: 'q', value: query.get('q') || '', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'search-box' });
  const type = select([['', t('search.type.auto', { type: '…' })], ...TYPES.map((x) => [x, t(`seltype.${x}`)])], query.get('type') || '', { name: 'type' });
  const country = select(COUNTRIES.map((x) => [x, x]), query.get('country') || me.agency.country, { name: 'country' });
  const bank = h('input', { name: 'bank', value: query.get('bank') || '', autocomplete: 'off' });
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'search-results' });
  function relabel() {
    const d = detect(q.value);
    type.options[0].textContent = t('search.type.auto', { type: d ? (d === 'name' ? t('search.persons') : t(`seltype.${d}`)) : '…' });
  }
  q.addEventListener('input', relabel);
  relabel();

  async function run() {
    clear(out);
    const v = q.value.trim();
    if (!v) { out.append(h('p', null, t('search.empty'))); return; }
    const tp = type.value || detect(v);
    if (tp === 'name' || !tp) {
      // Names go to the person search (law enforcement only: others get
      // the node's 403, said plainly).
      try {
        out.append(personResults(await personSearch(v)));
      } catch (e) {
        out.append(e.status === 403 ? h('p', { class: 'notice', 'data-testid': 'person-forbidden' }, t('person.forbidden')) : errorBox(e));
      }
      if (!tp) return;
    }
    if (tp === 'name') return;
    const sel = { type: tp, value: v, country: country.value };
    if (tp === 'bank_account' && bank.value.trim()) sel.bank = bank.value.trim();
    if (!['phone', 'bank_account', 'ewallet', 'national_id', 'passport'].includes(tp)) delete sel.country;
    try {
      const r = await api('POST', '/api/v1/check', { selectors: [sel] });
      out.append(checkResult(r.results[0]));
    } catch (e) {
      out.append(errorBox(e));
    }
    // A passport number is also a travel document: the lost and stolen
    // documents of the country chosen (POST /api/v1/documents/check).
    if (tp === 'passport') {
      try {
        const a = await checkDocument({ issuing_country: country.value, number: v });
        out.append(h('h2', null, t('search.documents')), documentResult(a, `${country.value} ${v}`));
      } catch (e) {
        out.append(errorBox(e));
      }
    }
  }

  main.append(h('h1', null, t('search.title')),
    h('form', { role: 'search', class: 'card', onsubmit: (e) => {
      e.preventDefault();
      const p = new URLSearchParams({ q: q.value.trim() });
      if (type.value) p.set('type', type.value);
      if (country.value !== me.agency.country) p.set('country', country.value);
      if (bank.value.trim()) p.set('bank', bank.value.trim());
      go(`#/search?${p}`);
    } },
      field(t('search.label'), q),
      h('div', { class: 'grid3' }, field(t('search.type'), type), field(t('search.country'), country), field(t('search.bank'), bank)),
      h('button', { type: 'submit' }, t('search.submit'))),
    out);
  if (q.value.trim()) await run();
}
