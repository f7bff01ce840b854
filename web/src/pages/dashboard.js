import { api, offers } from '../api.js';
import { h } from '../dom.js';
import { t, label, fmtNumber, fmtDate, fmtMonth, fmtDay } from '../strings.js';
import { fetchAlerts } from './alerts.js';
import { errorBox, money } from './common.js';

// A chart with its data as a table too (screen readers, and no canvas).
function panel(title, testid) {
  const chart = h('div', { class: 'chart', role: 'img', 'aria-label': title });
  const table = h('details', { class: 'chart-data' }, h('summary', null, t('dash.chart.fallback')));
  const sec = h('section', { class: 'card panel', 'data-testid': testid }, h('h2', null, title), chart, table);
  return { sec, chart, table };
}

function dataTable(cols, rows) {
  return h('table', null, h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((v) => h('td', null, v))))));
}

async function unavailablePanel(title, api, path) {
  const has = await offers(path);
  return h('section', { class: 'card panel', 'data-testid': 'unavailable' }, h('h2', null, title),
    h('p', { class: 'notice' }, has ? t('unavailable.ui', { api }) : t('unavailable.body', { api })));
}

function metric(text, name) {
  const m = text.match(new RegExp(`^${name} (\\d+)`, 'm'));
  return m ? fmtNumber(Number(m[1])) : t('common.none');
}

const CURRENCY_OF = { MY: 'MYR', TH: 'THB', SG: 'SGD', ID: 'IDR', PH: 'PHP', VN: 'VND', KH: 'KHR', LA: 'LAK', MM: 'MMK', BN: 'BND', GB: 'GBP' };

function lossText(loss) {
  return loss.map((l) => money({ amount: l.amount, currency: l.currency })).join(', ') || t('common.none');
}

async function reportPanels(grid, me) {
  let s;
  try {
    s = await api('GET', '/api/v1/stats/reports');
  } catch (e) {
    grid.append(errorBox(e));
    return;
  }
  const { draw } = await import('/assets/charts.js');
  const cur = CURRENCY_OF[me.agency.country] || (s.months.flatMap((m) => m.loss)[0] || {}).currency;
  const lossIn = (row) => ((row.loss.find((l) => l.currency === cur) || {}).amount || 0);
  const major = (v) => v / (cur === 'VND' ? 1 : 100);

  const p1 = panel(t('dash.reports.month', { cur: cur || '' }), 'chart-months');
  p1.sec.append(h('p', { class: 'muted' }, t('dash.reports.note', { n: fmtNumber(s.reports), l: fmtNumber(s.with_loss) })));
  grid.append(p1.sec);
  if (s.months.length) {
    draw(p1.chart, { legend: { bottom: 0 }, grid: { left: 50, right: 60, top: 10, bottom: 50 },
      xAxis: { type: 'category', data: s.months.map((m) => fmtMonth(m.month)) },
      yAxis: [{ type: 'value', minInterval: 1, name: t('dash.reports') }, { type: 'value', name: cur || '' }],
      series: [{ type: 'bar', name: t('dash.reports'), data: s.months.map((m) => m.reports) },
        { type: 'line', name: t('dash.loss', { cur: cur || '' }), yAxisIndex: 1, data: s.months.map((m) => major(lossIn(m))) }] });
  } else {
    p1.chart.replaceWith(h('p', null, t('dash.none.reports')));
  }
  p1.table.append(dataTable([t('dash.month'), t('dash.reports'), t('report.loss')], s.months.map((m) => [fmtMonth(m.month), fmtNumber(m.reports), lossText(m.loss)])));

  const p2 = panel(t('dash.reports.scam'), 'chart-scams');
  grid.append(p2.sec);
  const sc = s.scam_types.slice(0, 10);
  if (sc.length) {
    draw(p2.chart, { grid: { left: 170, right: 10, top: 10, bottom: 30 }, xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: sc.map((x) => label('scam', x.scam_type)).reverse() },
      series: [{ type: 'bar', name: t('dash.reports'), data: sc.map((x) => x.reports).reverse() }] });
  } else {
    p2.chart.replaceWith(h('p', null, t('dash.none.reports')));
  }
  p2.table.append(dataTable([t('report.scamtype'), t('dash.reports'), t('report.loss')], s.scam_types.map((x) => [label('scam', x.scam_type), fmtNumber(x.reports), lossText(x.loss)])));

  const p3 = panel(t('dash.reports.country'), 'chart-countries');
  grid.append(p3.sec);
  const vc = s.victim_countries.slice(0, 12);
  const ac = new Map(s.agency_countries.map((x) => [x.country, x.reports]));
  const names = [...new Set([...vc.map((x) => x.country), ...s.agency_countries.slice(0, 12).map((x) => x.country)])];
  if (names.length) {
    draw(p3.chart, { legend: { bottom: 0 }, grid: { left: 50, right: 10, top: 10, bottom: 50 },
      xAxis: { type: 'category', data: names }, yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: t('dash.victims'), data: names.map((c) => (vc.find((x) => x.country === c) || {}).reports || 0) },
        { type: 'bar', name: t('dash.filers'), data: names.map((c) => ac.get(c) || 0) }] });
  } else {
    p3.chart.replaceWith(h('p', null, t('dash.none.reports')));
  }
  p3.table.append(dataTable([t('dash.country'), t('dash.victims'), t('dash.filers'), t('report.loss')],
    names.map((c) => { const v = vc.find((x) => x.country === c); return [c, fmtNumber(v ? v.reports : 0), fmtNumber(ac.get(c) || 0), v ? lossText(v.loss) : t('common.none')]; })));
}

