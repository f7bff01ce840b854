import { api, ApiError } from '../api.js';
import { detect, TYPES } from '../detect.js';
import { h, clear, field, select } from '../dom.js';
import { t, label, fmtDateTime } from '../strings.js';
import { COUNTRIES, CURRENCIES, dl, errorBox, money, reportLink, selectorLink, toMinor } from './common.js';

const LE = ['admin', 'analyst', 'investigator', 'supervisor'];
const ACTIONS = ['freeze', 'block', 'takedown', 'info'];

function when(s) { return s ? fmtDateTime(s) : t('common.none'); }

function statusText(q) {
  return `${label('rstatus', q.status)}${q.overdue ? ` · ${t('req.overdue')}` : ''}${q.escalated ? ` · ${t('req.escalated')}` : ''}`;
}

function requestLink(q) {
  return h('a', { href: `#/requests/${encodeURIComponent(q.id)}` }, t('req.link', { action: label('action', q.action), id: q.id.slice(-6) }));
}

function sendForm(me, onSent) {
  const partner = h('input', { name: 'partner', autocomplete: 'off', required: true, 'data-testid': 'req-partner' });
  const action = select(ACTIONS.map((a) => [a, label('action', a)]), 'freeze', { name: 'action' });
  const type = select([['', t('search.type.auto', { type: '…' })], ...TYPES.map((x) => [x, t(`seltype.${x}`)])], '', { name: 'type' });
  const value = h('input', { name: 'value', autocomplete: 'off', spellcheck: 'false', required: true, 'data-testid': 'req-value' });
  const country = select(COUNTRIES.map((x) => [x, x]), me.agency.country, { name: 'country' });
  const bank = h('input', { name: 'bank', autocomplete: 'off' });
  const report = h('input', { name: 'report', autocomplete: 'off', spellcheck: 'false' });
  const note = h('textarea', { name: 'note', rows: 3, maxlength: 4096 });
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'req-send-result' });
  return h('form', { class: 'card', 'data-testid': 'req-send', onsubmit: async (e) => {
    e.preventDefault();
    clear(out);
    const tp = type.value || detect(value.value.trim());
    const sel = { type: tp, value: value.value.trim() };
    if (['phone', 'bank_account', 'ewallet', 'national_id', 'passport'].includes(tp)) sel.country = country.value;
    if (tp === 'bank_account' && bank.value.trim()) sel.bank = bank.value.trim();
    const body = { partner: partner.value.trim(), action: action.value, selectors: [sel] };
    if (report.value.trim()) body.reports = [report.value.trim()];
    if (note.value.trim()) body.note = note.value.trim();
    try {
      const q = await api('POST', '/api/v1/requests', body);
      out.append(h('p', { class: 'ok' }, t('req.sent', { partner: q.partner, due: when(q.due) }), ' ', requestLink(q)));
      onSent();
    } catch (err) {
      out.append(errorBox(err));
    }
  } }, h('h2', null, t('req.send')),
    h('div', { class: 'grid3' }, field(t('req.partner'), partner, t('req.partner.help')), field(t('req.action'), action, t('req.action.help')),
      field(t('search.type'), type)),
    field(t('req.value'), value),
    h('div', { class: 'grid3' }, field(t('search.country'), country), field(t('search.bank'), bank), field(t('req.report'), report, t('req.report.help'))),
    field(t('req.note'), note),
    h('button', { type: 'submit' }, t('req.send.submit')), out);
}

// Partner requests: what your agency sent or received, newest first.
export async function requestsPage(main, ctx) {
  if (ctx.arg) { await requestPage(main, ctx); return; }
  const { me } = ctx;
  const list = h('div', { 'data-testid': 'req-list' });
  async function load() {
    clear(list);
    try {
      const r = await api('GET', '/api/v1/requests');
      const qs = r.requests || [];
      if (!qs.length) { list.append(h('p', { 'data-testid': 'req-none' }, t('req.none'))); return; }
      list.append(h('div', { class: 'scroll' }, h('table', null,
        h('thead', null, h('tr', null, ['req.col.request', 'req.col.from', 'req.col.partner', 'req.col.status', 'req.col.due', 'req.col.selectors']
          .map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', null, qs.map((q) => h('tr', { 'data-testid': 'req-row' },
          h('td', null, requestLink(q)), h('td', null, q.from), h('td', null, q.partner),
          h('td', { class: q.overdue ? 'bad' : '' }, statusText(q)), h('td', null, when(q.due)),
          h('td', null, (q.selectors || []).map((s) => h('div', null, h('code', null, s.key))))))))));
    } catch (e) {
      list.append(errorBox(e));
    }
  }
  main.append(h('h1', null, t('requests.name')), h('p', null, t(LE.includes(me.role) ? 'req.intro.le' : 'req.intro.partner')));
  if (LE.includes(me.role)) main.append(sendForm(me, load));
  main.append(h('h2', null, t('req.list')), list);
  await load();
}

