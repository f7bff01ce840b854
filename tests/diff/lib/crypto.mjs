// Crypto address corpus; reference: multicoin-address-validator.
// Valid addresses are made here (bs58check, bech32/bech32m, keccak-256 for
// EIP-55); real ones are read in place from ../shared/data/scams.
import fs from 'node:fs';
import path from 'node:path';
import WAV from 'multicoin-address-validator';
import { bech32, bech32m } from 'bech32';
import bs58check from 'bs58check';
import sha3 from 'js-sha3';

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const B32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const hex = (b) => Buffer.from(b).toString('hex');

export function eip55(addrLower) {
	const a = addrLower.slice(2);
	const h = sha3.keccak_256(a);
	let o = '0x';
	for (let i = 0; i < 40; i++) o += parseInt(h[i], 16) >= 8 ? a[i].toUpperCase() : a[i];
	return o;
}

// Real addresses from the scam data sets, read in place (never copied).
export function loadReal(dir) {
	const out = { btc: [], eth: [], trx: [] };
	const files = [];
	try {
		const t = fs.readFileSync(path.join(dir, 'openaml_flagged_scam_address.txt'), 'utf8');
		for (const l of t.split('\n')) if (/^0x[0-9a-fA-F]{40}$/.test(l.trim())) out.eth.push(l.trim());
		files.push('openaml_flagged_scam_address.txt');
	} catch { /* optional */ }
	try {
		const t = fs.readFileSync(path.join(dir, 'cryptoscamdb_urls.yaml'), 'utf8');
		let coin = null;
		for (const l of t.split('\n')) {
			let m;
			if (/^\S/.test(l) || /^\s*- name:/.test(l)) coin = null;
			if ((m = /^\s+([A-Z]+):\s*$/.exec(l))) coin = m[1].toLowerCase();
			else if (coin && (m = /^\s+- "?([^"\s]+)"?\s*$/.exec(l)) && out[coin]) out[coin].push(m[1]);
		}
		files.push('cryptoscamdb_urls.yaml');
	} catch { /* optional */ }
	for (const k of Object.keys(out)) out[k] = [...new Set(out[k])].sort();
	out.files = files;
	return out;
}

function genValid(rng) {
	const kind = rng.weighted([[10, 'p2pkh'], [7, 'p2sh'], [7, 'p2wpkh'], [4, 'p2wsh'], [5, 'p2tr'], [2, 'bech32-upper'],
		[9, 'tron'], [6, 'eth-lower'], [8, 'eth-eip55'], [2, 'eth-upper']]);
	let a, chain;
	switch (kind) {
	case 'p2pkh': a = bs58check.encode(Uint8Array.from([0x00, ...rng.bytes(20)])); chain = 'btc'; break;
	case 'p2sh': a = bs58check.encode(Uint8Array.from([0x05, ...rng.bytes(20)])); chain = 'btc'; break;
	case 'p2wpkh': a = bech32.encode('bc', [0, ...bech32.toWords(rng.bytes(20))]); chain = 'btc'; break;
	case 'p2wsh': a = bech32.encode('bc', [0, ...bech32.toWords(rng.bytes(32))]); chain = 'btc'; break;
	case 'p2tr': a = bech32m.encode('bc', [1, ...bech32m.toWords(rng.bytes(32))]); chain = 'btc'; break;
	case 'bech32-upper': a = bech32.encode('bc', [0, ...bech32.toWords(rng.bytes(20))]).toUpperCase(); chain = 'btc'; break;
	case 'tron': a = bs58check.encode(Uint8Array.from([0x41, ...rng.bytes(20)])); chain = 'trx'; break;
	case 'eth-lower': a = '0x' + hex(rng.bytes(20)); chain = 'eth'; break;
	case 'eth-eip55': a = eip55('0x' + hex(rng.bytes(20))); chain = 'eth'; break;
	case 'eth-upper': a = '0x' + hex(rng.bytes(20)).toUpperCase(); chain = 'eth'; break;
	}
	return [a, chain, kind];
}

function replaceAt(s, i, c) { return s.slice(0, i) + c + s.slice(i + 1); }

function corrupt(rng, a, chain, kind) {
	// Real addresses may themselves be malformed, so decoding can fail.
	try { return corrupt1(rng, a, chain, kind); } catch { return [a.slice(0, -1), 'short']; }
}

