// The planner dashboard at /desk: sign in, then one page with the open jobs on a map by
// team, the workload per team against capacity, what is overdue, what the crews could not
// complete (to send back to work or close), suggestions to spread
// work between teams, the residents' initiatives (the proposals waiting for a decision
// first; one in detail with its support jobs, the residents' logged work and the
// planner's actions), the participation figures, and the people in the user's areas (planners can see and unpair
// their phones there, and make a pairing code for a new one). Each part loads on its own; a part whose API is not there yet
// says so ("nog niet beschikbaar") and the rest still works.
// Leaflet's styles first, so ours override them.
import 'leaflet/dist/leaflet.css';
import './style.css';
import { api, ApiError, problemText } from './api.js';
import { barChart, meter } from './charts.js';
import { announce, field, h, mount, setFieldError, uid } from './dom.js';
import { fmtDate, fmtDateTime, fmtNumber, fmtTime, getLang, onLangChange, plural, ready, t } from './i18n.js';
import { icon } from './icons.js';
import { createMap, dotIcon, L } from './map.js';
import { frame, mapWords, registerServiceWorker, statusLabel, whenIdle } from './shell.js';

const root = document.getElementById('app');
const TOKEN = 'wijkwerk.desk.token';
const PALETTE = ['#0b5cad', '#b3261e', '#1b7a3a', '#7a2e8f', '#a04a00', '#00707a', '#7d6200', '#c2185b', '#4a5a6a', '#5b3cc4', '#2e6b00', '#8c2d04', '#005a8c', '#6d4c41'];
let ui;
let session = null; // {token, user}
let teams = []; // from /api/v1/desk/teams
let week = isoWeek(new Date());
let sections = {};

function token() { return session && session.token; }

// call is api() with the desk session; a 401 ends the session.
async function call(path, opts = {}) {
  try {
    return await api(path, { ...opts, token: token() });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && session) {
      sessionStorage.removeItem(TOKEN);
      session = null;
      loginScreen(() => t('login.expired'));
    }
    throw err;
  }
}

// ---------------------------------------------------------------- weeks

export function isoWeek(d) {
  const date = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const day = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - day);
  const year = date.getUTCFullYear();
  const start = new Date(Date.UTC(year, 0, 1));
  const w = Math.ceil(((date - start) / 864e5 + 1) / 7);
  return `${year}-W${String(w).padStart(2, '0')}`;
}

function weekMonday(w) {
  const [y, n] = w.split('-W').map(Number);
  const jan4 = new Date(Date.UTC(y, 0, 4));
  const monday = new Date(jan4);
  monday.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() || 7) - 1) + (n - 1) * 7);
  return monday;
}

function shiftWeek(w, by) {
  const m = weekMonday(w);
  m.setUTCDate(m.getUTCDate() + 7 * by);
  return isoWeek(new Date(m.getUTCFullYear(), m.getUTCMonth(), m.getUTCDate()));
}

// ---------------------------------------------------------------- login

// login holds the sign-in form's state while it is shown, so that a redraw in the other
// language keeps what was typed and the message above the form. The password is kept
// too: it stays in this page's memory only (never in storage, the URL or the markup),
// just as it is in the field it was typed in, so emptying it protects nothing and makes
// the planner type it again. A new sign-in screen (after signing out or an expired
// session) starts empty.
let login = null;

// loginScreen shows the sign-in form. message: words above the form, or a function
// giving them in the current language. keep: a redraw, what was typed stays.
function loginScreen(message, { keep = false } = {}) {
  const before = keep && login ? login : null;
  if (before) message = before.message;
  keptForms = new Map(); // signed out: no one's typing comes back
  ui = frame(root, { title: t('desk.app') });
  document.title = `${t('title.desk.login')} · Wijkwerk`;
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, value: before ? before.email.value : null });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, value: before ? before.password.value : null });
  const text = typeof message === 'function' ? message() : message;
  const err = h('div', { class: 'alert alert-error', role: 'alert', hidden: !text }, text || '');
  const state = { email, password, message };
  login = state;
  const btn = h('button', { type: 'submit', class: 'btn btn-primary' }, t('login.submit'));
  const form = h('form', { class: 'panel login', novalidate: true, 'aria-labelledby': 'login-title', onsubmit: async (e) => {
    e.preventDefault();
    err.hidden = true;
    state.message = null;
    if (!email.value.trim() || !password.value) {
      state.message = () => t('login.missing');
      mount(err, state.message());
      err.hidden = false;
      (email.value.trim() ? password : email).focus();
      return;
    }
    btn.disabled = true;
    try {
      const res = await api('/api/v1/desk/login', { method: 'POST', json: { email: email.value.trim(), password: password.value } });
      session = { token: res.token, expires: res.expires_at };
      sessionStorage.setItem(TOKEN, JSON.stringify(session));
      if (login === state) login = null; // signed in: the password is not kept any longer
      await dashboard(true);
    } catch (ex) {
      btn.disabled = false;
      // A wrong address or password in the page's own words, so the language switch
      // gives it in the other language; anything else as the server said it.
      state.message = ex instanceof ApiError && ex.status === 401 ? () => t('login.wrong') : problemText(ex);
      mount(err, typeof state.message === 'function' ? state.message() : state.message);
      err.hidden = false;
      password.focus();
    }
  } },
  h('h1', { id: 'login-title' }, t('login.title')),
  h('p', null, t('login.intro')),
  err,
  field({ label: t('login.email'), input: email }),
  field({ label: t('login.password'), input: password }),
  btn);
  mount(ui.main, form);
}

// ---------------------------------------------------------------- forms kept over a redraw

// The dashboard is drawn anew when the language changes. An action form that is open
// then (a move's team and reason, a closing note, an initiative's decision, a
// development note) opens again in the new drawing with what was typed, as the sign-in
// form does (login above). keptForms holds, by the form's key (what it does and to what:
// "move:12"), the values of its fields by name, until the form is drawn again. Only in
// this page's memory, as in the fields.
let keptForms = new Map();

// keepForms notes the open forms that have a key (keyed()), before the dashboard is redrawn.
function keepForms() {
  keptForms = new Map();
  for (const form of document.querySelectorAll('form[data-keep]')) {
    if (form.closest('[hidden]')) continue; // closed: nothing to keep
    const values = {};
    for (const el of form.elements) if (el.name && el.type !== 'submit' && el.type !== 'button') values[el.name] = el.value;
    keptForms.set(form.dataset.keep, values);
  }
}

// keyed gives form its key and, when the form was open before a redraw, what was typed.
function keyed(key, form) {
  form.dataset.keep = key;
  const values = keptForms.get(key);
  if (values) {
    keptForms.delete(key);
    for (const el of form.elements) if (el.name && values[el.name] != null) el.value = values[el.name];
  }
  return form;
}

// ---------------------------------------------------------------- dashboard

// The dashboard's sections: id, icon, and whether only planners and admins may see it
// (the API answers job coaches 403 there, so they do not get those sections at all).
const SECTIONS = [
  ['workload', 'list', true],
  ['map', 'map', true],
  ['overdue', 'clock', true],
  ['stuck', 'alert', true],
  ['rebalance', 'sync', true],
  ['initiatives', 'flower', true],
  ['participation', 'people', false],
  ['workers', 'people', false],
];

// isPlanner: planners and admins plan the work and manage phones; job coaches see less.
function isPlanner(user) {
  return !!user && (user.role === 'planner' || user.role === 'admin');
}

async function dashboard(focus = false) {
  let me;
  try {
    me = await call('/api/v1/desk/me');
  } catch (err) {
    if (!session) return;
    loginScreen(problemText(err));
    return;
  }
  session.user = me;
  const planner = isPlanner(me);
  const shown = SECTIONS.filter(([, , plannersOnly]) => planner || !plannersOnly);
  const logout = h('button', { type: 'button', class: 'btn btn-quiet', onclick: async () => {
    try { await call('/api/v1/desk/logout', { method: 'POST' }); } catch { /* signed out anyway */ }
    sessionStorage.removeItem(TOKEN);
    session = null;
    loginScreen(() => t('login.loggedOut'));
  } }, icon('logout'), t('desk.logout'));
  ui = frame(root, {
    title: t('desk.app'),
    tools: [h('span', { class: 'who' }, `${me.email} (${t(`role.${me.role}`)})`), logout],
    nav: shown.map(([id, ic]) => ({ href: `#${id}`, label: t(`desk.${id}`), icon: ic })),
    navLabel: t('desk.navLabel'),
  });
  // In-page links: not app navigation.
  ui.header.parentNode.querySelectorAll('nav a[data-link]').forEach((a) => a.removeAttribute('data-link'));
  document.title = `${t('title.desk.board')} · Wijkwerk`;

  const weekText = h('span', { class: 'week-text', 'aria-live': 'polite' });
  const weekBar = h('div', { class: 'week-bar', role: 'group', 'aria-label': t('desk.week') },
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => setWeek(shiftWeek(week, -1)) }, icon('back'), t('desk.prevWeek')),
    weekText,
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => setWeek(shiftWeek(week, 1)) }, t('desk.nextWeek')));
  sections = {};
  const parts = shown.map(([id]) => {
    const body = h('div', { class: 'section-body' });
    // Loading from the start: the teams are fetched before the sections' own data.
    loading(body);
    sections[id] = body;
    return h('section', { id, class: `desk-section desk-${id}`, 'aria-labelledby': `${id}-title`, tabindex: '-1' },
      h('h2', { id: `${id}-title` }, t(`desk.${id}`)), body);
  });
  mount(ui.main, h('h1', { tabindex: '-1' }, t('desk.title')), planner ? weekBar : null, h('div', { class: 'desk-grid' }, parts));
  if (focus) ui.main.querySelector('h1').focus();

  function setWeek(w) {
    week = w;
    weekText.textContent = t('desk.weekOf', { week: w.split('-W')[1], year: w.split('-W')[0], date: fmtDate(weekMonday(w).toISOString().slice(0, 10)) });
    return loadBoard();
  }
  try {
    teams = (await call('/api/v1/desk/teams')).teams || [];
  } catch {
    teams = [];
  }
  if (planner) {
    Promise.allSettled([setWeek(week), loadMap()]).then(() => loadOverdue());
    loadStuck();
    rebalanceIdle();
    loadInitiatives();
  }
  loadParticipation();
  loadWorkers();
}

function teamColour(id) {
  const i = teams.findIndex((x) => x.id === id);
  return PALETTE[(i >= 0 ? i : Math.abs(Number(id) || 0)) % PALETTE.length];
}

function teamName(ref) {
  if (ref == null) return t('desk.noTeam');
  if (typeof ref === 'object') return ref.name || ref.code || `#${ref.id}`;
  const found = teams.find((x) => x.id === ref || x.code === ref);
  return found ? found.name : `#${ref}`;
}

function unavailable(box, what) {
  mount(box, h('p', { class: 'alert alert-info', 'data-state': 'unavailable' }, icon('info'), t('common.notYet', { what })));
}

function failed(box, err) {
  if (err instanceof ApiError && err.status === 404) return false;
  mount(box, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(err)));
  return true;
}

function loading(box) { mount(box, h('p', { class: 'loading' }, t('common.loading'))); }

