// The crew app at /crew: pair the phone with a code, see the team's tasks (due date
// first, then distance), and start, finish or give up a task with photos and hours. It
// works without a connection: actions wait in the outbox (queue.js) and go out when the
// phone is back online, and the banner says how many are waiting. Where the server is
// configured for it, the crew member can turn on notifications (web push through FCM).
// Leaflet's styles first, so ours override them.
import 'leaflet/dist/leaflet.css';
import './style.css';
import { api, ApiError, problemText } from './api.js';
import { announce, field, h, mount, setFieldError, uid } from './dom.js';
import { fmtDate, fmtNumber, getLang, onLangChange, parseNumber, plural, ready, t } from './i18n.js';
import { icon } from './icons.js';
import * as db from './idb.js';
import { createMap, dotIcon, L } from './map.js';
import { shrink } from './photos.js';
import { canScan, qrReader } from './qrscan.js';
import * as queue from './queue.js';
import { focusMain, frame, linkHandler, mapWords, pushPossible, readPushSettings, registerServiceWorker, statusLabel } from './shell.js';

const root = document.getElementById('app');
const REASONS = ['not_found', 'already_fixed', 'not_ours', 'needs_equipment', 'needs_specialist', 'unsafe', 'no_access', 'other'];
const POLL_MS = 30000;
let ui;
let pill;
let position = null;
let flushing = false;
let screen = null; // {name: 'list'|'task'|'pair', id, refresh()}

function go(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render(true);
}

async function render(focus = false) {
  const token = await queue.getToken();
  const unpaired = await db.get('kv', 'unpaired');
  pill = h('p', { class: 'sync-pill', role: 'status', 'data-testid': 'sync-state' });
  const tools = token ? [pill] : [];
  ui = frame(root, { title: t('crew.app'), tools });
  const m = location.pathname.match(/^\/crew\/taak\/(\d+)/);
  if (!token || unpaired) {
    await pairScreen(ui.main, unpaired);
  } else if (m) {
    await taskScreen(ui.main, Number(m[1]));
  } else {
    await listScreen(ui.main);
  }
  document.title = `${t(`title.crew.${screen.name}`)} · Wijkwerk`;
  updatePill();
  if (focus) focusMain(ui.main);
}

// ---------------------------------------------------------------- sync state

async function updatePill() {
  if (!pill) return;
  const n = await queue.pending();
  const online = navigator.onLine;
  let text;
  let state;
  // Dropped actions whose notice is not read yet: not "everything is sent".
  const lost = n > 0 ? 0 : await queue.unreadDropped();
  if (n > 0 && !online) { text = plural('sync.waiting', n); state = 'waiting'; }
  else if (n > 0 && flushing) { text = plural('sync.sending', n); state = 'sending'; }
  else if (n > 0) { text = plural('sync.waiting', n); state = 'waiting'; }
  else if (lost > 0) { text = plural('sync.notSent', lost); state = 'notsent'; }
  else if (!online) { text = t('sync.offline'); state = 'offline'; }
  else { text = t('sync.ok'); state = 'ok'; }
  pill.dataset.state = state;
  mount(pill, icon({ ok: 'check', sending: 'sync', notsent: 'alert' }[state] || 'cloudOff'), text);
}

async function flushNow() {
  if (!navigator.onLine) { updatePill(); return; }
  flushing = true;
  updatePill();
  let res;
  try {
    res = await queue.flush();
  } finally {
    flushing = false;
  }
  if (res && res.unpaired) { render(); return; }
  if (res && res.sent) announce(ui.live, plural('sync.sent', res.sent));
  if (res && res.conflicts) announce(ui.live, t('conflict.short'));
  await pull();
  refreshScreen();
}

// pull asks the server what changed since the last cursor.
// pullSpecialists keeps, on a trainee's phone, the team's specialists for offline use:
// work that needs one is completed with the specialist's hours (see donePanel).
async function pullSpecialists(token) {
  const worker = await db.get('kv', 'worker');
  if (!worker || worker.role !== 'trainee') return;
  try {
    const res = await api('/mobile/v1/specialists', { token });
    await db.put('kv', res.specialists || [], 'specialists');
  } catch { /* keep the list we had */ }
}

