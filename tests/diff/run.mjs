#!/usr/bin/env node
// Differential test of `simpul normalize --batch` against independent npm
// implementations. See README.md.
//
//   node tests/diff/run.mjs --bin build/src/cli/simpul [--n 5000] [--seed S]
//        [--out summary.json] [--types phone,url,...] [--data DIR]
//        [--recent-share 0.003] [--examples 3] [--dump DIR]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRng } from './lib/rand.mjs';
import * as phone from './lib/phone.mjs';
import * as web from './lib/web.mjs';
import * as iban from './lib/iban.mjs';
import * as crypto from './lib/crypto.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const THRESHOLD = 99.5;

function parseArgs(argv) {
	const o = { n: 5000, seed: 'simpul-diff-1', types: 'phone,url,domain,iban,crypto', examples: 3,
		data: process.env.SIMPUL_DATA ? path.join(process.env.SIMPUL_DATA, 'scams') :
		    path.resolve(here, '../../../shared/data/scams'), recentShare: 0.003 };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i], v = () => argv[++i];
		if (a === '--bin') o.bin = v();
		else if (a === '--n') o.n = +v();
		else if (a === '--seed') o.seed = v();
		else if (a === '--out') o.out = v();
		else if (a === '--types') o.types = v();
		else if (a === '--data') o.data = v();
		else if (a === '--recent-share') o.recentShare = +v();
		else if (a === '--examples') o.examples = +v();
		else if (a === '--dump') o.dump = v();
		else if (a === '-h' || a === '--help') { console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 7).join('\n')); process.exit(0); }
		else { console.error('unknown argument: ' + a); process.exit(2); }
	}
	if (!o.bin) { console.error('usage: node run.mjs --bin PATH_TO_simpul [--n 5000] [--seed S] [--out FILE]'); process.exit(2); }
	if (!(o.n >= 1)) { console.error('--n must be >= 1'); process.exit(2); }
	return o;
}

const opts = parseArgs(process.argv.slice(2));
const ver = (p) => { try { return JSON.parse(fs.readFileSync(path.join(here, 'node_modules', p, 'package.json'), 'utf8')).version; } catch { return '?'; } };

// --- run the C side -------------------------------------------------------
function runBatch(inputs) {
	const t0 = Date.now();
	const r = spawnSync(opts.bin, ['normalize', '--batch'], {
		input: inputs.map((x) => JSON.stringify(x)).join('\n') + '\n',
		maxBuffer: 1 << 28, timeout: 300000, encoding: 'utf8',
	});
	const ms = Date.now() - t0;
	if (r.error) return { fatal: String(r.error), ms };
	const lines = r.stdout.split('\n').filter((l) => l.length);
	const outs = lines.map((l) => { try { return JSON.parse(l); } catch { return { _unparsable: l }; } });
	return { outs, status: r.status, stderr: r.stderr.slice(0, 2000), ms };
}

// --- comparison -----------------------------------------------------------
const pick = (tokens, prio) => {
	for (const p of prio) {
		const t = tokens.find((x) => (p.endsWith('*') ? x.startsWith(p.slice(0, -1)) : x === p));
		if (t) return t;
	}
	return 'plain';
};
const HOST_TOK = ['malformed', 'label-too-long', 'pasted-*', 'unknown-tld', 'ipv6', 'ipv4-*', 'schemeless', 'ipv4', 'nfd', 'idn-upper', 'idn-*', 'bare-suffix', 'upper'];
const DERIVED_TOK = ['ipv6', 'ipv4-*', 'ipv4', 'bare-suffix', 'private', 'idn-*', 'icann-2lvl', 'icann'];

function urlParts(k) {
	try { const u = new URL(k.replace(/^url:/, '')); return { scheme: u.protocol, userinfo: u.username + ':' + u.password, host: u.hostname, port: u.port, path: u.pathname, query: u.search }; } catch { return null; }
}