function answerForm(q, me, reload) {
  const mine = q.from === me.agency.id;
  const opts = mine ? [['withdrawn', label('rstatus', 'withdrawn')]]
    : [['accepted', label('rstatus', 'accepted')], ['completed', label('rstatus', 'completed')], ['rejected', label('rstatus', 'rejected')]];
  const status = select(opts, opts[0][0], { name: 'status', 'data-testid': 'req-status' });
  const frozen = h('input', { name: 'frozen', autocomplete: 'off', inputmode: 'decimal' });
  const recovered = h('input', { name: 'recovered', autocomplete: 'off', inputmode: 'decimal' });
  const currency = select(CURRENCIES.map((c) => [c, c]), 'MYR', { name: 'currency' });
  const note = h('textarea', { name: 'note', rows: 3, maxlength: 4096 });
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'req-answer-result' });
  const amounts = h('div', { class: 'grid3' }, field(t('req.frozen'), frozen), field(t('req.recovered'), recovered), field(t('req.currency'), currency));
  const sync = () => { amounts.hidden = !(q.action === 'freeze' && status.value === 'completed'); };
  status.addEventListener('change', sync);
  sync();
  return h('form', { class: 'card', 'data-testid': 'req-answer', onsubmit: async (e) => {
    e.preventDefault();
    clear(out);
    const body = { status: status.value };
    if (note.value.trim()) body.note = note.value.trim();
    if (!amounts.hidden) {
      for (const [k, el] of [['amount_frozen', frozen], ['amount_recovered', recovered]]) {
        if (!el.value.trim()) continue;
        const amount = toMinor(el.value, currency.value);
        if (amount === null) { out.append(h('p', { class: 'error', role: 'alert' }, t('req.amount.bad', { field: k }))); return; }
        body[k] = { amount, currency: currency.value };
      }
    }
    try {
      await api('POST', `/api/v1/requests/${encodeURIComponent(q.id)}/answer`, body);
      await reload();
    } catch (err) {
      out.append(errorBox(err));
    }
  } }, h('h2', null, t(mine ? 'req.withdraw' : 'req.answer')), field(t('req.newstatus'), status), amounts, field(t('req.note'), note),
    h('button', { type: 'submit' }, t(mine ? 'req.withdraw.submit' : 'req.answer.submit')), out);
}

// #/requests/ID: one request, its timeline, and the answer (or withdrawal).
export async function requestPage(main, { arg, me }) {
  const box = h('div');
  main.append(h('h1', null, t('req.title', { id: arg })), box);
  async function load() {
    clear(box);
    let q;
    try {
      q = await api('GET', `/api/v1/requests/${encodeURIComponent(arg)}`);
    } catch (e) {
      box.append(e instanceof ApiError && e.status === 404 ? h('p', { class: 'notice', 'data-testid': 'req-notfound' }, t('req.notfound')) : errorBox(e));
      return;
    }
    box.append(h('section', { class: 'card', 'data-testid': 'req-detail' }, dl([
      [t('req.col.from'), q.from], [t('req.col.partner'), q.partner], [t('req.action'), label('action', q.action)],
      [t('req.col.status'), statusText(q)], [t('req.created'), when(q.created)], [t('req.col.due'), when(q.due)],
      [t('req.frozen'), q.amount_frozen ? money(q.amount_frozen) : null], [t('req.recovered'), q.amount_recovered ? money(q.amount_recovered) : null],
      [t('req.note'), q.note],
    ])), h('section', { class: 'card' }, h('h2', null, t('req.selectors')),
      h('ul', null, (q.selectors || []).map((s) => h('li', null, q.from === me.agency.id ? selectorLink(s.key) : h('code', null, s.key), ` — ${s.value}`)))));
    if ((q.reports || []).length) {
      box.append(h('section', { class: 'card' }, h('h2', null, t('req.reports')), h('ul', null, q.reports.map((r) => h('li', null, reportLink(r))))));
    }
    box.append(h('section', { class: 'card' }, h('h2', null, t('req.timeline')),
      h('ol', { class: 'timeline', 'data-testid': 'req-timeline' }, (q.timeline || []).map((x) => h('li', null,
        `${when(x.at)} — ${label('rstatus', x.status)} (${x.agency || t('req.thenode')})`, x.note ? `: ${x.note}` : '')))));
    if (!['completed', 'rejected', 'withdrawn'].includes(q.status)) box.append(answerForm(q, me, load));
  }
  await load();
}
