// Crew at a 390×844 phone: pair, see a new task, finish it offline with a photo, and the
// server has it done exactly once; an offline action goes on from a colleague's change
// when it still fits, and a stale one that does not (409) shows the current task; what
// was dropped keeps the pill from saying all is sent until the notice is read.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axe, BASE, call, CENTRUM, deskAuth, env, eventually, launch, OOSSELD, pairPhone, phone, PHOTO, report, results, shot, watch } from './lib.mjs';

let browser;
let ctx;
let page;
let problems;

// facts asks the test server's window on the database about a job.
async function facts(jobID) {
  const res = await call(`/_e2e/jobs/${jobID}`);
  assert.equal(res.status, 200);
  return res.body;
}

before(async () => {
  browser = await launch();
  ctx = await phone(browser, { geolocation: { latitude: 51.9615, longitude: 6.3170 } });
  page = await ctx.newPage();
  problems = watch(page);
});
after(async () => { await browser.close(); });

const syncState = () => page.getByTestId('sync-state');

let colleagueAuth = null;
// colleague is a second phone of the same team, paired once.
async function colleague() {
  if (!colleagueAuth) {
    const pair = await call('/mobile/v1/pair', { method: 'POST', json: { code: env('PAIRING_CODE_2') } });
    assert.equal(pair.status, 200, JSON.stringify(pair.body));
    colleagueAuth = { Authorization: `Bearer ${pair.body.token}` };
  }
  return colleagueAuth;
}

test('a crew member pairs with the QR payload and sees a task that arrives afterwards', async () => {
  await page.goto('/crew');
  await page.getByRole('heading', { name: 'Telefoon koppelen' }).waitFor();
  await axe(page, 'crew-pair');
  await shot(page, 'crew-1-pair', { fullPage: false });

  // A wrong code is refused in plain Dutch.
  await page.getByLabel('Koppelcode (8 cijfers)').fill('1234');
  await page.getByRole('button', { name: 'Koppelen' }).click();
  await page.getByText('De code heeft 8 cijfers.').waitFor();

  // The QR payload, pasted, works as well as the digits.
  await page.getByLabel('Koppelcode (8 cijfers)').fill(env('PAIRING_QR'));
  await page.getByRole('button', { name: 'Koppelen' }).click();
  await page.getByRole('heading', { name: 'Taken', level: 1 }).waitFor();
  await page.getByText('Hallo Fatima Ouali.', { exact: false }).waitFor();
  await syncState().filter({ hasText: 'Alles is verstuurd' }).waitFor();
  // The service worker has kept the crew app's files for offline use.
  await page.locator('html[data-offline="ready"]').waitFor({ state: 'attached' });
  // This server has no push settings: nothing about notifications, no Firebase.
  assert.equal(await page.locator('meta[name="wijkwerk-push"]').getAttribute('content'), '');
  assert.equal(await page.getByTestId('push-enable').count(), 0, 'no notifications button');
  assert.equal(await page.getByText('Meldingen', { exact: false }).count(), 0, 'no word about notifications');

  // A resident reports something in Oosseld, in two lines: a new task for this crew.
  const rc = await report('afval.zwerfvuil', OOSSELD, 'Glas en blikjes op het grasveld.\nOok scherven bij de bank.');
  assert.equal(rc.team && rc.team.name, env('TEAM_NAME'), 'routed to the crew of the paired worker');
  await page.getByRole('button', { name: 'Vernieuwen' }).click();
  const card = page.locator(`[data-task="${rc.job_id}"]`);
  await card.waitFor();
  assert.match(await card.textContent(), /Zwerfvuil/);
  // Nothing new for this crew since: the phone asks again with the ETag and gets 304,
  // also while the database moves on with other teams' work (a report in Centrum). (The
  // first delta may bring the new task again: a cursor is the oldest transaction still
  // running, so a busy database gives the phone a change twice.)
  const statuses = [];
  for (let i = 0; i < 5 && !statuses.includes(304); i++) {
    await report('wegen.bank', CENTRUM, `Bank scheef, voor een andere ploeg (${i})`);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/mobile/v1/tasks')),
      page.getByRole('button', { name: 'Vernieuwen' }).click(),
    ]);
    statuses.push(res.status());
  }
  assert.ok(statuses.includes(304), `syncs answered ${statuses}, never 304`);
  await axe(page, 'crew-list');
  await shot(page, 'crew-2-list');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'crew-2-list-top', { fullPage: false });
  results({ crew_job_id: rc.job_id });
  ctx.jobID = rc.job_id;
  ctx.trackingCode = rc.tracking_code;
});

