// The frame every screen shares: skip link, banner with the app's name and the language
// switch, navigation, main landmark, and a live region for messages.
import { h, mount } from './dom.js';
import { icon } from './icons.js';
import { getLang, setLang, t } from './i18n.js';

// langSwitch is the button that flips between Dutch and English. Its text is in the
// other language, marked as such for screen readers.
export function langSwitch() {
  const other = getLang() === 'nl' ? 'en' : 'nl';
  return h('button', { type: 'button', class: 'btn btn-quiet lang-switch', lang: other, onclick: () => setLang(other) },
    icon('globe'), other === 'en' ? 'English' : 'Nederlands');
}

// frame renders the page frame into root and returns its parts.
//   title: the app's name in the banner; nav: [{href, label, icon, current}]; tools: nodes
//   in the banner (besides the language switch).
export function frame(root, { title, nav = [], tools = [], navLabel }) {
  const main = h('main', { id: 'main', tabindex: '-1' });
  const live = h('div', { class: 'visually-hidden', 'aria-live': 'polite', role: 'status' });
  const header = h('header', { class: 'banner' },
    h('div', { class: 'banner-inner' },
      h('a', { class: 'brand', href: nav[0] ? nav[0].href : '/' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'W'), title),
      h('div', { class: 'banner-tools' }, tools, langSwitch())));
  const navEl = nav.length ? h('nav', { class: 'tabs', 'aria-label': navLabel || t('nav.label') },
    h('ul', null, nav.map((n) => h('li', null,
      h('a', { href: n.href, 'aria-current': n.current ? 'page' : null, 'data-link': '' }, n.icon ? icon(n.icon) : null, n.label))))) : null;
  mount(root,
    h('a', { class: 'skip-link', href: '#main' }, t('nav.skip')),
    header, navEl, main, live,
    h('footer', { class: 'footer' }, h('p', null, t('footer.text'))));
  return { main, live, header };
}

// linkHandler makes in-app links (data-link) use the History API.
export function linkHandler(go) {
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[data-link]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return;
    e.preventDefault();
    go(url.pathname + url.search + url.hash);
  });
}

// focusMain moves focus to the new screen's heading after client-side navigation, so
// screen reader users hear where they are.
export function focusMain(main) {
  const h1 = main.querySelector('h1');
  const target = h1 || main;
  if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: false });
}

// registerServiceWorker installs the worker (one for all three apps, scope /) and asks it
// to keep this app's files for offline use. When they are kept, the page's root element
// gets data-offline="ready".
export function registerServiceWorker(app) {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  return navigator.serviceWorker.register('/sw.js', { scope: '/' })
    .then(() => navigator.serviceWorker.ready)
    .then((reg) => new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = (e) => {
        if (e.data && e.data.ok) document.documentElement.dataset.offline = 'ready';
        resolve(reg);
      };
      reg.active.postMessage({ type: 'precache', app }, [ch.port2]);
    }))
    .catch(() => null);
}

// whenIdle runs fn once the page has loaded and the network has had a moment, so that
// background work (the service worker's downloads) does not slow the first screen.
export function whenIdle(fn, delay = 2000) {
  const later = () => setTimeout(() => (window.requestIdleCallback ? requestIdleCallback(() => fn(), { timeout: 5000 }) : fn()), delay);
  if (document.readyState === 'complete') later();
  else window.addEventListener('load', later, { once: true });
}

// mapWords are the words a map shows (map.js has none of its own): for a map to pick a
// place on ("pick") or only to look at ("view").
export function mapWords(label, use) {
  return { label, noTiles: t(use === 'pick' ? 'map.noTiles' : 'map.noTilesView'), zoomIn: t('map.zoomIn'), zoomOut: t('map.zoomOut') };
}

// statusLabel is the Dutch/English name of a job status.
export function statusLabel(status) {
  return t(`status.${status}`);
}

// readPushSettings reads the web push settings the server put in the page (Firebase web
// config and VAPID key), or null when it offers no web push.
export function readPushSettings() {
  const el = document.querySelector('meta[name="wijkwerk-push"]');
  if (!el || !el.content) return null;
  try {
    const p = JSON.parse(el.content);
    return p && p.config && p.vapidKey ? p : null;
  } catch {
    return null;
  }
}

// pushPossible: the server offers web push (settings) and this browser can receive it.
export function pushPossible(settings) {
  return Boolean(settings) && 'Notification' in window && 'serviceWorker' in navigator && 'PushManager' in window;
}
