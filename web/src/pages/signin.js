import { api, ApiError } from '../api.js';
import { h, field } from '../dom.js';
import { t } from '../strings.js';

export function signinPage(main, { onSignedIn }) {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const flash = sessionStorage.getItem('simpul.flash');
  if (flash) {
    status.textContent = flash;
    sessionStorage.removeItem('simpul.flash');
  }
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const pw = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const token = h('input', { name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });

  async function submit(ev, body) {
    ev.preventDefault();
    status.textContent = t('app.loading');
    status.classList.remove('error');
    try {
      const s = await api('POST', '/api/v1/session', body);
      pw.value = '';
      token.value = '';
      onSignedIn(s);
    } catch (e) {
      status.classList.add('error');
      status.textContent = e instanceof ApiError && e.status === 401 ? t('signin.failed')
        : e instanceof ApiError && e.status === 0 ? t('app.offline') : t('app.error', { detail: e.message });
    }
  }

  main.append(
    h('div', { class: 'narrow' },
      h('h1', null, t('signin.title')),
      h('p', null, t('signin.intro')),
      status,
      h('form', { class: 'card', 'data-testid': 'signin-password', onsubmit: (e) => submit(e, { username: user.value.trim(), password: pw.value }) },
        h('fieldset', null,
          h('legend', null, t('signin.password.legend')),
          field(t('signin.username'), user),
          field(t('signin.password'), pw),
          h('button', { type: 'submit' }, t('signin.submit')))),
      h('form', { class: 'card', 'data-testid': 'signin-token', onsubmit: (e) => submit(e, { token: token.value.trim() }) },
        h('fieldset', null,
          h('legend', null, t('signin.token.legend')),
          field(t('signin.token'), token, t('signin.token.help')),
          h('button', { type: 'submit', class: 'secondary' }, t('signin.token.submit')))),
      h('p', null, h('a', { href: '/public' }, t('signin.public')))));
}