async function pull() {
  const token = await queue.getToken();
  if (!token || !navigator.onLine) return false;
  const cursor = await db.get('kv', 'cursor');
  const etag = await db.get('kv', 'etag');
  const headers = {};
  if (etag && cursor) headers['If-None-Match'] = etag;
  let res;
  try {
    res = await api(`/mobile/v1/tasks${cursor ? `?since=${encodeURIComponent(cursor)}` : ''}`, { token, headers, raw: true });
  } catch {
    return false;
  }
  if (res.status === 304) return false;
  if (res.status === 401) {
    await db.put('kv', true, 'unpaired');
    render();
    return false;
  }
  if (!res.ok) return false;
  const body = await res.json();
  const waiting = new Set((await db.getAll('outbox')).map((x) => x.taskId));
  const local = new Map((await db.getAll('tasks')).map((x) => [x.id, x]));
  const seen = new Set();
  const movedAway = [];
  const back = [];
  let again = false;
  for (const task of body.tasks) {
    seen.add(task.id);
    const mine = local.get(task.id);
    // A task moved to another crew leaves the phone, unless work of it waits to be
    // sent: the server may still take that (work done before the new crew began), and
    // the outbox tells what became of it. The next sync is a full one, which drops the
    // task if the server took nothing that keeps it here.
    if (task.removed && waiting.has(task.id)) { again = true; continue; }
    if (task.removed) { await db.del('tasks', task.id); movedAway.push(task.id); continue; }
    back.push(task.id);
    if (waiting.has(task.id) && mine) {
      await db.put('tasks', { ...task, status: mine.status, version: mine.version, pending: true, localPhotos: mine.localPhotos || [] });
    } else {
      // Nothing of it waits to be sent: no photo of it waits either.
      await db.put('tasks', { ...task, pending: false, localPhotos: [] });
    }
  }
  await noteMoved(movedAway, back);
  if (body.full) {
    // A full sync lists every open task; anything else open on the phone is gone.
    for (const [id, x] of local) {
      // (A task the phone finished itself but the server refused, stale, goes too.)
      if (!seen.has(id) && !waiting.has(id) && (!queue.FINAL.has(x.status) || x.stale)) await db.del('tasks', id);
    }
  }
  // Finished tasks stay a few days in the "Klaar" list, then leave the phone.
  const old = new Date(Date.now() - 3 * 864e5).toISOString();
  for (const [id, x] of local) {
    if (queue.FINAL.has(x.status) && !waiting.has(id) && !seen.has(id) && (x.updated_at || '') < old) await db.del('tasks', id);
  }
  // A delta's ETag belongs to the cursor it was asked with. Nothing new: keep that
  // cursor, so the next sync asks the same and gets 304 while nothing changes. (A full
  // sync has no ETag.)
  const newTag = res.headers.get('ETag');
  const unchanged = cursor && newTag && !body.full && body.tasks.length === 0;
  if (again) await db.del('kv', 'cursor');
  else if (!unchanged) await db.put('kv', body.cursor, 'cursor');
  await pullSpecialists(token);
  if (newTag) await db.put('kv', newTag, 'etag');
  else await db.del('kv', 'etag');
  return true;
}

// noteMoved keeps which tasks went to another crew (the sync says removed), the newest
// 200, so their page says so instead of "not found"; a task that comes back is
// forgotten there.
async function noteMoved(ids, back) {
  const before = (await db.get('kv', 'moved')) || [];
  if (!ids.length && !before.some((id) => back.includes(id))) return;
  const keep = before.filter((id) => !ids.includes(id) && !back.includes(id));
  await db.put('kv', [...keep, ...ids].slice(-200), 'moved');
}

// wentAway says whether task id went to another crew, as a sync or a refused action
// (409 with the task removed) told this phone.
async function wentAway(id) {
  if (((await db.get('kv', 'moved')) || []).includes(id)) return true;
  return ((await db.get('kv', 'conflicts')) || []).some((c) => c.taskId === id && c.removed);
}

async function syncAll() {
  await flushNow();
}

function refreshScreen() {
  if (screen && screen.refresh) screen.refresh();
  updatePill();
}

// ---------------------------------------------------------------- pairing

// parseHours reads hours of a day as people type them (see parseNumber), under 100 and
// in hundredths at most, as the server keeps them.
export function parseHours(text) {
  const n = parseNumber(text);
  return n < 100 ? n : NaN;
}

// normalizeCode accepts the eight digits, with spaces or dashes, or the QR payload
// "wijkwerk:pair?code=12345678".
export function normalizeCode(text) {
  let s = String(text || '').trim();
  const m = s.match(/code=([0-9 -]+)/i);
  if (m) s = m[1];
  return s.replace(/[^0-9]/g, '');
}

async function pairScreen(main, wasUnpaired) {
  screen = { name: 'pair' };
  const input = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', name: 'code', maxlength: '40', class: 'input-code' });
  const err = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, icon('check'), t('pair.submit'));
  const scanBox = h('div');
  const scanBtn = canScan()
    ? h('button', { type: 'button', class: 'btn btn-secondary btn-block', onclick: () => scanQR(scanBox, input, form) }, icon('qr'), t('pair.scan'))
    : null;
  const form = h('form', { novalidate: true, onsubmit: submit, 'aria-labelledby': 'pair-title' },
    err,
    field({ label: t('pair.code'), hint: t('pair.codeHint'), input }),
    btn, scanBtn, scanBox);
  mount(main,
    h('h1', { id: 'pair-title' }, t('pair.title')),
    wasUnpaired ? h('p', { class: 'alert alert-info' }, t('pair.again')) : null,
    h('p', { class: 'lead' }, t('pair.intro')),
    form);

  async function submit(e) {
    e.preventDefault();
    const code = normalizeCode(input.value);
    setFieldError(input, '');
    err.hidden = true;
    if (code.length !== 8) {
      setFieldError(input, t('pair.errLength'));
      input.focus();
      return;
    }
    btn.disabled = true;
    try {
      const res = await api('/mobile/v1/pair', { method: 'POST', json: { code, platform: 'web' } });
      await db.clear('tasks');
      await db.clear('outbox');
      await db.del('kv', 'cursor');
      await db.del('kv', 'etag');
      await db.del('kv', 'unpaired');
      await db.del('kv', 'conflicts');
      await db.del('kv', 'moved');
      await db.del('kv', 'pushToken');
      await db.del('kv', 'pushLang');
      await db.del('kv', 'specialists');
      await db.put('kv', res.token, 'token');
      await db.put('kv', res.worker, 'worker');
      await db.put('kv', getLang(), 'lang');
      await pull();
      go('/crew', { replace: true });
      resumePush();
    } catch (ex) {
      btn.disabled = false;
      mount(err, ex.offline ? t('pair.offline') : problemText(ex));
      err.hidden = false;
      err.setAttribute('tabindex', '-1');
      err.focus();
    }
  }
}

