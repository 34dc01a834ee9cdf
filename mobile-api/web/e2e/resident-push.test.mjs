// Residents who report on the web page and ask for updates, on the instance configured
// for web push (PUSH_BASE_URL). As in push.test.mjs, only Google's side is faked
// (fakepush.mjs); the Firebase JS SDK, the service worker, the report intake, the crew's
// completion through the API and the server's push through the fake FCM are real.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { deliverPush, fakeGoogle, stubPushManager } from './fakepush.mjs';
import { axe, call, env, eventually, launch, OOSSELD, phone, shot, watch } from './lib.mjs';

const BASE = env('PUSH_BASE_URL');
const PROJECT = env('PUSH_PROJECT');
const LABEL = 'Stuur mij bericht als er iets verandert';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

// resident opens a phone on the push instance with what a test needs to watch: the
// report and support requests and their answers, the scripts the page loads, and the
// calls to Google.
async function resident({ grant = true, prefix = 'e2e-resident-token-' } = {}) {
  const ctx = await phone(browser, { base: BASE, geolocation: OOSSELD });
  // Granting replaces the context's permissions: geolocation stays granted.
  if (grant) await ctx.grantPermissions(['notifications', 'geolocation'], { origin: BASE });
  await ctx.addInitScript(stubPushManager);
  const page = await ctx.newPage();
  const seen = { problems: watch(page), sent: [], answers: [], scripts: [] };
  seen.google = await fakeGoogle(page, { project: PROJECT, prefix });
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/api\/v1\/(reports|jobs\/\d+\/support)$/.test(r.url())) seen.sent.push(r.postData() || '');
  });
  page.on('response', async (r) => {
    if (r.request().resourceType() === 'script') seen.scripts.push(r.url());
    if (r.request().method() === 'POST' && r.url().startsWith(BASE)) seen.answers.push(await r.text().catch(() => ''));
  });
  return { ctx, page, seen };
}

// fillReport chooses litter at the phone's location, ready to send.
async function fillReport(page) {
  await page.goto('/');
  await page.getByRole('heading', { name: 'Melding doen', level: 1 }).waitFor();
  await page.getByText('Afval', { exact: true }).click();
  await page.getByLabel('Zwerfvuil').check();
  await page.getByRole('button', { name: 'Gebruik mijn locatie' }).click();
  await page.getByText(/Gekozen plek: breedtegraad/).waitFor();
}

async function send(page) {
  await page.getByRole('button', { name: 'Verstuur melding' }).click();
  await page.getByRole('heading', { name: 'Bedankt! Uw melding is binnen.' }).waitFor();
  return (await page.getByTestId('tracking-code').textContent()).trim();
}

// noFirebase checks that the page loaded none of the Firebase SDK: no script it loaded
// knows Firebase's hosts.
async function noFirebase(seen) {
  assert.ok(seen.scripts.length > 0, 'the page loaded scripts');
  for (const url of seen.scripts) {
    const body = await (await fetch(url)).text();
    assert.ok(!body.includes('firebaseinstallations.googleapis.com'), `${url} is the Firebase SDK`);
  }
  assert.equal(seen.google.installations.length + seen.google.registrations.length, 0, 'no calls to Google');
}

const contacts = async (code) => (await call(`/_e2e/reports/${encodeURIComponent(code)}/contacts`, { base: BASE })).body || [];

test('a resident who does not tick the box sends no token and loads no Firebase', async () => {
  const { ctx, page, seen } = await resident();
  await fillReport(page);
  const box = page.locator('#step-desc').getByLabel(LABEL);
  await box.waitFor();
  assert.equal(await box.isChecked(), false, 'never preselected');
  await axe(page, 'resident-updates-offer');
  await shot(page, 'resident-6-updates-offer');
  const code = await send(page);
  assert.equal(await page.getByTestId('updates-result').count(), 0);
  assert.equal(seen.sent.length, 1);
  assert.ok(!seen.sent[0].includes('app_token') && !seen.sent[0].includes('wants_updates'), seen.sent[0]);
  assert.deepEqual(await contacts(code), [], 'no contact kept');
  await noFirebase(seen);
  assert.deepEqual(seen.problems, []);
  await ctx.close();
});

