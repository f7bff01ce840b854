import { api, offers } from '../api.js';
import { h, field, select, clear } from '../dom.js';
import { t, fmtDate, fmtNumber } from '../strings.js';
import { COUNTRIES } from './common.js';
import { detect } from '../detect.js';

// The public page: no sign-in. The public check (POST /api/v1/public/check)
// and public reports (POST /api/v1/public/reports) are offered by other
// work on the node; until the node serves them, this page says so.
export async function publicPage(main) {
  document.title = `${t('public.title')} — ${t('app.name')}`;
  const type = select([['phone', t('seltype.phone')], ['bank_account', t('seltype.bank_account')], ['url', t('seltype.url')]], 'phone', { name: 'type' });
  const value = h('input', { name: 'value', autocomplete: 'off', spellcheck: 'false', required: true, 'data-testid': 'public-value' });
  const country = select(COUNTRIES.map((x) => [x, x]), 'MY', { name: 'country' });
  const bank = h('input', { name: 'bank', autocomplete: 'off' });
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'public-result' });
  const checkBtn = h('button', { type: 'submit' }, t('public.submit'));
  const hasCheck = await offers('/api/v1/public/check');
  const hasReport = await offers('/api/v1/public/reports');

  async function check(ev) {
    ev.preventDefault();
    clear(out);
    const sel = { type: type.value, value: value.value.trim() };
    if (type.value !== 'url') sel.country = country.value;
    if (type.value === 'bank_account' && bank.value.trim()) sel.bank = bank.value.trim();
    try {
      const r = await api('POST', '/api/v1/public/check', { selectors: [sel] });
      const x = r.results[0];
      out.append(h('p', { class: x.reports ? 'warn' : 'ok' }, x.reports
        ? t('public.result.some', { n: fmtNumber(x.reports), m: fmtNumber(x.countries), date: fmtDate(x.last_seen) })
        : t('public.result.none', { key: x.key })));
    } catch (e) {
      const msg = e.status === 404 ? t('public.unavailable')
        : e.status === 429 ? t('public.ratelimited') : e.status === 400 ? t('public.bad', { detail: e.message }) : t('app.error', { detail: e.message });
      out.append(h('p', { class: 'error', role: 'alert', 'data-testid': e.status === 429 ? 'public-429' : 'public-error' }, msg));
    }
  }

  const what = h('textarea', { name: 'narrative', rows: 4, required: true });
  const sel = h('input', { name: 'selector', autocomplete: 'off' });
  const contact = h('input', { name: 'contact', autocomplete: 'email' });
  const reportOut = h('div', { 'aria-live': 'polite', 'data-testid': 'public-report-result' });
  const reportBtn = h('button', { type: 'submit', disabled: !hasReport }, t('public.report.submit'));

  main.append(h('div', { class: 'narrow' },
    h('header', { class: 'public-top' }, h('p', { class: 'brand' }, t('app.name')), h('a', { href: '/#/signin' }, t('public.signin'))),
    h('h1', null, t('public.title')),
    h('p', null, t('public.intro')),
    h('form', { class: 'card', onsubmit: check, 'data-testid': 'public-check' },
      hasCheck ? null : h('p', { class: 'notice', 'data-testid': 'public-unavailable' }, t('public.unavailable')),
      field(t('public.type'), type), field(t('public.value'), value),
      h('div', { class: 'grid3' }, field(t('public.country'), country), field(t('public.bank'), bank)),
      hasCheck ? checkBtn : null),
    out,
    h('h2', null, t('public.report.title')),
    h('p', null, t('public.report.intro')),
    h('form', { class: 'card', 'data-testid': 'public-report', onsubmit: async (ev) => {
      ev.preventDefault();
      clear(reportOut);
      try {
        // The selector's type is guessed as on the intake page; the
        // country picked above says whose Anti-Scam Centre receives it.
        const v = sel.value.trim(), st = detect(v);
        const one = { type: st, value: v };
        if (st === 'phone' || st === 'bank_account') one.country = country.value;
        const sels = v && st && st !== 'name' ? [one] : [];
        const r = await api('POST', '/api/v1/public/reports', { victim_country: country.value, narrative: what.value,
          selectors: sels, contact: contact.value || undefined });
        reportOut.append(h('p', { class: 'ok' }, t('public.report.sent', { ref: r.reference || r.id })));
      } catch (e) {
        reportOut.append(h('p', { class: 'error', role: 'alert' }, e.status === 404 ? t('public.report.unavailable') : t('app.error', { detail: e.message })));
      }
    } },
      hasReport ? null : h('p', { class: 'notice', 'data-testid': 'public-report-unavailable' }, t('public.report.unavailable')),
      field(t('public.report.what'), what), field(t('public.report.selector'), sel), field(t('public.report.contact'), contact),
      reportBtn),
    reportOut));
}