test('the crew member finishes the task offline with a photo; it reaches the server exactly once', async () => {
  const id = ctx.jobID;
  await page.locator(`[data-task="${id}"]`).click();
  await page.getByRole('heading', { name: 'Zwerfvuil', level: 1 }).waitFor();
  // The resident's two lines are shown as two lines (innerText follows the CSS).
  const description = page.locator('dd').filter({ hasText: 'Glas en blikjes' });
  assert.equal(await description.evaluate((el) => el.innerText), 'Glas en blikjes op het grasveld.\nOok scherven bij de bank.');
  const nav = page.getByTestId('navigate');
  assert.match(await nav.getAttribute('href'), /^geo:51\.962,6\.318\?q=51\.962,6\.318$/);
  await axe(page, 'crew-task');
  await shot(page, 'crew-3-task');

  // Start, online: sent at once.
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByTestId('task-status').filter({ hasText: 'Mee bezig' }).waitFor();
  await eventually(async () => assert.equal((await facts(id)).status, 'in_progress'));
  await syncState().filter({ hasText: 'Alles is verstuurd' }).waitFor();

  // No signal: finish with an after photo and hours. Both wait in the outbox.
  await ctx.setOffline(true);
  await syncState().filter({ hasText: 'Geen verbinding' }).waitFor();
  await page.getByRole('button', { name: 'Klaar', exact: true }).click();
  await page.getByRole('heading', { name: 'Taak klaar melden' }).waitFor();
  await page.locator('.panel input[type=file]').setInputFiles(PHOTO);
  await page.getByText('De foto is klaar om te versturen.').waitFor();
  await page.getByRole('button', { name: 'Kwartier meer' }).click();
  await page.getByRole('button', { name: 'Kwartier meer' }).click();
  assert.equal(await page.getByLabel('Hoeveel uur heeft u eraan gewerkt?').inputValue(), '1,5');
  await page.getByLabel(/^Notitie/).fill('Alles opgeruimd.\nDe zakken staan bij de container.');
  await axe(page, 'crew-done-form');
  await page.getByRole('button', { name: 'Klaar melden' }).click();
  await syncState().filter({ hasText: '2 acties wachten op verbinding' }).waitFor();
  await page.getByText('Afgerond op deze telefoon.', { exact: false }).waitFor();
  await axe(page, 'crew-offline-queued');
  await shot(page, 'crew-4-offline-queued');

  // Still offline, the app opens again from the service worker with its queue intact.
  await page.reload();
  await page.getByRole('heading', { name: 'Zwerfvuil', level: 1 }).waitFor();
  await syncState().filter({ hasText: '2 acties wachten op verbinding' }).waitFor();
  let f = await facts(id);
  assert.equal(f.status, 'in_progress', 'nothing reached the server while offline');
  assert.equal(f.complete_events, 0);

  // Back online: the queue goes out by itself.
  await ctx.setOffline(false);
  await syncState().filter({ hasText: 'Alles is verstuurd' }).waitFor({ timeout: 20000 });
  f = await eventually(async () => {
    const x = await facts(id);
    assert.equal(x.status, 'done');
    return x;
  });
  assert.equal(f.complete_events, 1, 'one complete event');
  assert.equal(f.after_photos, 1, 'one after photo');
  assert.equal(f.hours, 1.5);
  await page.getByTestId('task-status').filter({ hasText: 'Klaar' }).waitFor();
  // The crew's own note keeps its lines too.
  const note = page.locator('dd').filter({ hasText: 'Alles opgeruimd.' });
  await note.waitFor();
  assert.equal(await note.evaluate((el) => el.innerText), 'Alles opgeruimd.\nDe zakken staan bij de container.');

  // Sending again (another sync, a reload) changes nothing.
  await page.goto('/crew');
  await page.getByRole('button', { name: 'Vernieuwen' }).click();
  await syncState().filter({ hasText: 'Alles is verstuurd' }).waitFor();
  f = await facts(id);
  assert.equal(f.complete_events, 1);
  assert.equal(f.status, 'done');

  // The resident's tracking page shows the crew's after photo.
  const tr = await call(`/api/v1/reports/${encodeURIComponent(ctx.trackingCode)}`);
  assert.equal(tr.body.status, 'done');
  assert.equal(tr.body.photos.length, 1);
  assert.deepEqual(problems, []);
});

