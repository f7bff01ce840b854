// URL and domain corpora; references: WHATWG URL (node) for the URL shape and
// IDNA (UTS #46), tldts (whole PSL incl. private section) for the
// registrable domain.
import { domainToASCII } from 'node:url';
import * as tldts from 'tldts';
import { loadPsl } from './psl.mjs';

const TLDTS_OPTS = { allowPrivateDomains: true };
export const DEBIAN_PSL_PATH = '/usr/share/publicsuffix/public_suffix_list.dat';
export const debianPsl = loadPsl(DEBIAN_PSL_PATH);

const ICANN = [
	'com', 'net', 'org', 'info', 'xyz', 'top', 'shop', 'online', 'site', 'club', 'vip', 'cc', 'io', 'co',
	'me', 'app', 'biz', 'asia', 'live', 'link', 'icu', 'buzz', 'tk', 'ml', 'pw', 'ws', 'ru', 'us',
	'my', 'com.my', 'gov.my', 'org.my', 'edu.my', 'net.my',
	'sg', 'com.sg', 'gov.sg', 'edu.sg', 'org.sg',
	'th', 'co.th', 'in.th', 'go.th', 'ac.th', 'or.th',
	'id', 'co.id', 'go.id', 'ac.id', 'or.id', 'web.id', 'my.id',
	'ph', 'com.ph', 'gov.ph', 'org.ph',
	'vn', 'com.vn', 'gov.vn', 'edu.vn', 'net.vn',
	'com.kh', 'gov.kh', 'edu.kh',
	'la', 'com.la', 'gov.la',
	'com.mm', 'gov.mm',
	'bn', 'com.bn', 'gov.bn',
	'uk', 'co.uk', 'gov.uk', 'org.uk', 'ac.uk',
	'com.au', 'gov.au', 'net.au', 'org.au',
	'cn', 'com.cn', 'gov.cn', 'hk', 'com.hk', 'tw', 'com.tw',
	'ไทย', 'รัฐบาล.ไทย', 'ธุรกิจ.ไทย', '中国', '公司.cn', '网络.cn', '香港', '台湾', '新加坡', 'சிங்கப்பூர்',
];
const PRIVATE = [
	'github.io', 'blogspot.com', 'herokuapp.com', 'appspot.com', 'netlify.app', 'vercel.app',
	'pages.dev', 'workers.dev', 'web.app', 'firebaseapp.com', 'glitch.me', 'azurewebsites.net',
	'cloudfront.net', 'ngrok.io', 'ngrok-free.app', 'onrender.com', 'wixsite.com', 'weebly.com',
	'000webhostapp.com', 'repl.co', 'translate.goog', 'r.appspot.com', 'blogspot.co.id', 'blogspot.sg',
	'blogspot.my', 'gitlab.io', 'surge.sh', 'fly.dev', 'web.core.windows.net', 'z13.web.core.windows.net',
];

// Suffixes whose PSL status differs between tldts's list and Debian's (rules
// added or changed since 2023) are "recent": drawn rarely, so that list drift
// stays measured but small, like the phone corpus's recent number ranges.
function suffixWeight(s, w) {
	if (!debianPsl) return w;
	const probe = 'probe-label.' + (domainToASCII(s) || s);
	return tldts.getDomain(probe, TLDTS_OPTS) === debianPsl.registrable(probe) ? w : w * 0.04;
}
const SUFFIXES = [
	...ICANN.map((s) => [suffixWeight(s, 3), s]),
	...PRIVATE.map((s) => [suffixWeight(s, 2), s]),
];

const BRANDS = ['maybank2u', 'cimbclicks', 'publicbank', 'rhbgroup', 'hlb', 'ambank', 'bankislam', 'bsn', 'dbs', 'posb',
	'ocbc', 'uob', 'kbank', 'kasikornbank', 'scb', 'krungthai', 'bangkokbank', 'krungsri', 'bca', 'klikbca', 'mandiri',
	'bri', 'bni', 'bdo', 'bpi', 'metrobank', 'gcash', 'paymaya', 'vietcombank', 'techcombank', 'vpbank', 'acb', 'ababank',
	'acledabank', 'wingbank', 'kbzpay', 'wavemoney', 'bibd', 'lazada', 'shopee', 'tokopedia', 'grab', 'gojek', 'touchngo',
	'truemoney', 'foodpanda', 'poslaju', 'thailandpost', 'jnt', 'ninjavan', 'dhl', 'fedex', 'lhdn', 'jpj', 'customs',
	'immigration', 'police', 'binance', 'coinbase', 'metamask', 'trustwallet', 'okx', 'bitget', 'usdt', 'hsbc', 'paypal'];