// num reads the first of keys that holds a number, or counts an array.
function num(obj, ...keys) {
  for (const k of keys) {
    const v = obj && obj[k];
    if (typeof v === 'number') return v;
    if (Array.isArray(v)) return v.length;
  }
  return null;
}

const fmtHours = (v) => (v == null ? '—' : `${fmtNumber(v, 1)} ${t('unit.hours')}`);

// ---------------------------------------------------------------- workload

let board = null;

async function loadBoard() {
  const box = sections.workload;
  loading(box);
  try {
    board = await call(`/api/v1/planner/board?week=${encodeURIComponent(week)}`);
  } catch (err) {
    board = null;
    if (failed(box, err)) return;
    unavailable(box, t('desk.workload'));
    box.appendChild(teamsFallback());
    return;
  }
  const rows = (board.teams || []).map((x) => {
    const used = num(x, 'estimated_hours', 'hours_estimated', 'estimated', 'workload_hours', 'hours');
    const cap = num(x, 'capacity_hours', 'capacity');
    return { team: x, used, cap, open: num(x, 'open_jobs', 'open'), overdue: num(x, 'overdue', 'overdue_jobs'), soon: num(x, 'due_soon', 'due_soon_jobs') };
  });
  mount(box,
    stuckNotice(board),
    rows.length ? workloadTable(rows, t('desk.team')) : h('p', null, t('desk.noTeams')),
    board.districts && board.districts.length ? [
      h('h3', null, t('desk.perDistrict')),
      workloadTable(board.districts.map((x) => ({
        team: x,
        used: num(x, 'estimated_hours', 'hours_estimated', 'estimated', 'hours'),
        cap: num(x, 'capacity_hours', 'capacity'),
        open: num(x, 'open_jobs', 'open'),
        overdue: num(x, 'overdue', 'overdue_jobs'),
        soon: num(x, 'due_soon', 'due_soon_jobs'),
      })), t('desk.district'), { capacity: false }),
    ] : null);
}

// stuckNotice says on the board how many jobs the crews could not complete, with a link
// to the list where the planner decides about them; nothing when there are none.
function stuckNotice(b) {
  // What the list holds: also the planner's teams' jobs outside their areas.
  const n = num(b || {}, 'cannot_complete_listed');
  if (!n) return null;
  return h('p', { class: 'alert alert-warn stuck-count', 'data-testid': 'stuck-count' }, icon('alert'),
    h('a', { href: '#stuck', onclick: (e) => {
      const target = document.getElementById('stuck');
      if (!target) return;
      e.preventDefault();
      target.scrollIntoView();
      target.focus();
    } }, plural('desk.stuckCount', n)));
}

// tableWrap lets a wide table scroll on its own on a phone; it can take focus, so the
// keyboard can scroll it too.
function tableWrap(label, ...children) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label }, children);
}

// workloadTable shows open work per team (with capacity) or per district (without).
function workloadTable(rows, firstHeader, { capacity = true } = {}) {
  return tableWrap(capacity ? t('desk.workload') : t('desk.perDistrict'), h('table', { class: 'data-table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, firstHeader),
      h('th', { scope: 'col', class: 'num' }, t('desk.open')),
      h('th', { scope: 'col', class: 'num' }, capacity ? t('desk.hours') : t('desk.hoursOnly')),
      capacity ? h('th', { scope: 'col' }, t('desk.utilisation')) : null,
      h('th', { scope: 'col', class: 'num' }, t('desk.overdueShort')),
      h('th', { scope: 'col', class: 'num' }, t('desk.soon')))),
    h('tbody', null, rows.map((r) => h('tr', null,
      h('th', { scope: 'row' }, capacity ? h('span', { class: 'swatch', 'aria-hidden': 'true' }, swatch(r.team.id ?? r.team.team_id)) : null, r.team.name || r.team.team_name || r.team.code),
      h('td', { class: 'num' }, r.open ?? '—'),
      h('td', { class: 'num' }, capacity ? `${fmtHours(r.used)} / ${fmtHours(r.cap)}` : fmtHours(r.used)),
      !capacity ? null : h('td', null, !r.cap ? t('desk.noCapacity') : meter({ used: r.used || 0, capacity: r.cap || 0,
        label: t('desk.meterLabel', { name: r.team.name || r.team.code || '', pct: r.cap ? Math.round(((r.used || 0) / r.cap) * 100) : '—' }) })),
      h('td', { class: `num ${r.overdue ? 'due-late' : ''}` }, r.overdue ?? '—'),
      h('td', { class: 'num' }, r.soon ?? '—'))))));
}

function swatch(teamID) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  el.setAttribute('viewBox', '0 0 12 12');
  el.setAttribute('width', '12');
  el.setAttribute('height', '12');
  el.setAttribute('aria-hidden', 'true');
  const c = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
  c.setAttribute('cx', '6');
  c.setAttribute('cy', '6');
  c.setAttribute('r', '6');
  c.setAttribute('fill', teamColour(teamID));
  el.appendChild(c);
  return el;
}

// teamsFallback shows what /desk/teams already knows: open jobs and workers per team.
function teamsFallback() {
  if (!teams.length) return h('p', null, t('desk.noTeams'));
  return tableWrap(t('desk.workload'),
    h('p', { class: 'hint' }, t('desk.fallbackTeams')),
    h('table', { class: 'data-table', 'data-testid': 'teams-fallback' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('desk.team')),
        h('th', { scope: 'col', class: 'num' }, t('desk.open')),
        h('th', { scope: 'col', class: 'num' }, t('desk.workers')),
        h('th', { scope: 'col' }, t('desk.serves')))),
      h('tbody', null, teams.map((x) => h('tr', null,
        h('th', { scope: 'row' }, h('span', { class: 'swatch' }, swatch(x.id)), x.name),
        h('td', { class: 'num' }, x.open_jobs),
        h('td', { class: 'num' }, x.workers),
        h('td', null, [...new Set((x.serves || []).map((s) => s.area_name))].join(', ')))))));
}

// ---------------------------------------------------------------- map

let jobs = null;

async function loadMap() {
  const box = sections.map;
  const mapEl = h('div', { id: 'desk-map' });
  const note = h('div');
  const legend = h('ul', { class: 'legend', 'aria-label': t('desk.legend') }, teams.map((x) => h('li', null, swatch(x.id), x.name)));
  mount(box, note, mapEl, legend);
  const map = createMap(mapEl, { ...mapWords(t('desk.mapLabel'), 'view'), zoom: 13 });
  try {
    jobs = await call('/api/v1/planner/jobs.geojson');
  } catch (err) {
    jobs = null;
    if (!failed(note, err)) unavailable(note, t('desk.map'));
    return;
  }
  const feats = (jobs && jobs.features) || [];
  const pts = [];
  for (const f of feats) {
    if (!f.geometry || f.geometry.type !== 'Point') continue;
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties || {};
    const team = p.team_id ?? (p.team && p.team.id);
    pts.push([lat, lon]);
    L.marker([lat, lon], { icon: dotIcon(teamColour(team)), keyboard: false, title: p.category_name || p.category || '' })
      .bindPopup(() => jobSummary(f).outerHTML).addTo(map);
  }
  if (pts.length) map.fitBounds(pts, { maxZoom: 15, padding: [20, 20] });
  note.appendChild(h('p', { class: 'hint' }, plural('desk.jobsOnMap', pts.length)));
}

function jobSummary(f) {
  const p = f.properties || {};
  return h('div', null,
    h('strong', null, p.category_name || p.category || `#${p.id ?? f.id}`),
    h('br'), `${t('desk.team')}: ${p.team_name || teamName(p.team_id)}`,
    h('br'), `${t('desk.due')}: ${fmtDate(p.due_date)}`,
    p.status ? [h('br'), statusLabel(p.status)] : null);
}

// ---------------------------------------------------------------- overdue

// loadOverdue lists what is past its due date: from planner/overdue, or else from the
// board or the map's jobs when they carry it.
async function loadOverdue(message) {
  const box = sections.overdue;
  if (!box) return;
  loading(box);
  let list = null;
  try {
    const res = await call('/api/v1/planner/overdue');
    list = (res.jobs || []).map(overdueItem);
  } catch (err) {
    if (failed(box, err)) return;
  }
  const today = new Date().toISOString().slice(0, 10);
  if (!list && board) {
    const direct = board.overdue_jobs || (Array.isArray(board.overdue) ? board.overdue : null);
    if (direct) list = direct.map(overdueItem);
  }
  if (!list && jobs) {
    list = (jobs.features || []).map((f) => ({ ...(f.properties || {}), id: (f.properties || {}).id ?? f.id }))
      .filter((p) => p.overdue === true || (p.due_date && p.due_date < today))
      .map(overdueItem);
  }
  if (!list) {
    unavailable(box, t('desk.overdue'));
    return;
  }
  list.sort((a, b) => (a.due || '').localeCompare(b.due || ''));
  const note = message ? h('p', { class: 'alert alert-ok', role: 'status', tabindex: '-1' }, icon('check'), message) : null;
  mount(box, note, list.length
    ? h('ul', { class: 'card-list compact' }, list.map((j) => h('li', { class: 'card', 'data-job': j.id },
      h('p', { class: 'card-title' }, `#${j.id} ${j.category || ''}`),
      h('p', null, [j.team, j.area, j.status ? statusLabel(j.status) : null].filter(Boolean).join(' · ')),
      h('p', { class: 'due-late' }, t('due.late', { date: fmtDate(j.due) })),
      // The crew is at it: it does not move (the server refuses, job-started) until the
      // crew finishes it or says it could not, so no move button, only the way out.
      j.status === 'in_progress' ? h('p', { class: 'hint' }, t('move.busy')) : null,
      detailButton(j),
      j.version && j.status !== 'in_progress' && isPlanner(session && session.user) ? moveButton(j) : null)))
    : h('p', null, t('desk.noOverdue')));
  if (note) note.focus();
}

// disclosure is a button that shows and hides panel (aria-expanded), and calls onOpen
// each time it shows it; what onOpen returns (an element) gets the focus. A panel with a
// data-keep key holds a form of that key (keyed()): when the form was open before the
// dashboard was drawn anew, the panel opens again by itself, the focus left where it is.
function disclosure(panel, onOpen, ...label) {
  const toggle = (focus) => {
    const open = btn.getAttribute('aria-expanded') !== 'true';
    btn.setAttribute('aria-expanded', String(open));
    panel.hidden = !open;
    if (!open) return;
    const target = onOpen();
    if (focus && target instanceof HTMLElement) target.focus();
  };
  const btn = h('button', { type: 'button', class: 'btn btn-secondary', 'aria-expanded': 'false', 'aria-controls': panel.id, onclick: () => toggle(true) }, ...label);
  // After the section that holds it is drawn.
  if (panel.dataset.keep && keptForms.has(panel.dataset.keep)) queueMicrotask(() => toggle(false));
  return btn;
}

