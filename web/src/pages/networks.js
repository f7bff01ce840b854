import { api, ApiError } from '../api.js';
import { h, clear, field } from '../dom.js';
import { t, label, fmtDate, fmtNumber } from '../strings.js';
import { dl, money, errorBox, reportLink, selectorLink } from './common.js';
import { watchButton } from './watches.js';

export function networkLink(id, text) {
  return h('a', { href: `#/network/${encodeURIComponent(id)}`, 'data-testid': 'network-link' }, text || id);
}

function losses(loss) {
  const parts = Object.entries(loss || {}).map(([currency, amount]) => money({ currency, amount }));
  return parts.length ? parts.join(', ') : null;
}

function summary(n) {
  return dl([
    [t('net.reports'), String(n.reports)],
    [t('net.hidden'), n.hidden_records ? t('net.hidden.more', { n: fmtNumber(n.hidden_records) }) : null],
    [t('net.agencies'), (n.agencies || []).join(', ')],
    [t('net.countries'), (n.countries || []).join(', ')],
    [t('net.victimcountries'), (n.victim_countries || []).join(', ')],
    [t('net.loss'), losses(n.loss)],
    [t('net.scamtypes'), (n.scam_types || []).map((s) => label('scam', s)).join(', ')],
    [t('net.seen'), n.first_seen ? t('net.seen.range', { first: fmtDate(n.first_seen), last: fmtDate(n.last_seen) }) : null],
  ]);
}

function table(nets) {
  return h('div', { class: 'scroll' }, h('table', { 'data-testid': 'networks-table' },
    h('thead', null, h('tr', null, ['net.id', 'net.reports', 'net.hidden', 'net.agencies', 'net.scamtypes', 'net.last']
      .map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', null, nets.map((n) => h('tr', { 'data-testid': 'network-row' },
      h('td', null, networkLink(n.id)), h('td', null, String(n.reports)),
      h('td', null, n.hidden_records ? t('net.hidden.more', { n: fmtNumber(n.hidden_records) }) : t('common.none')),
      h('td', null, (n.agencies || []).join(', ')),
      h('td', null, (n.scam_types || []).map((s) => label('scam', s)).join(', ')),
      h('td', null, fmtDate(n.last_seen)))))));
}

// The networks page: every network the reader sees, page by page, and the
// networks naming one selector.
export async function networksPage(main, { query, go }) {
  const key = h('input', { name: 'key', value: query.get('key') || '', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'networks-key' });
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'networks-result' });
  main.append(h('h1', null, t('nav.networks')), h('p', null, t('net.intro')),
    h('form', { role: 'search', class: 'card', onsubmit: (e) => {
      e.preventDefault();
      go(key.value.trim() ? `#/networks?key=${encodeURIComponent(key.value.trim())}` : '#/networks');
    } }, field(t('net.bykey'), key, t('net.bykey.help')), h('button', { type: 'submit' }, t('net.find'))),
    out);
  const k = query.get('key');
  if (k) {
    try {
      const r = await api('GET', `/api/v1/networks?key=${encodeURIComponent(k)}&limit=100`);
      out.append(h('h2', null, t('net.forkey', { key: k, n: r.total })),
        r.networks.length ? table(r.networks) : h('p', { 'data-testid': 'networks-none' }, t('net.none.key')),
        h('p', null, h('a', { href: `#/network?key=${encodeURIComponent(k)}` }, t('net.graph.key'))));
    } catch (e) {
      out.append(errorBox(e));
    }
    return;
  }
  let after = 0;
  const rows = h('div');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => page() }, t('net.more'));
  out.append(rows, more);
  async function page() {
    try {
      const r = await api('GET', `/api/v1/networks?after=${encodeURIComponent(after)}&limit=50`);
      if (r.networks.length) rows.append(table(r.networks));
      else if (!rows.firstChild && !r.more) rows.append(h('p', { 'data-testid': 'networks-none' }, t('net.none')));
      after = r.next;
      more.hidden = !r.more;
    } catch (e) {
      out.append(errorBox(e));
    }
  }
  await page();
}