function corrupt1(rng, a, chain, kind) {
	const isBech = /^bc1/i.test(a);
	if (chain === 'eth') {
		const k = rng.weighted([[5, 'eip55-flip'], [3, 'short'], [2, 'long'], [2, 'non-hex'], [1, 'no-0x']]);
		switch (k) {
		case 'eip55-flip': {
			let m = /[a-fA-F]/.test(a.slice(2)) ? a : a;
			if (m === m.toLowerCase() || m.slice(2) === m.slice(2).toUpperCase()) m = eip55(m.toLowerCase());
			const idx = [...m].map((c, i) => (i > 1 && /[a-fA-F]/.test(c) ? i : -1)).filter((i) => i >= 0);
			if (idx.length < 2) return [m.slice(0, -1), 'eth short'];
			const i = rng.pick(idx); const c = m[i];
			return [replaceAt(m, i, c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()), 'eth eip55-flip'];
		}
		case 'short': return [a.slice(0, -rng.int(1, 3)), 'eth short'];
		case 'long': return [a + hex(rng.bytes(1)).slice(0, rng.int(1, 2)), 'eth long'];
		case 'non-hex': return [replaceAt(a, rng.int(2, a.length - 1), rng.pick(['g', 'z', 'G', 'x'])), 'eth non-hex'];
		case 'no-0x': return [a.slice(2), 'eth no-0x'];
		}
	}
	if (isBech) {
		const k = rng.weighted([[5, 'char'], [2, 'mixed-case'], [2, 'testnet'], [1, 'wrong-variant'], [1, 'short']]);
		const low = a.toLowerCase();
		switch (k) {
		case 'char': { const i = rng.int(4, low.length - 1); let c; do c = rng.pick([...B32]); while (c === low[i]); return [replaceAt(low, i, c), 'bech32 char']; }
		case 'mixed-case': { const i = rng.int(4, low.length - 1); const c = low[i].toUpperCase(); return [c === low[i] ? low.slice(0, 3).toUpperCase() + low.slice(3) : replaceAt(low, i, c), 'bech32 mixed-case']; }
		case 'testnet': { const enc = low.startsWith('bc1q') ? bech32 : bech32m; const d = enc.decode(low, 90); return [enc.encode('tb', d.words, 90), 'bech32 testnet']; }
		case 'wrong-variant': { // v0 program with the bech32m checksum (BIP-350 forbids) or v1 with bech32
			const d = (low.startsWith('bc1p') ? bech32m : bech32).decode(low, 90);
			return [(d.words[0] === 0 ? bech32m : bech32).encode('bc', d.words, 90), 'bech32 wrong-variant'];
		}
		case 'short': return [low.slice(0, -1), 'bech32 short'];
		}
	}
	// base58check: BTC legacy/P2SH and TRON
	const k = rng.weighted([[6, 'char'], [2, 'short'], [2, 'testnet'], [1, 'bad-char']]);
	switch (k) {
	case 'char': { const i = rng.int(1, a.length - 1); let c; do c = rng.pick([...B58]); while (c === a[i]); return [replaceAt(a, i, c), 'b58 char']; }
	case 'short': return [a.slice(0, -1), 'b58 short'];
	case 'testnet': {
		const payload = bs58check.decode(a);
		const v = chain === 'trx' ? 0xa0 : (payload[0] === 0x05 ? 0xc4 : 0x6f);
		return [bs58check.encode(Uint8Array.from([v, ...payload.slice(1)])), 'b58 testnet'];
	}
	case 'bad-char': return [replaceAt(a, rng.int(1, a.length - 1), rng.pick(['0', 'O', 'I', 'l'])), 'b58 bad-char'];
	}
}

const CHAINS = ['btc', 'eth', 'trx'];
export function generate(rng, n, real) {
	const cases = [];
	while (cases.length < n) {
		let a, chain, cat;
		const useReal = real && rng.chance(0.18);
		if (useReal) {
			chain = rng.weighted([[real.eth.length ? 5 : 0, 'eth'], [real.btc.length ? 4 : 0, 'btc'], [real.trx.length ? 1 : 0, 'trx']]);
			a = rng.pick(real[chain]);
			cat = 'real-' + chain;
		} else {
			let kind; [a, chain, kind] = genValid(rng); cat = kind;
		}
		if (rng.chance(0.3)) {
			let c; [a, c] = corrupt(rng, a, chain, cat); cat += ' corrupt:' + c;
		}
		const input = { type: 'crypto', value: a };
		const cr = rng.next();
		if (cr < 0.35) { input.chain = chain; cat += ' chain-given'; }
		else if (cr < 0.40) { input.chain = rng.pick(CHAINS.filter((c) => c !== chain)); cat += ' chain-wrong'; }
		if (rng.chance(0.04)) { input.value = ' ' + input.value + rng.pick(['', ' ', '\t']); cat += ' padded'; }
		cases.push({ input, cat });
	}
	return cases;
}

function canon(a, chain) {
	if (chain === 'eth') return a.toLowerCase();
	if (chain === 'btc' && /^bc1/i.test(a)) return a.toLowerCase();
	return a;
}

export function reference(input) {
	const v = input.value.trim();
	if (v === '') return { error: 'value' };
	const ok = (c) => { try { return WAV.validate(v, c.toUpperCase()); } catch { return false; } };
	if (input.chain) {
		const c = input.chain.toLowerCase();
		return ok(c) ? { key: `crypto:${c}:${canon(v, c)}`, valid: true, derived: [] } : { valid: false };
	}
	for (const c of ['btc', 'trx', 'eth'])
		if (ok(c)) return { key: `crypto:${c}:${canon(v, c)}`, valid: true, derived: [] };
	return { valid: false };
}