// moveButton lets a planner move one job to another team that does its kind of work
// (POST planner/jobs/{id}/reassign, with the version the list showed): a reason is
// required, and the server's refusal (a stale version, a team without a specialist for
// the work, a job the crew started meanwhile) is shown in the card.
// With opts.label the button says something else; opts.sameTeam offers the job's own
// team too (a job the crew could not complete may go back to it); opts.done runs after a
// move, with the job and the team's name.
function moveButton(j, opts = {}) {
  const box = h('div', { class: 'move', id: uid('move'), hidden: true, 'data-keep': `${opts.sameTeam ? 'again' : 'move'}:${j.id}` });
  const open = disclosure(box, () => { mount(box, keyed(box.dataset.keep, moveForm(j, open, opts))); return box.querySelector('select'); },
    icon('sync'), opts.label || t('move.open'), h('span', { class: 'visually-hidden' }, ` ${t('move.which', { id: j.id })}`));
  return h('div', null, open, box);
}

// detailButton shows what a job is about and what happened to it (GET planner/jobs/{id}):
// the residents' reports, the photos, the crew's closing words and the history.
function detailButton(j) {
  const box = h('div', { class: 'job-detail', id: uid('job'), hidden: true });
  const open = disclosure(box, () => loadDetail(j.id, box),
    icon('info'), t('job.open'), h('span', { class: 'visually-hidden' }, ` ${t('job.which', { id: j.id })}`));
  return h('div', null, open, box);
}

// known is the text for key, or fallback when there is none.
const known = (key, fallback) => { const s = t(key); return s === key ? fallback : s; };

// message (after a change) is shown first, as a status, and gets the focus. contacts
// (the answer of contactButton's lookup) are shown in place of the button, with the
// focus on them; drawn anew without them (the details closed and opened), they are gone.
async function loadDetail(id, box, message, contacts) {
  loading(box);
  let d;
  try {
    d = await call(`/api/v1/planner/jobs/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!failed(box, err)) unavailable(box, t('job.open'));
    return;
  }
  (box.photoURLs || []).forEach((u) => URL.revokeObjectURL(u));
  box.photoURLs = [];
  const photos = h('ul', { class: 'photo-list' });
  for (const [i, p] of (d.photos || []).entries()) {
    const img = h('img', { alt: t(`photo.${p.kind}`), loading: 'lazy' });
    const remove = h('button', { type: 'button', class: 'btn btn-warn', 'data-testid': 'photo-remove',
      onclick: () => confirmRemovePhoto(id, p, box, img, remove) },
    icon('cross'), t('job.photoRemove'), h('span', { class: 'visually-hidden' }, ` ${i + 1}: ${t(`photo.${p.kind}`)}`));
    photos.appendChild(h('li', { class: 'photo-item' }, img, h('span', { class: 'photo-kind' }, t(`photo.${p.kind}`)), remove));
    call(p.url, { raw: true, headers: { Accept: 'image/*' } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => { if (b) { img.src = URL.createObjectURL(b); box.photoURLs.push(img.src); } })
      .catch(() => { img.alt = `${t(`photo.${p.kind}`)} – ${t('photo.offline')}`; });
  }
  const reports = d.reports || [];
  const history = d.history || [];
  const note = message ? h('p', { class: 'alert alert-ok', role: 'status', tabindex: '-1' }, icon('check'), message) : null;
  mount(box,
    note,
    h('h3', null, t('job.what')),
    h('p', { class: 'note-text' }, d.description || t('job.noText')),
    h('h3', null, plural('job.reports', reports.length)),
    h('ul', { class: 'plain-list' }, reports.map((r) => h('li', null,
      h('p', { class: 'hint' }, t('job.report', { date: fmtDateTime(r.created_at), channel: known(`job.channel.${r.channel}`, r.channel) })),
      r.description ? h('p', { class: 'note-text' }, r.description) : null,
      Object.entries(r.answers || {}).map(([k, v]) => h('p', null, `${humanize(k)}: ${v}`))))),
    contacts ? reporterContacts(contacts) : contactButton(id, box),
    h('h3', null, t('job.photos')),
    (d.photos || []).length ? photos : h('p', null, t('job.noPhotos')),
    d.note || d.reason ? [h('h3', null, t('job.closing')),
      d.reason ? h('p', null, t('job.reason', { reason: known(`reason.${d.reason}`, d.reason) })) : null,
      d.reason_text ? h('p', { class: 'note-text' }, d.reason_text) : null,
      d.note ? h('p', { class: 'note-text' }, d.note) : null] : null,
    h('h3', null, t('job.history')),
    h('ol', { class: 'plain-list history' }, history.map((e) => h('li', null,
      h('strong', null, known(`job.act.${e.action}`, e.action)),
      ` · ${fmtDateTime(e.at)} · ${e.by_name || t(`job.by.${e.by}`)}`,
      e.from_team || e.to_team ? h('br') : null,
      e.from_team || e.to_team ? t('job.move', { from: e.from_team || '–', to: e.to_team || '–' }) : null,
      e.reason && e.action !== 'cannot-complete' ? [h('br'), (getLang() === 'en' && e.reason_en) || e.reason] : null,
      e.reason && e.action === 'cannot-complete' ? [h('br'), known(`reason.${e.reason}`, e.reason)] : null,
      e.photo_kind ? [h('br'), known(`photo.${e.photo_kind}`, e.photo_kind)] : null,
      e.contacts != null ? [h('br'), plural('job.contactsShown', e.contacts)] : null,
      e.unbooked_hours ? [h('br'), h('span', { 'data-testid': 'unbooked' }, t('job.unbooked', { hours: fmtNumber(e.unbooked_hours, 2) }))] : null))));
  if (note) note.focus();
  else if (contacts) box.querySelector('.reporter-contacts').focus();
}

// contactButton looks up how the job's reporters may be reached (GET
// planner/jobs/{id}/contacts): personal data, so only on a click, never with the
// details, and the server records each lookup in the history, which the details then
// show (they are loaded again, with the contacts).
function contactButton(id, box) {
  const result = h('div', { 'aria-live': 'polite' });
  const btn = h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
    btn.disabled = true;
    let res;
    try {
      res = await call(`/api/v1/planner/jobs/${encodeURIComponent(id)}/contacts`);
    } catch (err) {
      btn.disabled = false;
      if (session) mount(result, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(err)));
      return;
    }
    await loadDetail(id, box, null, res.contacts || []);
  } }, icon('people'), t('job.contactOpen'), h('span', { class: 'visually-hidden' }, ` ${t('job.which', { id })}`));
  return h('div', { class: 'reporter-contact' }, btn, h('p', { class: 'hint' }, t('job.contactHint')), result);
}

// reporterContacts shows the e-mail addresses and phone numbers the reporters gave, as
// links to write or call, and that the lookup was recorded.
function reporterContacts(list) {
  return h('section', { class: 'reporter-contacts', tabindex: '-1', 'data-testid': 'reporter-contacts' },
    h('h3', null, t('job.contactsTitle')),
    list.length
      ? h('ul', { class: 'plain-list' }, list.map((c) => h('li', null,
        h('p', { class: 'hint' }, t('job.contactReport', { date: fmtDateTime(c.reported_at) })),
        h('dl', { class: 'facts' },
          c.email ? [h('dt', null, t('job.contactEmail')), h('dd', null, h('a', { href: `mailto:${c.email}` }, c.email))] : null,
          c.phone ? [h('dt', null, t('job.contactPhone')), h('dd', null, h('a', { href: `tel:${c.phone.replace(/[^\d+]/g, '')}` }, c.phone))] : null,
          h('dt', null, t('job.contactUpdates')), h('dd', null, t(c.wants_updates ? 'job.contactYes' : 'job.contactNo'))))))
      : h('p', null, t('job.contactsNone')),
    h('p', { class: 'hint' }, t('job.contactsRecorded')));
}

// confirmRemovePhoto asks first (confirmDialog), then takes the photo off job id
// (DELETE planner/jobs/{id}/photos/{kind}/{hash}): it is gone for the crew and for
// residents too. The detail is loaded again and says so; a refusal is shown in the
// dialog, which stays open.
function confirmRemovePhoto(id, p, box, img, opener) {
  const preview = img.src ? h('img', { src: img.src, alt: t(`photo.${p.kind}`), class: 'dialog-photo' }) : null;
  confirmDialog({
    name: 'photo', opener, parent: box, yesLabel: t('job.photoRemoveYes'),
    title: t('job.photoRemoveTitle'),
    texts: [preview, h('p', null, t(`photo.${p.kind}`)), h('p', null, t('job.photoRemoveText')), h('p', null, t('job.photoRemoveKeep'))],
    onYes: async ({ err, close }) => {
      try {
        await call(`/api/v1/planner/jobs/${encodeURIComponent(id)}/photos/${encodeURIComponent(p.kind)}/${encodeURIComponent(p.hash)}`, { method: 'DELETE' });
      } catch (ex) {
        if (!session) return true; // signed out (401): the login screen has replaced everything
        mount(err, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(ex)));
        return false;
      }
      close();
      await loadDetail(id, box, t('job.photoRemoved'));
      return true;
    },
  });
}

function moveForm(j, opener, opts = {}) {
  // Teams that do this kind of work, other than the job's own (unless opts.sameTeam).
  const fits = teams.filter((x) => (opts.sameTeam || x.id !== j.teamID) && (!j.department || (x.serves || []).some((s) => s.department === j.department)));
  const team = h('select', { name: 'team' }, h('option', { value: '' }, t('move.pick')), fits.map((x) => h('option', { value: String(x.id) },
    x.id === j.teamID ? t('move.sameTeam', { team: x.name }) : x.name)));
  const reason = h('textarea', { rows: '2', maxlength: '500', name: 'reason' });
  const result = h('div', { 'aria-live': 'polite' });
  const go = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('check'), t('move.submit'));
  return h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    setFieldError(team, '');
    setFieldError(reason, '');
    if (!team.value) { setFieldError(team, t('move.errTeam')); team.focus(); return; }
    if (!reason.value.trim()) { setFieldError(reason, t('move.errReason')); reason.focus(); return; }
    go.disabled = true;
    try {
      await call(`/api/v1/planner/jobs/${encodeURIComponent(j.id)}/reassign`, { method: 'POST',
        headers: { 'If-Match': `"${j.version}"` }, json: { team_id: Number(team.value), reason: reason.value.trim() } });
    } catch (err) {
      actionFailed(err, go, result, () => (opts.done ? loadStuck() : loadOverdue()));
      return;
    }
    const chosen = teams.find((x) => x.id === Number(team.value));
    const to = chosen ? chosen.name : team.options[team.selectedIndex].textContent;
    if (opts.done) opts.done(j, to);
    else loadOverdue(t('move.done', { id: j.id, team: to }));
    loadBoard();
    loadMap();
  } },
    field({ label: t('move.team'), input: team }),
    field({ label: t('move.reason'), hint: t('move.reasonHint'), input: reason }),
    result,
    h('div', { class: 'btn-row' }, go, h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => {
      opener.click();
      opener.focus();
    } }, t('common.cancel'))));
}

function overdueItem(j) {
  const category = getLang() === 'en' ? j.category_name_en || j.category_name || j.category_name_nl : j.category_name_nl || j.category_name;
  const area = typeof j.area === 'object' && j.area ? j.area.name : j.area_name || j.area;
  return { id: j.id ?? j.job_id, category: category || j.category, team: j.team_name || teamName(j.team_id ?? j.team), due: j.due_date, area,
    version: j.version, teamID: j.team_id, department: j.department, status: j.status };
}

// ---------------------------------------------------------------- could not complete

let stuckTeam = ''; // the team the list is narrowed to ('' for all)

// loadStuck lists the jobs the crews could not complete (planner/cannot-complete), the
// longest waiting first: the crew's reason, who said so, how long it waits, and what the
// planner can do: send it to a team again (the same one too) or close it.
async function loadStuck(message, focusFilter = false) {
  const box = sections.stuck;
  if (!box) return;
  loading(box);
  let res;
  try {
    res = await call(`/api/v1/planner/cannot-complete${stuckTeam ? `?team_id=${encodeURIComponent(stuckTeam)}` : ''}`);
  } catch (err) {
    if (!failed(box, err)) unavailable(box, t('desk.stuck'));
    return;
  }
  const list = res.jobs || [];
  const note = message ? h('p', { class: 'alert alert-ok', role: 'status', tabindex: '-1' }, icon('check'), message) : null;
  const filter = h('select', { name: 'stuck-team', onchange: () => { stuckTeam = filter.value; loadStuck(undefined, true); } },
    h('option', { value: '' }, t('stuck.allTeams')),
    teams.map((x) => h('option', { value: String(x.id), selected: String(x.id) === stuckTeam }, x.name)));
  const planner = isPlanner(session && session.user);
  mount(box,
    h('p', null, t('stuck.intro')),
    teams.length > 1 ? field({ label: t('stuck.team'), input: filter }) : null,
    note,
    list.length
      ? h('ul', { class: 'card-list compact', 'data-testid': 'stuck-list' }, list.map((raw) => {
        const j = overdueItem(raw);
        return h('li', { class: 'card', 'data-job': j.id },
          h('p', { class: 'card-title' }, `#${j.id} ${j.category || ''}`),
          h('p', null, [j.team, j.area].filter(Boolean).join(' · ')),
          h('p', null, h('strong', null, t('stuck.reason', { reason: known(`reason.${raw.reason}`, raw.reason || '—') }))),
          raw.reason_text ? h('p', { class: 'note-text' }, `“${raw.reason_text}”`) : null,
          h('p', { class: 'hint' }, [
            raw.reported_by_name ? t('stuck.by', { name: raw.reported_by_name }) : null,
            raw.waiting_days > 0 ? plural('stuck.waiting', raw.waiting_days) : t('stuck.today'),
          ].filter(Boolean).join(' · ')),
          detailButton(j),
          planner && j.version ? moveButton(j, { label: t('stuck.again'), sameTeam: true,
            done: (job, team) => { loadStuck(t('stuck.planned', { id: job.id, team })); loadOverdue(); } }) : null,
          planner && j.version ? closeButton(j) : null);
      }))
      : h('p', null, t(stuckTeam ? 'stuck.noneTeam' : 'stuck.none')),
    res.truncated ? h('p', { class: 'hint' }, t('stuck.truncated', { n: list.length })) : null);
  if (note) note.focus();
  else if (focusFilter && filter.isConnected) filter.focus();
}