const MODS = ['', '', '', '-secure', '-login', '-verify', 'online', '-update', '-my', '-th', '24', '-support', '-rewards',
	'-refund', 'app', '-official', '-cs', '-id', '-ph', '-vn', '2u', '-bonus'];
const IDN = {
	thai: ['ธนาคาร', 'กสิกรไทย', 'ไทยพาณิชย์', 'กรุงไทย', 'ร้านค้า', 'ลงทะเบียน', 'ตำรวจ', 'รางวัล', 'พัสดุ', 'ยืนยันตัวตน', 'เงินกู้'],
	vi: ['ngânhàng', 'thanhtoán', 'khuyếnmãi', 'nhậnthưởng', 'côngan', 'muasắm', 'việtnam', 'hỗtrợ', 'đăngnhập', 'giaohàng', 'vayvốn'],
	zh: ['银行', '购物', '中国银行', '客服', '投资', '理财', '快递', '中奖', '工商银行', '支付宝', '网上银行'],
	km: ['ធនាគារ', 'ប៉ូលីស', 'ហាង'],
	my: ['ဘဏ်', 'ရဲ'],
};
const SUBS = ['www', 'www', 'm', 'secure', 'login', 'online', 'app', 'ib', 'portal', 'my', 'e', 'api', 'cdn', 'mail',
	'auth', 'pay', 'verify', 'id', 'th', 'en', 'support', 'help'];
const PATHW = ['login', 'signin', 'verify', 'account', 'update', 'secure', 'wp-admin', 'wp-content', 'index.php', 'home',
	'auth', 'bank', 'confirm', 'kyc', 'claim', 'rewards', 'parcel', 'track', 'payment', 'invoice', 'pay', 'My-Account',
	'Login.aspx', 'v1', 'u', 's', 'x', 'APP', 'mobile', 'redirect'];

function randLabel(rng) {
	let s = '';
	const a = 'abcdefghijklmnopqrstuvwxyz0123456789';
	for (let k = rng.int(4, 10); k > 0; k--) s += a[rng.int(0, a.length - 1)];
	return s;
}

function upperSome(rng, s) {
	const mode = rng.next();
	if (mode < 0.5) return s.toUpperCase();
	let o = '';
	for (const ch of s) o += rng.chance(0.4) ? ch.toUpperCase() : ch;
	return o;
}

// Returns [host, cat].
function genHost(rng) {
	const suffix = rng.weighted(SUFFIXES);
	let cat = PRIVATE.includes(suffix) ? 'private' : (suffix.includes('.') ? 'icann-2lvl' : 'icann');
	let label;
	const r = rng.next();
	if (r < 0.18) {
		const script = rng.weighted([[5, 'thai'], [5, 'vi'], [5, 'zh'], [1, 'km'], [1, 'my']]);
		label = rng.pick(IDN[script]);
		if (rng.chance(0.2)) label += rng.pick(['-', '']) + rng.int(1, 99);
		if (script === 'vi' && rng.chance(0.12)) { label = label.normalize('NFD'); cat += ' nfd'; }
		if (script === 'vi' && rng.chance(0.12)) { label = label.toUpperCase(); cat += ' idn-upper'; }
		cat += ' idn-' + script;
	} else if (r < 0.3) {
		label = randLabel(rng);
	} else {
		label = rng.pick(BRANDS) + rng.pick(MODS);
		if (rng.chance(0.1)) label = rng.pick(BRANDS) + '-' + label;
	}
	const labels = [label];
	const nsub = rng.weighted([[45, 0], [35, 1], [15, 2], [5, 3]]);
	for (let k = 0; k < nsub; k++) labels.unshift(rng.chance(0.8) ? rng.pick(SUBS) : randLabel(rng));
	if (nsub) cat += ' sub' + nsub;
	let host = labels.join('.') + '.' + suffix;
	if (rng.chance(0.02)) { host = suffix; cat += ' bare-suffix'; }
	if (rng.chance(0.2)) { host = upperSome(rng, host); cat += ' upper'; }
	return [host, cat];
}

