import { api } from '../api.js';
import { h, clear, field, select } from '../dom.js';
import { t } from '../strings.js';
import { errorBox, selectorLink } from './common.js';

// "Watch this" for a selector or a network: a `watch` alert in your own
// inbox whenever a new report names it or joins it.
export function watchButton(kind, target) {
  const status = h('span', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'watch-status' });
  const b = h('button', { type: 'button', class: 'secondary', 'data-testid': 'watch-button', onclick: async () => {
    b.disabled = true;
    try {
      await api('POST', '/api/v1/watches', { kind, target });
      status.textContent = ` ${t('watch.done')}`;
    } catch (e) {
      b.disabled = false;
      status.textContent = ` ${t('app.error', { detail: e.message })}`;
    }
  } }, t(`watch.${kind}`));
  return h('span', null, b, status);
}

function targetLink(w) {
  if (w.kind === 'network') return h('a', { href: `#/network/${encodeURIComponent(w.target)}` }, w.target);
  return selectorLink(w.target);
}

export async function watchesPage(main) {
  const kind = select([['selector', t('watch.kind.selector')], ['network', t('watch.kind.network')]], 'selector', { name: 'kind' });
  const target = h('input', { name: 'target', autocomplete: 'off', spellcheck: 'false', required: true, 'data-testid': 'watch-target' });
  const msg = h('div', { 'aria-live': 'polite', 'data-testid': 'watch-result' });
  const list = h('div', { 'data-testid': 'watch-list' });
  async function load() {
    clear(list);
    try {
      const r = await api('GET', '/api/v1/watches');
      const ws = r.watches || [];
      if (!ws.length) { list.append(h('p', { 'data-testid': 'watch-none' }, t('watch.none'))); return; }
      list.append(h('ul', null, ws.map((w) => h('li', { 'data-testid': 'watch' }, t(`watch.kind.${w.kind}`), ': ', targetLink(w), ' ',
        h('button', { type: 'button', class: 'linkish', 'aria-label': t('watch.remove.label', { target: w.target }), onclick: async () => {
          try { await api('DELETE', `/api/v1/watches/${encodeURIComponent(w.id)}`); await load(); } catch (e) { clear(msg).append(errorBox(e)); }
        } }, t('watch.remove'))))));
    } catch (e) {
      list.append(errorBox(e));
    }
  }
  main.append(h('h1', null, t('watch.title')), h('p', null, t('watch.intro')),
    h('form', { class: 'card', onsubmit: async (e) => {
      e.preventDefault();
      clear(msg);
      try {
        await api('POST', '/api/v1/watches', { kind: kind.value, target: target.value.trim() });
        msg.append(h('p', { class: 'ok' }, t('watch.done')));
        target.value = '';
        await load();
      } catch (err) {
        msg.append(errorBox(err));
      }
    } }, h('div', { class: 'grid3' }, field(t('watch.kind'), kind), field(t('watch.target'), target, t('watch.target.help'))),
      h('button', { type: 'submit' }, t('watch.add'))),
    msg, h('h2', null, t('watch.yours')), list);
  await load();
}