// actionFailed shows under a desk action's form why it failed, and gives the keyboard
// back to its button (disabled while the request ran, so focus had fallen to the page).
// When the work changed meanwhile (409), what the planner sees is old: a button draws the
// list or the detail anew (reload).
function actionFailed(err, go, result, reload) {
  if (!session) return;
  go.disabled = false;
  const stale = err instanceof ApiError && err.status === 409;
  mount(result, h('div', { class: 'alert alert-error', role: 'alert' }, h('p', null, problemText(err)),
    stale ? h('button', { type: 'button', class: 'btn', onclick: reload }, icon('sync'), t('common.refresh')) : null));
  go.focus();
}

// closeButton lets a planner close a job the crew could not complete (POST
// planner/jobs/{id}/close with the version the list showed): nothing more happens to it.
function closeButton(j) {
  const box = h('div', { class: 'move', id: uid('close'), hidden: true, 'data-keep': `close:${j.id}` });
  const open = disclosure(box, () => { mount(box, keyed(box.dataset.keep, closeForm(j, open))); return box.querySelector('textarea'); },
    icon('check'), t('stuck.close'), h('span', { class: 'visually-hidden' }, ` ${t('move.which', { id: j.id })}`));
  return h('div', null, open, box);
}

function closeForm(j, opener) {
  const note = h('textarea', { rows: '2', maxlength: '500', name: 'note' });
  const result = h('div', { 'aria-live': 'polite' });
  const go = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('check'), t('stuck.closeSubmit'));
  return h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    go.disabled = true;
    try {
      await call(`/api/v1/planner/jobs/${encodeURIComponent(j.id)}/close`, { method: 'POST',
        headers: { 'If-Match': `"${j.version}"` }, json: { note: note.value.trim() } });
    } catch (err) {
      actionFailed(err, go, result, () => loadStuck());
      return;
    }
    loadStuck(t('stuck.closed', { id: j.id }));
    loadBoard();
  } },
    h('p', null, t('stuck.closeIntro')),
    field({ label: t('stuck.note'), hint: t('stuck.noteHint'), input: note }),
    result,
    h('div', { class: 'btn-row' }, go, h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => {
      opener.click();
      opener.focus();
    } }, t('common.cancel'))));
}

// ---------------------------------------------------------------- rebalance

// rebalanceIdle shows the start of the rebalance section; after a planner's step (focus)
// the focus goes to its message, or to the button.
function rebalanceIdle(message, focus = false) {
  const box = sections.rebalance;
  const btn = h('button', { type: 'button', class: 'btn btn-primary', onclick: () => propose(btn) }, icon('sync'), t('reb.propose'));
  const note = message ? h('p', { class: 'alert alert-ok', role: 'status', tabindex: '-1' }, message) : null;
  mount(box, h('p', null, t('reb.intro')), note, btn);
  if (focus) (note || btn).focus();
}

async function propose(btn) {
  const box = sections.rebalance;
  btn.disabled = true;
  let plan;
  try {
    plan = await call('/api/v1/planner/rebalance', { method: 'POST', json: { week } });
  } catch (err) {
    btn.disabled = false;
    if (!failed(box, err)) unavailable(box, t('desk.rebalance'));
    return;
  }
  const moves = plan.moves || [];
  const peak = (x) => {
    if (!x) return null;
    const vals = Array.isArray(x) ? x.map((r) => num(r, 'utilisation', 'utilization')) : Object.values(x).map((v) => (typeof v === 'number' ? v : num(v, 'utilisation', 'utilization')));
    const nums = vals.filter((v) => typeof v === 'number');
    if (!nums.length) return null;
    const m = Math.max(...nums);
    return Math.round(m * 100);
  };
  // Utilisation is a fraction: 1 is 100 %.
  const pct = (v) => (typeof v === 'number' ? Math.round(v * 100) : null);
  const before = pct(plan.peak_before) ?? pct(plan.max_before) ?? peak(plan.before);
  const after = pct(plan.peak_after) ?? pct(plan.max_after) ?? peak(plan.after);
  // Teams with work but no hours: no other team may take that work, so say so.
  const unstaffed = (plan.unstaffed || []).length
    ? h('p', { class: 'alert alert-warn' }, t('reb.unstaffed', { teams: plan.unstaffed.map((x) => x.name).join(', ') }))
    : null;
  const apply = h('button', { type: 'button', class: 'btn btn-primary', onclick: async () => {
    apply.disabled = true;
    try {
      const res = await call(`/api/v1/planner/rebalance/${encodeURIComponent(plan.id)}/apply`, { method: 'POST', json: {} });
      const n = num(res || {}, 'moves', 'applied', 'moved') ?? moves.length;
      rebalanceIdle(plural('reb.applied', n), true);
      announce(ui.live, plural('reb.applied', n));
      loadBoard();
      loadMap();
    } catch (err) {
      apply.disabled = false;
      // A stale proposal (409) says itself what changed and to ask for a new one; a
      // proposal that expired or is another planner's is 404.
      mount(result, h('p', { class: 'alert alert-error', role: 'alert' }, err.status === 404 ? t('reb.gone') : problemText(err)));
    }
  } }, icon('check'), t('reb.apply'));
  const result = h('div', { 'aria-live': 'polite' });
  mount(box,
    moves.length ? [
      before != null && after != null ? h('p', { class: 'lead' }, t('reb.peak', { before, after })) : null,
      unstaffed,
      h('ol', { class: 'card-list compact' }, moves.map((m) => h('li', { class: 'card' },
        h('p', { class: 'card-title' }, [t('reb.job', { id: m.job_id }), m.category_name || m.category].filter(Boolean).join(' · ')),
        h('p', null, t('reb.move', { from: teamName(m.from_team_name || m.from_team), to: teamName(m.to_team_name || m.to_team) })),
        m.effort_hours || m.hours ? h('p', { class: 'hint' }, [fmtHours(m.effort_hours || m.hours),
          m.travel_km != null ? t('reb.km', { n: fmtNumber(m.travel_km, 1) }) : null,
          m.adjacent ? t('reb.adjacent') : null].filter(Boolean).join(' · ')) : null,
        m.reason ? h('p', { class: 'hint' }, (getLang() === 'en' && m.reason_en) || m.reason) : null))),
      h('div', { class: 'btn-row' }, apply,
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => rebalanceIdle('', true) }, t('common.cancel'))),
      result,
    ] : [h('p', null, t(unstaffed ? 'reb.noMoves' : 'reb.none')), unstaffed, h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => rebalanceIdle('', true) }, t('common.back'))]);
  // The button that was pressed is gone: the focus goes to the proposal.
  const first = box.querySelector('p');
  first.setAttribute('tabindex', '-1');
  first.focus();
}

// ---------------------------------------------------------------- initiatives

// The residents' initiatives in the planner's areas (planner/initiatives): a list, the
// proposals that wait for a decision first, then those that run, are paused, or ended;
// a status filter; and one initiative in detail, with the planner's actions the API has
// (approve with conditions, reject with a reason, pause, resume, end). The section shows
// either the list or one initiative; the open one survives a redraw (the language switch).
// Only planners and admins see this section: the API gives them the proposers' contact,
// and the detail shows it (the list does not).
let initFilter = ''; // an API status, or '' for all
let initOpen = null; // the id of the initiative shown in detail

// INIT_GROUPS orders the list: what waits for the planner first.
const INIT_GROUPS = [
  ['waiting', ['proposed']],
  ['running', ['approved', 'active']],
  ['paused', ['paused']],
  ['closed', ['ended', 'rejected']],
];
const INIT_ICONS = { approve: 'check', reject: 'cross', pause: 'clock', resume: 'play', end: 'cross' };
const INIT_STATUSES = ['proposed', 'approved', 'active', 'paused', 'ended', 'rejected'];

// INIT_ACTIONS: per action, the states it may start from (as the API's transitions),
// whether it takes a text, and whether that text is required.
const INIT_ACTIONS = {
  approve: { from: ['proposed'], text: 'conditions' },
  reject: { from: ['proposed'], text: 'reason', required: true },
  pause: { from: ['approved', 'active'], text: 'reason' },
  resume: { from: ['paused'] },
  end: { from: ['approved', 'active', 'paused'], text: 'reason' },
};