export async function dashboardPage(main, { me }) {
  main.append(h('h1', null, t('dash.title')));
  const grid = h('div', { class: 'panels' });
  main.append(grid);

  if (me.role === 'admin' || me.role === 'auditor') {
    try {
      const text = await api('GET', '/metrics');
      grid.append(h('section', { class: 'card panel', 'data-testid': 'node-metrics' }, h('h2', null, t('dash.node')),
        h('dl', { class: 'facts' },
          h('dt', null, t('dash.metric.reports')), h('dd', null, metric(text, 'simpul_reports')),
          h('dt', null, t('dash.metric.postings')), h('dd', null, metric(text, 'simpul_postings')),
          h('dt', null, t('dash.metric.agencies')), h('dd', null, metric(text, 'simpul_agencies')),
          h('dt', null, t('dash.metric.checks')), h('dd', null, metric(text, 'simpul_checks_total')),
          h('dt', null, t('dash.metric.matches')), h('dd', null, metric(text, 'simpul_matches_total')))));
    } catch (e) {
      grid.append(errorBox(e));
    }
  }

  if (me.role !== 'auditor') {
    let alerts = [];
    try {
      alerts = (await fetchAlerts(0)).alerts.filter((a) => a.kind === 'match');
    } catch (e) {
      grid.append(errorBox(e));
    }
    const { draw } = await import('/assets/charts.js');
    // Per day, last 30 days.
    const days = [];
    const today = new Date();
    for (let i = 29; i >= 0; i--) days.push(new Date(today.getTime() - i * 864e5).toISOString().slice(0, 10));
    const perDay = new Map(days.map((d) => [d, 0]));
    for (const a of alerts) { const d = a.created.slice(0, 10); if (perDay.has(d)) perDay.set(d, perDay.get(d) + 1); }
    const p1 = panel(t('dash.matches.day'), 'chart-days');
    p1.sec.append(h('p', { class: 'muted' }, t('dash.from.alerts', { n: fmtNumber(alerts.length) })));
    grid.append(p1.sec);
    draw(p1.chart, { xAxis: { type: 'category', data: days.map((d) => fmtDay(d)) }, yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: t('dash.count'), data: days.map((d) => perDay.get(d)) }], grid: { left: 40, right: 10, top: 10, bottom: 30 } });
    p1.table.append(dataTable([t('dash.day'), t('dash.count')], days.filter((d) => perDay.get(d)).map((d) => [fmtDate(d), fmtNumber(perDay.get(d))])));

    // This week, by agency.
    const weekAgo = Date.now() - 7 * 864e5;
    const byAgency = new Map();
    for (const a of alerts) if (Date.parse(a.created) >= weekAgo) byAgency.set(a.data.agency, (byAgency.get(a.data.agency) || 0) + 1);
    const ag = [...byAgency.entries()].sort((x, y) => y[1] - x[1]).slice(0, 12);
    const p2 = panel(t('dash.matches.week'), 'chart-week');
    grid.append(p2.sec);
    if (ag.length) {
      draw(p2.chart, { xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: ag.map((x) => x[0]).reverse() },
        series: [{ type: 'bar', name: t('dash.count'), data: ag.map((x) => x[1]).reverse() }], grid: { left: 110, right: 10, top: 10, bottom: 30 } });
    } else {
      p2.chart.replaceWith(h('p', null, t('dash.none')));
    }
    p2.table.append(dataTable([t('dash.agency'), t('dash.count')], ag.map(([a, n]) => [a, fmtNumber(n)])));

    // Full or hit-only.
    const full = alerts.filter((a) => a.data.visibility === 'full').length;
    const p3 = panel(t('dash.matches.visibility'), 'chart-visibility');
    grid.append(p3.sec);
    if (alerts.length) {
      draw(p3.chart, { series: [{ type: 'pie', radius: ['35%', '65%'], data: [{ name: t('dash.full'), value: full }, { name: t('dash.hit'), value: alerts.length - full }] }] });
    } else {
      p3.chart.replaceWith(h('p', null, t('dash.none')));
    }
    p3.table.append(dataTable([t('dash.count'), ''], [[t('dash.full'), fmtNumber(full)], [t('dash.hit'), fmtNumber(alerts.length - full)]]));
  }
  // Reports and losses, from GET /api/v1/stats/reports (what the caller may read).
  if (await offers('/api/v1/stats/reports')) {
    await reportPanels(grid, me);
  } else {
    grid.append(await unavailablePanel(t('dash.stats.title'), 'GET /api/v1/stats/reports', '/api/v1/stats/reports'));
  }
  // Top networks (law enforcement: the roles that have the networks pages).
  if (LE.includes(me.role)) {
    if (await offers('/api/v1/networks')) await networksPanel(grid);
    else grid.append(await unavailablePanel(t('dash.networks.title'), 'GET /api/v1/networks', '/api/v1/networks'));
  }
}