async function scanQR(box, input, form) {
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  } catch {
    mount(box, h('p', { class: 'alert alert-error', role: 'alert' }, t('pair.noCamera')));
    return;
  }
  const video = h('video', { class: 'scan-video', playsinline: true, muted: true, 'aria-label': t('pair.scanning') });
  video.srcObject = stream;
  const stop = () => { stream.getTracks().forEach((x) => x.stop()); mount(box); };
  mount(box, h('p', { role: 'status' }, t('pair.scanning')), video,
    h('button', { type: 'button', class: 'btn btn-quiet', onclick: stop }, t('common.cancel')));
  let read;
  try {
    await video.play();
    read = await qrReader();
  } catch {
    stop();
    mount(box, h('p', { class: 'alert alert-error', role: 'alert' }, t('pair.noCamera')));
    return;
  }
  const tick = async () => {
    if (!video.srcObject || !box.contains(video)) return;
    try {
      const text = await read(video);
      const code = text && normalizeCode(text);
      if (code && code.length === 8) {
        input.value = code;
        stop();
        form.requestSubmit();
        return;
      }
    } catch { /* keep trying */ }
    setTimeout(tick, 300);
  };
  tick();
}

// ---------------------------------------------------------------- list

function distanceM(task) {
  if (!position || !task.location) return null;
  const [lon, lat] = task.location.coordinates;
  const R = 6371000;
  const rad = Math.PI / 180;
  const dLat = (lat - position.lat) * rad;
  const dLon = (lon - position.lon) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(position.lat * rad) * Math.cos(lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(a));
}

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function dueInfo(due) {
  const now = today();
  if (!due) return { text: '', cls: '' };
  if (due < now) return { text: t('due.late', { date: fmtDate(due) }), cls: 'due-late' };
  if (due === now) return { text: t('due.today'), cls: 'due-today' };
  const tomorrow = new Date(Date.now() + 864e5);
  const tm = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
  if (due === tm) return { text: t('due.tomorrow'), cls: 'due-soon' };
  return { text: t('due.date', { date: fmtDate(due) }), cls: '' };
}

function catName(task) {
  return getLang() === 'en' ? task.category.name_en || task.category.name_nl : task.category.name_nl;
}

function fmtDistance(m) {
  if (m == null) return '';
  return m < 1000 ? t('dist.m', { n: Math.round(m / 10) * 10 }) : t('dist.km', { n: fmtNumber(Math.round(m / 100) / 10, 1) });
}

async function listScreen(main) {
  const worker = await db.get('kv', 'worker');
  const refreshBtn = h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
    refreshBtn.disabled = true;
    await syncAll();
    refreshBtn.disabled = false;
    announce(ui.live, t('list.refreshed'));
  } }, icon('sync'), t('list.refresh'));
  const conflictsBox = h('div');
  const pushBox = h('div');
  const mapEl = h('div', { id: 'crew-map' });
  const openBox = h('div');
  const doneBox = h('div');
  mount(main,
    h('h1', null, t('list.title')),
    worker ? h('p', { class: 'lead' }, t('list.hello', { name: worker.name })) : null,
    conflictsBox,
    h('div', { class: 'btn-row' }, refreshBtn,
      h('button', { type: 'button', class: 'btn btn-quiet', onclick: unpair }, icon('logout'), t('list.unpair'))),
    pushBox,
    h('section', { 'aria-labelledby': 'open-title' }, h('h2', { id: 'open-title' }, t('list.open')), openBox),
    h('section', { 'aria-labelledby': 'map-title', class: 'map-section' }, h('h2', { id: 'map-title' }, t('list.map')), mapEl),
    h('section', { 'aria-labelledby': 'done-title' }, h('h2', { id: 'done-title' }, t('list.done')), doneBox));
  const map = createMap(mapEl, mapWords(t('list.mapLabel'), 'view'));
  const markers = L.layerGroup().addTo(map);
  let fitted = false;

  async function refresh() {
    const tasks = await db.getAll('tasks');
    const open = tasks.filter((x) => !queue.FINAL.has(x.status));
    const done = tasks.filter((x) => queue.FINAL.has(x.status));
    open.sort((a, b) => (a.due_date || '').localeCompare(b.due_date || '') || ((distanceM(a) ?? 1e12) - (distanceM(b) ?? 1e12)) || a.id - b.id);
    done.sort((a, b) => (b.updated_at || '').localeCompare(a.updated_at || ''));
    mount(openBox, open.length
      ? h('ul', { class: 'task-list' }, open.map(taskCard))
      : h('p', { class: 'empty' }, t('list.empty')));
    mount(doneBox, done.length
      ? h('ul', { class: 'task-list' }, done.slice(0, 20).map(taskCard))
      : h('p', { class: 'empty' }, t('list.noneDone')));
    await renderConflicts(conflictsBox);
    markers.clearLayers();
    const pts = [];
    for (const x of open) {
      if (!x.location) continue;
      const [lon, lat] = x.location.coordinates;
      pts.push([lat, lon]);
      L.marker([lat, lon], { icon: dotIcon(dueInfo(x.due_date).cls === 'due-late' ? '#b3261e' : '#154273'), title: catName(x), alt: catName(x), keyboard: false })
        .on('click', () => go(`/crew/taak/${x.id}`)).addTo(markers);
    }
    if (pts.length && !fitted) { map.fitBounds(pts, { maxZoom: 16, padding: [24, 24] }); fitted = true; }
  }
  screen = { name: 'list', refresh, pushBox };
  await refresh();
  await pushPanel(pushBox);
  locateOnce().then((ok) => { if (ok) refresh(); });
}

function taskCard(x) {
  const due = dueInfo(x.due_date);
  const dist = distanceM(x);
  return h('li', null,
    h('a', { class: `task-card ${queue.FINAL.has(x.status) ? 'is-final' : ''}`, href: `/crew/taak/${x.id}`, 'data-link': '', 'data-task': x.id },
      icon(x.category && x.category.icon ? x.category.icon : categoryIcon(x), 'icon icon-lg'),
      h('span', { class: 'task-card-body' },
        h('span', { class: 'task-card-title' }, catName(x)),
        h('span', { class: 'task-card-meta' }, [x.area, fmtDistance(dist)].filter(Boolean).join(' · ')),
        h('span', { class: 'task-card-tags' },
          queue.FINAL.has(x.status) ? null : h('span', { class: `tag ${due.cls}` }, due.text),
          h('span', { class: `tag status-${x.status}` }, statusLabel(x.status)),
          x.pending ? h('span', { class: 'tag tag-pending' }, t('task.pending')) : null))));
}