const initTitle = (x) => x.title || t('initD.untitled', { id: x.id });
const initStatusTag = (s) => h('span', { class: `tag init-tag init-tag-${s}`, 'data-testid': 'init-status' }, known(`initStatus.${s}`, s));

function loadInitiatives(opts = {}) {
  if (!sections.initiatives) return;
  if (initOpen != null) showInitiative(initOpen, opts);
  else loadInitiativeList(opts);
}

// loadInitiativeList shows the list. opts.focus: 'filter', or an initiative's id whose
// "Bekijken" button gets the focus (back from its detail).
async function loadInitiativeList(opts = {}) {
  const box = sections.initiatives;
  loading(box);
  let res;
  try {
    res = await call(`/api/v1/planner/initiatives${initFilter ? `?status=${encodeURIComponent(initFilter)}` : ''}`);
  } catch (err) {
    if (!failed(box, err)) unavailable(box, t('desk.initiatives'));
    return;
  }
  if (initOpen != null) return; // opened meanwhile
  const items = (res && res.initiatives) || [];
  const filter = h('select', { name: 'initiative-status', onchange: () => { initFilter = filter.value; loadInitiativeList({ focus: 'filter' }); } },
    h('option', { value: '' }, t('initD.all')),
    INIT_STATUSES.map((s) => h('option', { value: s, selected: s === initFilter }, t(`initStatus.${s}`))));
  const groups = INIT_GROUPS.map(([g, statuses]) => {
    const list = items.filter((x) => statuses.includes(x.status));
    // Proposals: the longest waiting first. The rest: the newest first (as the API sends them).
    if (g === 'waiting') list.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
    return { g, list };
  }).filter((x) => x.list.length);
  const waiting = items.filter((x) => x.status === 'proposed').length;
  mount(box,
    h('p', null, t('initD.intro')),
    field({ label: t('initD.filter'), input: filter }),
    !initFilter ? h('p', { class: waiting ? 'alert alert-warn' : 'hint', 'data-testid': 'init-waiting' },
      waiting ? plural('initD.waitingCount', waiting) : t('initD.noneWaiting')) : null,
    groups.length ? groups.map(({ g, list }) => {
      const id = uid('init-group');
      return h('div', { class: 'init-group', 'data-group': g },
        h('h3', { id }, `${t(`initD.group.${g}`)} (${list.length})`),
        h('ul', { class: 'card-list compact', 'aria-labelledby': id }, list.map(initiativeItem)));
    }) : h('p', null, initFilter ? t('initD.noneWith', { status: t(`initStatus.${initFilter}`) }) : t('initD.none')),
    items.length >= 500 ? h('p', { class: 'hint' }, t('initD.truncated')) : null);
  if (opts.focus === 'filter') filter.focus();
  else if (opts.focus != null) {
    const btn = box.querySelector(`[data-initiative="${opts.focus}"] button`);
    if (btn) btn.focus();
  }
}

function initiativeItem(x) {
  const area = x.area ? x.area.name : '';
  return h('li', { class: 'card', 'data-initiative': x.id },
    h('p', { class: 'card-title' }, initTitle(x), ' ', initStatusTag(x.status)),
    h('p', null, [x.theme ? known(`theme.${x.theme}`, x.theme) : null,
      x.target_level ? t('initD.levelAsked', { level: x.target_level, basic: x.basic_level || 'B' }) : null,
      area, x.area_m2 ? t('init.m2', { n: fmtNumber(Math.round(x.area_m2), 0) }) : null].filter(Boolean).join(' · ')),
    h('p', { class: 'hint' }, [
      initStatusDate(x),
      x.contributions && x.contributions.count ? t('initD.logged', { hours: fmtNumber(x.contributions.hours, 1), n: x.contributions.count }) : null,
    ].filter(Boolean).join(' · ')),
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { initOpen = x.id; showInitiative(x.id, { focus: true }); } },
      icon('info'), t('initD.open'), h('span', { class: 'visually-hidden' }, ` (${initTitle(x)})`)));
}

// initStatusDate says since when the initiative has its status: approved on (the
// decision, also after a pause), running since, paused on, ended on, rejected on.
function initStatusDate(x) {
  if (x.status === 'proposed') return t('initD.proposedOn', { date: fmtDate(x.created_at) });
  const at = x.status === 'approved' ? x.decided_at || x.status_at : x.status_at || x.decided_at;
  const key = `initD.on.${x.status}`;
  return at && t(key) !== key ? t(key, { date: fmtDate(at) }) : null;
}

// showInitiative shows one initiative in the section. opts.message (after an action) is
// shown first and takes the focus; else opts.focus puts the focus on the title.
async function showInitiative(id, opts = {}) {
  const box = sections.initiatives;
  loading(box);
  let x;
  try {
    x = await call(`/api/v1/planner/initiatives/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!session) return;
    initOpen = null;
    mount(box, h('p', { class: 'alert alert-error', role: 'alert', tabindex: '-1' }, problemText(err)), backButton(id));
    if (opts.focus) box.querySelector('.alert').focus();
    return;
  }
  if (initOpen !== id) return; // back to the list meanwhile
  const titleID = uid('init-title');
  const title = h('h3', { id: titleID, tabindex: '-1', class: 'init-title' }, initTitle(x));
  const note = opts.message ? h('p', { class: 'alert alert-ok', role: 'status', tabindex: '-1' }, icon('check'), opts.message) : null;
  mount(box, h('article', { class: 'init-detail', 'aria-labelledby': titleID, 'data-initiative-detail': x.id },
    backButton(x.id),
    title,
    note,
    h('p', null, initStatusTag(x.status), ' ', h('span', { class: 'hint' }, t('initD.code', { code: x.code }))),
    initFacts(x),
    initPlan(x),
    initContact(x),
    initSupport(x),
    initLog(x),
    initHistory(x),
    initActions(x)));
  if (note) note.focus();
  else if (opts.focus) title.focus();
}

function backButton(id) {
  return h('button', { type: 'button', class: 'btn btn-quiet init-back', onclick: () => {
    initOpen = null;
    loadInitiativeList({ focus: id });
  } }, icon('back'), t('initD.back'));
}

// initPeriod says from when to when the initiative raised (or raises) its place, from
// its history: approved on, ended on; or when it was proposed or rejected.
function initPeriod(x) {
  const at = (action) => { const e = (x.events || []).find((ev) => ev.action === action); return e ? e.at : null; };
  if (x.status === 'proposed') return t('initD.periodProposed', { date: fmtDate(x.created_at) });
  if (x.status === 'rejected') return t('initD.periodRejected', { date: fmtDate(x.decided_at || at('reject')) });
  const from = fmtDate(at('approve') || x.decided_at);
  if (x.status === 'ended') return t('initD.periodEnded', { from, to: fmtDate(x.status_at || at('end')) });
  if (x.status === 'paused') return t('initD.periodPaused', { from, to: fmtDate(x.status_at || at('pause')) });
  return t('initD.periodSince', { from });
}

function initFacts(x) {
  const row = (label, value) => (value == null || value === '' ? null : [h('dt', null, label), h('dd', null, value)]);
  return h('dl', { class: 'facts' },
    row(t('initD.area'), [x.area && x.area.name, x.district && x.district.name].filter(Boolean).join(', ')),
    row(t('initD.size'), x.area_m2 ? t('init.m2', { n: fmtNumber(Math.round(x.area_m2), 0) }) : null),
    row(t('initD.theme'), x.theme ? known(`theme.${x.theme}`, x.theme) : null),
    row(t('initD.level'), t('initD.levelValue', { level: x.target_level, basic: x.basic_level || 'B' })),
    row(t('initD.period'), initPeriod(x)),
    row(t('initD.team'), x.team ? x.team.name : null));
}

// initPlan: what the residents want and do, what they ask for, and what the planner
// answered (conditions, reason).
function initPlan(x) {
  const c = x.commitment || {};
  const r = x.requests || {};
  const materials = r.materials || [];
  const reasonKey = { rejected: 'initD.reasonRejected', paused: 'initD.reasonPaused', ended: 'initD.reasonEnded' }[x.status] || 'initD.reason';
  return [
    x.description ? [h('h4', null, t('initD.what')), h('p', { class: 'note-text' }, x.description)] : null,
    h('h4', null, t('initD.residentsDo')),
    c.tasks ? h('p', { class: 'note-text' }, c.tasks) : null,
    c.hours_per_month ? h('p', null, t('initD.commitment', { hours: fmtNumber(c.hours_per_month, 1), people: c.people || 1 })) : null,
    h('h4', null, t('initD.asks')),
    materials.length || r.guidance_hours ? h('ul', null,
      materials.map((m) => h('li', null, `${fmtNumber(m.quantity, 2)} ${m.unit} ${m.item}`)),
      r.guidance_hours ? h('li', null, t('initD.guidance', { hours: fmtNumber(r.guidance_hours, 1) })) : null)
      : h('p', null, t('initD.asksNothing')),
    x.conditions ? [h('h4', null, t('initD.conditions')), h('p', { class: 'note-text' }, x.conditions)] : null,
    x.reason ? [h('h4', null, t(reasonKey)), h('p', { class: 'note-text' }, x.reason)] : null,
  ];
}

// initContact: the proposer's contact, while it is kept (the API erases it some time
// after the initiative closed).
function initContact(x) {
  const c = x.contact;
  return [h('h4', null, t('initD.contact')),
    c ? [h('dl', { class: 'facts' },
      c.name ? [h('dt', null, t('initD.contactName')), h('dd', null, c.name)] : null,
      c.email ? [h('dt', null, t('initD.contactEmail')), h('dd', null, h('a', { href: `mailto:${c.email}` }, c.email))] : null,
      c.phone ? [h('dt', null, t('initD.contactPhone')), h('dd', null, h('a', { href: `tel:${c.phone.replace(/[^\d+]/g, '')}` }, c.phone))] : null),
    h('p', { class: 'hint' }, t('initD.contactPrivate'))]
      : h('p', null, t('initD.contactErased'))];
}

function initSupport(x) {
  const jobs = x.support_jobs || [];
  return [h('h4', null, t('initD.support')),
    jobs.length ? tableWrap(t('initD.support'), h('table', { class: 'data-table', 'data-testid': 'init-support' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('initD.supportKind')),
        h('th', { scope: 'col' }, t('initD.job')),
        h('th', { scope: 'col' }, t('initD.jobStatus')),
        h('th', { scope: 'col' }, t('desk.due')),
        h('th', { scope: 'col' }, t('desk.team')))),
      h('tbody', null, jobs.map((j) => h('tr', { 'data-job': j.job_id },
        h('th', { scope: 'row' }, known(`initD.kind.${j.kind}`, j.kind)),
        h('td', null, `#${j.job_id}`),
        h('td', null, statusLabel(j.status)),
        h('td', null, supportDue(j)),
        h('td', null, j.team_id ? teamName(j.team_id) : t('desk.noTeam')))))))
      : h('p', null, t(x.status === 'proposed' ? 'initD.supportLater' : 'initD.supportNone'))];
}