// startOfflineWhileColleague opens a new task, presses Start offline, lets a colleague's
// phone take steps (accept, start) on the task meanwhile, and comes back online.
async function startOfflineWhileColleague(category, place, text, heading, steps) {
  const rc = await report(category, place, text);
  await page.goto('/crew');
  await page.getByRole('button', { name: 'Vernieuwen' }).click();
  await page.locator(`[data-task="${rc.job_id}"]`).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();

  await ctx.setOffline(true);
  await page.getByRole('button', { name: 'Start' }).click();
  await syncState().filter({ hasText: '1 actie wacht op verbinding' }).waitFor();
  const auth = await colleague();
  const tasks = await call('/mobile/v1/tasks', { headers: auth });
  let version = tasks.body.tasks.find((x) => x.id === rc.job_id).version;
  for (const step of steps) {
    const res = await call(`/mobile/v1/tasks/${rc.job_id}/${step}`, { method: 'POST', headers: { ...auth, 'Idempotency-Key': `e2e-${step}-${rc.job_id}`, 'If-Match': `"${version}"` } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    version = res.body.version;
  }
  await ctx.setOffline(false);
  return rc;
}

test('an offline action goes on from what a colleague did meanwhile, if it still fits', async () => {
  // Meanwhile a colleague's phone plans the task (accept): the start still fits.
  const rc = await startOfflineWhileColleague('afval.zwerfvuil', { latitude: 51.9633, longitude: 6.3201 }, 'Blikjes in de berm', 'Zwerfvuil', ['accept']);
  await syncState().filter({ hasText: 'Alles is verstuurd' }).waitFor({ timeout: 20000 });
  await page.getByTestId('task-status').filter({ hasText: 'Mee bezig' }).waitFor();
  assert.equal(await page.getByTestId('conflict').count(), 0);
  assert.equal((await facts(rc.job_id)).status, 'in_progress');
  assert.deepEqual(problems, []);
});

test('an action on a task someone else changed meanwhile gets 409 and the phone shows the current task', async () => {
  // Meanwhile a colleague's phone plans the task and starts it: a start no longer fits.
  const rc = await startOfflineWhileColleague('afval.hondenpoep', { latitude: 51.9626, longitude: 6.3195 }, 'Hondenpoep op de stoep', 'Hondenpoep', ['accept', 'start']);
  const conflict = page.getByTestId('conflict');
  await conflict.waitFor({ timeout: 20000 });
  assert.match(await conflict.textContent(), /Deze taak was al veranderd/);
  assert.match(await conflict.textContent(), /Mee bezig/);
  await page.getByTestId('task-status').filter({ hasText: 'Mee bezig' }).waitFor();
  // Until the crew member has read the notice, the pill does not say all is sent.
  await syncState().filter({ hasText: '1 actie niet verstuurd' }).waitFor();
  await axe(page, 'crew-conflict');
  await shot(page, 'crew-5-conflict');
  assert.equal((await facts(rc.job_id)).status, 'in_progress');

  // "Not possible", with a reason from the fixed list.
  await page.getByRole('button', { name: 'Begrepen' }).click();
  await syncState().filter({ hasText: 'Alles is verstuurd' }).waitFor();
  await page.getByRole('button', { name: 'Lukt niet' }).click();
  await page.getByRole('heading', { name: 'Het lukt niet' }).waitFor();
  await page.getByLabel('Was al opgelost').check();
  await axe(page, 'crew-cannot-form');
  await shot(page, 'crew-6-cannot');
  await page.getByRole('button', { name: 'Versturen' }).click();
  await page.getByTestId('task-status').filter({ hasText: 'Lukte niet' }).waitFor();
  await eventually(async () => assert.equal((await facts(rc.job_id)).status, 'cannot_complete'));
  // The task says why, once the server has it, and not that it was finished.
  await page.getByText('Deze taak is afgesloten: het lukte niet.').waitFor();
  await page.locator('.facts').getByText('Was al opgelost').waitFor();
  assert.deepEqual(problems, []);
});

// photoThenStartOffline opens zwerfvuil task id on this phone, goes offline, and queues
// a before photo and the start.
async function photoThenStartOffline(id) {
  await page.goto('/crew');
  await page.getByRole('button', { name: 'Vernieuwen' }).click();
  await page.locator(`[data-task="${id}"]`).click();
  await page.getByRole('heading', { name: 'Zwerfvuil', level: 1 }).waitFor();
  await ctx.setOffline(true);
  await page.getByRole('button', { name: 'Foto vooraf' }).click();
  await page.locator('.panel input[type=file]').setInputFiles(PHOTO);
  await syncState().filter({ hasText: '1 actie wacht op verbinding' }).waitFor();
  await page.getByRole('button', { name: 'Start' }).click();
  await syncState().filter({ hasText: '2 acties wachten op verbinding' }).waitFor();
}

test('a photo the task has no room for is dropped alone; the step queued after it still goes out', async () => {
  const rc = await report('afval.zwerfvuil', { latitude: 51.9641, longitude: 6.3212 }, 'Glas op het fietspad');
  // A colleague's phone sends five before photos, five different ones: all a task may have.
  const jpegs = await page.evaluate(async () => {
    const out = [];
    for (let i = 0; i < 5; i++) {
      const c = document.createElement('canvas');
      c.width = 320; c.height = 240;
      const g = c.getContext('2d');
      g.fillStyle = `rgb(${40 * i}, ${200 - 30 * i}, 90)`;
      g.fillRect(0, 0, 320, 240);
      const b = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.9));
      out.push(Array.from(new Uint8Array(await b.arrayBuffer())));
    }
    return out;
  });
  const auth = await colleague();
  for (const [i, bytes] of jpegs.entries()) {
    const form = new FormData();
    form.append('kind', 'before');
    form.append('photo', new Blob([Uint8Array.from(bytes)], { type: 'image/jpeg' }), `before-${i}.jpg`);
    const res = await fetch(`${BASE}/mobile/v1/tasks/${rc.job_id}/photos`, { method: 'POST', body: form,
      headers: { ...auth, Accept: 'application/json', 'Idempotency-Key': `e2e-before-${rc.job_id}-${i}` } });
    assert.equal(res.status, 201, await res.text());
  }

  // Offline, this phone takes a sixth before photo and starts the task.
  await photoThenStartOffline(rc.job_id);

  // Back online: the photo is refused and said why, the start is not lost with it.
  await ctx.setOffline(false);
  const conflict = page.getByTestId('conflict');
  await conflict.waitFor({ timeout: 20000 });
  assert.match(await conflict.textContent(), /Meer kan niet/);
  await syncState().filter({ hasText: '1 actie niet verstuurd' }).waitFor({ timeout: 20000 });
  await eventually(async () => assert.equal((await facts(rc.job_id)).status, 'in_progress'));
  await page.getByTestId('task-status').filter({ hasText: 'Mee bezig' }).waitFor();
  await page.getByRole('button', { name: 'Begrepen' }).click();
  await syncState().filter({ hasText: 'Alles is verstuurd' }).waitFor();
  assert.deepEqual(problems, []);
});

