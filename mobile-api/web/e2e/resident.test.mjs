// Residents at a 390×844 phone: report with a photo, "I have this too", the tracking page,
// the map without tiles, English, and initiatives.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { AMSTERDAM, axe, call, CENTRUM, deskAuth, eventually, launch, phone, PHOTO, report, results, shot, watch } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('a resident files a report with a photo and gets a tracking code that the API knows', async () => {
  // A neighbour reported the same litter here before, from another phone.
  const earlier = await report('afval.zwerfvuil', CENTRUM, 'Zakken met afval naast de bank');
  const ctx = await phone(browser, { geolocation: CENTRUM });
  const page = await ctx.newPage();
  const problems = watch(page);

  await page.goto('/');
  await page.getByRole('heading', { name: 'Melding doen', level: 1 }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  await page.getByText('Afval', { exact: true }).waitFor();
  await axe(page, 'resident-start');
  await shot(page, 'resident-1-start', { fullPage: false });

  await page.getByText('Afval', { exact: true }).click();
  await page.getByLabel('Zwerfvuil').check();
  await page.getByRole('button', { name: 'Gebruik mijn locatie' }).click();
  await page.getByText(/Gekozen plek: breedtegraad 51\.96550, lengtegraad 6\.29050/).waitFor();
  // The tile server is unreachable: the map says so and still works.
  await page.getByText('De achtergrondkaart laadt nu niet', { exact: false }).first().waitFor();
  assert.ok(ctx.tileRequests > 0, 'the map asked for tiles');

  // "Already reported nearby?" shows the neighbour's report; count this resident too.
  const nearby = page.getByRole('region', { name: 'Al gemeld in de buurt?' });
  await nearby.getByText('Zwerfvuil').first().waitFor();
  await nearby.getByRole('button', { name: 'Ik heb dit ook' }).first().click();
  await nearby.getByText(/Bedankt\. Nu hebben \d+ bewoners dit gemeld\./).waitFor();
  // Said plainly that nothing more is needed, with the focus on it.
  await nearby.getByText('U hoeft niets meer te sturen.', { exact: false }).waitFor();
  assert.ok(await nearby.locator('.support-msg').evaluate((el) => el === document.activeElement), 'focus on the thank-you');
  await shot(page, 'resident-2-place-nearby');

  await page.locator('#photo-input').setInputFiles(PHOTO);
  await page.getByRole('img', { name: 'Uw foto 1' }).waitFor();
  await page.getByLabel(/^Omschrijving/).fill('Zwerfvuil naast de bank bij de speeltuin.');
  // Another language draws the form again with everything in it (it once lost the place
  // and the photo on the way).
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('img', { name: 'Your photo 1' }).waitFor();
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await page.getByRole('img', { name: 'Uw foto 1' }).waitFor();
  assert.equal(await page.getByText('U heeft nog geen plek gekozen.').count(), 0, 'the place is kept');
  assert.equal(await page.getByLabel(/^Omschrijving/).inputValue(), 'Zwerfvuil naast de bank bij de speeltuin.');
  // No e-mail address is asked: nothing would be sent to it; the tracking code does.
  assert.equal(await page.getByLabel(/^E-mailadres/).count(), 0);
  await axe(page, 'resident-form');
  await page.getByRole('button', { name: 'Verstuur melding' }).click();

  const codeEl = page.getByTestId('tracking-code');
  await codeEl.waitFor();
  const code = (await codeEl.textContent()).trim();
  assert.match(code, /^[A-Z0-9-]{6,}$/);
  await page.getByRole('heading', { name: 'Bedankt! Uw melding is binnen.' }).waitFor();
  await axe(page, 'resident-confirmation');
  await shot(page, 'resident-3-confirmation', { fullPage: false });

  // The report exists through the API, joined to the neighbour's job (same place, same
  // category), with the photo.
  const tr = await call(`/api/v1/reports/${encodeURIComponent(code)}`);
  assert.equal(tr.status, 200, JSON.stringify(tr.body));
  assert.equal(tr.body.tracking_code, code);
  assert.equal(tr.body.category, 'afval.zwerfvuil');
  assert.ok(tr.body.report_count >= 2, `report_count ${tr.body.report_count}`);
  const mine = await call(`/api/v1/reports/${encodeURIComponent(earlier.tracking_code)}`);
  assert.equal(mine.body.report_count, tr.body.report_count, 'both reports are on one job');
  // A crew has it: the confirmation and the tracking page give the date the API promises.
  assert.match(tr.body.due_date || '', /^\d{4}-\d{2}-\d{2}$/, `due_date ${tr.body.due_date}`);
  const due = await dateText(page, tr.body.due_date);
  await page.getByText(`We willen het uiterlijk ${due} oplossen.`).waitFor();

  // The tracking page, reached from the confirmation and by its own address.
  await page.getByRole('link', { name: 'Volg uw melding' }).click();
  await page.getByRole('heading', { name: 'Wat is er gebeurd?' }).waitFor();
  await page.getByText('Melding ontvangen').first().waitFor();
  assert.equal(await dueShown(page), due);
  assert.equal((await page.getByTestId('track-area-kind').textContent()).trim(), 'Buurt');
  await axe(page, 'resident-tracking');
  await shot(page, 'resident-4-tracking');
  await page.goto(`/volg/${encodeURIComponent(code)}`);
  await page.getByRole('heading', { name: `Melding ${code}` }).waitFor();

  // English, all strings at once, lang attribute included.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'What has happened?' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.getByTestId('track-area-kind').textContent()).trim(), 'Neighbourhood');
  await axe(page, 'resident-tracking-en');
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await page.getByRole('heading', { name: 'Wat is er gebeurd?' }).waitFor();

  assert.deepEqual(problems, []);
  results({ resident_code: code });
  await ctx.close();
});