// supportDue is what a support task says about its date: when it was done once done (as
// a job's tracking page no longer gives a due date then), none once cancelled (ending the
// initiative cancels what is open), else when it is due.
function supportDue(j) {
  if (j.status === 'done') return j.closed_at ? t('initD.doneOn', { date: fmtDate(j.closed_at) }) : '—';
  if (j.status === 'cancelled') return t('initD.dueCancelled');
  return fmtDate(j.due_date);
}

function initLog(x) {
  const log = x.contribution_log || [];
  const sum = x.contributions || { count: 0, hours: 0 };
  return [h('h4', null, t('initD.log')),
    h('p', { 'data-testid': 'init-log-total' }, sum.count ? t('initD.logTotal', { n: sum.count, hours: fmtNumber(sum.hours, 1) }) : t('initD.logNone')),
    log.length ? tableWrap(t('initD.log'), h('table', { class: 'data-table', 'data-testid': 'init-log' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, t('initD.logDate')),
        h('th', { scope: 'col', class: 'num' }, t('desk.hoursOnly')),
        h('th', { scope: 'col', class: 'num' }, t('initD.logPeople')),
        h('th', { scope: 'col' }, t('initD.logWhat')))),
      h('tbody', null, log.map((c) => h('tr', null,
        h('th', { scope: 'row' }, fmtDate(c.date)),
        h('td', { class: 'num' }, fmtNumber(c.hours, 1)),
        h('td', { class: 'num' }, c.people),
        h('td', null, c.what)))))) : null];
}

function initHistory(x) {
  const events = x.events || [];
  if (!events.length) return null;
  const who = (a) => (a === 'resident' ? t('initD.by.resident') : String(a || '').startsWith('desk:') ? t('initD.by.desk') : t('initD.by.system'));
  return [h('h4', null, t('initD.history')),
    h('ol', { class: 'plain-list history' }, events.map((e) => h('li', null,
      h('strong', null, known(`initD.act.${e.action}`, e.action)),
      ` · ${fmtDateTime(e.at)} · ${who(e.actor)}`,
      e.detail && e.detail.conditions ? [h('br'), t('initD.historyConditions', { text: e.detail.conditions })] : null,
      e.detail && e.detail.reason ? [h('br'), e.detail.reason] : null)))];
}

// initActions offers what the planner may do now, each behind a button that opens a
// short form: the text (conditions or reason) the residents will read, and a button.
function initActions(x) {
  const actions = Object.entries(INIT_ACTIONS).filter(([, a]) => a.from.includes(x.status));
  if (!actions.length) return [h('h4', null, t('initD.actions')), h('p', null, t('initD.noActions'))];
  return [h('h4', null, t('initD.actions')),
    h('div', { class: 'init-actions' }, actions.map(([name, a]) => {
      const box = h('div', { class: 'move', id: uid(`init-${name}`), hidden: true, 'data-keep': `init-${name}:${x.id}` });
      const open = disclosure(box, () => {
        mount(box, keyed(box.dataset.keep, initActionForm(x, name, a, open)));
        return box.querySelector('textarea') || box.querySelector('button[type="submit"]');
      }, icon(INIT_ICONS[name]), t(`initD.do.${name}`));
      return h('div', null, open, box);
    }))];
}

function initActionForm(x, name, a, opener) {
  const text = a.text ? h('textarea', { rows: '3', maxlength: '2000', name: a.text }) : null;
  const result = h('div', { 'aria-live': 'polite' });
  const go = h('button', { type: 'submit', class: `btn ${name === 'reject' || name === 'end' ? 'btn-warn' : 'btn-primary'}` },
    icon(name === 'reject' || name === 'end' ? 'cross' : 'check'), t(`initD.submit.${name}`));
  return h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (text) setFieldError(text, '');
    const value = text ? text.value.trim() : '';
    if (a.required && !value) { setFieldError(text, t('initD.needReason')); text.focus(); return; }
    go.disabled = true;
    let res;
    try {
      res = await call(`/api/v1/planner/initiatives/${encodeURIComponent(x.id)}/${name}`, { method: 'POST', json: a.text ? { [a.text]: value } : {} });
    } catch (err) {
      actionFailed(err, go, result, () => showInitiative(x.id));
      return;
    }
    const jobs = (res && res.support_jobs) || [];
    const message = name === 'approve' && jobs.length ? `${t('initD.done.approve')} ${plural('initD.jobsMade', jobs.length)}` : t(`initD.done.${name}`);
    showInitiative(x.id, { message });
    // Approving makes jobs for a crew, ending cancels them: the board changes.
    if (name === 'approve' || name === 'end') { loadBoard(); loadMap(); }
  } },
    h('p', null, t(`initD.explain.${name}`, { level: x.target_level, basic: x.basic_level || 'B' })),
    text ? field({ label: t(`initD.label.${name}`), hint: t('initD.textHint'), input: text }) : null,
    result,
    h('div', { class: 'btn-row' }, go, h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => {
      opener.click();
      opener.focus();
    } }, t('common.cancel'))));
}

// ---------------------------------------------------------------- participation

async function loadParticipation() {
  const box = sections.participation;
  loading(box);
  const to = new Date();
  const from = new Date(to.getFullYear(), to.getMonth() - 2, 1);
  const q = new URLSearchParams({ from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) });
  let res;
  try {
    res = await call(`/api/v1/planner/participation?${q}`);
  } catch (err) {
    if (!failed(box, err)) unavailable(box, t('desk.participation'));
    return;
  }
  const { stats, charts, lists } = participationView(res || {});
  for (const [k, v] of Object.entries(res && res.workers && res.hours ? {} : res || {})) {
    if (typeof v === 'number') stats.push({ label: humanize(k), value: v });
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      const data = Object.entries(v).filter(([, x]) => typeof x === 'number').map(([l, x]) => ({ label: humanize(l), value: x }));
      if (data.length) charts.push({ title: humanize(k), data });
    } else if (Array.isArray(v) && v.length && v[0] && typeof v[0] === 'object') {
      const keys = Object.keys(v[0]);
      const lk = keys.find((x) => typeof v[0][x] === 'string');
      const vk = keys.find((x) => typeof v[0][x] === 'number' && !/(^|_)id$/.test(x));
      if (lk && vk) charts.push({ title: `${humanize(k)} (${humanize(vk)})`, data: v.map((r) => ({ label: humanize(r[lk]), value: r[vk] })) });
    }
  }
  const csv = h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
    try {
      const r = await call(`/api/v1/planner/participation.csv?${q}`, { raw: true, headers: { Accept: 'text/csv' } });
      if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => null));
      const url = URL.createObjectURL(await r.blob());
      const a = h('a', { href: url, download: `participatie-${q.get('from')}-${q.get('to')}.csv` });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      announce(ui.live, err.status === 404 ? t('common.notYet', { what: 'CSV' }) : problemText(err));
    }
  } }, t('part.csv'));
  mount(box,
    h('p', { class: 'hint' }, t('part.period', { from: fmtDate(q.get('from')), to: fmtDate(q.get('to')) })),
    stats.length ? h('dl', { class: 'stat-tiles' }, stats.map((x) => h('div', { class: 'stat' }, h('dt', null, x.label), h('dd', null, typeof x.value === 'number' ? fmtNumber(x.value, 1) : x.value)))) : null,
    charts.map((c) => barChart({ title: c.title, data: c.data, fmt: fmtNumber })),
    lists,
    !stats.length && !charts.length ? h('p', null, t('part.empty')) : null,
    csv);
}

// participationView turns the planner's participation report (workers, hours,
// evaluations due, outflow) into figures and charts.
function participationView(p) {
  const stats = [];
  const charts = [];
  const lists = [];
  if (!p.workers || !p.hours) return { stats, charts, lists };
  const roles = (o) => Object.entries(o || {}).map(([k, v]) => ({ label: humanize(k), value: v }));
  stats.push({ label: t('part.active'), value: p.workers.active });
  stats.push({ label: t('part.hoursTotal'), value: p.hours.total });
  if (p.evaluations_due) stats.push({ label: t('part.evaluations_due'), value: p.evaluations_due.count });
  if (p.outflow) {
    stats.push({ label: t('part.outflow'), value: p.outflow.count });
    if (typeof p.outflow.rate === 'number') stats.push({ label: t('part.outflow_rate'), value: `${Math.round(p.outflow.rate * 100)}%` });
  }
  charts.push({ title: t('part.by_role'), data: roles(p.workers.by_role) });
  charts.push({ title: t('part.hoursByRole'), data: roles(p.hours.by_role) });
  const cats = (p.hours.by_category || []).map((c) => ({ label: getLang() === 'en' ? c.name_en || c.name_nl : c.name_nl || c.category, value: c.hours }));
  if (cats.length) charts.push({ title: t('part.hours_by_category'), data: cats });
  if (p.outflow && p.outflow.by_kind) {
    const kinds = Object.entries(p.outflow.by_kind).map(([k, v]) => ({ label: humanize(k), value: v }));
    if (kinds.some((x) => x.value > 0)) charts.push({ title: t('part.outflowByKind'), data: kinds });
  }
  if (p.evaluations_due && p.evaluations_due.workers && p.evaluations_due.workers.length) {
    lists.push(h('h3', null, t('part.evaluations_due')),
      h('ul', null, p.evaluations_due.workers.map((w) => h('li', null, `${w.name}: ${fmtDate(w.date)}`))));
  }
  return { stats, charts, lists };
}

// humanize turns an API key ("hours_per_category", "trainee") into words.
function humanize(k) {
  const key = `part.${k}`;
  const s = t(key);
  return s === key ? String(k).replace(/_/g, ' ') : s;
}

// ---------------------------------------------------------------- workers and phones

async function loadWorkers() {
  const box = sections.workers;
  if (!box) return;
  loading(box);
  let res;
  try {
    res = await call('/api/v1/desk/workers');
  } catch (err) {
    if (!failed(box, err)) unavailable(box, t('desk.workers'));
    return;
  }
  const list = (res && res.workers) || [];
  // Listing and unpairing phones is for planners and admins; the API answers job coaches
  // 403, so they do not get the buttons.
  const phones = isPlanner(session && session.user);
  // Development notes are for job coaches only: planners and admins get 403 from the API.
  const notes = !!session && !!session.user && session.user.role === 'jobcoach';
  mount(box,
    phones ? h('p', null, t('staff.intro')) : null,
    list.length ? h('ul', { class: 'card-list compact worker-list' }, list.map((w) => workerCard(w, phones, notes)))
      : h('p', null, t('staff.none')));
}

