import { h } from '../dom.js';
import { t, locale } from '../strings.js';

export const COUNTRIES = ['BN', 'KH', 'ID', 'LA', 'MY', 'MM', 'PH', 'SG', 'TH', 'VN', 'TL', 'GB', 'AU', 'CN', 'IN', 'KR', 'JP', 'US'];
export const CURRENCIES = ['MYR', 'THB', 'SGD', 'IDR', 'PHP', 'VND', 'KHR', 'LAK', 'MMK', 'BND', 'USD', 'GBP', 'EUR', 'AUD', 'CNY'];
const ZERO_DECIMALS = new Set(['VND', 'JPY', 'KRW']);

export function toMinor(text, currency) {
  const v = String(text || '').replace(/[,\s]/g, '');
  if (!/^\d+(\.\d+)?$/.test(v)) return null;
  const d = ZERO_DECIMALS.has(currency) ? 0 : 2;
  const [i, f = ''] = v.split('.');
  if (f.length > d) return null;
  return Number(i) * 10 ** d + Number((f + '00').slice(0, d) || 0);
}

export function money(loss) {
  if (!loss) return t('common.none');
  const d = ZERO_DECIMALS.has(loss.currency) ? 0 : 2;
  const v = (loss.amount / 10 ** d).toLocaleString(locale(), { minimumFractionDigits: d, maximumFractionDigits: d });
  return `${loss.currency} ${v}`;
}

// "held by AGENCY — contact reference X": what an outsider learns of a
// record that is not released to it.
export function hitLine(agency, ref) {
  return h('span', { class: 'hitline', 'data-testid': 'hitline' }, t('hit.line', { agency, ref }));
}

export function reportLink(id, text) {
  return h('a', { href: `#/report/${encodeURIComponent(id)}` }, text || id);
}

export function selectorLink(key) {
  return h('a', { href: `#/selector/${encodeURIComponent(key)}` }, h('code', null, key));
}

export function matchItem(m) {
  if (m.visibility === 'hit') return h('li', { 'data-testid': 'match' }, h('code', null, m.key), ': ', hitLine(m.agency, m.contact_ref));
  return h('li', { 'data-testid': 'match' }, h('code', null, m.key), ': ',
    reportLink(m.report, t('report.match.full', { report: m.report, agency: m.agency })));
}

export function errorBox(e) {
  const p = h('p', { class: 'error', role: 'alert' }, e.status === 0 ? t('app.offline') : t('app.error', { detail: e.message }));
  if (e.field) p.append(' ', h('span', { class: 'muted' }, t('app.field', { field: e.field })));
  return p;
}

export function dl(rows) {
  const d = h('dl', { class: 'facts' });
  for (const [k, v] of rows) {
    if (v === undefined || v === null || v === '') continue;
    d.append(h('dt', null, k), h('dd', null, v));
  }
  return d;
}