// Returns null on agreement, else the disagreement class (a short string).
function compare(type, c, ref, cat, alt) {
	const tokens = cat.split(' ');
	const group = () => {
		switch (type) {
		case 'phone': { const [region, , ...rest] = tokens; return region + ' ' + rest.filter((t) => !['ok', 'short', 'long', 'digit', 'random'].includes(t)).join(' '); }
		case 'iban': return tokens.slice(1).filter((t) => !['electronic', 'spaced', 'lower', 'spaced-lower', 'padded'].includes(t)).join(' ') + ' (' + tokens[0] + ')';
		case 'crypto': return tokens.filter((t) => t !== 'padded').join(' ');
		default: return pick(tokens, HOST_TOK);
		}
	};
	// an explanation oracle that agrees with C: the reference data version
	const tag = alt && agreesWith(type, c, alt) ? (type === 'phone' ? ' {= libphonenumber-js 1.10.14, 2022 metadata}' : ' {= Debian PSL 2023-02}') : '';
	if (c === undefined) return 'no output line';
	if (c._unparsable !== undefined) return 'unparsable output line';
	if (c.error !== undefined || ref.error !== undefined) {
		if (c.error !== undefined && ref.error !== undefined) return null;
		if (c.error !== undefined) return `C error field=${c.field} / ${group()}`;
		return `C accepted, reference says unusable / ${group()}`;
	}
	if (!!c.valid !== !!ref.valid) return `valid C=${c.valid ? 1 : 0} ref=${ref.valid ? 1 : 0} / ${group()}${tag}`;
	if (ref.valid) {
		if (c.key !== ref.key) {
			if (type === 'url') {
				const a = urlParts(c.key || ''), b = urlParts(ref.key);
				const diff = a && b ? Object.keys(b).filter((k) => a[k] !== b[k]) : ['unparsable'];
				const prio = diff.includes('host') ? HOST_TOK : diff.includes('path') ? ['path-nonascii', 'path-pct', 'no-path']
					: diff.includes('port') ? ['default-port', 'port'] : diff.includes('userinfo') ? ['userinfo'] : diff.includes('query') ? ['query'] : ['upper'];
				return `key differs in ${diff.join('+')} / ${pick(tokens, prio)}`;
			}
			if (type === 'crypto' && c.key && ref.key && c.key.split(':')[1] !== ref.key.split(':')[1]) return `chain differs C=${c.key.split(':')[1]} / ${group()}`;
			return `key differs / ${group()}${tag}`;
		}
		if (type === 'url' || type === 'domain') {
			const cd = (c.derived || []).filter((d) => d.startsWith('domain:')).sort().join(',');
			const rd = (ref.derived || []).join(',');
			if (cd !== rd) return `derived domain ${cd ? (rd ? 'differs' : 'extra in C') : 'missing in C'} / ${pick(tokens, DERIVED_TOK)}${tag}`;
		}
		return null;
	}
	// both invalid: the kept key still has to be right where it is defined
	if (type === 'phone' && c.key !== ref.key) return `raw key differs / ${group()}`;
	if (type === 'iban' && c.key !== ref.key) return `invalid key differs / ${group()}`;
	return null;
}

function agreesWith(type, c, alt) {
	if (!c || c.error !== undefined || c._unparsable !== undefined) return false;
	if (!!c.valid !== !!alt.valid) return false;
	if (!alt.valid) return type !== 'phone' || c.key === alt.key;
	if (c.key !== alt.key) return false;
	if (type === 'url' || type === 'domain') return (c.derived || []).filter((d) => d.startsWith('domain:')).sort().join(',') === (alt.derived || []).join(',');
	return true;
}

