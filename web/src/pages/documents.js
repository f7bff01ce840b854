import { api } from '../api.js';
import { h, field, select, clear, id } from '../dom.js';
import { t, label, fmtDate } from '../strings.js';
import { COUNTRIES, hitLine, errorBox, dl } from './common.js';

// Travel documents: check one by issuing country and number, or by its
// machine-readable zone (POST /api/v1/documents/check: the node verifies
// the MRZ check digits and names each wrong one, never guessing a
// correction); law enforcement may also record a lost or stolen document
// of its own country (POST /api/v1/documents).
const LE = ['admin', 'analyst', 'investigator', 'supervisor'];
export const DOC_TYPES = ['passport', 'id_card', 'visa', 'travel_document', 'residence_permit', 'other'];
const DOC_STATUS = ['stolen', 'lost', 'revoked', 'stolen_blank'];
const SHARES = {
  members: { tlp: 'AMBER', releasable_to: ['MEMBERS'] },
  allle: { tlp: 'GREEN', releasable_to: ['ALL_LE'] },
  own: { tlp: 'AMBER', releasable_to: [] },
};

// The node's named errors, in the reader's language; the node's own
// wording is kept beside it (it is what the audit trail and the API say).
function errorText(e) {
  const m = /^(\w+) check digit$/.exec(e);
  if (m) return t('doc.err.check', { field: label('mrzfield', m[1]) });
  if (/^mrz: /.test(e)) return t('doc.err.format');
  if (/^issuing_country: /.test(e)) return t('doc.err.country');
  if (/^number: /.test(e)) return t('doc.err.number');
  return e;
}

function recordLine(r) {
  const what = t('doc.record', { status: label('dstatus', r.status), type: label('doctype', r.type), country: r.issuing_country, number: r.number });
  return h('li', { 'data-testid': 'doc-record' }, h('strong', null, what), ' ',
    dl([[t('report.agency'), r.agency], [t('doc.ref'), r.ref], [t('doc.issued'), r.issued && fmtDate(r.issued)],
      [t('doc.expires'), r.expires && fmtDate(r.expires)], [t('doc.reported'), r.reported && fmtDate(r.reported)]]));
}

// One answer of POST /api/v1/documents/check.
export function documentResult(a, what) {
  const box = h('section', { class: 'card', 'data-testid': 'doc-result', 'data-hit': String(a.hit) });
  box.append(h('h2', null, a.hit ? t('doc.hit', { what, n: a.records.length + a.contacts.length }) : t('doc.nohit', { what })));
  if (a.mrz_valid !== null && a.mrz_valid !== undefined) {
    box.append(h('p', { class: a.mrz_valid ? 'ok' : 'bad', 'data-testid': 'doc-mrz', 'data-valid': String(a.mrz_valid) },
      a.mrz_valid ? t('doc.mrz.valid') : t('doc.mrz.invalid')));
  }
  if (a.errors.length) {
    box.append(h('h3', null, t('doc.errors')), h('ul', { 'data-testid': 'doc-errors' },
      a.errors.map((e) => h('li', { 'data-testid': 'doc-error' }, errorText(e), ' ', h('code', null, `(${e})`)))));
    if (a.mrz_valid === false) box.append(h('p', { class: 'muted' }, t('doc.err.asread')));
  }
  if (a.records.length) box.append(h('h3', null, t('doc.records')), h('ul', { class: 'results' }, a.records.map(recordLine)));
  if (a.contacts.length) {
    box.append(h('h3', null, t('search.contacts')),
      h('ul', null, a.contacts.map((c) => h('li', { 'data-testid': 'doc-contact' }, hitLine(c.agency, c.contact_ref)))));
  }
  if (!a.hit && !a.errors.length) box.append(h('p', { class: 'muted' }, t('doc.nohit.help')));
  return box;
}

export async function checkDocument(doc) {
  const r = await api('POST', '/api/v1/documents/check', { documents: [doc] });
  return r.results[0];
}

// What the MRZ names (issuing country and number), to title the answer;
// the node reads the same positions and verifies the check digits.
function mrzWhat(text) {
  const l = text.toUpperCase().split(/\r?\n/).map((x) => x.replace(/[ \t]/g, '')).filter(Boolean);
  let c = null, n = null;
  if (l.length === 2 && (l[0].length === 44 || l[0].length === 36)) { c = l[0].slice(2, 5); n = l[1].slice(0, 9); }
  if (l.length === 3 && l[0].length === 30) { c = l[0].slice(2, 5); n = l[0].slice(5, 14); }
  if (!c || !/^[A-Z<]{3}$/.test(c)) return t('doc.mrz.what');
  return t('doc.mrz.read', { what: `${c.replace(/</g, '')} ${n.replace(/</g, '')}` });
}

function radio(name, value, text, checked) {
  const rid = id('r');
  return h('div', { class: 'choice' }, h('input', { type: 'radio', name, value, id: rid, checked }), h('label', { for: rid }, text));
}