// Categories' icons sit on their parents; guess the parent from the code ("afval.x").
const PARENT_ICONS = { afval: 'trash', groen: 'tree', wegen: 'road', licht: 'lamp', spelen: 'swing', riool: 'drain', overlast: 'alert' };
function categoryIcon(x) {
  const code = (x.category && x.category.code) || '';
  return PARENT_ICONS[code.split('.')[0]] || 'pin';
}

// conflictText says why a queued action was not sent: someone changed the task first
// (409), it went to another team, or the server refused the action itself (say, a
// trainee's hours without a specialist's): then its own words say why.
function conflictText(c) {
  const action = t(`action.${c.action}`);
  const more = c.dropped > 1 ? ` ${plural('conflict.more', c.dropped - 1)}` : '';
  if (c.status !== 409) return t('refused.text', { action }) + more;
  if (c.removed) return t('conflict.moved', { action }) + more;
  if (c.currentStatus) return t('conflict.text', { action, status: statusLabel(c.currentStatus) }) + more;
  return t('conflict.textPlain', { action }) + more;
}

// lostList shows what a dropped action held that the server does not have (hours per
// person, the note, why it could not be done), for the crew to tell the planner.
function lostList(lost) {
  if (!lost || !lost.length) return null;
  const lines = [];
  for (const l of lost) {
    for (const e of l.hours || []) lines.push(t('conflict.lostHours', { name: e.name, hours: fmtNumber(e.hours, 2) }));
    if (l.reason) lines.push(t('conflict.lostReason', { reason: t(`reason.${l.reason}`) }));
    if (l.text) lines.push(t('conflict.lostNote', { note: l.text }));
    if (l.note) lines.push(t('conflict.lostNote', { note: l.note }));
  }
  // A note keeps its line breaks (note-text); the other lines have none.
  return [h('p', null, t('conflict.lost')), h('ul', { class: 'plain-list', 'data-testid': 'conflict-lost' }, lines.map((x) => h('li', { class: 'note-text' }, x)))];
}

async function renderConflicts(box, taskId) {
  const conflicts = ((await db.get('kv', 'conflicts')) || []).filter((c) => taskId == null || c.taskId === taskId);
  const onPhone = new Set((await db.getAll('tasks')).filter((x) => !x.removed).map((x) => x.id));
  mount(box, conflicts.map((c) => h('div', { class: 'alert alert-warn', role: 'alert', 'data-testid': 'conflict' },
    h('p', { class: 'alert-title' }, t(c.status === 409 ? 'conflict.title' : 'refused.title')),
    h('p', null, conflictText(c)),
    c.detail || c.title ? h('p', { class: 'hint' }, c.detail || c.title) : null,
    lostList(c.lost),
    h('div', { class: 'btn-row' },
      taskId == null && onPhone.has(c.taskId) ? h('a', { class: 'btn btn-secondary', href: `/crew/taak/${c.taskId}`, 'data-link': '' }, t('conflict.view')) : null,
      h('button', { type: 'button', class: 'btn btn-quiet', onclick: async () => {
        const all = (await db.get('kv', 'conflicts')) || [];
        await db.put('kv', all.filter((x) => x.at !== c.at), 'conflicts');
        refreshScreen();
      } }, t('conflict.ok'))))));
}

function locateOnce() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(false); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => { position = { lat: p.coords.latitude, lon: p.coords.longitude }; resolve(true); },
      () => resolve(false),
      { maximumAge: 120000, timeout: 10000 });
  });
}

async function unpair() {
  const n = await queue.pending();
  const msg = n ? `${t('list.unpairConfirm')} ${plural('list.unpairPending', n)}` : t('list.unpairConfirm');
  if (!window.confirm(msg)) return;
  await stopPush();
  await db.clear('tasks');
  await db.clear('outbox');
  for (const k of ['token', 'worker', 'cursor', 'etag', 'conflicts', 'moved', 'unpaired', 'push', 'pushToken', 'pushLang', 'specialists']) await db.del('kv', k);
  go('/crew', { replace: true });
}

// ---------------------------------------------------------------- task

