// Shared helpers for the browser tests: Debian's Chromium through playwright-core, axe-core
// checks, screenshots, and calls to the API under test. The Go test TestE2E starts the
// server and sets the environment (BASE_URL, PAIRING_CODE, DESK_EMAIL, ...).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// The npm packages live with the app's sources in ../ui.
const require = createRequire(new URL('../ui/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const BASE = must('BASE_URL');
export const ART = process.env.ARTIFACTS || new URL('./artifacts/', import.meta.url).pathname;
export const PHOTO = process.env.PHOTO || path.join(ART, 'fixture-photo.jpg');
fs.mkdirSync(ART, { recursive: true });

function must(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the browser tests through TestE2E (deploy/local/e2e.sh)`);
  return v;
}
export const env = (name) => must(name);

// The flags this machine's Chromium needs: no sandbox as root, no calls home (the
// network is closed, and those calls would fail noisily). Playwright adds --headless and
// a fresh --user-data-dir itself.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: FLAGS });
}

// Points in Doetinchem's schematic districts (the demo data).
export const OOSSELD = { latitude: 51.962, longitude: 6.318 };
export const CENTRUM = { latitude: 51.9655, longitude: 6.2905 };
// A place in the national file without teams (no crew serves it): reports wait for a planner.
export const AMSTERDAM = { latitude: 52.3702, longitude: 4.8952 };

// phone opens a context like a phone at 390×844, with tiles blocked: the tests run
// offline, as the app must work without a base map. base is the instance under test.
export async function phone(browser, { base = BASE, geolocation = OOSSELD, locale = 'nl-NL', width = 390, height = 844, mobile = true } = {}) {
  const ctx = await browser.newContext({
    baseURL: base,
    viewport: { width, height },
    deviceScaleFactor: 1,
    isMobile: mobile,
    hasTouch: mobile,
    locale,
    geolocation,
    permissions: ['geolocation'],
    serviceWorkers: 'allow',
  });
  ctx.tileRequests = 0;
  await ctx.route((url) => url.origin !== new URL(base).origin, (route) => {
    ctx.tileRequests += 1;
    return route.abort('internetdisconnected');
  });
  return ctx;
}

// watch collects what goes wrong on a page: uncaught errors and Content-Security-Policy
// refusals. (Failed loads are expected: tiles are blocked, some planner APIs may be 404.)
export function watch(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Refused to|Content Security Policy|Uncaught/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  return problems;
}

// axe runs axe-core (WCAG 2.0/2.1 A and AA rules) and fails on serious or critical
// violations. The full report goes to artifacts/axe-NAME.json.
export async function axe(page, name) {
  await page.evaluate(axeSource);
  const res = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  }));
  fs.writeFileSync(path.join(ART, `axe-${name}.json`), JSON.stringify(res.violations, null, 2));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const text = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join('\n    ')}`).join('\n  ');
  assert.equal(bad.length, 0, `axe on ${name}:\n  ${text}`);
  return res.violations;
}

export async function shot(page, name, { fullPage = true } = {}) {
  await page.screenshot({ path: path.join(ART, `${name}.png`), fullPage });
}

// call sends a request to the API under test (or the instance at base) and returns
// {status, body}.
export async function call(p, { method = 'GET', json, headers = {}, base = BASE } = {}) {
  const h = { Accept: 'application/json', ...headers };
  let body;
  if (json !== undefined) {
    body = JSON.stringify(json);
    h['Content-Type'] = 'application/json';
  }
  const res = await fetch(base + p, { method, headers: h, body });
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch { data = text; }
  return { status: res.status, body: data, headers: res.headers };
}

// report files a report through the API, as another resident's phone would.
export async function report(category, point, description, { base = BASE } = {}) {
  const res = await call('/api/v1/reports', {
    base,
    method: 'POST',
    headers: { 'Idempotency-Key': `e2e-${Date.now()}-${Math.random()}` },
    json: { category, location: { type: 'Point', coordinates: [point.longitude, point.latitude] }, description },
  });
  assert.equal(res.status, 201, `report: ${JSON.stringify(res.body)}`);
  return res.body;
}

// results merges facts into artifacts/results.json, which TestE2E reads afterwards.
export function results(facts) {
  const file = path.join(ART, 'results.json');
  let cur = {};
  try { cur = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { cur = {}; }
  fs.writeFileSync(file, JSON.stringify({ ...cur, ...facts }, null, 2));
}

// eventually retries fn until it stops throwing (or time runs out).
export async function eventually(fn, { timeout = 10000, interval = 200 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, interval));
    }
  }
}

// deskToken signs in at the desk API (the planner of TestE2E unless told otherwise) and
// returns the session's bearer token.
export async function deskToken({ email = must('DESK_EMAIL'), password = must('DESK_PASSWORD') } = {}) {
  const res = await call('/api/v1/desk/login', { method: 'POST', json: { email, password } });
  assert.equal(res.status, 200, `desk login: ${JSON.stringify(res.body)}`);
  return res.body.token;
}

// deskAuth is the Authorization header of a desk session (see deskToken).
export async function deskAuth(who) {
  return { Authorization: `Bearer ${await deskToken(who)}` };
}

// pairPhone pairs a new crew phone for worker through the API, as the crew app does: a
// planner issues a pairing code at the desk, the phone sends it. It returns the phone's
// Authorization header.
export async function pairPhone(worker) {
  const desk = await deskAuth();
  const code = await call(`/api/v1/desk/workers/${worker}/pairing-code`, { method: 'POST', headers: desk });
  assert.equal(code.status, 201, `pairing code: ${JSON.stringify(code.body)}`);
  const pair = await call('/mobile/v1/pair', { method: 'POST', json: { code: code.body.code } });
  assert.equal(pair.status, 200, `pair: ${JSON.stringify(pair.body)}`);
  return { Authorization: `Bearer ${pair.body.token}` };
}
