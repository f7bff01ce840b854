import { api } from '../api.js';
import { h, clear } from '../dom.js';
import { t, label, fmtDate } from '../strings.js';
import { errorBox, reportLink, selectorLink } from './common.js';

// Alerts of the kinds the issue 3, 4 and 7 APIs add, for the inbox.
export function describeMore(a) {
  const d = a.data || {};
  if (a.kind === 'watch') {
    const what = d.network ? h('a', { href: `#/network/${encodeURIComponent(d.network)}` }, d.network) : h('code', null, d.key || '');
    return [t('alerts.watch', { agency: d.agency || '?' }), ' ', what, ' — ', reportLink(d.report, t('alerts.open.theirs'))];
  }
  if (a.kind === 'notice') return [t('alerts.notice', { agency: d.agency || '?', kind: label('notice', d.kind), title: d.title || '' }), ' ', h('a', { href: '#/notices' }, t('nav.notices'))];
  if (a.kind.startsWith('request')) {
    return [t('alerts.request', { from: d.from || '', partner: d.partner || '', action: label('action', d.action), status: label('rstatus', d.status) }), ' ',
      h('a', { href: `#/requests/${encodeURIComponent(d.request || '')}` }, t('requests.open'))];
  }
  return null;
}

function subject(s) {
  if (s.type === 'selector') return selectorLink(s.key);
  if (s.type === 'person') return h('a', { href: `#/person/${encodeURIComponent(s.id)}` }, t('notice.person', { id: s.id }));
  return h('code', null, `${s.type} ${s.id || ''}`);
}

export async function noticesPage(main) {
  const list = h('div', { 'data-testid': 'notice-list' });
  main.append(h('h1', null, t('notices.name')), h('p', null, t('notice.intro')), list);
  async function load() {
    clear(list);
    let r;
    try {
      r = await api('GET', '/api/v1/notices');
    } catch (e) {
      list.append(errorBox(e));
      return;
    }
    const ns = (r.notices || []).slice().reverse();
    if (!ns.length) { list.append(h('p', { 'data-testid': 'notice-none' }, t('notice.none'))); return; }
    for (const n of ns) {
      const status = h('p', { 'aria-live': 'polite', class: n.acknowledged ? 'acked' : 'muted', 'data-testid': 'notice-ack-state' },
        n.acknowledged ? t('notice.acked') : t('notice.unacked'));
      const ack = n.acknowledged ? null : h('button', { type: 'button', 'data-testid': 'notice-ack', 'aria-label': t('notice.ack.label', { title: n.title }),
        onclick: async () => {
          ack.disabled = true;
          try {
            await api('POST', '/api/v1/notices/ack', { id: n.id });
            status.textContent = t('notice.acked');
            status.className = 'acked';
            ack.remove();
          } catch (e) {
            ack.disabled = false;
            status.replaceWith(errorBox(e));
          }
        } }, t('notice.ack'));
      list.append(h('article', { class: 'card', 'data-testid': 'notice' },
        h('h2', { translate: 'no' }, n.title),
        h('p', { class: 'muted' }, t('notice.meta', { kind: label('notice', n.kind), agency: n.agency, date: fmtDate(n.created) })),
        n.text ? h('p', { class: 'prose', translate: 'no' }, n.text) : null,
        (n.subjects || []).length ? h('ul', null, n.subjects.map((s) => h('li', null, subject(s)))) : null,
        status, ack));
    }
  }
  await load();
}