async function taskScreen(main, id) {
  const view = h('div');
  const panel = h('div', { class: 'panel-slot' });
  const conflictsBox = h('div');
  const back = h('a', { href: '/crew', class: 'back-link', 'data-link': '' }, icon('back'), t('task.back'));
  mount(main, back, conflictsBox, view, panel);
  const urls = [];
  let map = null;
  let marker = null;

  async function refresh() {
    const task = await db.get('tasks', id);
    await renderConflicts(conflictsBox, id);
    if (!task) {
      if (await wentAway(id)) mount(view, h('h1', null, t('task.moved')), h('p', null, t('task.movedText')));
      else mount(view, h('h1', null, t('task.missing')), h('p', null, t('task.missingText')));
      return;
    }
    const worker = await db.get('kv', 'worker');
    const [lon, lat] = task.location ? task.location.coordinates : [0, 0];
    const due = dueInfo(task.due_date);
    const final = queue.FINAL.has(task.status);
    const mapEl = view.querySelector('#task-map') || h('div', { id: 'task-map' });
    const photosEl = h('ul', { class: 'photo-list' });
    const actions = h('div', { class: 'btn-col' });
    if (!final) {
      if (task.status === 'assigned' || task.status === 'accepted') {
        actions.appendChild(h('button', { type: 'button', class: 'btn btn-primary btn-block', onclick: () => act(task, 'start') }, icon('play'), t('task.start')));
      }
      actions.appendChild(h('button', { type: 'button', class: 'btn btn-done btn-block', onclick: () => donePanel(task) }, icon('check'), t('task.done')));
      actions.appendChild(h('button', { type: 'button', class: 'btn btn-secondary btn-block', onclick: () => beforePhoto(task) }, icon('camera'), t('task.beforePhoto')));
      actions.appendChild(h('button', { type: 'button', class: 'btn btn-warn btn-block', onclick: () => cannotPanel(task) }, icon('cross'), t('task.cannot')));
    }
    const traineeNote = worker && worker.role === 'trainee' && task.category && task.category.trainee !== 'alone'
      ? h('p', { class: 'alert alert-info' }, icon('people'), task.category.trainee === 'no' ? t('task.traineeNo') : t('task.traineePaired'))
      : null;
    const children = [
      h('h1', { class: 'task-title' }, icon(categoryIcon(task), 'icon icon-lg'), catName(task)),
      h('p', { class: `status-badge status-${task.status}`, 'data-testid': 'task-status' }, statusLabel(task.status),
        task.pending ? h('span', { class: 'tag tag-pending' }, t('task.pending')) : null),
      traineeNote,
      h('dl', { class: 'facts' },
        h('dt', null, t('task.place')), h('dd', null, [task.address, task.area].filter(Boolean).join(', ') || '—'),
        // "Uiterlijk klaar: 3 dec. 2026", not "Uiterlijk klaar: Uiterlijk 3 dec. 2026".
        h('dt', null, t('task.due')), h('dd', { class: due.cls }, due.cls ? due.text : fmtDate(task.due_date)),
        // Support work for an initiative comes from no report.
        task.report_count > 0 ? [h('dt', null, t('task.reports')), h('dd', null, plural('nearby.count', task.report_count))] : null,
        task.quality_level ? [h('dt', null, t('task.level')), h('dd', null, task.quality_level)] : null,
        task.description ? [h('dt', null, t('task.description')), h('dd', { class: 'note-text' }, task.description)] : null,
        task.note ? [h('dt', null, t('task.note')), h('dd', { class: 'note-text' }, task.note)] : null,
        task.reason ? [h('dt', null, t('task.reason')), h('dd', null, t(`reason.${task.reason}`))] : null),
      h('a', { class: 'btn btn-secondary btn-block', href: `geo:${lat},${lon}?q=${lat},${lon}`, 'data-testid': 'navigate' }, icon('navigate'), t('task.navigate')),
      mapEl,
      h('h2', null, t('task.photos')), photosEl,
      final ? h('p', { class: 'alert alert-ok' }, icon('check'), t(task.status === 'cannot_complete'
        ? (task.pending ? 'task.cannotPending' : 'task.cannotDone')
        : (task.pending ? 'task.finalPending' : 'task.finalDone'))) : null,
      actions,
    ];
    // Drawn anew (a sync, a sent action): keep the focus where it was, on the title or
    // the status, instead of losing it to the page.
    const was = document.activeElement;
    const refocus = was && view.contains(was) ? (was.matches('[data-testid="task-status"]') ? '[data-testid="task-status"]' : 'h1') : null;
    mount(view, children);
    if (refocus) {
      const el = view.querySelector(refocus);
      if (el) { el.setAttribute('tabindex', '-1'); el.focus({ preventScroll: true }); }
    }
    if (!map) {
      map = createMap(mapEl, { ...mapWords(t('task.mapLabel'), 'view'), center: [lat, lon], zoom: 17 });
      marker = L.marker([lat, lon], { icon: dotIcon('#b3261e', 26), keyboard: false, title: catName(task), alt: catName(task) }).addTo(map);
    } else {
      marker.setLatLng([lat, lon]);
      setTimeout(() => map.invalidateSize(), 0);
    }
    renderPhotos(task, photosEl);
  }

  async function renderPhotos(task, list) {
    urls.splice(0).forEach((u) => URL.revokeObjectURL(u));
    const token = await queue.getToken();
    const items = [];
    for (const p of task.photos || []) {
      const img = h('img', { alt: t(`photo.${p.kind}`), loading: 'lazy' });
      items.push(h('li', { class: 'photo-item' }, img, h('span', { class: 'photo-kind' }, t(`photo.${p.kind}`))));
      fetch(p.url, { headers: { Authorization: `Bearer ${token}` } })
        .then((r) => (r.ok ? r.blob() : null))
        .then((b) => { if (b) { const u = URL.createObjectURL(b); urls.push(u); img.src = u; } })
        .catch(() => { img.alt = `${t(`photo.${p.kind}`)} – ${t('photo.offline')}`; });
    }
    for (const p of task.localPhotos || []) {
      const u = URL.createObjectURL(p.blob);
      urls.push(u);
      items.push(h('li', { class: 'photo-item' }, h('img', { src: u, alt: t(`photo.${p.kind}`) }),
        h('span', { class: 'photo-kind' }, `${t(`photo.${p.kind}`)} · ${t('task.pending')}`)));
    }
    mount(list, items.length ? items : h('li', { class: 'empty' }, t('task.noPhotos')));
  }

  async function act(task, action, body) {
    await queue.enqueueAction(task, action, body);
    registerSync();
    await refresh();
    // The screen was drawn anew: put the focus on the new status, not on the page.
    const status = view.querySelector('[data-testid="task-status"]');
    if (status) { status.setAttribute('tabindex', '-1'); status.focus(); }
    announce(ui.live, navigator.onLine ? t('task.saved') : t('task.savedOffline'));
    flushNow();
  }

  function closePanel() {
    mount(panel);
    const h1 = view.querySelector('h1');
    if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus(); }
  }

  function beforePhoto(task) {
    const input = h('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'file-input', id: uid('before') });
    input.addEventListener('change', async () => {
      const f = input.files && input.files[0];
      if (!f) return;
      const blob = await shrink(f);
      if (!blob) { input.value = ''; announce(ui.live, t('photo.notPhoto')); return; }
      await queue.enqueuePhoto(await db.get('tasks', task.id), blob, 'before');
      registerSync();
      mount(panel);
      await refresh();
      announce(ui.live, navigator.onLine ? t('task.saved') : t('task.savedOffline'));
      flushNow();
    });
    mount(panel, h('section', { class: 'panel', 'aria-labelledby': 'before-title' },
      h('h2', { id: 'before-title', tabindex: '-1' }, t('task.beforePhoto')),
      h('div', { class: 'file-picker' }, input, h('label', { for: input.id, class: 'btn btn-primary btn-block' }, icon('camera'), t('task.takePhoto'))),
      h('button', { type: 'button', class: 'btn btn-quiet btn-block', onclick: closePanel }, t('common.cancel'))));
    panel.querySelector('h2').focus();
  }

  async function donePanel(task) {
    let photo = null;
    const preview = h('div', { class: 'photo-preview', 'aria-live': 'polite' });
    const photoInput = h('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'file-input', id: uid('after'), 'aria-describedby': 'after-error' });
    const photoErr = h('p', { class: 'field-error', id: 'after-error', hidden: true });
    photoInput.addEventListener('change', async () => {
      const f = photoInput.files && photoInput.files[0];
      if (!f) return;
      photo = await shrink(f);
      if (!photo) {
        photoInput.value = '';
        photoErr.textContent = t('photo.notPhoto');
        photoErr.hidden = false;
        return;
      }
      const u = URL.createObjectURL(photo);
      mount(preview, h('img', { src: u, alt: t('photo.after') }), h('p', null, t('done.photoReady')));
      photoErr.hidden = true;
    });
    // A text field, not type=number: that drops the comma of "1,5" (and reads 15).
    const hours = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', value: fmtNumber(1), name: 'hours', class: 'input-hours', id: 'hours-input' });
    const step = (d) => { const v = Math.min(24, Math.max(0.25, (parseHours(hours.value) || 0) + d)); hours.value = fmtNumber(v, 2); };
    const note = h('textarea', { rows: '3', maxlength: '2000', name: 'note' });
    // A trainee on work that needs a specialist says which one: with "paired" both get
    // the hours, with "no" only the specialist (a trainee may not do that work).
    const me = await db.get('kv', 'worker');
    const rule = (task.category && task.category.trainee) || 'alone';
    const needsSpecialist = me && me.role === 'trainee' && rule !== 'alone';
    // Fresh when online; else the list the last sync kept. Only the task's own team's
    // specialists: the server takes hours of its members only.
    if (needsSpecialist && navigator.onLine) await pullSpecialists(await queue.getToken());
    const specialists = needsSpecialist
      ? ((await db.get('kv', 'specialists')) || []).filter((s) => !s.team_ids || s.team_ids.includes(task.team_id))
      : [];
    const who = needsSpecialist ? h('select', { name: 'specialist', id: uid('specialist') },
      h('option', { value: '' }, t('done.pickSpecialist')),
      specialists.map((s) => h('option', { value: String(s.id) }, s.name))) : null;
    let sending = false; // a second tap on "Klaar melden" queues nothing more
    const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'done-title', onsubmit: async (e) => {
      e.preventDefault();
      if (sending) return;
      const hv = parseHours(hours.value);
      let bad = false;
      if (!photo) { photoErr.textContent = t('done.errPhoto'); photoErr.hidden = false; bad = true; }
      setFieldError(hours, '');
      if (!(hv > 0 && hv <= 24)) { setFieldError(hours, t('done.errHours')); bad = true; }
      if (who) setFieldError(who, '');
      if (who && !who.value) { setFieldError(who, t('done.errSpecialist')); bad = true; }
      if (bad) { (!photo ? photoInput : !(hv > 0 && hv <= 24) ? hours : who).focus(); return; }
      sending = true;
      const worker = await db.get('kv', 'worker');
      const hoursOf = [];
      const names = {};
      if (!who || rule === 'paired') { hoursOf.push({ worker_id: worker.id, hours: hv }); names[worker.id] = worker.name; }
      if (who) {
        hoursOf.push({ worker_id: Number(who.value), hours: hv });
        names[who.value] = (specialists.find((s) => String(s.id) === who.value) || {}).name;
      }
      const current = await db.get('tasks', task.id);
      const withPhoto = await queue.enqueuePhoto(current, photo, 'after');
      await queue.enqueueAction(withPhoto, 'complete', { note: note.value.trim(), hours: hoursOf }, { names });
      registerSync();
      mount(panel);
      await refresh();
      announce(ui.live, navigator.onLine ? t('task.saved') : t('task.savedOffline'));
      focusMain(main);
      flushNow();
    } },
      h('h2', { id: 'done-title', tabindex: '-1' }, t('done.title')),
      h('fieldset', { class: 'step' },
        h('legend', null, t('done.photo')),
        photoErr,
        h('div', { class: 'file-picker' }, photoInput, h('label', { for: photoInput.id, class: 'btn btn-secondary btn-block' }, icon('camera'), t('done.takePhoto'))),
        preview),
      h('div', { class: 'field' },
        h('label', { for: 'hours-input' }, t('done.hours')),
        h('p', { class: 'hint', id: 'hours-input-hint' }, t('done.hoursHint')),
        h('div', { class: 'stepper' },
          h('button', { type: 'button', class: 'btn btn-secondary', 'aria-label': t('done.less'), onclick: () => step(-0.25) }, icon('minus')),
          hours,
          h('button', { type: 'button', class: 'btn btn-secondary', 'aria-label': t('done.more'), onclick: () => step(0.25) }, icon('plus'))),
        h('p', { class: 'field-error', id: 'hours-input-error', hidden: true })),
      who ? field({ label: t('done.specialist'), hint: t(rule === 'no' ? 'done.specialistNo' : 'done.specialistPaired'), input: who }) : null,
      who && !specialists.length ? h('p', { class: 'alert alert-warn' }, t('done.noSpecialists')) : null,
      field({ label: `${t('done.note')} ${t('common.optional')}`, input: note }),
      h('button', { type: 'submit', class: 'btn btn-done btn-block' }, icon('check'), t('done.submit')),
      h('button', { type: 'button', class: 'btn btn-quiet btn-block', onclick: closePanel }, t('common.cancel')));
    hours.setAttribute('aria-describedby', 'hours-input-hint hours-input-error');
    mount(panel, form);
    form.querySelector('h2').focus();
  }

  function cannotPanel(task) {
    const name = uid('reason');
    const text = h('textarea', { rows: '3', maxlength: '2000', name: 'text' });
    const err = h('p', { class: 'field-error', id: 'reason-error', hidden: true });
    let sending = false; // a second tap queues nothing more
    const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'cannot-title', onsubmit: async (e) => {
      e.preventDefault();
      if (sending) return;
      const chosen = form.querySelector(`input[name="${name}"]:checked`);
      err.hidden = true;
      setFieldError(text, '');
      if (!chosen) { err.textContent = t('cannot.errReason'); err.hidden = false; form.querySelector('input[type=radio]').focus(); return; }
      if (chosen.value === 'other' && !text.value.trim()) { setFieldError(text, t('cannot.errText')); text.focus(); return; }
      sending = true;
      const current = await db.get('tasks', task.id);
      await act(current, 'cannot-complete', { reason: chosen.value, text: text.value.trim() });
      mount(panel);
      focusMain(main);
    } },
      h('h2', { id: 'cannot-title', tabindex: '-1' }, t('cannot.title')),
      h('fieldset', { class: 'step', 'aria-describedby': 'reason-error' },
        h('legend', null, t('cannot.why')),
        err,
        h('div', { class: 'option-list' }, REASONS.map((r) => {
          const id = uid('r');
          return h('div', { class: 'option' }, h('input', { type: 'radio', name, id, value: r }), h('label', { for: id }, t(`reason.${r}`)));
        }))),
      field({ label: t('cannot.text'), hint: t('cannot.textHint'), input: text }),
      h('button', { type: 'submit', class: 'btn btn-warn btn-block' }, icon('send'), t('cannot.submit')),
      h('button', { type: 'button', class: 'btn btn-quiet btn-block', onclick: closePanel }, t('common.cancel')));
    mount(panel, form);
    form.querySelector('h2').focus();
  }

  screen = { name: 'task', id, refresh };
  await refresh();
}