// finishOffline opens task id, goes offline, (with start) taps Start, and reports it
// done with an after photo, hours and a note: everything waits in the outbox.
async function finishOffline(id, heading, { start, hours, note, queued }) {
  await page.goto('/crew');
  await page.getByRole('button', { name: 'Vernieuwen' }).click();
  await page.locator(`[data-task="${id}"]`).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  await ctx.setOffline(true);
  if (start) await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('button', { name: 'Klaar', exact: true }).click();
  await page.locator('.panel input[type=file]').setInputFiles(PHOTO);
  await page.getByText('De foto is klaar om te versturen.').waitFor();
  await page.getByLabel('Hoeveel uur heeft u eraan gewerkt?').fill(hours);
  await page.getByLabel(/^Notitie/).fill(note);
  await page.getByRole('button', { name: 'Klaar melden' }).click();
  await syncState().filter({ hasText: queued }).waitFor();
}

// moveTo asks, as the planner, to move job id to the team with code.
async function moveTo(id, code) {
  const desk = await deskAuth();
  const teams = await call('/api/v1/desk/teams', { headers: desk });
  const to = teams.body.teams.find((x) => x.code === code);
  return call(`/api/v1/planner/jobs/${id}/reassign`, { method: 'POST', headers: { ...desk, 'If-Match': `"${(await facts(id)).version}"` },
    json: { team_id: to.id, reason: 'Noord heeft tijd' } });
}