// Merge graph answers into cytoscape elements, and a list of the same nodes.
function mergeGraphs(graphs) {
  const nodes = new Map();
  const edges = new Map();
  for (const g of graphs) {
    for (const n of g.nodes) if (!nodes.has(n.id)) nodes.set(n.id, n);
    for (const e of g.edges) edges.set(`${e.source}|${e.target}`, e);
  }
  return { nodes, edges };
}

function nodeLabel(n) {
  if (n.type === 'report') return n.visibility === 'hit' ? t('net.node.hit', { agency: n.agency }) : t('net.node.report', { agency: n.agency, id: n.id.slice(-6) });
  if (n.type === 'hidden') return n.label;
  return n.key || n.id;
}

function nodeDetail(n) {
  if (n.type === 'report' && n.visibility === 'hit') {
    return [t('net.node.hit.long', { agency: n.agency }), ' ', reportLink(n.id, t('net.open.report'))];
  }
  if (n.type === 'report') return [t('net.node.report.long', { agency: n.agency, id: n.id }), ' ', reportLink(n.id, t('net.open.report'))];
  if (n.type === 'hidden') return [`${n.label}. `, t('net.hidden.help')];
  return [t('net.node.selector'), ' ', selectorLink(n.key || n.id), n.generic ? ` (${t('net.generic', { rule: n.generic })})` : '',
    n.links === false ? ` (${t('net.nolink')})` : ''];
}

// The graph and, beside it, the same nodes as a list that the keyboard and
// screen readers can use: arrow keys move, Enter shows the node.
async function drawWithList(main, nodes, edges, hidden) {
  const holder = h('div', { class: 'graph', 'data-testid': 'graph', role: 'img', 'aria-label': t('net.graph.label', { n: nodes.size }) });
  const detail = h('p', { class: 'graph-detail', 'aria-live': 'polite', 'data-testid': 'graph-detail' }, t('net.pick'));
  const list = h('ul', { class: 'nodelist', 'data-testid': 'graph-list', 'aria-label': t('net.list.label') });
  const all = [...nodes.values()];
  if (hidden) all.push({ id: '__hidden', type: 'hidden', label: hidden });
  all.sort((a, b) => (a.depth ?? 99) - (b.depth ?? 99));
  const buttons = [];
  let graph = null;
  function pick(i, focus) {
    buttons.forEach((b, j) => { b.setAttribute('aria-pressed', String(i === j)); b.tabIndex = i === j ? 0 : -1; });
    if (focus) buttons[i].focus();
    clear(detail).append(...nodeDetail(all[i]));
    if (graph) graph.select(all[i].id);
  }
  all.forEach((n, i) => {
    const b = h('button', { type: 'button', class: `node node-${n.type}`, 'data-testid': 'graph-node', 'data-id': n.id,
      tabindex: i === 0 ? '0' : '-1', 'aria-pressed': 'false', onclick: () => pick(i, false),
      onkeydown: (e) => {
        const k = { ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1, Home: 0, End: all.length - 1 }[e.key];
        if (k === undefined) return;
        e.preventDefault();
        pick(Math.max(0, Math.min(all.length - 1, k)), true);
      } }, nodeLabel(n));
    buttons.push(b);
    list.append(h('li', null, b));
  });
  main.append(h('section', { class: 'card' }, h('h2', null, t('net.graph')),
    h('p', { class: 'muted' }, t('net.legend')),
    h('div', { class: 'graphwrap' }, holder, h('div', { class: 'graphside' }, h('p', { class: 'muted', id: 'nodelist-help' }, t('net.list.help')), list)),
    detail));
  list.setAttribute('aria-describedby', 'nodelist-help');
  const elements = {
    nodes: all.map((n) => ({ data: { id: n.id, type: n.type, visibility: n.visibility || 'full', generic: !!n.generic, label: nodeLabel(n) } })),
    edges: [...edges.values()].filter((e) => nodes.has(e.source) && nodes.has(e.target))
      .map((e) => ({ data: { id: `${e.source}|${e.target}`, source: e.source, target: e.target, strong: e.strong !== false } })),
  };
  try {
    const { drawGraph } = await import('/assets/graph.js');
    graph = drawGraph(holder, elements, (id) => {
      const i = all.findIndex((n) => n.id === id);
      if (i >= 0) pick(i, true);
    });
    holder.dataset.drawn = String(graph.cy.nodes().length);
  } catch (e) {
    holder.append(h('p', { class: 'error' }, t('net.graph.failed', { detail: e.message })));
  }
}