export async function documentsPage(main, { me }) {
  const country = select(COUNTRIES.map((x) => [x, x]), me.agency.country, { name: 'issuing_country' });
  const number = h('input', { name: 'number', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters', maxlength: 40, 'data-testid': 'doc-number' });
  const mrz = h('textarea', { name: 'mrz', rows: 3, autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters',
    class: 'mrz', maxlength: 400, 'data-testid': 'doc-mrz-input' });
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'doc-results' });

  async function run(ev, doc, what) {
    ev.preventDefault();
    clear(out);
    if (!doc) { out.append(h('p', { class: 'error', role: 'alert' }, t('doc.empty'))); return; }
    out.append(h('p', { class: 'muted' }, t('app.loading')));
    try {
      const a = await checkDocument(doc);
      clear(out);
      out.append(documentResult(a, what));
    } catch (e) {
      clear(out);
      out.append(errorBox(e));
    }
  }

  main.append(h('h1', null, t('doc.title')), h('p', null, t('doc.intro')),
    h('div', { class: 'grid2' },
      h('form', { class: 'card', 'data-testid': 'doc-bynumber', onsubmit: (e) => {
        const n = number.value.trim();
        run(e, n ? { issuing_country: country.value, number: n } : null, `${country.value} ${n}`);
      } },
        h('fieldset', null, h('legend', null, t('doc.bynumber')),
          field(t('doc.country'), country, t('doc.country.help')), field(t('doc.number'), number),
          h('button', { type: 'submit' }, t('doc.submit')))),
      h('form', { class: 'card', 'data-testid': 'doc-bymrz', onsubmit: (e) => {
        const v = mrz.value.trim();
        run(e, v ? { mrz: v } : null, mrzWhat(v));
      } },
        h('fieldset', null, h('legend', null, t('doc.bymrz')),
          field(t('doc.mrz'), mrz, t('doc.mrz.help')),
          h('button', { type: 'submit' }, t('doc.submit.mrz'))))),
    out);

  if (!LE.includes(me.role)) return;
  // Recording a lost or stolen document: only for the issuing country's
  // agencies (the node refuses others with a 403 naming issuing_country).
  const aCountry = select(COUNTRIES.map((x) => [x, x]), me.agency.country, { name: 'issuing_country' });
  const aType = select(DOC_TYPES.map((x) => [x, label('doctype', x)]), 'passport', { name: 'type' });
  const aNumber = h('input', { name: 'number', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters', maxlength: 40, required: true });
  const aStatus = select(DOC_STATUS.map((x) => [x, label('dstatus', x)]), 'stolen', { name: 'status' });
  const aReported = h('input', { name: 'reported', type: 'date' });
  const aExpires = h('input', { name: 'expires', type: 'date' });
  const aRef = h('input', { name: 'ref', autocomplete: 'off', maxlength: 64 });
  const shares = h('fieldset', { class: 'choices' }, h('legend', null, t('doc.markings')),
    radio('doc-share', 'members', t('intake.share.members'), true), radio('doc-share', 'allle', t('intake.share.allle'), false),
    radio('doc-share', 'own', t('intake.share.own'), false));
  const disc = h('fieldset', { class: 'choices' }, h('legend', null, t('intake.outsiders')),
    radio('doc-disc', 'hit', t('intake.disc.hit'), true), radio('doc-disc', 'silent', t('intake.disc.silent'), false));
  const status = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'doc-add-result' });
  main.append(h('form', { class: 'card', 'data-testid': 'doc-add', onsubmit: async (e) => {
    e.preventDefault();
    clear(status);
    const body = { issuing_country: aCountry.value, type: aType.value, number: aNumber.value.trim(), status: aStatus.value,
      markings: { ...SHARES[main.querySelector('input[name=doc-share]:checked').value],
        disclosure: main.querySelector('input[name=doc-disc]:checked').value } };
    if (aReported.value) body.reported = aReported.value;
    if (aExpires.value) body.expires = aExpires.value;
    if (aRef.value.trim()) body.ref = aRef.value.trim();
    try {
      const r = await api('POST', '/api/v1/documents', body);
      status.append(h('p', { class: 'ok' }, t('doc.added', { what: `${r.issuing_country} ${r.number}`, id: r.id })));
    } catch (err) {
      status.append(errorBox(err));
    }
  } },
  h('h2', null, t('doc.add')), h('p', { class: 'muted' }, t('doc.add.intro')),
  h('div', { class: 'grid3' }, field(t('doc.country'), aCountry), field(t('doc.type'), aType), field(t('doc.number'), aNumber)),
  h('div', { class: 'grid3' }, field(t('doc.status'), aStatus), field(t('doc.reported'), aReported), field(t('doc.expires'), aExpires)),
  field(t('doc.ref'), aRef, t('doc.ref.help')), shares, disc,
  h('button', { type: 'submit' }, t('doc.add.submit')), status));
}
