// A minimal public-suffix-list engine over a .dat file. Used only as an
// explanation oracle: run over Debian's list (the one libpsl on the C side
// was built from), it tells whether a registrable-domain disagreement with
// tldts comes from the list's version rather than from the C code.
import fs from 'node:fs';
import { domainToASCII } from 'node:url';

export function loadPsl(path) {
	let text;
	try { text = fs.readFileSync(path, 'utf8'); } catch { return null; }
	const rules = new Set(), wild = new Set(), exc = new Set();
	for (let line of text.split('\n')) {
		line = line.trim();
		if (!line || line.startsWith('//')) continue;
		line = line.split(/\s/)[0];
		let set = rules;
		if (line.startsWith('!')) { set = exc; line = line.slice(1); }
		else if (line.startsWith('*.')) { set = wild; line = line.slice(2); }
		const a = domainToASCII(line) || line;
		set.add(a.toLowerCase());
	}
	return {
		path,
		registrable(host) {
			if (!host || /^[\d.]+$/.test(host) || host.startsWith('[')) return null;
			const labels = host.toLowerCase().replace(/\.$/, '').split('.');
			let suffixLen = 1;
			for (let i = 0; i < labels.length; i++) {
				const cand = labels.slice(i).join('.');
				if (exc.has(cand)) { suffixLen = labels.length - i - 1; break; }
				if (rules.has(cand)) { suffixLen = labels.length - i; break; }
				if (i + 1 < labels.length && wild.has(labels.slice(i + 1).join('.'))) { suffixLen = labels.length - i; break; }
			}
			if (labels.length <= suffixLen) return null;
			return labels.slice(labels.length - suffixLen - 1).join('.');
		},
	};
}
