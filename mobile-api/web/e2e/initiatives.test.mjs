// Residents follow an initiative by its code and log their work on it, at a 390×844
// phone: the public status, the residents' totals, errors in plain Dutch from the
// server's problem answers, a retry that counts once, states that take no work, and a
// paused initiative on the public map.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axe, call, deskAuth, env, launch, phone, shot, watch } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

// A square of about 30 by 30 m around a point in Doetinchem's centre, for the
// cleanliness theme (the resident test proposes a green one elsewhere).
const KIOSK = [6.29180, 51.96520];
function square([lon, lat], metres) {
  const dLat = metres / 2 / 111320;
  const dLon = metres / 2 / (111320 * Math.cos((lat * Math.PI) / 180));
  return { type: 'Polygon', coordinates: [[[lon - dLon, lat - dLat], [lon + dLon, lat - dLat], [lon + dLon, lat + dLat], [lon - dLon, lat + dLat], [lon - dLon, lat - dLat]]] };
}

const kiosk = {
  title: 'Schoon rond de kiosk', description: 'Elke week zwerfvuil rapen rond de kiosk.', theme: 'cleanliness', target_level: 'A',
  polygon: square(KIOSK, 30),
  commitment: { tasks: 'Elke week zwerfvuil rapen.', hours_per_month: 8, people: 3 },
  requests: { materials: [{ item: 'grijpers', quantity: 3, unit: '' }], guidance_hours: 1 },
  contact: { name: 'Buurtgroep Kiosk', email: 'kiosk@example.nl' },
};