// ---------------------------------------------------------------- notifications

// PUSH is the server's push settings ({config, vapidKey}: the Firebase web app and the
// VAPID public key), or null when it has none; then nothing here runs and the app shows
// nothing about notifications.
const PUSH = readPushSettings();
let pushModule = null;
let pushNote = null; // what the last try to turn notifications on came to, when not 'on'
let pushBusy = false;

// The Firebase SDK is loaded only here, when notifications are (about to be) on.
function loadPush() {
  if (!pushModule) pushModule = import('./push.js').catch((err) => { pushModule = null; throw err; });
  return pushModule;
}

// syncPush gets this phone's FCM token (asking for permission first when ask is set and
// the person has not chosen yet) and gives it to the server when it is new or changed.
// It returns 'on', or why not: 'undecided', 'denied', 'unsupported'.
async function syncPush({ ask = false } = {}) {
  if (!pushPossible(PUSH)) return 'unsupported';
  if (ask && Notification.permission === 'default') {
    if ((await Notification.requestPermission()) === 'default') return 'undecided';
  }
  if (Notification.permission === 'denied') return 'denied';
  if (Notification.permission !== 'granted') return 'undecided';
  const mod = await loadPush();
  if (!(await mod.supported())) return 'unsupported';
  const registration = await workerReady();
  const fcmToken = await mod.token(PUSH, registration, onPushMessage);
  if (fcmToken !== await db.get('kv', 'pushToken') || getLang() !== await db.get('kv', 'pushLang')) {
    await registerDevice(fcmToken);
  }
  return 'on';
}