test('a resident who ticks the box gets a push when the crew is done; the worker shows it and links to the report', async () => {
  const { ctx, page, seen } = await resident();
  await fillReport(page);
  await page.locator('#step-desc').getByLabel(LABEL).check();
  // Permission (granted here) and the token come at once, in the background.
  await eventually(() => assert.ok(seen.google.registrations.some((r) => r.method === 'POST'), 'registered at FCM'));
  const code = await send(page);
  await page.getByTestId('updates-result').filter({ hasText: 'U krijgt een bericht op dit apparaat als er iets verandert.' }).waitFor();
  await axe(page, 'resident-updates-on');
  await shot(page, 'resident-7-updates-on', { fullPage: false });

  // The token went as a resident app's does, and the server kept it for this report.
  const report = JSON.parse(seen.sent.at(-1).match(/\{"category".*\}/)[0]);
  assert.deepEqual(report.contact, { app_token: 'e2e-resident-token-1', wants_updates: true });
  assert.deepEqual(await contacts(code), [{ app_token: 'e2e-resident-token-1', wants_updates: true }]);
  // It is in no answer: not the receipt, not the tracking page.
  assert.ok(!seen.answers.join('\n').includes('e2e-resident-token'), 'the receipt shows the token');
  const tr = await call(`/api/v1/reports/${encodeURIComponent(code)}`, { base: BASE });
  assert.equal(tr.status, 200);
  const jobID = tr.body.job_id ?? JSON.parse(seen.answers.find((a) => a.includes(code))).job_id;
  assert.ok(!JSON.stringify(tr.body).includes('e2e-resident-token'), 'the tracking page shows the token');
  assert.deepEqual(seen.problems, []);

  // A neighbour on another phone says "Ik heb dit ook" and asks for updates too.
  const other = await resident({ prefix: 'e2e-neighbour-token-' });
  await fillReport(other.page);
  const nearby = other.page.getByRole('region', { name: 'Al gemeld in de buurt?' });
  await nearby.getByText('Zwerfvuil').first().waitFor();
  await nearby.getByLabel(LABEL).check();
  assert.equal(await other.page.locator('#step-desc').getByLabel(LABEL).isChecked(), true, 'one choice in both places');
  await nearby.getByRole('button', { name: 'Ik heb dit ook' }).first().click();
  await nearby.getByTestId('updates-result').filter({ hasText: 'U krijgt een bericht op dit apparaat' }).waitFor();
  assert.deepEqual((await call(`/_e2e/jobs/${jobID}/supporters`, { base: BASE })).body, ['e2e-neighbour-token-1']);
  assert.ok(!other.seen.answers.join('\n').includes('e2e-neighbour-token'), 'the support answer shows the token');
  assert.deepEqual(other.seen.problems, []);
  await other.ctx.close();

  // The crew finishes the job through the API, from a paired phone.
  const pair = await call('/mobile/v1/pair', { base: BASE, method: 'POST', json: { code: env('PUSH_PAIRING_CODE_2') } });
  assert.equal(pair.status, 200, JSON.stringify(pair.body));
  const { version } = (await call(`/_e2e/jobs/${jobID}`, { base: BASE })).body;
  const done = await call(`/mobile/v1/tasks/${jobID}/complete`, {
    base: BASE, method: 'POST', json: { note: 'Opgeruimd' },
    headers: { Authorization: `Bearer ${pair.body.token}`, 'Idempotency-Key': `e2e-resident-push-${jobID}`, 'If-Match': String(version) },
  });
  assert.equal(done.status, 200, JSON.stringify(done.body));

  // The server pushes to both web tokens, as to residents' apps, through (fake) FCM.
  const msgs = await eventually(async () => {
    const all = (await call('/_e2e/fcm/messages', { base: BASE })).body.filter((m) => m.data && m.data.job_id === String(jobID) && m.data.kind === 'done');
    const to = all.map((m) => m.token).sort();
    assert.deepEqual(to, ['e2e-neighbour-token-1', 'e2e-resident-token-1']);
    return all;
  }, { timeout: 15000 });
  const msg = msgs.find((m) => m.token === 'e2e-resident-token-1');
  assert.equal(msg.notification.title, 'Uw melding is opgelost');

  // Delivered to this browser, the service worker shows it; a click opens the report.
  await deliverPush(page, BASE, { data: msg.data, notification: msg.notification, from: '123456789012', fcmMessageId: 'e2e-resident-1' });
  const shown = await eventually(async () => {
    const n = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications())
      .map((x) => ({ title: x.title, body: x.body, tag: x.tag, data: x.data })));
    assert.equal(n.length, 1);
    return n[0];
  });
  assert.equal(shown.title, msg.notification.title);
  assert.equal(shown.body, msg.notification.body);
  assert.equal(shown.tag, `report-${jobID}`);
  assert.equal(shown.data.url, `/volg/${encodeURIComponent(code)}`, 'a click opens the tracking page of this report');
  assert.ok(!JSON.stringify((await call(`/api/v1/reports/${encodeURIComponent(code)}`, { base: BASE })).body).includes('e2e-resident-token'));
  assert.deepEqual(seen.problems, []);
  await ctx.close();
});

test('a resident who refuses notifications is told to follow the report by its code, and the report still goes', async () => {
  const { ctx, page, seen } = await resident({ grant: false, prefix: 'e2e-refused-token-' });
  await page.addInitScript(() => {
    // The browser's prompt, answered "Block".
    let state = 'default';
    Object.defineProperty(Notification, 'permission', { get: () => state });
    Notification.requestPermission = async () => { state = 'denied'; return state; };
  });
  await fillReport(page);
  const box = page.locator('#step-desc').getByLabel(LABEL);
  await box.click(); // the answer comes at once, and unticks it again
  await page.locator('#step-desc').getByText('Uw browser stuurt geen berichten. Uw melding kunt u wel volgen met de volgcode.').waitFor();
  assert.equal(await box.isChecked(), false, 'unticked again');
  await axe(page, 'resident-updates-refused');
  const code = await send(page);
  assert.ok(!seen.sent[0].includes('app_token'), seen.sent[0]);
  assert.deepEqual(await contacts(code), []);
  await noFirebase(seen);
  assert.deepEqual(seen.problems, []);
  await ctx.close();
});