function pad(rng, s) {
	return rng.chance(0.05) ? rng.pick([' ', '\t', '  ']) + s + rng.pick(['', ' ', '\t']) : s;
}

export function generateUrl(rng, n) {
	const cases = [];
	while (cases.length < n) {
		let cat;
		const scheme = rng.chance(0.4) ? 'http' : 'https';
		let sch = scheme;
		if (rng.chance(0.08)) { sch = upperSome(rng, scheme); }
		let host, hcat;
		const hr = rng.next();
		if (hr < 0.035) {
			const o = [rng.int(1, 223), rng.int(0, 255), rng.int(0, 255), rng.int(1, 254)];
			host = o.join('.'); hcat = 'ipv4';
			if (rng.chance(0.12)) { // obfuscated spellings phishing uses; WHATWG canonicalises them
				const f = rng.pick(['decimal', 'hex', 'octal', 'short']);
				if (f === 'decimal') host = String(((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3]);
				else if (f === 'hex') host = '0x' + o[0].toString(16) + '.' + o.slice(1).join('.');
				else if (f === 'octal') host = '0' + o[0].toString(8) + '.' + o.slice(1).join('.');
				else host = o[0] + '.' + o[1] + '.' + (o[2] * 256 + o[3]);
				hcat = 'ipv4-' + f;
			}
		}
		else if (hr < 0.04) { host = rng.pick(['[2001:db8::1]', '[2001:0DB8:0000:0000:0000:0000:0000:0001]', '[fe80::1:2]', '[2400:cb00:2049:1::a29f:1804]']); hcat = 'ipv6'; }
		else [host, hcat] = genHost(rng);
		cat = hcat;
		let userinfo = '';
		if (rng.chance(0.015)) { userinfo = rng.pick(['www.maybank2u.com.my@', 'user:pass@', 'login.scb.co.th@', 'admin@']); cat += ' userinfo'; }
		let port = '';
		if (rng.chance(0.12)) {
			if (rng.chance(0.35)) { port = ':' + (scheme === 'http' ? 80 : 443); cat += ' default-port'; }
			else { port = ':' + rng.pick([8080, 8443, 3000, 81, 8000, scheme === 'http' ? 443 : 80]); cat += ' port'; }
		}
		let path = '';
		const pr = rng.next();
		if (pr < 0.35) { cat += ' no-path'; }
		else if (pr < 0.45) path = '/';
		else {
			for (let k = rng.int(1, 3); k > 0; k--) path += '/' + rng.pick(PATHW);
			if (rng.chance(0.2)) path += '/';
			if (rng.chance(0.02)) { path += '/' + rng.pick(['ยืนยัน', 'đăng-nhập', '登录']); cat += ' path-nonascii'; }
			if (rng.chance(0.02)) { path += '/a%20b'; cat += ' path-pct'; }
		}
		let query = '';
		if (rng.chance(0.25)) {
			const ps = ['id=' + rng.int(1, 99999), 'ref=sms', 'token=' + randLabel(rng), 'lang=th', 'utm_source=sms', 'u=' + rng.int(100, 999)];
			query = '?' + Array.from({ length: rng.int(1, 3) }, () => rng.pick(ps)).join('&');
			cat += ' query';
		}
		let frag = '';
		if (rng.chance(0.1)) { frag = '#' + rng.pick(['top', 'login', '/dashboard', '!', '']); cat += ' fragment'; }
		let value = `${sch}://${userinfo}${host}${port}${path}${query}${frag}`;
		if (!port && !userinfo && hcat !== 'ipv6' && rng.chance(0.015)) { value = `${host}${path}${query}${frag}`; cat += ' schemeless'; }
		if (rng.chance(0.02)) {
			value = rng.pick([`${sch}://exa mple.${rng.pick(['com', 'co.th'])}/`, `${sch}:///${rng.pick(PATHW)}`, `${sch}://[::1/`, `${sch}://bad<host>.com/`, `${sch}://`]);
			cat = 'malformed';
		}
		cases.push({ input: { type: 'url', value: pad(rng, value) }, cat });
	}
	return cases;
}

export function generateDomain(rng, n) {
	const cases = [];
	while (cases.length < n) {
		let [host, cat] = genHost(rng);
		const r = rng.next();
		if (r < 0.015) {
			host = rng.pick([host.replace('.', ' '), host.replace('.', '<'), host + '?', '-' + host]);
			cat = 'malformed ' + cat;
		} else if (r < 0.02) {
			host = 'a'.repeat(64) + '.com';
			cat = 'label-too-long';
		} else if (r < 0.025) {
			host = host.replace(/\.[^.]+$/, '') + '.' + rng.pick(['local', 'internal', 'lan', 'corp', 'home']);
			cat = 'unknown-tld ' + cat;
		} else if (r < 0.045) { // a pasted URL or e-mail address: its host is meant
			const k = rng.weighted([[5, 'pasted-url'], [3, 'pasted-email'], [2, 'pasted-schemeless-url']]);
			if (k === 'pasted-url') host = rng.pick(['http://', 'https://', 'HTTPS://']) + host + rng.pick(['', '/', '/login', ':8080/x?y=1']);
			else if (k === 'pasted-email') host = rng.pick(['user', 'cs.support', 'admin']) + '@' + host;
			else host = host + rng.pick(['/', '/login', '/verify?id=1']);
			cat = k + ' ' + cat;
		}
		cases.push({ input: { type: 'domain', value: pad(rng, host) }, cat });
	}
	return cases;
}

const isIpHost = (h) => /^[\d.]+$/.test(h) || h.startsWith('[');
function registrable(host, psl) {
	if (isIpHost(host)) return null;
	return psl ? psl.registrable(host) : tldts.getDomain(host, TLDTS_OPTS);
}

export function referenceUrl(input, psl) {
	const v = input.value.trim();
	if (v === '') return { error: 'value' };
	let u;
	// Project convention (C side): a URL typed without a scheme is read as http.
	try { u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : 'http://' + v); } catch { return { valid: false }; }
	if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return { valid: false };
	const key = 'url:' + u.href.split('#')[0];
	const reg = registrable(u.hostname, psl);
	return { key, valid: true, derived: reg ? ['domain:' + reg] : [] };
}