// registerDevice gives the server this phone's FCM token and the language its pushes
// should be in (the app's), and remembers both as the server has them.
async function registerDevice(fcmToken) {
  const lang = getLang();
  await api('/mobile/v1/device', { method: 'PUT', token: await queue.getToken(), json: { token: fcmToken, platform: 'web', lang } });
  await db.put('kv', fcmToken, 'pushToken');
  await db.put('kv', lang, 'pushLang');
}

// pushLangChanged tells the server the new language when the crew member switches it and
// notifications are on. Offline or refused, the next start tries again (syncPush).
async function pushLangChanged() {
  const fcmToken = await db.get('kv', 'pushToken');
  if (!fcmToken || (await db.get('kv', 'push')) !== 'on' || getLang() === await db.get('kv', 'pushLang')) return;
  try {
    await registerDevice(fcmToken);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { await db.put('kv', true, 'unpaired'); render(); return; }
    console.warn('wijkwerk: notifications', err);
  }
}

// workerReady is the app's service worker registration, which push needs; it fails
// rather than waits for ever when the worker does not start.
function workerReady(ms = 15000) {
  return Promise.race([navigator.serviceWorker.ready,
    new Promise((_, reject) => setTimeout(() => reject(new Error('service worker not ready')), ms))]);
}