// --- corpora --------------------------------------------------------------
const real = crypto.loadReal(opts.data);
const suites = {
	phone: { gen: (r, n) => phone.generate(r, n, { recentShare: opts.recentShare }), ref: phone.reference, alt: phone.reference2022,
		reference: `libphonenumber-js ${ver('libphonenumber-js')} (max metadata); oracle libphonenumber-js ${ver('libphonenumber-js-2022')}` },
	url: { gen: web.generateUrl, ref: (i) => web.referenceUrl(i), alt: web.debianPsl && ((i) => web.referenceUrl(i, web.debianPsl)),
		reference: `node ${process.versions.node} WHATWG URL + tldts ${ver('tldts')} (allowPrivateDomains); oracle ${web.DEBIAN_PSL_PATH}` },
	domain: { gen: web.generateDomain, ref: (i) => web.referenceDomain(i), alt: web.debianPsl && ((i) => web.referenceDomain(i, web.debianPsl)),
		reference: `node ${process.versions.node} domainToASCII (UTS #46) + tldts ${ver('tldts')}; oracle ${web.DEBIAN_PSL_PATH}` },
	iban: { gen: iban.generate, ref: iban.reference, reference: `ibantools ${ver('ibantools')}` },
	crypto: { gen: (r, n) => crypto.generate(r, n, real), ref: crypto.reference,
		reference: `multicoin-address-validator ${ver('multicoin-address-validator')}; real addresses: ${real.files.join(', ') || 'none found'} (${real.eth.length} eth, ${real.btc.length} btc, ${real.trx.length} trx)` },
};

const t0 = Date.now();
const summary = { bin: opts.bin, seed: opts.seed, n: opts.n, threshold: THRESHOLD, node: process.versions.node, types: {} };
let passed = 0, failed = 0;
for (const type of opts.types.split(',')) {
	const s = suites[type];
	if (!s) { console.error('unknown type ' + type); process.exit(2); }
	const rng = makeRng(opts.seed + '/' + type);
	const cases = s.gen(rng, opts.n);
	const refs = cases.map((c) => s.ref(c.input));
	const run = runBatch(cases.map((c) => c.input));
	const res = { reference: s.reference, cases: cases.length, ref_valid: refs.filter((r) => r.valid).length, c_ms: run.ms };
	console.log(`\n== ${type}: ${cases.length} cases; reference: ${s.reference}`);
	if (run.fatal || run.outs.length !== cases.length) {
		console.log(`   C side failed: ${run.fatal || `exit ${run.status}, ${run.outs.length} output lines for ${cases.length} inputs`} ${run.stderr ? '\n   stderr: ' + run.stderr.trim().split('\n').slice(0, 5).join('\n   ') : ''}`);
	}
	const outs = run.outs || [];
	const classes = new Map();
	let agree = 0;
	cases.forEach((cs, i) => {
		const alt = s.alt ? s.alt(cs.input) : null;
		const cls = compare(type, outs[i], refs[i], cs.cat, alt);
		if (!cls) { agree++; return; }
		let e = classes.get(cls);
		if (!e) classes.set(cls, (e = { class: cls, count: 0, examples: [] }));
		e.count++;
		if (e.examples.length < opts.examples) e.examples.push({ input: cs.input, c: outs[i] ?? null, ref: refs[i], cat: cs.cat });
	});
	res.agree = agree;
	res.pct = Math.floor((agree / cases.length) * 10000) / 100;
	res.passed = res.pct >= THRESHOLD;
	res.classes = [...classes.values()].sort((a, b) => b.count - a.count || (a.class < b.class ? -1 : 1));
	summary.types[type] = res;
	if (opts.dump) {
		fs.mkdirSync(opts.dump, { recursive: true });
		fs.writeFileSync(path.join(opts.dump, type + '.jsonl'), cases.map((c, i) => JSON.stringify({ input: c.input, cat: c.cat, ref: refs[i], c: outs[i] ?? null })).join('\n') + '\n');
	}
	console.log(`   agreement: ${agree}/${cases.length} = ${res.pct.toFixed(2)} %  (reference-valid ${(100 * res.ref_valid / cases.length).toFixed(1)} %; C side ${run.ms} ms)  ${res.passed ? 'PASS' : 'FAIL'}`);
	for (const e of res.classes) {
		console.log(`   ${String(e.count).padStart(5)}  ${e.class}`);
		for (const x of e.examples) console.log(`          in  ${JSON.stringify(x.input)}\n          C   ${JSON.stringify(x.c)}\n          ref ${JSON.stringify(x.ref)}`);
	}
	if (res.passed) passed++; else failed++;
}
summary.duration_ms = Date.now() - t0;
summary.passed = passed;
summary.failed = failed;
if (opts.out) fs.writeFileSync(opts.out, JSON.stringify(summary, null, 1) + '\n');
console.log(`\ntotal ${(summary.duration_ms / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
