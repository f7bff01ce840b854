import { offers } from '../api.js';
import { h } from '../dom.js';
import { t } from '../strings.js';

// A page whose API is being built elsewhere. It asks the node whether the
// endpoint exists and says so plainly; it never shows invented data.
export async function unavailablePage(main, ctx, nameKey, api, probePath) {
  const page = t(nameKey);
  const has = await offers(probePath);
  main.append(
    h('h1', null, has ? page : t('unavailable.title', { page })),
    h('p', { class: 'notice', 'data-testid': 'unavailable' },
      has ? t('unavailable.ui', { api }) : t('unavailable.body', { api })),
    h('p', null, h('a', { href: '/docs/api.md' }, t('unavailable.docs'))));
}
