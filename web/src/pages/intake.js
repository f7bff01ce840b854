import { api } from '../api.js';
import { detect, TYPES, COMPANIONS } from '../detect.js';
import { h, field, select, clear, id } from '../dom.js';
import { t } from '../strings.js';
import { COUNTRIES, CURRENCIES, toMinor, matchItem, reportLink, errorBox } from './common.js';

const SCAMS = ['investment', 'crypto_investment', 'love', 'job', 'parcel', 'impersonation_police', 'impersonation_bank',
  'impersonation', 'ecommerce', 'loan', 'phishing', 'sextortion', 'mule', 'other'];
const ROLES = ['scammer_contact', 'mule_account', 'payment_destination', 'phishing_site', 'victim_account', 'unspecified'];
const SHARES = {
  own: { tlp: 'AMBER', releasable_to: [] },
  members: { tlp: 'AMBER', releasable_to: ['MEMBERS'] },
  allle: { tlp: 'GREEN', releasable_to: ['ALL_LE'] },
  private: { tlp: 'AMBER', releasable_to: ['ALL_LE', 'PRIVATE'] },
  public: { tlp: 'CLEAR', releasable_to: [] },
};
const COMPANION_LABEL = { country: 'intake.country', bank: 'intake.bank', provider: 'intake.provider', chain: 'intake.chain', platform: 'intake.platform' };

function defaultRole(type) {
  return { phone: 'scammer_contact', bank_account: 'mule_account', iban: 'mule_account', ewallet: 'payment_destination',
    crypto: 'payment_destination', url: 'phishing_site', domain: 'phishing_site' }[type] || 'unspecified';
}

function selectorRow(n, me, onRemove) {
  const value = h('input', { name: 'value', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'sel-value' });
  const type = select([['', t('intake.type.auto.none')], ...TYPES.map((x) => [x, t(`seltype.${x}`)])], '', { name: 'type', 'data-testid': 'sel-type' });
  const role = select(ROLES.map((x) => [x, t(`selrole.${x}`)]), 'unspecified', { name: 'role' });
  const fbId = id('fb');
  const feedback = h('p', { class: 'feedback', id: fbId, 'aria-live': 'polite', 'data-testid': 'sel-feedback' }, t('intake.fb.empty'));
  value.setAttribute('aria-describedby', fbId);
  const comps = {};
  const compBox = h('div', { class: 'companions' });
  for (const c of ['country', 'bank', 'provider', 'chain', 'platform']) {
    const input = c === 'country'
      ? select(COUNTRIES.map((x) => [x, x]), me.agency.country, { name: c })
      : h('input', { name: c, autocomplete: 'off', spellcheck: 'false' });
    comps[c] = { input, wrap: field(t(COMPANION_LABEL[c]), input) };
  }
  let roleTouched = false;
  role.addEventListener('change', () => { roleTouched = true; });
  const legend = h('legend', null, t('intake.row', { n }));
  const remove = h('button', { type: 'button', class: 'linkish', onclick: () => onRemove(row) }, t('intake.removerow', { n }));
  const row = h('fieldset', { class: 'selrow', 'data-testid': 'sel-row' }, legend,
    h('div', { class: 'grid3' }, field(t('intake.value'), value), field(t('intake.type'), type), field(t('intake.role'), role)),
    compBox, feedback, remove);

  let seq = 0;
  let timer = null;
  let last = null;
  function effectiveType() {
    return type.value || detect(value.value);
  }
  function showCompanions(tp) {
    clear(compBox);
    for (const c of COMPANIONS[tp] || []) compBox.append(comps[c].wrap);
  }
  async function check() {
    const v = value.value.trim();
    const tp = effectiveType();
    const autoOpt = type.options[0];
    autoOpt.textContent = tp && !type.value ? t('intake.type.auto', { type: t(`seltype.${tp}`) }) : t('intake.type.auto.none');
    showCompanions(tp);
    if (tp && !roleTouched) role.value = defaultRole(tp);
    feedback.className = 'feedback';
    if (!v) { feedback.textContent = t('intake.fb.empty'); last = null; return; }
    if (!tp || tp === 'name') { feedback.textContent = t('intake.fb.notype'); feedback.classList.add('warn'); last = null; return; }
    const my = ++seq;
    feedback.textContent = t('intake.fb.checking');
    const sel = { type: tp, value: v };
    for (const c of COMPANIONS[tp] || []) if (comps[c].input.value.trim()) sel[c] = comps[c].input.value.trim();
    try {
      const r = await api('POST', '/api/v1/normalize', { selectors: [sel] });
      if (my !== seq) return;
      const res = r.results[0];
      if (res.error) {
        feedback.textContent = t('intake.fb.error', { detail: res.error.detail });
        feedback.classList.add('bad');
        last = null;
        return;
      }
      let text = res.valid ? t('intake.fb.valid', { key: res.key }) : t('intake.fb.invalid', { key: res.key, flag: res.flag || '' });
      if (res.derived && res.derived.length) text += `; ${t('intake.fb.derived', { keys: res.derived.join(', ') })}`;
      feedback.textContent = text;
      feedback.classList.add(res.valid ? 'ok' : 'warn');
      last = res;
    } catch (e) {
      if (my !== seq) return;
      feedback.textContent = t('app.error', { detail: e.message });
      feedback.classList.add('bad');
    }
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(check, 200);
  }
  value.addEventListener('input', later);
  type.addEventListener('change', check);
  for (const c of Object.values(comps)) c.input.addEventListener('input', later), c.input.addEventListener('change', later);
  row.selector = () => {
    const v = value.value.trim();
    const tp = effectiveType();
    if (!v || !tp || tp === 'name') return null;
    const sel = { type: tp, value: v, role: role.value };
    for (const c of COMPANIONS[tp] || []) if (comps[c].input.value.trim()) sel[c] = comps[c].input.value.trim();
    return sel;
  };
  row.renumber = (k) => {
    legend.textContent = t('intake.row', { n: k });
    remove.textContent = t('intake.removerow', { n: k });
  };
  row.focusValue = () => value.focus();
  row.last = () => last;
  return row;
}