const LE = ['admin', 'analyst', 'investigator', 'supervisor'];
const NET_PAGES = 10;   // at most 10 pages of 500 networks are read for the panel

// The largest networks the reader sees, from GET /api/v1/networks: every
// figure is what the node's policy gate let this reader see of each
// network (reports it may read; records held by others as a count).
async function networksPanel(grid) {
  const p = panel(t('dash.networks.title'), 'chart-networks');
  grid.append(p.sec);
  const all = [];
  let after = 0, more = true;
  try {
    for (let i = 0; i < NET_PAGES && more; i++) {
      const r = await api('GET', `/api/v1/networks?after=${encodeURIComponent(after)}&limit=500`);
      all.push(...r.networks);
      more = !!r.more;
      after = r.next;
    }
  } catch (e) {
    p.sec.append(errorBox(e));
    return;
  }
  const top = all.sort((a, b) => b.reports - a.reports || b.hidden_records - a.hidden_records || (a.id < b.id ? -1 : 1)).slice(0, 10);
  if (!top.length) {
    p.chart.replaceWith(h('p', { 'data-testid': 'networks-none' }, t('dash.networks.none')));
    return;
  }
  p.sec.insertBefore(h('p', { class: 'muted' }, t(more ? 'dash.networks.partial' : 'dash.networks.note',
    { n: fmtNumber(top.length), total: fmtNumber(all.length) })), p.chart);
  const { draw } = await import('/assets/charts.js');
  draw(p.chart, { legend: { bottom: 0 }, grid: { left: 150, right: 10, top: 10, bottom: 50 }, xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: top.map((n) => n.id).reverse() },
    series: [{ type: 'bar', stack: 'n', name: t('net.reports'), data: top.map((n) => n.reports).reverse() },
      { type: 'bar', stack: 'n', name: t('net.hidden'), data: top.map((n) => n.hidden_records).reverse() }] });
  // The same networks as links: one step to the graph.
  p.sec.insertBefore(h('ol', { class: 'toplist', 'data-testid': 'top-networks' }, top.map((n) => h('li', { 'data-testid': 'top-network', 'data-id': n.id },
    h('a', { href: `#/network/${encodeURIComponent(n.id)}`, 'aria-label': t('dash.networks.label', { id: n.id, n: n.reports, hidden: n.hidden_records }) },
      h('code', null, n.id)), ' ',
    h('span', { class: 'muted' }, `${t('net.reports')}: ${fmtNumber(n.reports)} · ${t('net.hidden')}: ${fmtNumber(n.hidden_records)} · ${(n.countries || []).join(' ')}`)))), p.table);
  p.sec.append(h('p', null, h('a', { href: '#/networks' }, t('dash.networks.all'))));
  p.table.append(dataTable([t('net.id'), t('net.reports'), t('net.hidden'), t('net.agencies'), t('net.loss'), t('net.last')],
    top.map((n) => [n.id, fmtNumber(n.reports), fmtNumber(n.hidden_records), (n.agencies || []).join(', '),
      Object.entries(n.loss || {}).map(([c, a]) => money({ amount: a, currency: c })).join(', ') || t('common.none'), fmtDate(n.last_seen)])));
}
