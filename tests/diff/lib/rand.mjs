// Deterministic randomness for corpus generation: a seeded PRNG and a
// generator of random strings matching the small regular-expression dialect
// used by libphonenumber metadata and ibantools BBAN formats.

// sfc32 seeded from a string through a 128-bit FNV-style mix.
export function makeRng(seed) {
	let h = [0x9e3779b9, 0x243f6a88, 0xb7e15162, 0xdeadbeef];
	const s = String(seed);
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		for (let k = 0; k < 4; k++)
			h[k] = Math.imul(h[k] ^ (c + k), 0x01000193) >>> 0;
	}
	let [a, b, c, d] = h;
	const next = () => {
		a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
		let t = (a + b) | 0;
		a = b ^ (b >>> 9);
		b = (c + (c << 3)) | 0;
		c = (c << 21) | (c >>> 11);
		d = (d + 1) | 0;
		t = (t + d) | 0;
		c = (c + t) | 0;
		return (t >>> 0) / 4294967296;
	};
	for (let i = 0; i < 20; i++) next();
	const rng = {
		next,
		int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
		pick: (arr) => arr[Math.floor(next() * arr.length)],
		chance: (p) => next() < p,
		bytes: (n) => {
			const b = new Uint8Array(n);
			for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
			return b;
		},
		// weighted pick: [[weight, value], ...]
		weighted: (pairs) => {
			const tot = pairs.reduce((s, p) => s + p[0], 0);
			let r = next() * tot;
			for (const [w, v] of pairs) { if ((r -= w) < 0) return v; }
			return pairs[pairs.length - 1][1];
		},
		fork: (label) => makeRng(s + '/' + label),
	};
	return rng;
}

// --- regex -> random matching string --------------------------------------
// Supports: literals, \d, [...] classes with ranges, (?:a|b), (a|b),
// quantifiers ? * + {n} {n,} {n,m}, anchors ^ $.
function parseRegex(src) {
	let i = 0;
	function parseAlt() {
		const alts = [parseSeq()];
		while (src[i] === '|') { i++; alts.push(parseSeq()); }
		return { t: 'alt', alts };
	}
	function parseSeq() {
		const items = [];
		while (i < src.length && src[i] !== '|' && src[i] !== ')') {
			let atom = parseAtom();
			if (atom === null) continue;
			atom = parseQuant(atom);
			items.push(atom);
		}
		return { t: 'seq', items };
	}
	function parseAtom() {
		const c = src[i];
		if (c === '^' || c === '$') { i++; return null; }
		if (c === '(') {
			i++;
			if (src[i] === '?' && src[i + 1] === ':') i += 2;
			const a = parseAlt();
			if (src[i] !== ')') throw new Error('regex: missing ) in ' + src);
			i++;
			return a;
		}
		if (c === '[') {
			i++;
			const chars = [];
			let neg = false;
			if (src[i] === '^') { neg = true; i++; }
			while (src[i] !== ']') {
				let ch = src[i++];
				if (ch === '\\') {
					const e = src[i++];
					if (e === 'd') { for (let k = 0; k < 10; k++) chars.push(String(k)); continue; }
					ch = e;
				}
				if (src[i] === '-' && src[i + 1] !== ']') {
					i++;
					let hi = src[i++];
					if (hi === '\\') hi = src[i++];
					for (let k = ch.charCodeAt(0); k <= hi.charCodeAt(0); k++) chars.push(String.fromCharCode(k));
				} else chars.push(ch);
			}
			i++;
			if (neg) throw new Error('regex: negated class unsupported');
			return { t: 'set', chars };
		}
		if (c === '\\') {
			i++;
			const e = src[i++];
			if (e === 'd') return { t: 'set', chars: '0123456789'.split('') };
			return { t: 'lit', s: e };
		}
		if (c === '.') { i++; return { t: 'set', chars: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('') }; }
		i++;
		return { t: 'lit', s: c };
	}
	function parseQuant(atom) {
		const c = src[i];
		let lo = 1, hi = 1;
		if (c === '?') { lo = 0; hi = 1; i++; }
		else if (c === '*') { lo = 0; hi = 3; i++; }
		else if (c === '+') { lo = 1; hi = 4; i++; }
		else if (c === '{') {
			const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
			if (!m) return atom;
			i += m[0].length;
			lo = +m[1];
			hi = m[2] ? (m[3] === '' ? lo + 3 : +m[3]) : lo;
		} else return atom;
		return { t: 'rep', atom, lo, hi };
	}
	const r = parseAlt();
	if (i !== src.length) throw new Error('regex: trailing input at ' + i + ' in ' + src);
	return r;
}

const regexCache = new Map();
export function randomMatching(rng, src) {
	let ast = regexCache.get(src);
	if (!ast) { ast = parseRegex(src); regexCache.set(src, ast); }
	const out = [];
	(function gen(n) {
		switch (n.t) {
		case 'alt': gen(rng.pick(n.alts)); break;
		case 'seq': for (const it of n.items) gen(it); break;
		case 'set': out.push(rng.pick(n.chars)); break;
		case 'lit': out.push(n.s); break;
		case 'rep': { const k = rng.int(n.lo, n.hi); for (let j = 0; j < k; j++) gen(n.atom); break; }
		}
	})(ast);
	return out.join('');
}