function radio(name, value, label, help, checked) {
  const rid = id('r');
  const hid = id('h');
  return h('div', { class: 'choice' },
    h('input', { type: 'radio', name, value, id: rid, checked, 'aria-describedby': hid }),
    h('label', { for: rid }, label),
    h('p', { class: 'help', id: hid }, help));
}

export function intakePage(main, { me }) {
  const reference = h('input', { name: 'reference', autocomplete: 'off' });
  const occurred = h('input', { name: 'occurred_at', type: 'date' });
  const scam = select([['', t('common.none')], ...SCAMS.map((x) => [x, t(`scam.${x}`)])], '', { name: 'scam_type' });
  const loss = h('input', { name: 'loss', inputmode: 'decimal', autocomplete: 'off' });
  const currency = select(CURRENCIES.map((x) => [x, x]), { MY: 'MYR', TH: 'THB', SG: 'SGD', ID: 'IDR', PH: 'PHP', VN: 'VND', KH: 'KHR', LA: 'LAK', MM: 'MMK', BN: 'BND', GB: 'GBP' }[me.agency.country] || 'USD', { name: 'currency' });
  const victim = select([['', t('common.none')], ...COUNTRIES.map((x) => [x, x])], me.agency.country, { name: 'victim_country' });
  const narrative = h('textarea', { name: 'narrative', rows: 4 });

  const rows = h('div', { class: 'rows' });
  const list = [];
  function renumber() { list.forEach((r, i) => r.renumber(i + 1)); }
  function addRow() {
    const r = selectorRow(list.length + 1, me, (row) => {
      const i = list.indexOf(row);
      if (i >= 0) list.splice(i, 1);
      row.remove();
      renumber();
      if (list.length === 0) addRow();
    });
    list.push(r);
    rows.append(r);
    return r;
  }
  addRow();

  const shareBox = h('fieldset', { class: 'choices' }, h('legend', null, t('intake.markings')),
    ...Object.keys(SHARES).map((k) => radio('share', k, t(`intake.share.${k}`), t(`intake.share.${k}.help`), k === 'members')));
  const discBox = h('fieldset', { class: 'choices' }, h('legend', null, t('intake.outsiders')),
    radio('disclosure', 'hit', t('intake.disc.hit'), t('intake.disc.hit.help'), true),
    radio('disclosure', 'silent', t('intake.disc.silent'), t('intake.disc.silent.help'), false));
  const orconId = id('c');
  const orcon = h('input', { type: 'checkbox', id: orconId, name: 'orcon' });

  const status = h('div', { class: 'result', role: 'status', 'aria-live': 'polite', 'data-testid': 'intake-result' });
  const save = h('button', { type: 'submit' }, t('intake.save'));

  async function submit(ev) {
    ev.preventDefault();
    clear(status);
    const body = { selectors: list.map((r) => r.selector()).filter(Boolean) };
    if (reference.value.trim()) body.reference = reference.value.trim();
    if (occurred.value) body.occurred_at = occurred.value;
    if (scam.value) body.scam_type = scam.value;
    if (loss.value.trim()) {
      const amount = toMinor(loss.value, currency.value);
      if (amount === null) {
        status.append(h('p', { class: 'error', role: 'alert' }, t('app.error', { detail: t('intake.loss') })));
        loss.focus();
        return;
      }
      body.loss = { amount, currency: currency.value };
    }
    if (victim.value) body.victim_country = victim.value;
    if (narrative.value.trim()) body.narrative = narrative.value.trim();
    const share = SHARES[main.querySelector('input[name=share]:checked').value];
    body.markings = { ...share, disclosure: main.querySelector('input[name=disclosure]:checked').value, orcon: orcon.checked };
    if (body.selectors.length === 0 && !body.narrative) {
      status.append(h('p', { class: 'error', role: 'alert' }, t('intake.needselector')));
      return;
    }
    save.disabled = true;
    save.textContent = t('intake.saving');
    try {
      const r = await api('POST', '/api/v1/reports', body);
      const ms = h('ul', { class: 'matches', 'data-testid': 'matches' }, r.matches.map(matchItem));
      status.append(
        h('p', { class: 'ok' }, t('intake.saved', { id: r.id }), ' ', reportLink(r.id, t('intake.open'))),
        h('h2', null, t('intake.matches')),
        r.matches.length ? ms : h('p', { 'data-testid': 'matches-none' }, t('intake.matches.none')));
      status.querySelector('h2').setAttribute('tabindex', '-1');
      status.querySelector('h2').focus();
    } catch (e) {
      status.append(errorBox(e));
    } finally {
      save.disabled = false;
      save.textContent = t('intake.save');
    }
  }

  main.append(
    h('h1', null, t('intake.title')),
    h('form', { class: 'intake', novalidate: true, onsubmit: submit, 'data-testid': 'intake-form' },
      h('fieldset', { class: 'card' }, h('legend', null, t('intake.details')),
        h('div', { class: 'grid3' }, field(t('intake.reference'), reference), field(t('intake.occurred'), occurred), field(t('intake.scamtype'), scam)),
        h('div', { class: 'grid3' }, field(t('intake.loss'), loss), field(t('intake.currency'), currency), field(t('intake.victimcountry'), victim)),
        field(t('intake.narrative'), narrative)),
      h('fieldset', { class: 'card' }, h('legend', null, t('intake.selectors')),
        h('p', { class: 'help' }, t('intake.selectors.help')),
        rows,
        h('button', { type: 'button', class: 'secondary', onclick: () => addRow().focusValue() }, t('intake.addrow'))),
      h('div', { class: 'card' }, shareBox, discBox,
        h('div', { class: 'choice' }, orcon, h('label', { for: orconId }, t('intake.orcon')))),
      save),
    status);
}