test('a resident follows an approved initiative by its code and logs work; it counts once', async () => {
  const proposal = await call('/api/v1/initiatives', {
    method: 'POST',
    headers: { 'Idempotency-Key': `e2e-initiative-${Date.now()}` },
    json: kiosk,
  });
  assert.equal(proposal.status, 201, JSON.stringify(proposal.body));
  const { id, code } = proposal.body;
  const desk = await deskAuth();
  const approved = await call(`/api/v1/planner/initiatives/${id}/approve`, { method: 'POST', headers: desk, json: { conditions: 'Graag afval in de blauwe zakken.' } });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));

  const ctx = await phone(browser);
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto('/initiatieven');
  const follow = page.getByRole('region', { name: 'Een initiatief volgen' });
  // Typed the way it stands on a letter: lower case, a space instead of the dash.
  await follow.getByLabel('Code van het initiatief').fill(code.toLowerCase().replace('-', ' '));
  await follow.getByRole('button', { name: 'Bekijken' }).click();
  await page.getByRole('heading', { name: 'Schoon rond de kiosk', level: 1 }).waitFor();
  await page.getByTestId('initiative-status').filter({ hasText: 'Goedgekeurd' }).waitFor();
  assert.equal(await page.getByTestId('contribution-count').textContent(), '0');
  await page.getByText('Graag afval in de blauwe zakken.').waitFor();
  await page.getByText('Materialen leveren').waitFor();
  await axe(page, 'resident-initiative-follow');
  await shot(page, 'resident-6-initiative');

  // Nothing filled in: what is missing, next to each field.
  const submit = page.getByRole('button', { name: 'Werk bijschrijven' });
  await submit.click();
  const errors = page.getByRole('alert').filter({ hasText: 'Het werk is nog niet bijgeschreven' });
  await errors.waitFor();
  await errors.getByText('Schrijf op wat u heeft gedaan.').waitFor();
  assert.equal(await page.getByLabel('Wat heeft u gedaan?').getAttribute('aria-invalid'), 'true');
  await axe(page, 'resident-initiative-errors');

  // The server's rule (at most 24 hours a person) comes back in Dutch, at the field.
  await page.getByLabel('Hoeveel uur samen?').fill('30');
  await page.getByLabel('Met hoeveel mensen?').fill('1');
  await page.getByLabel('Wat heeft u gedaan?').fill('Zwerfvuil geraapt en de prullenbak geleegd.');
  await submit.click();
  await page.locator('#' + await page.getByLabel('Hoeveel uur samen?').getAttribute('id') + '-error')
    .filter({ hasText: 'hoogstens 24 uur per persoon' }).waitFor();

  // The answer gets lost on the way back: the resident sends again, and the work
  // counts once (the same Idempotency-Key).
  await page.getByLabel('Hoeveel uur samen?').fill('6');
  await page.getByLabel('Met hoeveel mensen?').fill('3');
  const keys = [];
  await page.route('**/api/v1/initiatives/*/contributions', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    await route.fetch();
    await route.abort('internetdisconnected');
  });
  await submit.click();
  await errors.getByText('Er is geen verbinding.', { exact: false }).waitFor();
  await page.unroute('**/api/v1/initiatives/*/contributions');
  let sent = await call(`/api/v1/initiatives/${encodeURIComponent(code)}`);
  assert.deepEqual(sent.body.contributions, { count: 1, hours: 6 }, 'the first try arrived');
  page.on('request', (r) => { if (r.url().includes('/contributions')) keys.push(r.headers()['idempotency-key']); });
  await submit.click();
  const flash = page.getByTestId('contribution-flash');
  await flash.waitFor();
  assert.match(await flash.textContent(), /^Bedankt! Uw werk is bijgeschreven: 6 uur op \d+ \S+ \d{4}\.$/);
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1], 'the retry sent the same Idempotency-Key');
  assert.equal(await page.getByTestId('contribution-count').textContent(), '1');
  assert.equal(await page.getByTestId('contribution-hours').textContent(), '6 uur');
  await page.getByTestId('initiative-status').filter({ hasText: 'Loopt' }).waitFor();
  sent = await call(`/api/v1/initiatives/${encodeURIComponent(code)}`);
  assert.deepEqual(sent.body.contributions, { count: 1, hours: 6 }, 'counted once');
  assert.equal(sent.body.status, 'active');
  await axe(page, 'resident-initiative-logged');
  await shot(page, 'resident-7-initiative-logged', { fullPage: false });

  // Lost again, and the resident changes what they logged before sending it again: that
  // is a new request with a new key, which goes at once (no idempotency-key-reused).
  const changed = [];
  await page.route('**/api/v1/initiatives/*/contributions', async (route) => {
    changed.push({ key: route.request().headers()['idempotency-key'] });
    const res = await route.fetch();
    if (changed.length === 1) return route.abort('internetdisconnected');
    changed.at(-1).status = res.status();
    return route.fulfill({ response: res });
  });
  await page.getByLabel('Hoeveel uur samen?').fill('2');
  await page.getByLabel('Wat heeft u gedaan?').fill('Bladeren geveegd.');
  await submit.click();
  await errors.getByText('Er is geen verbinding.', { exact: false }).waitFor();
  await page.getByLabel('Hoeveel uur samen?').fill('3');
  await submit.click();
  await flash.filter({ hasText: 'bijgeschreven: 3 uur' }).waitFor();
  await page.unroute('**/api/v1/initiatives/*/contributions');
  assert.equal(changed.length, 2, JSON.stringify(changed));
  assert.notEqual(changed[0].key, changed[1].key, 'the changed work went with a new Idempotency-Key');
  assert.equal(changed[1].status, 201, JSON.stringify(changed));
  sent = await call(`/api/v1/initiatives/${encodeURIComponent(code)}`);
  assert.deepEqual(sent.body.contributions, { count: 3, hours: 11 }, 'the lost try and the changed one');

  // The phone remembers the initiatives it follows.
  await page.getByRole('link', { name: 'Alle initiatieven' }).click();
  await page.getByRole('heading', { name: 'Bewonersinitiatieven', level: 1 }).waitFor();
  await axe(page, 'resident-initiatives-followed');
  await shot(page, 'resident-8-initiatives-followed', { fullPage: false });
  await page.getByTestId('followed-initiatives').getByRole('link', { name: code }).click();
  await page.getByRole('heading', { name: 'Schoon rond de kiosk', level: 1 }).waitFor();

  // English, all of it.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Residents’ work' }).waitFor();
  await page.getByRole('button', { name: 'Log work' }).waitFor();
  await axe(page, 'resident-initiative-en');
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await page.getByRole('heading', { name: 'Werk van bewoners' }).waitFor();

  // Paused by the planner: a plain message, and no form.
  const paused = await call(`/api/v1/planner/initiatives/${id}/pause`, { method: 'POST', headers: desk, json: { reason: 'Winterstop.' } });
  assert.equal(paused.status, 200, JSON.stringify(paused.body));
  await page.getByRole('button', { name: 'Vernieuwen' }).click();
  await page.getByTestId('contribution-closed').filter({ hasText: 'Dit initiatief is gepauzeerd. U kunt nu geen werk bijschrijven.' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Werk bijschrijven' }).count(), 0);
  await axe(page, 'resident-initiative-paused');

  // Paused, it still holds its place: a proposal of the same theme over it is refused
  // with its number, and the public map shows it, as paused, with that number.
  const over = await call('/api/v1/initiatives', {
    method: 'POST',
    headers: { 'Idempotency-Key': `e2e-initiative-over-${Date.now()}` },
    json: { ...kiosk, title: 'Ook schoon bij de kiosk', polygon: square(KIOSK, 20) },
  });
  assert.equal(over.status, 422, JSON.stringify(over.body));
  assert.equal(over.body.type, '/problems/initiative-overlap');
  assert.equal(over.body.overlaps, id);
  await page.getByRole('link', { name: 'Alle initiatieven' }).click();
  await page.getByRole('heading', { name: 'Bewonersinitiatieven', level: 1 }).waitFor();
  const onMap = page.getByTestId('initiative-card').filter({ hasText: 'Schoon rond de kiosk' });
  await onMap.filter({ hasText: `Nr. ${id}` }).filter({ hasText: 'Gepauzeerd' }).waitFor();
  await onMap.getByText('hier geldt nu het basisniveau', { exact: false }).waitFor();
  assert.ok(!(await onMap.textContent()).includes('Winterstop'), 'the reason of the pause is not public');
  await axe(page, 'resident-initiatives-map-paused');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByTestId('initiative-card').filter({ hasText: `No. ${id}` }).filter({ hasText: 'Paused' }).waitFor();
  await page.getByRole('button', { name: 'Nederlands' }).click();
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('an unknown code gets a plain answer', async () => {
  const ctx = await phone(browser);
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto('/initiatieven/ZZZZZ-ZZZZZ');
  await page.getByTestId('initiative-error').filter({ hasText: 'We kennen dit initiatief niet. Controleer de code en probeer het opnieuw.' }).waitFor();
  await axe(page, 'resident-initiative-unknown');
  assert.deepEqual(problems, []);
  await ctx.close();
});