test('work finished offline is not thrown away by a move: a started task stays; a dropped one is shown until read', async () => {
  // Started online, finished offline: the planner may not move it meanwhile, and the
  // work arrives.
  const started = await report('afval.zwerfvuil', { latitude: 51.9612, longitude: 6.3180 }, 'Zakken afval bij de bank');
  await page.goto('/crew');
  await page.getByRole('button', { name: 'Vernieuwen' }).click();
  await page.locator(`[data-task="${started.job_id}"]`).click();
  await page.getByRole('button', { name: 'Start' }).click();
  await eventually(async () => assert.equal((await facts(started.job_id)).status, 'in_progress'));
  await finishOffline(started.job_id, 'Zwerfvuil', { hours: '0,25', note: 'Zakken opgehaald.', queued: '2 acties wachten op verbinding' });
  const refused = await moveTo(started.job_id, 'doetinchem-noord');
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  assert.equal(refused.body.type, '/problems/job-started');
  await ctx.setOffline(false);
  await syncState().filter({ hasText: 'Alles is verstuurd' }).waitFor({ timeout: 20000 });
  const f = await eventually(async () => {
    const x = await facts(started.job_id);
    assert.equal(x.status, 'done');
    return x;
  });
  assert.equal(f.hours, 0.25);
  assert.equal(f.after_photos, 1);
  assert.equal(await page.getByTestId('conflict').count(), 0);

  // Not started: the planner may move it. The work is done all the same, and the new
  // crew has not begun: the start (their task now) is dropped quietly, the photo, hours
  // and note arrive, and the job is done with this crew. No notice of lost work.
  const late = await report('afval.zwerfvuil', { latitude: 51.9614, longitude: 6.3184 }, 'Blikjes bij de bank');
  await finishOffline(late.job_id, 'Zwerfvuil', { start: true, hours: '0,5', note: 'Blikjes opgeruimd.', queued: '3 acties wachten op verbinding' });
  const move = await moveTo(late.job_id, 'doetinchem-noord');
  assert.equal(move.status, 200, JSON.stringify(move.body));
  await ctx.setOffline(false);
  const g = await eventually(async () => {
    const x = await facts(late.job_id);
    assert.equal(x.status, 'done');
    return x;
  }, { timeout: 20000 });
  assert.equal(g.hours, 0.5);
  assert.equal(g.after_photos, 1);
  assert.equal(g.team, f.team, 'done with the crew that did the work');
  await syncState().filter({ hasText: 'Alles is verstuurd' }).waitFor({ timeout: 20000 });
  await page.getByTestId('task-status').filter({ hasText: 'Klaar' }).waitFor();
  assert.equal(await page.getByTestId('conflict').count(), 0);

  // Moved, and the new crew has begun: what the phone did offline cannot count. The pill
  // says so until the crew member has read the notice, which keeps the hours and the
  // note to pass on; the desk reads the hours in the job's history.
  const moved = await report('afval.zwerfvuil', { latitude: 51.9618, longitude: 6.3186 }, 'Glas bij de speeltuin');
  await finishOffline(moved.job_id, 'Zwerfvuil', { start: true, hours: '0,25', note: 'Glas geveegd.\nBak geleegd.', queued: '3 acties wachten op verbinding' });
  const res = await moveTo(moved.job_id, 'doetinchem-noord');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const other = await otherCrewStarts(moved.job_id, 'doetinchem-noord');
  try {
    await ctx.setOffline(false);
    const conflict = page.getByTestId('conflict');
    await conflict.waitFor({ timeout: 20000 });
    assert.match(await conflict.textContent(), /naar een andere ploeg gegaan/);
    await syncState().filter({ hasText: '3 acties niet verstuurd' }).waitFor({ timeout: 20000 });
    assert.equal(await syncState().getAttribute('data-state'), 'notsent');
    const lost = page.getByTestId('conflict-lost');
    await lost.getByText('Fatima Ouali: 0,25 uur').waitFor();
    // The note keeps its two lines, to pass on as it was written.
    const lostNote = lost.locator('li').filter({ hasText: 'Notitie: Glas geveegd.' });
    assert.equal(await lostNote.evaluate((el) => el.innerText), 'Notitie: Glas geveegd.\nBak geleegd.');
    await axe(page, 'crew-dropped');
    // Another screen, the same: not sent, until read.
    await page.goto('/crew');
    await syncState().filter({ hasText: '3 acties niet verstuurd' }).waitFor();
    await page.getByTestId('conflict').getByText('Fatima Ouali: 0,25 uur').waitFor();
    await page.getByRole('button', { name: 'Begrepen' }).click();
    await syncState().filter({ hasText: 'Alles is verstuurd' }).waitFor();
    const h = await facts(moved.job_id);
    assert.equal(h.status, 'in_progress');
    assert.equal(h.hours, 0);
    const detail = await call(`/api/v1/planner/jobs/${moved.job_id}`, { headers: await deskAuth() });
    const ev = detail.body.history.find((e) => e.action === 'late_work');
    assert.ok(ev, JSON.stringify(detail.body.history));
    assert.equal(ev.unbooked_hours, 0.25);
    assert.equal(ev.by_name, 'Fatima Ouali');
    assert.deepEqual(problems, []);
  } finally {
    await other.done();
  }
});