// workerCard is one worker in the list. A worker whose access the desk ended is "Niet
// actief"; one whose contract ended or who flowed out keeps their data, but their phone
// no longer works (has_access). message (after ending or restoring access) comes first.
function workerCard(w, phones, notes, message) {
  const teamsText = (w.teams || []).map((x) => x.name || x.code).join(', ');
  let tag = null;
  if (w.active === false) tag = h('span', { class: 'tag' }, t('staff.inactive'));
  else if (w.has_access === false) tag = h('span', { class: 'tag' }, t('staff.noAccess'));
  const li = h('li', { class: 'card', 'data-worker': w.id },
    message ? h('p', { class: 'alert alert-ok', role: 'status', tabindex: '-1' }, icon('check'), message) : null,
    h('p', { class: 'card-title' }, w.name, tag ? [' ', tag] : null),
    h('p', null, [humanize(w.role), teamsText].filter(Boolean).join(' · ')));
  if (notes) li.append(notesToggle(w));
  li.append(recordsToggle(w, phones));
  if (!phones) return li;
  const panel = h('div', { class: 'phones', id: uid('phones'), hidden: true });
  const toggle = disclosure(panel, () => loadPhones(w, panel), icon('qr'), t('phones.show'),
    h('span', { class: 'visually-hidden' }, ` ${t('phones.of', { name: w.name })}`));
  const codeBox = h('div', { class: 'pair-code', id: uid('paircode'), hidden: true });
  const make = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => issueCode(w, make, codeBox, panel) },
    icon('plus'), t('paircode.make'), h('span', { class: 'visually-hidden' }, ` ${t('paircode.for', { name: w.name })}`));
  // No pairing code where a phone would not work: access ended, or the dates say so.
  li.append(h('div', { class: 'btn-row' }, toggle, w.active === false || w.has_access === false ? null : make), codeBox, panel,
    h('div', { class: 'btn-row' }, accessButton(w, li, notes)));
  return li;
}

// accessButton lets a planner end a worker's access (someone who left: after a
// confirmation, their phones are unpaired at once and get no pushes; their hours stay),
// or give a deactivated worker access back (a new pairing code pairs a phone). The card
// is drawn again with the result, and its message takes the focus.
function accessButton(w, li, notes) {
  const which = h('span', { class: 'visually-hidden' }, ` ${t('access.of', { name: w.name })}`);
  if (w.active === false) {
    const btn = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => setAccess(w, li, notes, true, btn) },
      icon('check'), t('access.restore'), which);
    return btn;
  }
  const btn = h('button', { type: 'button', class: 'btn btn-warn', onclick: () => confirmEndAccess(w, li, notes, btn) },
    icon('cross'), t('access.end'), which);
  return btn;
}

// setAccess asks the API to end (active false) or restore a worker's access. A refusal
// is shown in err when given (the dialog), else in the card.
async function setAccess(w, li, notes, active, button, err) {
  button.disabled = true;
  let res;
  try {
    res = await call(`/api/v1/desk/workers/${encodeURIComponent(w.id)}/${active ? 'reactivate' : 'deactivate'}`, { method: 'POST' });
  } catch (ex) {
    if (!session) return false;
    button.disabled = false;
    const alert = h('p', { class: 'alert alert-error', role: 'alert' }, problemText(ex));
    if (err) mount(err, alert);
    else li.prepend(alert);
    return false;
  }
  const restored = res.has_access === false ? 'access.restoredNoPhone' : 'access.restored';
  const card = workerCard({ ...w, ...res }, true, notes, t(active ? restored : 'access.ended', { name: w.name }));
  li.replaceWith(card);
  card.querySelector('[role="status"]').focus();
  return true;
}

// confirmEndAccess asks first (confirmDialog) before ending a worker's access.
function confirmEndAccess(w, li, notes, opener) {
  confirmDialog({
    name: 'endaccess', opener, parent: li, yesLabel: t('access.confirmYes'),
    title: t('access.confirmTitle', { name: w.name }),
    texts: [h('p', null, t('access.confirmText', { name: w.name })), h('p', null, t('access.confirmKeep'))],
    // On success the card, with the dialog, is replaced.
    onYes: ({ err, yes }) => setAccess(w, li, notes, false, yes, err),
  });
}

// confirmDialog asks first, in a modal dialog: a title, its texts, a warning button
// (yesLabel) and Annuleren. Cancelling (or Escape) puts the focus back on opener. onYes
// gets the dialog's error box, its buttons and close (which closes it without moving the
// focus back), and answers whether it is done; if not (a refusal, shown in the error
// box), the dialog stays open with the focus on yes.
function confirmDialog({ name, title, texts, yesLabel, parent, opener, onYes }) {
  const id = uid(name);
  const err = h('div');
  let done = false;
  const yes = h('button', { type: 'button', class: 'btn btn-warn', onclick: async () => {
    yes.disabled = true;
    no.disabled = true;
    mount(err);
    const close = () => { done = true; dialog.close(); };
    if (await onYes({ err, yes, no, close })) { done = true; return; }
    yes.disabled = false;
    no.disabled = false;
    if (session) yes.focus();
  } }, icon('cross'), yesLabel);
  const no = h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => dialog.close() }, t('common.cancel'));
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-text` },
    h('h2', { id: `${id}-title` }, title),
    h('div', { id: `${id}-text` }, ...texts),
    err,
    h('div', { class: 'btn-row' }, yes, no));
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (!done && opener.isConnected) opener.focus();
  });
  parent.appendChild(dialog);
  dialog.showModal();
  no.focus();
}

// recordsToggle opens a worker's absences (planners and admins: their reasons can be
// sickness, so job coaches do not see them) and outflows, each with a button to remove
// one entered by mistake or twice.
function recordsToggle(w, planner) {
  const panel = h('div', { class: 'records', id: uid('records'), hidden: true });
  const toggle = disclosure(panel, () => loadRecords(w, panel, planner), icon('people'),
    t(planner ? 'records.show' : 'records.showOutflow'), h('span', { class: 'visually-hidden' }, ` ${t('records.of', { name: w.name })}`));
  return h('div', null, h('div', { class: 'btn-row' }, toggle), panel);
}

async function loadRecords(w, panel, planner, message) {
  const title = h('h3', null, t(planner ? 'records.title' : 'records.titleOutflow', { name: w.name }));
  mount(panel, title, h('p', { class: 'loading' }, t('common.loading')));
  const base = `/api/v1/desk/workers/${encodeURIComponent(w.id)}`;
  let absences = [];
  let outflows = [];
  try {
    const [a, o] = await Promise.all([planner ? call(`${base}/absences`) : null, call(`${base}/outflows`)]);
    absences = (a && a.absences) || [];
    outflows = (o && o.outflows) || [];
  } catch (err) {
    if (!session) return;
    mount(panel, title, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(err)));
    return;
  }
  const note = message ? h('p', { class: 'alert alert-ok', role: 'status', tabindex: '-1' }, icon('check'), message) : null;
  const err = h('div', { 'aria-live': 'polite' });
  const remove = (path, what) => {
    const btn = h('button', { type: 'button', class: 'btn btn-quiet', onclick: async () => {
      btn.disabled = true;
      try {
        await call(path, { method: 'DELETE' });
      } catch (ex) {
        if (!session) return;
        btn.disabled = false;
        mount(err, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(ex)));
        return;
      }
      loadRecords(w, panel, planner, t('records.removed', { what }));
    } }, icon('cross'), t('records.remove'), h('span', { class: 'visually-hidden' }, ` ${what}`));
    return btn;
  };
  const parts = [title, note, err];
  const reload = (message) => loadRecords(w, panel, planner, message);
  if (planner) {
    parts.push(h('h4', null, t('records.absences')), h('p', { class: 'hint' }, t('records.private')));
    parts.push(absences.length ? h('ul', { class: 'card-list compact absence-list' }, absences.map((a) => {
      const what = absenceText(a);
      return h('li', { class: 'card', 'data-absence': a.id }, h('p', null, what), h('div', { class: 'btn-row' }, remove(`${base}/absences/${encodeURIComponent(a.id)}`, what)));
    })) : h('p', null, t('records.absencesNone')));
    const from = h('input', { type: 'date', name: 'from', required: true });
    const to = h('input', { type: 'date', name: 'to' });
    const reason = h('select', { name: 'reason' }, ABSENCE_REASONS.map((r) => h('option', { value: r }, t(`absence.${r}`))));
    parts.push(recordForm({
      title: t('records.addAbsence'), path: `${base}/absences`, reload, keep: `absence:${w.id}`,
      fields: [field({ label: t('records.from'), input: from }), field({ label: t('records.to'), hint: t('records.toHint'), input: to }),
        field({ label: t('records.reason'), input: reason })],
      body: () => {
        if (!from.value) return [from, t('records.errDate')];
        if (to.value && to.value < from.value) return [to, t('records.errOrder')];
        return { from: from.value, to: to.value || from.value, reason: reason.value };
      },
      saved: (a) => absenceText(a),
    }));
  }
  parts.push(h('h4', null, t('records.outflows')));
  parts.push(outflows.length ? h('ul', { class: 'card-list compact outflow-list' }, outflows.map((o) => {
    const what = outflowText(o);
    return h('li', { class: 'card', 'data-outflow': o.id }, h('p', null, what), h('div', { class: 'btn-row' }, remove(`${base}/outflows/${encodeURIComponent(o.id)}`, what)));
  })) : h('p', null, t('records.outflowsNone')));
  const date = h('input', { type: 'date', name: 'date', required: true });
  const kind = h('select', { name: 'kind' }, OUTFLOW_KINDS.map((k) => h('option', { value: k }, t(`outflow.${k}`))));
  const employer = h('input', { type: 'text', name: 'employer', maxlength: '200', autocomplete: 'off' });
  parts.push(recordForm({
    title: t('records.addOutflow'), path: `${base}/outflow`, reload, keep: `outflow:${w.id}`,
    fields: [field({ label: t('records.date'), hint: t('records.dateHint', { name: w.name }), input: date }),
      field({ label: t('records.kind'), input: kind }),
      field({ label: `${t('records.employer')} ${t('common.optional')}`, input: employer })],
    body: () => (date.value ? { date: date.value, kind: kind.value, employer: employer.value.trim() } : [date, t('records.errDate')]),
    saved: (o) => outflowText(o),
  }));
  mount(panel, ...parts);
  if (note) note.focus();
}

const ABSENCE_REASONS = ['leave', 'sick', 'training', 'other'];
const OUTFLOW_KINDS = ['regular_job', 'education', 'other'];

function absenceText(a) {
  return t('records.absence', { from: fmtDate(a.from), to: fmtDate(a.to), reason: t(`absence.${a.reason}`) });
}

function outflowText(o) {
  return t('records.outflow', { date: fmtDate(o.date), kind: t(`outflow.${o.kind}`) }) + (o.employer ? ` (${o.employer})` : '');
}

// recordForm is a small form that adds an absence or an outflow: body() gives the JSON to
// send, or [input, message] for a field to fix first; after saving, the records are
// drawn again with saved(answer) as the message.
function recordForm({ title, path, fields, body, saved, reload, keep }) {
  const err = h('div', { 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', class: 'btn btn-secondary' }, icon('check'), t('records.save'));
  const inputs = () => [...form.querySelectorAll('input, select')];
  const form = h('form', { class: 'record-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    mount(err);
    for (const input of inputs()) setFieldError(input, '');
    const b = body();
    if (Array.isArray(b)) { setFieldError(b[0], b[1]); b[0].focus(); return; }
    save.disabled = true;
    let res;
    try {
      res = await call(path, { method: 'POST', json: b });
    } catch (ex) {
      if (!session) return;
      save.disabled = false;
      mount(err, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(ex)));
      return;
    }
    reload(t('records.saved', { what: saved(res) }));
  } }, h('h4', null, title), ...fields, err, save);
  return keyed(keep, form); // what was typed survives a change of language
}

// notesToggle is the button that opens a worker's development notes, with the panel it
// opens: a job coach reads them, newest first, and adds one.
function notesToggle(w) {
  const panel = h('div', { class: 'notes', id: uid('notes'), hidden: true, 'data-keep': `note:${w.id}` });
  const toggle = disclosure(panel, () => loadNotes(w, panel), icon('people'), t('notes.show'),
    h('span', { class: 'visually-hidden' }, ` ${t('notes.of', { name: w.name })}`));
  return h('div', null, h('div', { class: 'btn-row' }, toggle), panel);
}

const SKILLS = ['punctuality', 'cooperation', 'safety', 'craft'];

async function loadNotes(w, panel, message) {
  const titleID = `${panel.id}-title`;
  const title = h('h3', { id: titleID }, t('notes.title', { name: w.name }));
  mount(panel, title, h('p', { class: 'loading' }, t('common.loading')));
  let res;
  try {
    res = await call(`/api/v1/desk/workers/${encodeURIComponent(w.id)}/notes`);
  } catch (err) {
    if (!session) return;
    mount(panel, title, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(err)));
    return;
  }
  const list = (res && res.notes) || [];
  const note = message ? h('p', { class: 'alert alert-ok', role: 'status', tabindex: '-1' }, icon('check'), message) : null;
  mount(panel, title, h('p', { class: 'hint' }, t('notes.private')), note,
    list.length ? h('ul', { class: 'card-list compact note-list', 'aria-labelledby': titleID }, list.map((n) => h('li', { class: 'card' },
      h('p', { class: 'card-title' }, t(`skill.${n.skill}`), n.score ? ` · ${t('notes.scoreOf', { n: n.score })}` : ''),
      h('p', { class: 'note-text' }, n.text),
      h('p', { class: 'hint' }, t('notes.by', { author: n.author, date: fmtDateTime(n.created_at) })))))
      : h('p', null, t('notes.none')),
    keyed(panel.dataset.keep, noteForm(w, panel)));
  if (note) note.focus();
}

function noteForm(w, panel) {
  const skill = h('select', { name: 'skill' }, SKILLS.map((s) => h('option', { value: s }, t(`skill.${s}`))));
  const score = h('select', { name: 'score' }, h('option', { value: '' }, t('notes.scoreNone')),
    [1, 2, 3, 4, 5].map((n) => h('option', { value: String(n) }, t('notes.scoreOf', { n }))));
  const text = h('textarea', { rows: '3', maxlength: '4000', name: 'text' });
  const err = h('div', { 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('check'), t('notes.save'));
  const form = h('form', { class: 'note-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    setFieldError(text, '');
    if (!text.value.trim()) { setFieldError(text, t('notes.errText')); text.focus(); return; }
    save.disabled = true;
    try {
      await call(`/api/v1/desk/workers/${encodeURIComponent(w.id)}/notes`, { method: 'POST',
        json: { skill: skill.value, score: score.value ? Number(score.value) : null, text: text.value.trim() } });
    } catch (ex) {
      if (!session) return;
      save.disabled = false;
      mount(err, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(ex)));
      return;
    }
    loadNotes(w, panel, t('notes.saved'));
  } },
    h('h4', null, t('notes.add')),
    field({ label: t('notes.skill'), input: skill }),
    field({ label: `${t('notes.score')} ${t('common.optional')}`, input: score }),
    field({ label: t('notes.text'), input: text }),
    err, save);
  return form;
}

// groupCode writes a code in groups of four digits ("1234 5678"), easier to read out and
// type over.
function groupCode(code) {
  return String(code || '').replace(/(\d{4})(?=\d)/g, '$1 ');
}

// issueCode asks the API for a new pairing code for w and shows it in box: the digits,
// large, the time it stops working, and beside them the QR code that the crew app's
// "QR-code scannen" reads (the server draws it as SVG, qr_svg, from the payload
// "wijkwerk:pair?code=..."; it is shown as an image, never parsed into the page), and the
// payload as text to paste. The focus goes to the code; "Sluiten" hides it and gives the
// focus back to the button. A refusal (problem+json) is shown in box instead.
async function issueCode(w, button, box, phones) {
  const title = h('h3', null, t('paircode.title', { name: w.name }));
  const close = h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => {
    box.hidden = true;
    mount(box);
    button.focus();
    // A phone paired meanwhile shows up in the open list of phones.
    if (!phones.hidden) loadPhones(w, phones);
  } }, icon('cross'), t('paircode.close'), h('span', { class: 'visually-hidden' }, ` ${t('paircode.closeWhich', { name: w.name })}`));
  button.disabled = true;
  box.hidden = false;
  mount(box, title, h('p', { class: 'loading' }, t('common.loading')));
  let pc;
  try {
    pc = await call(`/api/v1/desk/workers/${encodeURIComponent(w.id)}/pairing-code`, { method: 'POST' });
  } catch (err) {
    if (!session) return; // signed out (401): the login screen has replaced everything
    button.disabled = false;
    mount(box, title, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(err)), h('div', { class: 'btn-row' }, close));
    return;
  }
  button.disabled = false;
  const digits = String(pc.code || '');
  const code = h('p', { class: 'pair-code-digits', tabindex: '-1', 'data-code': digits },
    h('span', { 'aria-hidden': 'true' }, groupCode(digits)),
    h('span', { class: 'visually-hidden' }, t('paircode.spoken', { digits: digits.split('').join(' ') })));
  mount(box, title,
    h('div', { class: 'pair-code-body' },
      h('div', null, code,
        h('p', { class: 'pair-code-valid' }, t('paircode.valid', { time: fmtTime(pc.expires_at) })),
        h('p', null, t('paircode.once'))),
      pc.qr_svg ? qrImage(pc.qr_svg, w) : null),
    pc.qr ? h('p', { class: 'pair-code-qr' }, t('paircode.payload'), ' ', h('code', null, pc.qr)) : null,
    h('div', { class: 'btn-row' }, close));
  code.focus();
}

// qrImage shows the server's SVG of a pairing code as an image, large enough to scan
// from the screen (CSS), named for screen readers, with how to scan it.
function qrImage(svgText, w) {
  return h('figure', { class: 'pair-code-img' },
    h('img', { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`, alt: t('paircode.qrAlt', { name: w.name }), width: '176', height: '176' }),
    h('figcaption', null, t('paircode.scan', { button: t('pair.scan') })));
}

