// IBAN corpus; reference: ibantools (electronicFormatIBAN + isValidIBAN).
import * as ib from 'ibantools';
import { randomMatching } from './rand.mjs';

// Countries of the SWIFT IBAN registry (ibantools also knows a few
// "experimental" national formats that are not IBANs in ISO 13616 terms).
// Territories that the SWIFT registry lists under FR (and AX under FI): their
// accounts carry FR/FI IBANs, yet ibantools also accepts their own ISO code
// as IBAN prefix. Drawn rarely, so that the class stays visible (FINDINGS.md).
export const TERRITORIES = ['AX', 'BL', 'GF', 'GP', 'MF', 'MQ', 'NC', 'PF', 'PM', 'RE', 'TF', 'WF', 'YT'];
const COUNTRIES = Object.entries(ib.countrySpecs)
	.filter(([cc, s]) => s.chars && s.bban_regexp && s.IBANRegistry && !TERRITORIES.includes(cc))
	.map(([cc]) => cc).sort();
export const countries = COUNTRIES;

function validIban(rng, cc) {
	const spec = ib.countrySpecs[cc];
	for (let k = 0; k < 5000; k++) {
		const bban = randomMatching(rng, spec.bban_regexp);
		if (!ib.isValidBBAN(bban, cc)) continue;
		const iban = ib.composeIBAN({ countryCode: cc, bban });
		if (iban && ib.isValidIBAN(iban)) return iban;
	}
	throw new Error('cannot generate an IBAN for ' + cc);
}

function mod97Digits(cc, bban) {
	const s = (bban + cc + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
	let r = 0;
	for (const ch of s) r = (r * 10 + +ch) % 97;
	return String(98 - r).padStart(2, '0');
}

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
function corrupt(rng, iban) {
	const kind = rng.weighted([[30, 'digit'], [20, 'swap'], [12, 'check'], [12, 'short'], [10, 'long'], [8, 'country'], [8, 'unknown-cc']]);
	let s = iban;
	switch (kind) {
	case 'digit': {
		const i = rng.int(4, s.length - 1);
		let c; do c = /\d/.test(s[i]) ? String(rng.int(0, 9)) : rng.pick(ALNUM.slice(10)); while (c === s[i]);
		s = s.slice(0, i) + c + s.slice(i + 1); break;
	}
	case 'swap': {
		let i, k = 0;
		do i = rng.int(4, s.length - 2); while (s[i] === s[i + 1] && ++k < 20);
		s = s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2); break;
	}
	case 'check': s = s.slice(0, 2) + String((+s.slice(2, 4) + rng.int(1, 50)) % 100).padStart(2, '0') + s.slice(4); break;
	case 'short': s = s.slice(0, -rng.int(1, 2)); break;
	case 'long': s = s + rng.int(0, 9); break;
	case 'country': { // right mod-97 but the BBAN of another country's length
		let cc; do cc = rng.pick(COUNTRIES); while (ib.countrySpecs[cc].chars === s.length);
		s = cc + mod97Digits(cc, s.slice(4)) + s.slice(4); break;
	}
	case 'unknown-cc': { const cc = rng.pick(['XK', 'ZZ', 'US', 'SG', 'MY', 'TH']);
		if (ib.countrySpecs[cc]?.chars) break;
		s = cc + mod97Digits(cc, s.slice(4)) + s.slice(4); break; }
	}
	return [s, kind];
}

function present(rng, iban) {
	const r = rng.next();
	let s = iban, f = 'electronic';
	if (r < 0.35) { s = ib.friendlyFormatIBAN(iban); f = 'spaced'; }
	else if (r < 0.45) { s = iban.toLowerCase(); f = 'lower'; }
	else if (r < 0.5) { s = ib.friendlyFormatIBAN(iban).toLowerCase(); f = 'spaced-lower'; }
	if (rng.chance(0.05)) { s = rng.pick([' ', '\t']) + s + rng.pick(['', ' ']); f += ' padded'; }
	return [s, f];
}

export function generate(rng, n) {
	const cases = [];
	while (cases.length < n) {
		const cc = rng.chance(0.003) ? rng.pick(TERRITORIES.filter((t) => ib.countrySpecs[t]?.IBANRegistry)) : rng.chance(0.5) ? rng.pick(['GB', 'DE', 'FR', 'NL', 'IE', 'TL', 'ES', 'IT', 'BE', 'CH', 'PL', 'PT']) : rng.pick(COUNTRIES);
		let iban = validIban(rng, cc), cat = cc;
		if (rng.chance(0.35)) { let kind; [iban, kind] = corrupt(rng, iban); cat += ' ' + kind; }
		else cat += ' ok';
		const [value, f] = present(rng, iban);
		cases.push({ input: { type: 'iban', value }, cat: cat + ' ' + f });
	}
	return cases;
}

export function reference(input) {
	const v = input.value.trim();
	if (v === '') return { error: 'value' };
	const e = ib.electronicFormatIBAN(v);
	return { key: 'iban:' + e, valid: ib.isValidIBAN(e), derived: [] };
}