// otherCrewStarts has a new specialist of the team with code start task id, as the crew
// a planner moved it to. done() lets the specialist go again.
async function otherCrewStarts(id, code) {
  const desk = await deskAuth();
  const teams = await call('/api/v1/desk/teams', { headers: desk });
  const team = teams.body.teams.find((x) => x.code === code);
  const w = await call('/api/v1/desk/workers', { method: 'POST', headers: desk, json: { team_id: team.id, name: `Sem de Vries ${id}`, role: 'specialist' } });
  assert.equal(w.status, 201, JSON.stringify(w.body));
  const auth = await pairPhone(w.body.id);
  const res = await call(`/mobile/v1/tasks/${id}/start`, { method: 'POST', json: {},
    headers: { ...auth, 'Idempotency-Key': `e2e-other-start-${id}`, 'If-Match': `"${(await facts(id)).version}"` } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { done: () => call(`/api/v1/desk/workers/${w.body.id}/deactivate`, { method: 'POST', headers: desk }) };
}

test('a photo for a task a colleague closed meanwhile is dropped alone; the step after it is refused with the task as it is now', async () => {
  const rc = await report('afval.zwerfvuil', { latitude: 51.9647, longitude: 6.3220 }, 'Blikjes bij het bankje');
  // Offline, this phone takes a before photo and starts the task.
  await photoThenStartOffline(rc.job_id);
  // Meanwhile a colleague finishes the task: it takes no more photos.
  const auth = await colleague();
  const tasks = await call('/mobile/v1/tasks', { headers: auth });
  const version = tasks.body.tasks.find((x) => x.id === rc.job_id).version;
  const done = await call(`/mobile/v1/tasks/${rc.job_id}/complete`, { method: 'POST', json: {},
    headers: { ...auth, 'Idempotency-Key': `e2e-complete-${rc.job_id}`, 'If-Match': `"${version}"` } });
  assert.equal(done.status, 200, JSON.stringify(done.body));

  // Back online: the photo is refused alone and said why; the start goes out after it and
  // is refused in turn, with the task as the server has it.
  await ctx.setOffline(false);
  const conflicts = page.getByTestId('conflict');
  await eventually(async () => assert.equal(await conflicts.count(), 2));
  const photo = await conflicts.filter({ hasText: 'afgesloten' }).textContent();
  assert.doesNotMatch(photo, /ook niet verstuurd/);
  assert.match(await conflicts.filter({ hasText: 'Start' }).textContent(), /Klaar/);
  await syncState().filter({ hasText: '2 acties niet verstuurd' }).waitFor({ timeout: 20000 });
  await page.getByTestId('task-status').filter({ hasText: 'Klaar' }).waitFor();
  const f = await facts(rc.job_id);
  assert.equal(f.status, 'done');
  for (let i = 0; i < 2 && await conflicts.count(); i++) await conflicts.first().getByRole('button', { name: 'Begrepen' }).click();
  await syncState().filter({ hasText: 'Alles is verstuurd' }).waitFor();
  assert.deepEqual(problems, []);
});

test('a trainee completes work for two: names the specialist, types "1,5" hours', async () => {
  // Mowing grass needs a specialist beside a trainee (the category's rule "paired").
  const rc = await report('groen.gras', OOSSELD, 'Gras langs het fietspad is te hoog.');
  const tctx = await phone(browser, { geolocation: { latitude: 51.9615, longitude: 6.3170 } });
  const tp = await tctx.newPage();
  const tproblems = watch(tp);
  await tp.goto('/crew');
  await tp.getByLabel('Koppelcode (8 cijfers)').fill(env('TRAINEE_PAIRING_CODE'));
  await tp.getByRole('button', { name: 'Koppelen' }).click();
  await tp.getByText('Hallo Priya Ramdin.', { exact: false }).waitFor();
  await tp.locator(`[data-task="${rc.job_id}"]`).click();
  await tp.getByText('Doe dit samen met een vakspecialist.').waitFor();
  await tp.getByRole('button', { name: 'Start' }).click();
  await tp.getByTestId('task-status').filter({ hasText: 'Mee bezig' }).waitFor();
  await tp.getByRole('button', { name: 'Klaar', exact: true }).click();
  await tp.locator('.panel input[type=file]').setInputFiles(PHOTO);
  await tp.getByText('De foto is klaar om te versturen.').waitFor();
  // Hours as people type them, with a comma.
  await tp.getByLabel('Hoeveel uur heeft u eraan gewerkt?').fill('1,5');
  // Without a specialist chosen: said at the field, nothing sent.
  await tp.getByRole('button', { name: 'Klaar melden' }).click();
  await tp.getByText('Kies de vakspecialist met wie u werkte.').waitFor();
  const who = tp.getByLabel('Met welke vakspecialist?');
  assert.ok(await who.evaluate((el) => el === document.activeElement), 'focus on the specialist');
  await who.selectOption({ label: 'Fatima Ouali' });
  await axe(tp, 'crew-done-trainee');
  await shot(tp, 'crew-7-done-trainee');
  await tp.getByRole('button', { name: 'Klaar melden' }).click();
  const f = await eventually(async () => {
    const x = await facts(rc.job_id);
    assert.equal(x.status, 'done');
    return x;
  });
  assert.equal(f.hours_by, 'Fatima Ouali=1.50,Priya Ramdin=1.50', 'both get 1,5 hours');
  assert.deepEqual(tproblems, []);
  await tctx.close();
});

test('a task the planner moved to another crew says so on its page, not "not found"', async () => {
  const rc = await report('afval.zwerfvuil', OOSSELD, 'Zakken afval bij de container');
  await page.goto('/crew');
  await page.getByRole('button', { name: 'Vernieuwen' }).click();
  const card = page.locator(`[data-task="${rc.job_id}"]`);
  await card.click();
  await page.getByTestId('task-status').waitFor();

  // The planner moves it to another crew.
  const login = await call('/api/v1/desk/login', { method: 'POST', json: { email: env('DESK_EMAIL'), password: env('DESK_PASSWORD') } });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const auth = { Authorization: `Bearer ${login.body.token}` };
  const teams = (await call('/api/v1/desk/teams', { headers: auth })).body.teams;
  const { version } = await facts(rc.job_id);
  let moved = null;
  // The first other crew that does this kind of work (422 for one that does not).
  for (const other of teams.filter((x) => x.name !== env('TEAM_NAME'))) {
    moved = await call(`/api/v1/planner/jobs/${rc.job_id}/reassign`, { method: 'POST',
      headers: { ...auth, 'If-Match': String(version) }, json: { team_id: other.id, reason: 'Die ploeg is er morgen toch' } });
    if (moved.status !== 422) break;
  }
  assert.equal(moved && moved.status, 200, JSON.stringify(moved && moved.body));

  // The phone syncs: the task leaves the list, and its page says where it went.
  await page.getByRole('link', { name: 'Alle taken' }).click();
  await page.getByRole('button', { name: 'Vernieuwen' }).click();
  await card.waitFor({ state: 'detached' });
  await page.goto(`/crew/taak/${rc.job_id}`);
  await page.getByRole('heading', { name: 'Deze taak is naar een andere ploeg gegaan' }).waitFor();
  assert.equal(await page.getByText('Taak niet gevonden').count(), 0);
  await axe(page, 'crew-task-moved');
  // A task the phone never had is still "not found".
  await page.goto('/crew/taak/999999');
  await page.getByRole('heading', { name: 'Taak niet gevonden' }).waitFor();
  assert.deepEqual(problems, []);
});

test('the notice of a trainee\'s lost hours names the specialist who left the crew meanwhile', async () => {
  // A trainee and a specialist of Ploeg Centrum, new at the desk; mowing needs both.
  const desk = await deskAuth();
  const rc = await report('groen.gras', CENTRUM, 'Gras bij de kerk is te hoog.');
  const teams = await call('/api/v1/desk/teams', { headers: desk });
  const team = teams.body.teams.find((x) => x.name === rc.team.name);
  const create = async (name, role) => {
    const res = await call('/api/v1/desk/workers', { method: 'POST', headers: desk, json: { team_id: team.id, name, role } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id;
  };
  const specialist = await create('Noor Bakker', 'specialist');
  const trainee = await create('Tim Visser', 'trainee');
  const code = await call(`/api/v1/desk/workers/${trainee}/pairing-code`, { method: 'POST', headers: desk });
  assert.equal(code.status, 201, JSON.stringify(code.body));
  const tctx = await phone(browser, { geolocation: CENTRUM });
  const tp = await tctx.newPage();
  const tproblems = watch(tp);
  let other = null;
  try {
    await tp.goto('/crew');
    await tp.getByLabel('Koppelcode (8 cijfers)').fill(code.body.code);
    await tp.getByRole('button', { name: 'Koppelen' }).click();
    await tp.getByText('Hallo Tim Visser.', { exact: false }).waitFor();
    await tp.locator(`[data-task="${rc.job_id}"]`).click();
    // No signal: the work waits on the phone, with the specialists it knows.
    await tctx.setOffline(true);
    await tp.getByRole('button', { name: 'Start' }).click();
    await tp.getByRole('button', { name: 'Klaar', exact: true }).click();
    await tp.locator('.panel input[type=file]').setInputFiles(PHOTO);
    await tp.getByText('De foto is klaar om te versturen.').waitFor();
    await tp.getByLabel('Met welke vakspecialist?').selectOption({ label: 'Noor Bakker' });
    await tp.getByLabel('Hoeveel uur heeft u eraan gewerkt?').fill('1,5');
    await tp.getByRole('button', { name: 'Klaar melden' }).click();
    await tp.getByTestId('sync-state').filter({ hasText: '3 acties wachten op verbinding' }).waitFor();

    // Meanwhile Noor leaves the crew, and the planner gives the job to another team.
    assert.equal((await call(`/api/v1/desk/workers/${specialist}/deactivate`, { method: 'POST', headers: desk })).status, 200);
    assert.equal((await moveTo(rc.job_id, 'doetinchem-noord')).status, 200);
    // The new crew begins at once: the work of this phone cannot count any more.
    other = await otherCrewStarts(rc.job_id, 'doetinchem-noord');
    // The signal comes back, weak: sending fails, the sync after it gets through, and the
    // phone's list of specialists no longer has Noor. (The context's route: the service
    // worker may send too.)
    await tctx.route(`**/mobile/v1/tasks/${rc.job_id}/**`, (r) => r.abort());
    const listed = tp.waitForResponse((r) => r.url().includes('/mobile/v1/specialists'));
    await tctx.setOffline(false);
    const specialists = await (await listed).json();
    assert.ok(!specialists.specialists.some((s) => s.id === specialist), 'Noor is off the list');
    await tctx.unroute(`**/mobile/v1/tasks/${rc.job_id}/**`);
    await tp.goto('/crew');
    await tp.getByRole('button', { name: 'Vernieuwen' }).click();
    // The work is refused (the job went elsewhere); the notice names who worked.
    const lost = tp.getByTestId('conflict-lost');
    await lost.waitFor({ timeout: 20000 });
    assert.deepEqual(await lost.locator('li').allTextContents(), ['Tim Visser: 1,5 uur', 'Noor Bakker: 1,5 uur']);
    assert.deepEqual(tproblems, []);
  } finally {
    await tctx.close();
    if (other) await other.done();
    await call(`/api/v1/desk/workers/${trainee}/deactivate`, { method: 'POST', headers: desk });
  }
});