// pairedAt shows when a phone was paired, with the time: two phones paired the same day
// must look different.
function pairedAt(v) {
  const time = fmtTime(v);
  return time ? `${fmtDate(v)}, ${time}` : fmtDate(v);
}

function platformLabel(p) {
  return ['android', 'ios', 'web'].includes(p) ? t(`platform.${p}`) : t('platform.unknown');
}

// loadPhones shows a worker's phones in panel; message (after unpairing) comes first and
// takes the focus.
async function loadPhones(w, panel, message) {
  const titleID = `${panel.id}-title`;
  const title = h('h3', { id: titleID }, t('phones.title', { name: w.name }));
  mount(panel, title, h('p', { class: 'loading' }, t('common.loading')));
  const note = message ? h('p', { class: 'alert alert-ok', role: 'status', tabindex: '-1' }, icon('check'), message) : null;
  let res;
  try {
    res = await call(`/api/v1/desk/workers/${encodeURIComponent(w.id)}/devices`);
  } catch (err) {
    if (!session) return;
    mount(panel, title, note, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(err)));
    if (note) note.focus();
    return;
  }
  const devices = (res && res.devices) || [];
  mount(panel, title, note,
    devices.length ? h('ul', { class: 'card-list compact phone-list', 'aria-labelledby': titleID }, devices.map((d) => phoneCard(w, d, panel)))
      : h('p', null, t('phones.none', { name: w.name })));
  if (note) note.focus();
}

function phoneCard(w, d, panel) {
  const revoked = !!d.revoked_at;
  const which = t('phones.which', { platform: platformLabel(d.platform), date: pairedAt(d.paired_at) });
  const li = h('li', { class: `card phone${revoked ? ' is-revoked' : ''}`, 'data-device': d.id },
    // Two phones of one worker are told apart by when they were paired.
    h('p', { class: 'card-title' }, which),
    h('dl', { class: 'facts' },
      h('dt', null, t('phones.lastSeen')), h('dd', null, d.last_seen_at ? fmtDateTime(d.last_seen_at) : '—'),
      h('dt', null, t('phones.push')), h('dd', null, d.has_push ? t('phones.pushYes') : t('phones.pushNo')),
      // The language the crew app asked its pushes in (a server from before it says none).
      d.lang ? [h('dt', null, t('phones.lang')), h('dd', { 'data-testid': 'phone-lang' }, known(`phones.lang.${d.lang}`, d.lang))] : null,
      h('dt', null, t('phones.state')), h('dd', null, revoked
        ? h('span', { class: 'tag tag-revoked' }, t('phones.revokedOn', { date: fmtDate(d.revoked_at) }))
        : h('span', { class: 'tag tag-active' }, t('phones.active')))));
  if (!revoked) {
    const btn = h('button', { type: 'button', class: 'btn btn-warn', onclick: () => confirmUnpair(w, d, which, btn, panel) },
      icon('cross'), t('phones.unpair'), h('span', { class: 'visually-hidden' }, ` ${which}`));
    li.appendChild(h('div', { class: 'btn-row' }, btn));
  }
  return li;
}

// confirmUnpair asks first (confirmDialog). After unpairing the list is loaded again
// and its message (a status) gets the focus, so it is read out. A refusal (problem+json)
// is shown in the dialog, which stays open.
function confirmUnpair(w, d, which, opener, panel) {
  confirmDialog({
    name: 'unpair', opener, parent: panel.closest('li') || document.body, yesLabel: t('phones.confirmYes'),
    title: t('phones.confirmTitle'),
    texts: [h('p', { class: 'dialog-which' }, which), h('p', null, t('phones.confirmText', { name: w.name })),
      h('p', null, t('phones.confirmAgain', { name: w.name }))],
    onYes: async ({ err, close }) => {
      try {
        await call(`/api/v1/desk/workers/${encodeURIComponent(w.id)}/devices/${encodeURIComponent(d.id)}/revoke`, { method: 'POST' });
      } catch (ex) {
        if (!session) return true; // signed out (401): the login screen has replaced everything
        mount(err, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(ex)));
        return false;
      }
      close();
      loadPhones(w, panel, t('phones.done', { name: w.name }));
      return true;
    },
  });
}

// ---------------------------------------------------------------- start

onLangChange(() => {
  if (!session) { loginScreen(null, { keep: true }); return; }
  keepForms();
  dashboard();
});
try {
  session = JSON.parse(sessionStorage.getItem(TOKEN) || 'null');
} catch {
  session = null;
}
if (session && session.expires && new Date(session.expires) < new Date()) session = null;
ready.then(() => (session ? dashboard() : loginScreen()));
whenIdle(() => registerServiceWorker('desk'));