// onPushMessage takes a message that arrives while the app is open: say so, and fetch
// the tasks.
function onPushMessage(payload) {
  const n = (payload && payload.notification) || {};
  announce(ui.live, n.title ? t('push.received', { title: n.title }) : t('push.receivedPlain'));
  flushNow();
}

// resumePush runs at start and after pairing: when notifications were turned on, it
// checks the token (Firebase renews it now and then) and listens for messages.
async function resumePush() {
  if (!pushPossible(PUSH) || (await db.get('kv', 'push')) !== 'on' || !(await queue.getToken())) return;
  try {
    pushNote = null;
    const state = await syncPush();
    if (state !== 'on') pushNote = state;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { await db.put('kv', true, 'unpaired'); render(); return; }
    // Offline or Google unreachable: try again next time; the token on the server may
    // still be good.
    console.warn('wijkwerk: notifications', err);
  }
  if (screen && screen.pushBox) pushPanel(screen.pushBox);
}

// stopPush removes the phone's token at FCM when it is unpaired, so it gets no more
// messages for the team.
async function stopPush() {
  if (!pushPossible(PUSH) || (await db.get('kv', 'push')) !== 'on') return;
  try {
    await (await loadPush()).forget(PUSH, await workerReady());
  } catch (err) {
    console.warn('wijkwerk: notifications', err);
  }
}

async function turnPushOn(box) {
  if (!navigator.onLine) { pushNote = 'offline'; await pushPanel(box, true); return; }
  pushBusy = true;
  pushNote = null;
  await pushPanel(box, true);
  let state;
  try {
    state = await syncPush({ ask: true });
  } catch (err) {
    pushBusy = false;
    if (err instanceof ApiError && err.status === 401) { await db.put('kv', true, 'unpaired'); render(); return; }
    console.warn('wijkwerk: notifications', err);
    state = err instanceof ApiError && err.offline ? 'offline' : 'failed';
  }
  pushBusy = false;
  if (state === 'on') {
    await db.put('kv', 'on', 'push');
    announce(ui.live, t('push.on'));
  } else {
    pushNote = state;
  }
  await pushPanel(box, true);
}

// pushPanel shows, on the task list, the offer to turn notifications on, or that they
// are on, or why they cannot be. With focus set, focus goes to what replaced the button.
async function pushPanel(box, focus = false) {
  if (!pushPossible(PUSH)) { mount(box); return; }
  const pref = await db.get('kv', 'push');
  const permission = Notification.permission;
  // While busy the button stays focusable (aria-disabled), so focus does not get lost.
  const enableBtn = (cls) => h('button', { type: 'button', class: `btn ${cls}`, 'aria-disabled': pushBusy ? 'true' : null, 'aria-busy': pushBusy ? 'true' : null,
    'data-testid': 'push-enable', onclick: () => { if (!pushBusy) turnPushOn(box); } }, icon('bell'), pushBusy ? t('push.busy') : t('push.enable'));
  const notes = { undecided: 'push.undecided', failed: 'push.failed', offline: 'push.offline', unsupported: 'push.unsupported' };
  const note = pushNote && notes[pushNote]
    ? h('p', { class: `alert ${pushNote === 'failed' ? 'alert-warn' : 'alert-info'}`, role: 'status', tabindex: '-1', 'data-testid': 'push-note' }, t(notes[pushNote]))
    : null;
  if (permission === 'granted' && pref === 'on' && !pushNote) {
    mount(box, h('p', { class: 'push-state', tabindex: '-1', 'data-testid': 'push-state' }, icon('bell'), t('push.on')));
  } else if (permission === 'denied') {
    mount(box, h('p', { class: 'hint push-state', tabindex: '-1', 'data-testid': 'push-state' }, t('push.denied')));
  } else if (pref === 'later' && !pushNote) {
    mount(box, h('div', { class: 'btn-row' }, enableBtn('btn-quiet')));
  } else {
    mount(box, h('section', { class: 'card push-card', 'aria-labelledby': 'push-title' },
      h('h2', { id: 'push-title' }, t('push.title')),
      h('p', null, t('push.intro')),
      note,
      h('div', { class: 'btn-row' }, enableBtn('btn-primary'),
        pref === 'on' ? null : h('button', { type: 'button', class: 'btn btn-quiet', onclick: async () => {
          await db.put('kv', 'later', 'push');
          pushNote = null;
          await pushPanel(box);
          box.querySelector('button').focus();
        } }, t('push.later')))));
  }
  if (focus) {
    const target = box.querySelector('[data-testid="push-note"], [data-testid="push-state"], button');
    if (target) target.focus();
  }
}

function registerSync() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready.then((r) => r.sync && r.sync.register('wijkwerk-outbox')).catch(() => {});
}

// ---------------------------------------------------------------- start

linkHandler(go);
window.addEventListener('popstate', () => render(true));
window.addEventListener('online', () => { updatePill(); flushNow(); });
window.addEventListener('offline', () => updatePill());
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') flushNow(); });
onLangChange(async () => { await db.put('kv', getLang(), 'lang'); render(false); pushLangChanged(); });
let notifyTimer = 0;
queue.onNotify((msg) => {
  if (msg && msg.type === 'push') { flushNow(); return; }
  clearTimeout(notifyTimer);
  notifyTimer = setTimeout(refreshScreen, 50);
});
setInterval(() => { if (document.visibilityState === 'visible') flushNow(); }, POLL_MS);
ready.then(() => render(false)).then(() => flushNow()).then(() => resumePush());
// The crew app must open without a connection: keep its files at once.
registerServiceWorker('crew');
export { ApiError };
