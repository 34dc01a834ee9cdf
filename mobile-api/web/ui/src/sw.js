// The service worker at /sw.js (scope /). It keeps each app's shell (its page and hashed
// assets) so the app opens without a connection, sends the crew's queued actions when
// Background Sync says the connection is back, and shows pushed messages. API calls are
// never cached here: the crew's data lives in IndexedDB.
//
// An app's files are kept when that app asks (message {type: "precache", app}), so a
// resident's phone does not download the crew's and the planners' apps.
/* global __PRECACHE__, __VERSION__ */
import * as queue from './queue.js';
import { trackingPath } from './followed.js';

const CACHE = `wijkwerk-${__VERSION__}`;
const PRECACHE = __PRECACHE__;
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(PRECACHE.shared)).then(() => self.skipWaiting()));
});

// keep caches the files of app that are not cached yet.
async function keep(app) {
  const files = PRECACHE.apps[app];
  if (!files) return false;
  const cache = await caches.open(CACHE);
  const missing = [];
  for (const f of files) if (!(await cache.match(f))) missing.push(f);
  await cache.addAll(missing);
  return true;
}

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('wijkwerk-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// shellFor is the cached page that answers a navigation to path.
function shellFor(path) {
  if (path === '/crew' || path.startsWith('/crew/')) return '/crew';
  if (path === '/desk' || path.startsWith('/desk/')) return '/desk';
  return '/';
}

function isApp(path) {
  return !path.startsWith('/api/') && !path.startsWith('/mobile/') && !path.startsWith('/open311/') &&
    !path.startsWith('/healthz') && !path.startsWith('/readyz') && !path.startsWith('/problems/');
}

// networkFirst tries the network (fresh pages after a deploy) but falls back to the
// cache quickly, so a bad connection does not leave the crew waiting.
async function networkFirst(request, fallback) {
  const cache = await caches.open(CACHE);
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), NETWORK_TIMEOUT_MS)),
    ]);
    if (response.ok && response.type === 'basic') cache.put(fallback, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(fallback);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !isApp(url.pathname)) return;
  if (request.mode === 'navigate') {
    const shell = shellFor(url.pathname);
    // Only the shell's own URL is stored; sub-paths get the same page.
    event.respondWith(networkFirst(request, shell));
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (url.pathname === '/sw.js') return;
  event.respondWith(cacheFirst(request));
});

self.addEventListener('sync', (event) => {
  if (event.tag === 'wijkwerk-outbox') event.waitUntil(queue.flush());
});

self.addEventListener('message', (event) => {
  const msg = event.data || {};
  const reply = (data) => { if (event.ports && event.ports[0]) event.ports[0].postMessage(data); };
  if (msg.type === 'flush') event.waitUntil(queue.flush());
  if (msg.type === 'precache') {
    event.waitUntil(keep(msg.app).then((ok) => reply({ ok }), (err) => reply({ ok: false, error: String(err) })));
  }
});

// Push: FCM delivers {notification: {title, body}, data: {job_id, version, kind}, from,
// fcmMessageId, ...}. While a crew page is open and in view, the message goes to that page
// the way Firebase's own worker would hand it over, so firebase/messaging's onMessage
// there gets it (and the page fetches its tasks); otherwise the worker shows it, and
// crew pages in the background sync. This keeps one worker for the whole app instead
// of Firebase's firebase-messaging-sw.js beside it.
//
// The server sends residents who asked for updates (their report's job is done, could
// not be done, or is tried again after that) the same kind of message, with kind "done",
// "not_possible" or "retry"; those are always shown, and a click opens the report's
// tracking page (followed.js).
const RESIDENT_KINDS = new Set(['done', 'not_possible', 'retry']);

async function showResidentMessage(msg) {
  const n = msg.notification || {};
  const data = msg.data || {};
  const url = await trackingPath(data.job_id);
  await self.registration.showNotification(n.title || 'Wijkwerk', {
    body: n.body || '',
    icon: '/icon.svg',
    tag: data.job_id ? `report-${data.job_id}` : undefined,
    data: { ...data, url },
  });
}

self.addEventListener('push', (event) => {
  let msg = {};
  try { msg = event.data ? event.data.json() : {}; } catch { msg = {}; }
  if (msg.data && RESIDENT_KINDS.has(msg.data.kind)) {
    event.waitUntil(showResidentMessage(msg));
    return;
  }
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const inView = windows.filter((c) => c.visibilityState === 'visible' && new URL(c.url).pathname.startsWith('/crew'));
    if (inView.length) {
      for (const c of inView) c.postMessage({ ...msg, isFirebaseMessaging: true, messageType: 'push-received' });
      return;
    }
    queue.notify('push');
    const n = msg.notification || {};
    const data = msg.data || {};
    await self.registration.showNotification(n.title || 'Wijkwerk', {
      body: n.body || '',
      icon: '/icon.svg',
      tag: data.job_id ? `job-${data.job_id}` : undefined,
      data,
    });
  })());
});

// openResident opens a resident's page at url, in a resident tab that is open already.
async function openResident(url) {
  const all = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = all.find((c) => shellFor(new URL(c.url).pathname) === '/');
  if (open) {
    await open.focus();
    return open.navigate(url);
  }
  return self.clients.openWindow(url);
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  if (RESIDENT_KINDS.has(data.kind)) {
    event.waitUntil(openResident(data.url && data.url.startsWith('/volg') ? data.url : '/volg'));
    return;
  }
  const id = data.job_id;
  const target = id ? `/crew/taak/${id}` : '/crew';
  event.waitUntil((async () => {
    const all = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = all.find((c) => new URL(c.url).pathname.startsWith('/crew'));
    if (open) {
      await open.focus();
      return open.navigate(target);
    }
    return self.clients.openWindow(target);
  })());
});
