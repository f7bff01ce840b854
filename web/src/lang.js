import { h, id } from './dom.js';
import { t, LANGUAGES, language, setLanguage } from './strings.js';

// The language switch: each language named in itself. The choice is kept
// in this browser (localStorage) and the page is drawn again in it.
export function langSwitch() {
  const sid = id('lang');
  const s = h('select', { id: sid, name: 'lang', 'data-testid': 'lang' });
  for (const [code, name] of LANGUAGES) s.append(h('option', { value: code, lang: code }, name));
  s.value = language();
  s.addEventListener('change', () => {
    setLanguage(s.value, true);
    window.dispatchEvent(new CustomEvent('simpul:language'));
  });
  return h('div', { class: 'lang' }, h('label', { for: sid }, t('lang.label')), s);
}
