// Phone corpus and reference (libphonenumber-js, 'max' metadata).
import { Metadata, parsePhoneNumberFromString as parseCore } from 'libphonenumber-js/core';
import max from 'libphonenumber-js/metadata.max.json';
import { parsePhoneNumberFromString as parse2022 } from 'libphonenumber-js-2022/max';
import { randomMatching } from './rand.mjs';

export const REGIONS = ['BN', 'KH', 'ID', 'LA', 'MY', 'MM', 'PH', 'SG', 'TH', 'VN', 'GB', 'CN', 'AU', 'US'];
const TYPES = ['FIXED_LINE', 'MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'PERSONAL_NUMBER', 'VOIP', 'PAGER', 'UAN', 'VOICEMAIL'];

const md = new Metadata(max);
const plans = {};
for (const r of REGIONS) {
	md.selectNumberingPlan(r);
	const np = md.numberingPlan;
	const types = {};
	for (const t of TYPES) {
		const ty = np.type(t);
		if (ty && ty.pattern()) types[t] = ty.pattern();
	}
	plans[r] = {
		cc: np.callingCode(),
		idd: np.defaultIDDPrefix() || (/^\d+$/.test(np.IDDPrefix()) ? np.IDDPrefix() : '00'),
		types,
	};
}

const digitsOf = (s) => s.replace(/\D/g, '');

// A national significant number of a given type in a region. The corpus
// models numbers seen in reports, so by default it draws from ranges that
// are valid under both the current metadata and the late-2022 metadata
// ("established" ranges). A small, explicit share of numbers comes from
// ranges allocated since 2022 ("recent"), so that metadata drift stays
// measured and visible rather than hidden (see README.md, --recent-share).
const isValid = (p) => !!(p && p.isValid());
function validNsn(rng, region, type, recent) {
	const plan = plans[region];
	for (let k = 0; k < 60; k++) {
		const t = recent && k > 5 ? rng.pick(Object.keys(plan.types)) : type;
		const n = randomMatching(rng, plan.types[t]);
		const now = isValid(parseCore('+' + plan.cc + n, max));
		const old = isValid(parse2022('+' + plan.cc + n));
		if (recent ? (now && !old) : (now && old)) return [n, t];
	}
	if (recent) return validNsn(rng, region, type, false);
	return [randomMatching(rng, plan.types[type]), type];
}

// Re-separate a formatted number: spaces -> '-', '.', '' or kept, optional
// parentheses around the first national group.
function reformat(rng, s, intl) {
	const style = rng.weighted([[40, ' '], [20, '-'], [10, '.'], [15, ''], [15, 'mixed']]);
	let groups = s.split(/[\s-]+/).filter(Boolean);
	if (intl && groups.length > 2 && rng.chance(0.15)) groups[1] = '(' + groups[1] + ')';
	else if (!intl && groups.length > 1 && rng.chance(0.15) && !groups[0].startsWith('(')) groups[0] = '(' + groups[0] + ')';
	if (style === 'mixed') {
		let out = groups[0];
		for (let i = 1; i < groups.length; i++) out += rng.pick([' ', '-', '.', '', ' - ']) + groups[i];
		return out;
	}
	return groups.join(style);
}

function pad(rng, s) {
	if (!rng.chance(0.06)) return s;
	return rng.pick([' ', '\t', '  ']) + s + rng.pick(['', ' ', '\t']);
}

export function generate(rng, n, opts = {}) {
	const recentShare = opts.recentShare ?? 0.003;
	const cases = [];
	while (cases.length < n) {
		const region = rng.weighted(REGIONS.map((r) => [['GB', 'CN', 'AU', 'US'].includes(r) ? 1 : 2, r]));
		const plan = plans[region];
		const tnames = Object.keys(plan.types);
		const recent = rng.chance(recentShare);
		let type = rng.weighted(tnames.map((t) => [t === 'MOBILE' ? 10 : t === 'FIXED_LINE' ? 6 : 1, t]));
		let nsn;
		[nsn, type] = validNsn(rng, region, type, recent);
		let mut = 'ok';
		const m = rng.next();
		if (m < 0.08) { mut = 'short'; nsn = nsn.slice(0, Math.max(1, nsn.length - rng.int(1, 3))); }
		else if (m < 0.16) { mut = 'long'; for (let k = rng.int(1, 3); k > 0; k--) nsn += rng.int(0, 9); }
		else if (m < 0.22) { mut = 'digit'; const i = rng.int(0, Math.min(2, nsn.length - 1)); nsn = nsn.slice(0, i) + rng.int(0, 9) + nsn.slice(i + 1); }
		else if (m < 0.25) { mut = 'random'; nsn = ''; for (let k = rng.int(4, 13); k > 0; k--) nsn += rng.int(0, 9); }
		const p = parseCore('+' + plan.cc + nsn, max);
		const intlFmt = p ? p.formatInternational() : '+' + plan.cc + ' ' + nsn;
		const natFmt = p ? p.formatNational() : nsn;
		const style = rng.weighted([[38, 'national'], [34, 'intl'], [5, 'idd'], [4, 'cc-no-plus'], [4, 'intl-trunk'],
			[6, 'national-other-country'], [3, 'national-no-country'], [6, 'intl-other-country']]);
		let value, country = region;
		switch (style) {
		case 'national': value = reformat(rng, natFmt, false); break;
		case 'intl': value = reformat(rng, intlFmt, true); if (rng.chance(0.3)) country = undefined; break;
		case 'intl-other-country': value = reformat(rng, intlFmt, true); country = rng.pick(REGIONS.filter((r) => r !== region)); break;
		case 'idd': // dialled from another country with its international prefix
			country = rng.pick(REGIONS.filter((r) => r !== region));
			value = plans[country].idd + ' ' + reformat(rng, intlFmt.replace(/^\+/, ''), true); break;
		case 'cc-no-plus': value = plan.cc + digitsOf(natFmt).replace(/^0/, ''); break;
		case 'intl-trunk': { // "+44 (0)20 ...": national prefix left in brackets
			const np = (natFmt.match(/^\(?0/) ? '0' : '');
			value = '+' + plan.cc + ' (' + (np || '0') + ')' + digitsOf(natFmt).replace(/^0/, ''); break;
		}
		case 'national-other-country': value = reformat(rng, natFmt, false); country = rng.pick(REGIONS.filter((r) => r !== region)); break;
		case 'national-no-country': value = reformat(rng, natFmt, false); country = undefined; break;
		}
		const input = { type: 'phone', value: pad(rng, value) };
		if (country) input.country = country;
		cases.push({ input, cat: `${region} ${type.toLowerCase()}${recent ? ' recent-range' : ''} ${mut} ${style}` });
	}
	return cases;
}

function refWith(parse, input) {
	const v = input.value.trim();
	if (v === '') return { error: 'value' };
	let p;
	try { p = input.country ? parse(v, input.country) : parse(v); } catch { p = undefined; }
	if (p && p.isValid()) return { key: 'phone:' + p.number, valid: true, derived: [], type: p.getType() };
	return { key: 'phone_raw:' + digitsOf(v), valid: false, derived: [] };
}

const parseMax = (v, c) => parseCore(v, c ? { defaultCountry: c } : {}, max);
export const reference = (input) => refWith(parseMax, input);
// libphonenumber-js 1.10.14 (late 2022 metadata, close to Debian's
// libphonenumber 8.12.57): used only to explain disagreements.
export const reference2022 = (input) => refWith(parse2022, input);