test('in English a question\'s options have English names and still send the value', async () => {
  const ctx = await phone(browser, { geolocation: CENTRUM });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByText('Street lighting', { exact: true }).click();
  await page.getByLabel('Light out or flickering').check();
  const group = page.locator('fieldset[data-question="state"]');
  await group.getByLabel('flickering', { exact: true }).waitFor();
  assert.deepEqual(await group.locator('label').allTextContents(), ['out', 'flickering', 'on during the day']);
  // The stored answer stays the Dutch value.
  assert.equal(await group.getByLabel('flickering', { exact: true }).getAttribute('value'), 'knippert');
  await page.getByRole('button', { name: 'Nederlands' }).click();
  assert.deepEqual(await page.locator('fieldset[data-question="state"] label').allTextContents(), ['uit', 'knippert', 'brandt overdag']);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('without tiles the pin goes where the resident taps, or where the typed coordinates say', async () => {
  const ctx = await phone(browser, { geolocation: CENTRUM });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto('/');
  const map = page.locator('#report-map');
  await page.getByText('U heeft nog geen plek gekozen.').waitFor();
  // The map (Leaflet) loads when it comes near the screen.
  assert.equal(await page.locator('#report-map.leaflet-container').count(), 0, 'no map before it is needed');
  await map.scrollIntoViewIfNeeded();
  await page.locator('#report-map.leaflet-container').waitFor();
  const box = await map.boundingBox();
  await map.click({ position: { x: box.width * 0.7, y: box.height * 0.4 } });
  await page.getByText(/Gekozen plek: breedtegraad 51\.\d+, lengtegraad 6\.\d+/).waitFor();
  assert.equal(await page.locator('.map-pin').count(), 1, 'one pin on the map');

  await page.getByText('Coördinaten zelf invullen').click();
  await page.getByLabel('Breedtegraad').fill('51.9612');
  await page.getByLabel('Lengtegraad').fill('6,3011');
  await page.getByRole('button', { name: 'Zet de speld hier' }).click();
  await page.getByText('Gekozen plek: breedtegraad 51.96120, lengtegraad 6.30110.').waitFor();
  assert.equal(await page.locator('.map-pin').count(), 1);

  // Sending without a category explains what is missing and where.
  await page.getByRole('button', { name: 'Verstuur melding' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'Nog niet alles is ingevuld' });
  await summary.waitFor();
  await summary.getByRole('link', { name: 'Kies wat u wilt melden.' }).waitFor();
  await axe(page, 'resident-errors');

  // A place in the North Sea: the server's answer is said at the place, and linked.
  await page.getByText('Afval', { exact: true }).click();
  await page.getByLabel('Zwerfvuil').check();
  await page.getByLabel('Breedtegraad').fill('53.5');
  await page.getByLabel('Lengtegraad').fill('3.0');
  await page.getByRole('button', { name: 'Zet de speld hier' }).click();
  await page.getByRole('button', { name: 'Verstuur melding' }).click();
  const sent = page.getByRole('alert').filter({ hasText: 'ligt niet in een gebied' });
  await sent.getByRole('link').first().waitFor();
  assert.match(await page.locator('#loc-error').textContent(), /ligt niet in een gebied/);
  assert.ok(await page.locator('#loc-error').isVisible(), 'the error at the place');

  // In Zevenaar, which the demo imports but gives no team: accepted for the planners,
  // with no promised date.
  await page.getByLabel('Breedtegraad').fill('51.9297');
  await page.getByLabel('Lengtegraad').fill('6.0708');
  await page.getByRole('button', { name: 'Zet de speld hier' }).click();
  await page.getByLabel(/^Omschrijving/).fill('Glas op het fietspad.');
  // A reload (or a phone closing the tab while the camera is open) keeps what was typed.
  await page.reload();
  await page.getByText('Gekozen plek: breedtegraad 51.92970, lengtegraad 6.07080.').waitFor();
  assert.ok(await page.getByLabel('Zwerfvuil').isChecked(), 'the category is kept');
  assert.equal(await page.getByLabel(/^Omschrijving/).inputValue(), 'Glas op het fietspad.');
  await page.getByRole('button', { name: 'Verstuur melding' }).click();
  await page.getByText('Er is hier nog geen vaste ploeg.', { exact: false }).waitFor();
  assert.equal(await page.getByText('We willen het uiterlijk', { exact: false }).count(), 0);
  assert.deepEqual(problems, []);
  await ctx.close();
});

// photoOf is the test photo made bytes bigger (a JPEG reader stops at its end marker):
// photos.js sends a JPEG under 3 MB as it is, so its size is what the draft stores.
function photoOf(name, bytes) {
  const jpeg = fs.readFileSync(PHOTO);
  return { name, mimeType: 'image/jpeg', buffer: Buffer.concat([jpeg, Buffer.alloc(Math.max(0, bytes - jpeg.length))]) };
}

// keptPhotos reads the resident app's IndexedDB: per kept draft, how many photos.
function keptPhotos(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('wijkwerk-resident');
    // Not there yet: leave it to the app to make it.
    req.onupgradeneeded = () => req.transaction.abort();
    req.onerror = () => resolve([]);
    req.onsuccess = () => {
      const db = req.result;
      const all = db.transaction('draftPhotos').objectStore('draftPhotos').getAll();
      all.onsuccess = () => { db.close(); resolve(all.result.map((r) => r.blobs.length)); };
      all.onerror = () => { db.close(); reject(all.error); };
    };
  }));
}