// #/network/ID: one network; #/network?key=KEY: the graph around a selector.
export async function networkPage(main, { arg, query }) {
  const key = query.get('key');
  if (!arg && key) {
    main.append(h('h1', null, t('net.graph.title.key', { key })));
    try {
      const g = await api('GET', `/api/v1/graph?key=${encodeURIComponent(key)}&depth=3&limit=300`);
      if (g.truncated) main.append(h('p', { class: 'notice' }, t('net.truncated')));
      const { nodes, edges } = mergeGraphs([g]);
      main.append(h('p', null, watchButton('selector', key)));
      await drawWithList(main, nodes, edges, null);
    } catch (e) {
      main.append(e instanceof ApiError && e.status === 404 ? h('p', { class: 'notice', 'data-testid': 'network-notfound' }, t('net.graph.nokey', { key })) : errorBox(e));
    }
    return;
  }
  let n;
  try {
    n = await api('GET', `/api/v1/networks/${encodeURIComponent(arg)}`);
  } catch (e) {
    main.append(h('h1', null, t('net.title', { id: arg })));
    main.append(e.status === 404 ? h('p', { class: 'notice', 'data-testid': 'network-notfound' }, t('net.notfound', { id: arg })) : errorBox(e));
    return;
  }
  main.append(h('h1', null, t('net.title', { id: n.id })),
    h('section', { class: 'card', 'data-testid': 'network-summary' }, summary(n), h('p', null, watchButton('network', n.id))));
  if (n.hidden_records) main.append(h('p', { class: 'notice', 'data-testid': 'network-hidden' }, `${t('net.hidden.more', { n: fmtNumber(n.hidden_records) })}. `, t('net.hidden.help')));
  // The graph: around the selectors that link, until every report we may
  // read is drawn (a few requests at most).
  const want = new Set(n.report_ids || []);
  const graphs = [];
  let truncated = false;
  for (const s of (n.top_selectors || []).filter((x) => x.links !== false).slice(0, 8)) {
    const have = mergeGraphs(graphs).nodes;
    if (have.has(s.key) && [...want].every((id) => have.has(id))) break;
    if (have.has(s.key)) continue;
    try {
      const g = await api('GET', `/api/v1/graph?key=${encodeURIComponent(s.key)}&depth=4&limit=300`);
      graphs.push(g);
      truncated = truncated || g.truncated;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  }
  const { nodes, edges } = mergeGraphs(graphs);
  if (truncated) main.append(h('p', { class: 'notice' }, t('net.truncated')));
  const hiddenShown = [...nodes.values()].filter((x) => x.visibility === 'hit').length;
  const rest = (n.hidden_records || 0) - hiddenShown;
  await drawWithList(main, nodes, edges, rest > 0 ? t('net.hidden.more', { n: rest }) : null);
  if (n.top_selectors && n.top_selectors.length) {
    main.append(h('section', { class: 'card' }, h('h2', null, t('net.top')),
      h('ul', { 'data-testid': 'network-selectors' }, n.top_selectors.map((s) => h('li', null, selectorLink(s.key), ` — ${t('net.degree', { n: s.degree })}`)))));
  }
}

// For the report page: the networks its selectors belong to.
export async function networksOfReport(r) {
  const box = h('section', { class: 'card', 'data-testid': 'report-networks' }, h('h2', null, t('net.ofreport')));
  const seen = new Map();
  for (const s of (r.selectors || []).filter((x) => x.valid).slice(0, 10)) {
    try {
      const x = await api('GET', `/api/v1/networks?key=${encodeURIComponent(s.key)}&limit=10`);
      for (const n of x.networks) seen.set(n.id, n);
    } catch (e) { /* a key in no network you see */ }
  }
  if (!seen.size) box.append(h('p', { class: 'muted' }, t('net.ofreport.none')));
  else box.append(h('ul', null, [...seen.values()].map((n) => h('li', null, networkLink(n.id, t('net.link', { id: n.id, n: n.reports })),
    n.hidden_records ? ` (${t('net.hidden.more', { n: fmtNumber(n.hidden_records) })})` : ''))));
  return box;
}
