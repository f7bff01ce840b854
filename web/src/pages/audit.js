import { api } from '../api.js';
import { h, field, clear } from '../dom.js';
import { t, fmtDateTime } from '../strings.js';
import { errorBox } from './common.js';

async function verify(box) {
  clear(box);
  box.append(h('p', null, t('app.loading')));
  try {
    const r = await api('GET', '/api/v1/audit/verify');
    clear(box);
    box.append(r.ok
      ? h('p', { class: 'ok', 'data-testid': 'audit-verify' }, t('audit.verify.ok', { n: r.entries }))
      : h('p', { class: 'bad', role: 'alert', 'data-testid': 'audit-verify' }, t('audit.verify.bad', { detail: r.error || JSON.stringify(r) })));
  } catch (e) {
    clear(box);
    box.append(errorBox(e));
  }
}

export async function auditPage(main, { query, go }) {
  const vbox = h('div', { 'aria-live': 'polite' });
  const inputs = {};
  for (const [k, label] of [['principal', 'audit.principal'], ['agency', 'audit.agency'], ['action', 'audit.action'], ['outcome', 'audit.outcome'], ['q', 'audit.text']]) {
    inputs[k] = { label, el: h('input', { name: k, value: query.get(k) || '', autocomplete: 'off', spellcheck: 'false' }) };
  }
  const results = h('div', { 'aria-live': 'polite', 'data-testid': 'audit-results' });
  main.append(h('h1', null, t('audit.title')),
    h('section', { class: 'card' }, h('h2', null, t('audit.verify')), vbox,
      h('button', { type: 'button', class: 'secondary', onclick: () => verify(vbox) }, t('audit.verify.run'))),
    h('section', { class: 'card' }, h('h2', null, t('audit.search')),
      h('form', { role: 'search', onsubmit: (e) => {
        e.preventDefault();
        const p = new URLSearchParams();
        for (const [k, v] of Object.entries(inputs)) if (v.el.value.trim()) p.set(k, v.el.value.trim());
        go(`#/audit?${p}`);
      } },
        h('div', { class: 'grid3' }, Object.values(inputs).map((v) => field(t(v.label), v.el))),
        h('button', { type: 'submit' }, t('audit.submit')))),
    results);
  verify(vbox);

  async function page(before) {
    const p = new URLSearchParams({ limit: '50' });
    for (const [k, v] of Object.entries(inputs)) if (v.el.value.trim()) p.set(k, v.el.value.trim());
    if (before) p.set('before', String(before));
    let r;
    try {
      r = await api('GET', `/api/v1/audit?${p}`);
    } catch (e) {
      results.append(errorBox(e));
      return;
    }
    if (!before) results.append(h('p', { class: 'muted' }, t(r.scope === 'all' ? 'audit.scope.all' : 'audit.scope.agency')));
    if (!r.entries.length && !before) results.append(h('p', null, t('audit.none')));
    if (r.entries.length) {
      const rows = r.entries.map((x) => {
        const e = x.entry;
        return h('tr', null, h('td', null, String(x.seq)), h('td', null, fmtDateTime(x.ts)),
          h('td', null, `${e.principal}${e.agency ? ` (${e.agency}, ${e.role})` : ''}`), h('td', null, e.action),
          h('td', null, e.object || ''), h('td', null, e.outcome || ''),
          h('td', null, [e.purpose, e.case].filter(Boolean).join(' / ')));
      });
      results.append(h('div', { class: 'scroll' }, h('table', { class: 'audit' },
        h('thead', null, h('tr', null, ['col.seq', 'col.ts', 'col.who', 'col.action', 'col.object', 'col.outcome', 'col.why'].map((c) => h('th', { scope: 'col' }, t(`audit.${c}`))))),
        h('tbody', null, rows))));
    }
    if (r.next_before) {
      const more = h('button', { type: 'button', class: 'secondary', onclick: () => { more.remove(); page(r.next_before); } }, t('audit.older'));
      results.append(more);
    }
  }
  await page(0);
}