// Reference for the `domain` type. Conventions beyond UTS #46 that the
// C side documents (src/lib/normalise.c norm_domain) and the reference
// therefore follows: a pasted URL or e-mail address stands for its host; a
// trailing dot is dropped; '_' is allowed in labels; a host under a top-level domain that the PSL does
// not know, or an IP address, is flagged (valid=false).
export function referenceDomain(input, psl) {
	let v = input.value.trim();
	if (v === '') return { error: 'value' };
	let m;
	if ((m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\\]*)/i.exec(v))) v = m[1];
	else if (/^[^/?#\s]+\/.*$/.test(v) && !v.includes('@')) v = v.split('/')[0];
	if (v.includes('@')) v = v.slice(v.lastIndexOf('@') + 1);
	v = v.replace(/:\d*$/, '');
	if (/[\s/?#@:<>\\[\]%]/.test(v)) return { valid: false };
	if (v.length > 1) v = v.replace(/\.$/, '');
	const a = domainToASCII(v).toLowerCase();
	// UTS #46 with VerifyDnsLength: a domain name, not just a URL host.
	const labels = a.split('.');
	// and CheckHyphens (LDH): no label starts or ends with '-'.
	if (!a || a.length > 253 || labels.some((l) => l.length === 0 || l.length > 63) || v.split('.').some((l) => l.startsWith('-') || l.endsWith('-')) || isIpHost(a) || /^[\d.]+$/.test(labels[labels.length - 1])) return { valid: false };
	const p = tldts.parse(a, TLDTS_OPTS);
	if (!p.isIcann && !p.isPrivate) return { valid: false };
	const reg = registrable(a, psl);
	return { key: 'domain:' + a, valid: true, derived: reg && reg !== a ? ['domain:' + reg] : [] };
}
