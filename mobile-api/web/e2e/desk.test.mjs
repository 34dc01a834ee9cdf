// A planner at a desk browser (1280×900), and the same board on a phone: sign in, the
// board, the map, overdue work, rebalancing, initiatives and participation. Parts whose
// API is not there yet must say so ("nog niet beschikbaar"); the test reports which.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axe, call, env, launch, phone, results, shot, watch } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const PARTS = ['workload', 'map', 'overdue', 'rebalance', 'initiatives', 'participation'];

// settled waits until no part of the dashboard is still loading.
async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.desk-section .loading'), null, { timeout: 20000 });
}

test('a planner signs in and sees the board', async () => {
  const ctx = await phone(browser, { width: 1280, height: 900, mobile: false });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto('/desk');
  await page.getByRole('heading', { name: 'Inloggen voor planners' }).waitFor();
  await axe(page, 'desk-login');
  await shot(page, 'desk-1-login', { fullPage: false });

  await page.getByLabel('E-mailadres').fill(env('DESK_EMAIL'));
  await page.getByLabel('Wachtwoord').fill('niet-het-goede-wachtwoord');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.getByRole('alert').filter({ hasText: 'klopt niet' }).waitFor();

  await page.getByLabel('Wachtwoord').fill(env('DESK_PASSWORD'));
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.getByRole('heading', { name: 'Overzicht', level: 1 }).waitFor();
  await page.getByText(`${env('DESK_EMAIL')} (planner)`).waitFor();
  await settled(page);

  // Which parts have their API yet?
  const state = {};
  for (const id of PARTS.filter((x) => x !== 'rebalance')) {
    state[id] = await page.locator(`#${id} [data-state="unavailable"]`).count() ? 'not yet available (404)' : 'served';
  }

  const board = await call('/api/v1/planner/board', { headers: { Authorization: 'Bearer x' } });
  if (state.workload === 'served') {
    // One row per team of the municipality, with a utilisation bar.
    const rows = page.locator('#workload table').first().locator('tbody tr');
    assert.ok(await rows.count() >= 9, `teams on the board: ${await rows.count()}`);
    await page.locator('#workload').getByText(env('TEAM_NAME')).first().waitFor();
    assert.ok(await page.locator('#workload .meter-wrap').count() > 0, 'utilisation bars');
  } else {
    assert.equal(board.status, 401, 'the planner routes answer (401 without a session) or are 404 for everyone');
    // What the desk API already knows is shown instead.
    await page.getByTestId('teams-fallback').getByText(env('TEAM_NAME')).waitFor();
  }
  if (state.map === 'served') await page.locator('#map').getByText(/open werkorders? op de kaart/).waitFor();

  {
    // Rebalancing asks the server only when the planner asks for a suggestion.
    await page.getByRole('button', { name: 'Maak een voorstel' }).click();
    await page.waitForFunction(() => !document.querySelector('#rebalance button[disabled]'));
    const unavailable = await page.locator('#rebalance [data-state="unavailable"]').count();
    if (unavailable) {
      state.rebalance = 'not yet available (404)';
    } else {
      const apply = page.getByRole('button', { name: 'Toepassen' });
      if (await apply.count()) {
        await apply.click();
        await page.locator('#rebalance').getByText(/Toegepast: \d+ werkorders? (is|zijn) verplaatst\./).waitFor();
        state.rebalance = 'applied a suggestion';
      } else {
        await page.locator('#rebalance').getByText('Er is nu niets te verdelen').waitFor();
        state.rebalance = 'served, nothing to move';
      }
    }
    console.log(`# planner screens: ${JSON.stringify(state)}`);
    results({ desk: state });
    // With the planner's API there, TestE2E made Oosseld's crew overloaded: there must be
    // a suggestion to apply.
    if (state.workload === 'served') assert.equal(state.rebalance, 'applied a suggestion');
  }

  await axe(page, 'desk-board');
  await shot(page, 'desk-2-board');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'desk-2-board-top', { fullPage: false });
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  await settled(page);
  await axe(page, 'desk-board-en');
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await page.getByRole('heading', { name: 'Overzicht', level: 1 }).waitFor();
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('the board also works on a phone', async () => {
  const ctx = await phone(browser);
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto('/desk');
  await page.getByLabel('E-mailadres').fill(env('DESK_EMAIL'));
  await page.getByLabel('Wachtwoord').fill(env('DESK_PASSWORD'));
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.getByRole('heading', { name: 'Overzicht', level: 1 }).waitFor();
  await settled(page);
  await axe(page, 'desk-board-phone');
  await shot(page, 'desk-3-board-phone');
  assert.deepEqual(problems, []);
  await ctx.close();
});