async function photosShown(page, n) {
  await eventually(async () => assert.equal(await page.locator('.photo-item img').count(), n));
  // Shown, not only listed.
  assert.ok(await page.locator('.photo-item img').evaluateAll((imgs) => imgs.every((i) => i.complete && i.naturalWidth > 0)), 'the photos load');
}

test('the photos of an unsent report stay over a reload, within a size cap, and go when it is sent or left', async () => {
  const ctx = await phone(browser, { geolocation: CENTRUM });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto('/');
  await page.getByRole('heading', { name: 'Melding doen', level: 1 }).waitFor();
  await page.locator('#photo-input').setInputFiles(photoOf('een.jpg', 1 << 20));
  await page.getByRole('img', { name: 'Uw foto 1' }).waitFor();
  await page.getByLabel(/^Omschrijving/).fill('Kapotte bank, met foto.');
  await eventually(async () => assert.deepEqual(await keptPhotos(page), [1]));
  await page.reload();
  await page.getByRole('img', { name: 'Uw foto 1' }).waitFor();
  await photosShown(page, 1);
  await page.getByText('1 foto gekozen.').waitFor();
  assert.equal(await page.getByLabel(/^Omschrijving/).inputValue(), 'Kapotte bank, met foto.');

  // Two large ones: together over the cap (6 MB), so the last stays in the page only, and
  // the resident is told.
  await page.locator('#photo-input').setInputFiles([photoOf('twee.jpg', 3_100_000), photoOf('drie.jpg', 3_100_000)]);
  await page.getByRole('img', { name: 'Uw foto 3' }).waitFor();
  await page.locator('#photo-note').getByText('Deze foto kunnen we niet bewaren', { exact: false }).waitFor();
  assert.deepEqual(await keptPhotos(page), [2]);
  await axe(page, 'resident-photos-kept');
  await page.reload();
  await page.getByRole('img', { name: 'Uw foto 2' }).waitFor();
  await photosShown(page, 2);

  // Taking one away is kept too.
  await page.getByRole('button', { name: 'Foto 1 weghalen' }).click();
  await eventually(async () => assert.deepEqual(await keptPhotos(page), [1]));
  await page.reload();
  await photosShown(page, 1);

  // Sent: the photo goes with it, and is no longer kept.
  await page.getByText('Afval', { exact: true }).click();
  await page.getByLabel('Zwerfvuil').check();
  await page.getByRole('button', { name: 'Gebruik mijn locatie' }).click();
  await page.getByText(/Gekozen plek: breedtegraad 51\.96550/).waitFor();
  await page.getByRole('button', { name: 'Verstuur melding' }).click();
  const code = (await page.getByTestId('tracking-code').textContent()).trim();
  await eventually(async () => assert.deepEqual(await keptPhotos(page), []));
  const tr = await call(`/api/v1/reports/${encodeURIComponent(code)}`);
  assert.equal(tr.status, 200, JSON.stringify(tr.body));

  // Left for "Ik heb dit ook": the new draft's photo is not kept either.
  await page.getByRole('link', { name: 'Nog iets melden' }).click();
  await page.locator('#photo-input').setInputFiles(photoOf('vier.jpg', 100_000));
  await eventually(async () => assert.deepEqual(await keptPhotos(page), [1]));
  await page.getByText('Afval', { exact: true }).click();
  await page.getByLabel('Zwerfvuil').check();
  await page.getByRole('button', { name: 'Gebruik mijn locatie' }).click();
  const nearby = page.getByRole('region', { name: 'Al gemeld in de buurt?' });
  await nearby.getByRole('button', { name: 'Ik heb dit ook' }).first().click();
  await nearby.getByRole('link', { name: 'Klaar' }).click();
  await eventually(async () => assert.deepEqual(await keptPhotos(page), []));
  await page.reload();
  await page.getByRole('heading', { name: 'Melding doen', level: 1 }).waitFor();
  await page.getByText('Afval', { exact: true }).waitFor();
  assert.equal(await page.locator('.photo-item').count(), 0, 'an empty form after a reload');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('offline after one visit, the report form still opens and keeps the draft until it can be sent', async () => {
  const ctx = await phone(browser, { geolocation: CENTRUM });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto('/');
  await page.getByRole('heading', { name: 'Melding doen', level: 1 }).waitFor();
  await page.getByText('Afval', { exact: true }).waitFor();
  // The service worker has kept the app's files.
  await page.locator('html[data-offline="ready"]').waitFor({ state: 'attached' });

  await ctx.setOffline(true);
  await page.reload();
  await page.getByRole('heading', { name: 'Melding doen', level: 1 }).waitFor();
  // The categories come from this phone: the form is there, not only "geen verbinding".
  await page.getByText('Afval', { exact: true }).click();
  await page.getByLabel('Zwerfvuil').check();
  await page.getByRole('button', { name: 'Gebruik mijn locatie' }).click();
  await page.getByText(/Gekozen plek: breedtegraad 51\.96550/).waitFor();
  await page.getByLabel(/^Omschrijving/).fill('Zakken afval naast de glasbak, offline gemeld.');
  await page.getByRole('button', { name: 'Verstuur melding' }).click();
  await page.getByRole('alert').getByText('Uw melding staat nog klaar', { exact: false }).waitFor();
  await axe(page, 'resident-offline-draft');
  // In English too, offline.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByText('Waste', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Nederlands' }).click();

  // Still offline, a reload keeps the draft.
  await page.reload();
  await page.getByRole('heading', { name: 'Melding doen', level: 1 }).waitFor();
  assert.equal(await page.getByLabel(/^Omschrijving/).inputValue(), 'Zakken afval naast de glasbak, offline gemeld.');
  assert.ok(await page.getByLabel('Zwerfvuil').isChecked(), 'the category is kept');

  // Online again: it goes.
  await ctx.setOffline(false);
  await page.getByRole('button', { name: 'Verstuur melding' }).click();
  const code = (await page.getByTestId('tracking-code').textContent()).trim();
  const tr = await call(`/api/v1/reports/${encodeURIComponent(code)}`);
  assert.equal(tr.status, 200, JSON.stringify(tr.body));
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('initiatives: the public map and a proposal drawn on it', async () => {
  const ctx = await phone(browser, { geolocation: CENTRUM });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto('/initiatieven');
  await page.getByRole('heading', { name: 'Bewonersinitiatieven', level: 1 }).waitFor();
  const geo = await call('/api/v1/initiatives.geojson');
  if (geo.status === 404) {
    await page.locator('[data-state="unavailable"]').first().waitFor();
  } else {
    assert.equal(geo.status, 200);
  }
  await page.getByRole('button', { name: 'Doe een voorstel' }).click();
  await page.getByRole('heading', { name: 'Uw voorstel' }).waitFor();
  const map = page.locator('#initiative-map');
  const box = await map.boundingBox();
  for (const [fx, fy] of [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6]]) {
    await map.click({ position: { x: box.width * fx, y: box.height * fy } });
  }
  await page.getByText('4 hoeken gekozen. Het stuk is getekend.').waitFor();
  await page.getByLabel('Naam van het initiatief').fill('Bloemen op het pleintje');
  await page.getByLabel('Wat doen bewoners zelf?').fill('Elke maand onkruid wieden.');
  await page.getByLabel('Uw naam').fill('Buurtgroep Pleintje');
  await page.getByLabel('Uw e-mailadres').fill('buurt@example.nl');
  await page.getByLabel(/^Welk materiaal/).fill('40 vaste planten\npotgrond');
  await axe(page, 'resident-initiative-form');
  await shot(page, 'resident-5-initiative');
  // The connection drops on the first try; the resident changes the name and sends
  // again: a changed proposal is a new request, with a new Idempotency-Key.
  const keys = [];
  await page.route('**/api/v1/initiatives', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push(route.request().headers()['idempotency-key']);
    return keys.length === 1 ? route.abort('internetdisconnected') : route.continue();
  });
  await page.getByRole('button', { name: 'Voorstel versturen' }).click();
  await page.locator('.alert [data-state="error"]').waitFor();
  await page.getByLabel('Naam van het initiatief').fill('Bloemen en bankjes op het pleintje');
  await page.getByRole('button', { name: 'Voorstel versturen' }).click();
  let state;
  await eventually(async () => {
    if (await page.getByRole('heading', { name: 'Bedankt voor uw voorstel!' }).isVisible()) state = 'accepted';
    else if (await page.locator('.alert [data-state="unavailable"]').isVisible()) state = 'not yet available (404)';
    else if (await page.locator('.alert [data-state="error"]').isVisible()) state = `refused: ${await page.locator('.alert [data-state="error"]').textContent()}`;
    else throw new Error('no answer yet: ' + (await page.locator('main').innerText()).slice(0, 1500));
  });
  assert.equal(keys.length, 2);
  assert.notEqual(keys[0], keys[1], 'the changed proposal went with a new Idempotency-Key');
  console.log(`# initiatives: map ${geo.status === 404 ? 'not yet available (404)' : 'served'}, proposal ${state}`);
  results({ initiatives_map: geo.status, initiatives_proposal: state });
  assert.ok(!state.startsWith('refused'), `the initiatives API refused the proposal the screen sends: ${state}`);
  if (state === 'accepted') {
    // The confirmation leads to the initiative's own page: proposed, so no work yet.
    const code = (await page.getByTestId('initiative-code').textContent()).trim();
    await page.getByRole('link', { name: 'Bekijk uw initiatief' }).click();
    await page.getByRole('heading', { name: 'Bloemen en bankjes op het pleintje', level: 1 }).waitFor();
    await page.getByTestId('initiative-status').filter({ hasText: 'Voorgesteld' }).waitFor();
    await page.getByTestId('contribution-closed').filter({ hasText: 'U kunt werk bijschrijven als de gemeente dit initiatief heeft goedgekeurd.' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Werk bijschrijven' }).count(), 0);
    assert.equal(new URL(page.url()).pathname, `/initiatieven/${code}`);
    await axe(page, 'resident-initiative-proposed');
  }
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('the tracking page: an unknown code is not named as a report, an empty one is asked for', async () => {
  const ctx = await phone(browser, { geolocation: CENTRUM });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto('/volg/ZZZZZ-ZZZZZ');
  await page.getByRole('alert').waitFor();
  await page.getByRole('heading', { name: 'Melding volgen', level: 1 }).waitFor();
  await page.getByLabel('Volgcode').fill('');
  await page.getByRole('button', { name: 'Bekijken' }).click();
  await page.getByRole('alert').filter({ hasText: 'Vul uw volgcode in.' }).waitFor();
  assert.equal(await page.getByLabel('Volgcode').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(problems, []);
  await ctx.close();
});

// dateText is a date (YYYY-MM-DD) as the page writes it in Dutch.
function dateText(page, date) {
  return page.evaluate((v) => new Date(`${v}T12:00:00`).toLocaleDateString('nl-NL', { day: 'numeric', month: 'short', year: 'numeric' }), date);
}

// dueShown is what the tracking page says after "Uiterlijk klaar", or null when it says
// nothing about a due date.
async function dueShown(page) {
  const dd = page.locator('.track .facts dt:text-is("Uiterlijk klaar") + dd');
  return (await dd.count()) ? (await dd.textContent()).trim() : null;
}

test('no date is promised where no crew has the job, nor once the job is closed', async () => {
  // Amsterdam is in the national file, without teams: a planner has to find a crew.
  const ctx = await phone(browser, { geolocation: AMSTERDAM });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto('/');
  await page.getByText('Afval', { exact: true }).click();
  await page.getByLabel('Zwerfvuil').check();
  await page.getByRole('button', { name: 'Gebruik mijn locatie' }).click();
  await page.getByText(/Gekozen plek: breedtegraad 52\.37020/).waitFor();
  const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/reports' && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Verstuur melding' }).click();
  const rc = await (await answer).json();
  assert.equal(rc.team, null);
  assert.equal(rc.due_date, null, 'the receipt promises no date without a crew');
  const code = (await page.getByTestId('tracking-code').textContent()).trim();
  assert.equal(code, rc.tracking_code);
  await page.getByText('Er is hier nog geen vaste ploeg.', { exact: false }).waitFor();
  assert.equal(await page.getByText('We willen het uiterlijk', { exact: false }).count(), 0, 'the confirmation promises no date');

  const tr = await call(`/api/v1/reports/${encodeURIComponent(code)}`);
  assert.equal(tr.status, 200, JSON.stringify(tr.body));
  assert.equal(tr.body.status, 'open');
  assert.equal(tr.body.due_date, null, 'the API promises no date without a crew');
  // The tracking page says no date is known yet, not "Uiterlijk klaar <date>".
  await page.getByRole('link', { name: 'Volg uw melding' }).click();
  await page.getByRole('heading', { name: 'Wat is er gebeurd?' }).waitFor();
  assert.equal(await dueShown(page), 'Nog niet bekend. Er is nog geen ploeg die het oppakt.');
  // Amsterdam has no neighbourhoods here: the area is the municipality, and says so.
  assert.equal(rc.area.kind, 'municipality');
  assert.equal((await page.getByTestId('track-area-kind').textContent()).trim(), 'Gemeente');
  assert.equal((await page.locator('[data-testid="track-area-kind"] + dd').textContent()).trim(), rc.area.name);
  await axe(page, 'resident-tracking-no-crew');

  // Could not be done, or done: nothing about a due date any more.
  for (const status of ['cannot_complete', 'done']) {
    const set = await call(`/_e2e/jobs/${rc.job_id}/status`, { method: 'POST', json: { status } });
    assert.equal(set.status, 204, `${status}: ${JSON.stringify(set.body)}`);
    await page.goto(`/volg/${encodeURIComponent(code)}`);
    await page.getByRole('heading', { name: 'Wat is er gebeurd?' }).waitFor();
    await page.locator(`#track-status.status-${status}`).waitFor();
    assert.equal(await dueShown(page), null, `${status}: the page still says when it is due`);
    // Could not be done: the desk decides what happens next, and the page says so.
    const next = page.getByTestId('track-next');
    if (status === 'cannot_complete') assert.equal((await next.textContent()).trim(), 'De gemeente beslist nu wat er verder gebeurt.');
    else assert.equal(await next.count(), 0, `${status}: the page still names a next step`);
    assert.equal((await call(`/api/v1/reports/${encodeURIComponent(code)}`)).body.due_date, null, `${status}: the API promises a date`);
  }
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a send whose answer was lost: unchanged it is filed once, changed it goes as a new report, and a used key is never a dead end', async () => {
  const ctx = await phone(browser, { geolocation: CENTRUM });
  const page = await ctx.newPage();
  const problems = watch(page);
  const sent = []; // each send's Idempotency-Key and answer
  let mode = 'lose'; // what happens to the next send: 'lose' its answer, 'reuse' a used key, or 'pass'
  await page.route('**/api/v1/reports', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const key = route.request().headers()['idempotency-key'];
    const now = mode;
    mode = 'pass';
    if (now === 'reuse') {
      // As if this key had gone with another report before.
      const used = sent[0].key;
      const res = await route.fetch({ headers: { ...route.request().headers(), 'idempotency-key': used } });
      sent.push({ key: used, status: res.status(), body: await res.json() });
      return route.fulfill({ response: res });
    }
    const res = await route.fetch();
    sent.push({ key, status: res.status(), body: await res.json() });
    if (now === 'lose') return route.abort('connectionreset'); // filed, but the answer is lost
    return route.fulfill({ response: res });
  });
  const fill = async (text) => {
    await page.getByText('Afval', { exact: true }).click();
    await page.getByLabel('Zwerfvuil').check();
    await page.getByRole('button', { name: 'Gebruik mijn locatie' }).click();
    await page.getByText(/Gekozen plek: breedtegraad 51\.96550/).waitFor();
    await page.getByLabel(/^Omschrijving/).fill(text);
  };
  const send = () => page.getByRole('button', { name: 'Verstuur melding' }).click();
  const lost = async () => {
    await page.getByRole('alert').getByText('Uw melding staat nog klaar', { exact: false }).waitFor();
    const last = sent[sent.length - 1];
    assert.equal(last.status, 201, `the lost send was filed: ${JSON.stringify(last.body)}`);
    return last;
  };
  const confirmed = async () => (await page.getByTestId('tracking-code').textContent()).trim();

  // 1. Unchanged after a lost answer, even over a reload: the same key, filed once.
  await page.goto('/');
  await fill('Vuilniszak opengescheurd bij de bank.');
  await send();
  const first = await lost();
  await page.reload();
  await page.getByRole('heading', { name: 'Melding doen', level: 1 }).waitFor();
  assert.equal(await page.getByLabel(/^Omschrijving/).inputValue(), 'Vuilniszak opengescheurd bij de bank.');
  await send();
  assert.equal(await confirmed(), first.body.tracking_code, 'the retry got the first answer');
  assert.equal(sent[1].key, first.key, 'the retry sent the same Idempotency-Key');

  // 2. Changed after a lost answer: a new request with a new key, which joins the job of
  // the first as another report; not 422 idempotency-key-reused until the tab is closed.
  await page.getByRole('link', { name: 'Nog iets melden' }).click();
  mode = 'lose';
  await fill('Glas op het fietspad.');
  await send();
  const second = await lost();
  await page.getByLabel(/^Omschrijving/).fill('Glas op het fietspad, bij de bank.');
  await send();
  const code = await confirmed();
  const last = sent[sent.length - 1];
  assert.equal(last.status, 201, JSON.stringify(last.body));
  assert.notEqual(last.key, second.key, 'a changed report went with a new key');
  assert.equal(code, last.body.tracking_code);
  assert.notEqual(code, second.body.tracking_code);
  assert.equal(last.body.job_id, second.body.job_id, 'both reports are on one job');

  // 3. The server says the key went with something else: the page sends it once more with
  // a new key, and the resident never sees the server's words about keys.
  await page.getByRole('link', { name: 'Nog iets melden' }).click();
  mode = 'reuse';
  await fill('Kapotte fles naast de prullenbak.');
  const before = sent.length;
  await send();
  const third = await confirmed();
  const tries = sent.slice(before);
  assert.deepEqual(tries.map((s) => s.status), [422, 201], JSON.stringify(tries.map((s) => s.body)));
  assert.equal(tries[0].body.type, '/problems/idempotency-key-reused');
  assert.notEqual(tries[1].key, first.key);
  assert.equal(third, tries[1].body.tracking_code);
  assert.equal(await page.getByText('Idempotency-Key', { exact: false }).count(), 0);
  const tr = await call(`/api/v1/reports/${encodeURIComponent(third)}`);
  assert.equal(tr.status, 200, JSON.stringify(tr.body));
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a reporter stops the updates from the tracking page, after a short question', async () => {
  const filed = await call('/api/v1/reports', {
    method: 'POST',
    headers: { 'Idempotency-Key': `e2e-stop-${Date.now()}` },
    json: { category: 'afval.zwerfvuil', location: { type: 'Point', coordinates: [CENTRUM.longitude, CENTRUM.latitude + 0.0004] },
      contact: { email: 'stop.e2e@example.org', wants_updates: true } },
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const code = filed.body.tracking_code;
  assert.equal((await call(`/api/v1/reports/${encodeURIComponent(code)}`)).body.wants_updates, true);
  const ctx = await phone(browser, { geolocation: CENTRUM });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto(`/volg/${encodeURIComponent(code)}`);
  await page.getByRole('heading', { name: 'Wat is er gebeurd?' }).waitFor();
  assert.equal(await page.getByText('stop.e2e', { exact: false }).count(), 0, 'the page shows the e-mail address');
  // Asked first; cancelling changes nothing.
  await page.getByRole('button', { name: 'Geen berichten meer' }).click();
  await page.getByText('Wilt u geen berichten meer over deze melding?').waitFor();
  await page.getByRole('button', { name: 'Annuleren' }).click();
  assert.equal((await call(`/api/v1/reports/${encodeURIComponent(code)}`)).body.wants_updates, true, 'cancel stopped the updates');
  await page.getByRole('button', { name: 'Geen berichten meer' }).click();
  await axe(page, 'resident-tracking-stop-updates');
  await page.getByRole('button', { name: 'Ja, stop de berichten' }).click();
  await page.getByTestId('track-updates-stopped').filter({ hasText: 'U krijgt geen berichten meer over deze melding.' }).waitFor();
  assert.equal((await call(`/api/v1/reports/${encodeURIComponent(code)}`)).body.wants_updates, false);
  // Drawn anew, the page offers nothing to stop.
  await page.reload();
  await page.getByRole('heading', { name: 'Wat is er gebeurd?' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Geen berichten meer' }).count(), 0);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('once the municipality closes a report the crew could not do, the tracking page says so and why', async () => {
  const rc = await report('afval.zwerfvuil', { latitude: CENTRUM.latitude - 0.0004, longitude: CENTRUM.longitude }, 'Glas op de stoep');
  const set = await call(`/_e2e/jobs/${rc.job_id}/status`, { method: 'POST', json: { status: 'cannot_complete', reason: 'not_found' } });
  assert.equal(set.status, 204, JSON.stringify(set.body));
  const { version } = (await call(`/_e2e/jobs/${rc.job_id}`)).body;
  const closed = await call(`/api/v1/planner/jobs/${rc.job_id}/close`, { method: 'POST', headers: { ...(await deskAuth()), 'If-Match': `"${version}"` },
    json: { note: 'Alleen voor de balie: bewoner belde twee keer' } });
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  const ctx = await phone(browser, { geolocation: CENTRUM });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto(`/volg/${encodeURIComponent(rc.tracking_code)}`);
  await page.getByRole('heading', { name: 'Wat is er gebeurd?' }).waitFor();
  const said = 'De gemeente heeft deze melding afgesloten. Reden: Niet gevonden op deze plek.';
  assert.equal((await page.getByTestId('track-closed').textContent()).trim(), said);
  await page.locator('.timeline .step-closed').getByText(said).waitFor();
  assert.equal(await page.getByTestId('track-next').count(), 0, 'the page still says the municipality decides');
  assert.equal(await page.getByText('balie', { exact: false }).count(), 0, 'the planner\'s note is shown');
  await axe(page, 'resident-tracking-desk-closed');
  // In English too.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByTestId('track-closed').filter({ hasText: 'The municipality has closed this report. Reason: Not found at this place.' }).waitFor();
  assert.deepEqual(problems, []);
  await ctx.close();
});
