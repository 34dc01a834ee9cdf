// Google's side of web push, faked for the browser tests (push.test.mjs for the crew,
// resident-push.test.mjs for residents): Firebase Installations and FCM's registration
// API answer through page.route with the shapes their APIs document, the browser's push
// service (headless Chromium has none) is a stub PushManager, and a message reaches the
// app's service worker through DevTools, as FCM's push service would deliver it.
import assert from 'node:assert/strict';
import { eventually } from './lib.mjs';

// stubPushManager stands in for the browser's push service: subscribe() answers a
// subscription with fixed keys (window.__e2ePushKey, default 7, fills them, so a test can
// make the browser "rotate" its subscription) and remembers the applicationServerKey.
export function stubPushManager() {
  const b64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  let current = null;
  const fill = () => window.__e2ePushKey || 7;
  const key = (name) => {
    const bytes = new Uint8Array(name === 'auth' ? 16 : 65).fill(fill());
    if (name === 'p256dh') bytes[0] = 4;
    return bytes.buffer;
  };
  PushManager.prototype.subscribe = async function subscribe(options) {
    window.__e2eSubscribedKey = b64url(options.applicationServerKey);
    const endpoint = `https://fcm.googleapis.com/fcm/send/e2e-${fill()}`;
    current = {
      endpoint, expirationTime: null, options, getKey: key,
      toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh: b64url(key('p256dh')), auth: b64url(key('auth')) } }),
      unsubscribe: async () => { current = null; return true; },
    };
    return current;
  };
  PushManager.prototype.getSubscription = async function getSubscription() { return current; };
  PushManager.prototype.permissionState = async function permissionState() { return 'granted'; };
}

// fakeGoogle answers the page's calls to Firebase Installations and FCM registrations
// as those APIs do, and records them. Each new registration gets the next token
// (e2e-fcm-token-1, -2, ..., or prefix-1, ...).
export async function fakeGoogle(p, { project, prefix = 'e2e-fcm-token-' }) {
  const seen = { installations: [], registrations: [] };
  let tokens = 0;
  const cors = (req) => ({
    'Access-Control-Allow-Origin': req.headers().origin || '*',
    'Access-Control-Allow-Headers': 'content-type, x-goog-api-key, x-goog-firebase-installations-auth, x-firebase-client, authorization',
    'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE',
  });
  await p.route('https://firebaseinstallations.googleapis.com/**', async (route) => {
    const req = route.request();
    if (req.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors(req) });
    const url = new URL(req.url());
    const body = req.postDataJSON();
    seen.installations.push({ method: req.method(), path: url.pathname, headers: await req.allHeaders(), body });
    // GenerateAuthToken: .../installations/{fid}/authTokens:generate
    if (url.pathname.endsWith('/authTokens:generate')) {
      return route.fulfill({ headers: cors(req), json: { token: 'e2e-fis-auth-token-2', expiresIn: '604800s' } });
    }
    // CreateInstallation: .../projects/{project}/installations
    return route.fulfill({
      headers: cors(req),
      json: { name: `projects/${project}/installations/${body.fid}`, fid: body.fid, refreshToken: 'e2e-fis-refresh-token',
        authToken: { token: 'e2e-fis-auth-token', expiresIn: '604800s' } },
    });
  });
  await p.route('https://fcmregistrations.googleapis.com/**', async (route) => {
    const req = route.request();
    if (req.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors(req) });
    const url = new URL(req.url());
    const entry = { method: req.method(), path: url.pathname, headers: await req.allHeaders(), body: req.postData() ? req.postDataJSON() : null };
    seen.registrations.push(entry);
    if (req.method() === 'DELETE') return route.fulfill({ headers: cors(req), json: {} });
    tokens += 1;
    entry.token = `${prefix}${tokens}`;
    return route.fulfill({ headers: cors(req), json: { token: entry.token, web: entry.body.web } });
  });
  return seen;
}

// deliverPush hands data to the app's service worker as a push event, as the browser
// does when FCM's push service delivers a message (DevTools' "Push" does the same).
export async function deliverPush(p, base, data) {
  const cdp = await p.context().newCDPSession(p);
  const regs = new Map();
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
    for (const r of e.registrations) if (!r.isDeleted) regs.set(r.scopeURL, r.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  const id = await eventually(() => {
    const x = regs.get(`${base}/`);
    assert.ok(x, `service worker registrations: ${JSON.stringify([...regs])}`);
    return x;
  });
  await cdp.send('ServiceWorker.deliverPushMessage', { origin: base, registrationId: id, data: JSON.stringify(data) });
  await cdp.detach();
}


// swSees reports what the app's service worker sees, by running code in it: whether it
// runs, and its window clients (path and visibility). {running: false} when the browser
// has stopped the worker (it starts again for the next event).
export async function swSees(ctx, base) {
  const sw = ctx.serviceWorkers().find((w) => w.url() === `${base}/sw.js`);
  if (!sw) return { running: false };
  try {
    return await sw.evaluate(async () => ({
      running: true,
      clients: (await self.clients.matchAll({ type: 'window', includeUncontrolled: true }))
        .map((c) => ({ path: new URL(c.url).pathname, visibility: c.visibilityState })),
    }));
  } catch (err) {
    return { running: false, error: String(err) };
  }
}
