// The resident app at /: report an issue (category, pin, photos, description), see what
// neighbours already reported, follow a report by its code, see or propose initiatives,
// and follow an initiative by its code and log the work done for it.
// Leaflet's styles first, so ours override them.
import 'leaflet/dist/leaflet.css';
import './style.css';
import { api, ApiError, Idempotent, newKey, problemText } from './api.js';
import { announce, field, h, mount, setFieldError, uid } from './dom.js';
import { fmtDate, fmtDateTime, getLang, onLangChange, plural, ready, t } from './i18n.js';
import { icon } from './icons.js';
import { dropPhotos, keepPhotos, keptPhotos } from './draft.js';
import { follow } from './followed.js';
import { shrink } from './photos.js';
import { focusMain, frame, linkHandler, mapWords, pushPossible, readPushSettings, registerServiceWorker, statusLabel, whenIdle } from './shell.js';

// The categories are asked for at once; the page's <link rel="preload"> already started
// the request, so this fetch takes its answer. The last answer is kept on the phone
// (localStorage), so that the report form opens without a connection too, after one
// visit online, and a report can be drafted to send later. (The service worker keeps
// the app's files, never API answers.)
const CATEGORIES_KEY = 'wijkwerk.categories';
const categoriesPromise = fetch('/api/v1/categories')
  .then((r) => (r.ok ? r.json() : Promise.reject(new ApiError(r.status, null))))
  .then((body) => {
    try { localStorage.setItem(CATEGORIES_KEY, JSON.stringify(body)); } catch { /* storage may be full or off */ }
    return body;
  }, (err) => {
    const kept = keptCategories();
    if (kept) return kept;
    throw err;
  });

// keptCategories is the categories' last answer kept on this phone, or null.
function keptCategories() {
  try {
    const kept = JSON.parse(localStorage.getItem(CATEGORIES_KEY) || 'null');
    return kept && Array.isArray(kept.categories) && kept.categories.length ? kept : null;
  } catch {
    return null;
  }
}

const root = document.getElementById('app');
const MAX_PHOTOS = 3;

// Leaflet (most of the JavaScript) loads only when a map is about to be needed: when the
// map comes near the screen, or as soon as the resident picks a category. The first
// screen is usable sooner on a slow network that way.
let mapModule = null;
function loadMapModule() {
  if (!mapModule) mapModule = import('./map.js');
  return mapModule;
}

// lazyMap creates a map in el once it nears the viewport, then calls ready(module, map).
function lazyMap(el, opts, ready) {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    if (io) io.disconnect();
    loadMapModule().then((m) => {
      if (!el.isConnected) return;
      el.replaceChildren();
      ready(m, m.createMap(el, opts));
    });
  };
  const io = 'IntersectionObserver' in window
    ? new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) start(); }, { rootMargin: '400px' })
    : null;
  if (io) io.observe(el);
  else start();
  return start;
}
let ui;

function go(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render(true);
}

function render(focus = false) {
  const path = location.pathname;
  const section = path.startsWith('/volg') ? 'track' : path.startsWith('/initiatieven') ? 'initiatives' : 'report';
  ui = frame(root, {
    title: t('resident.app'),
    nav: [
      { href: '/', label: t('nav.report'), icon: 'pin', current: section === 'report' },
      { href: '/volg', label: t('nav.track'), icon: 'clock', current: section === 'track' },
      { href: '/initiatieven', label: t('nav.initiatives'), icon: 'flower', current: section === 'initiatives' },
    ],
  });
  if (section === 'track') {
    const code = decodeURIComponent(path.split('/')[2] || '');
    trackingPage(ui.main, code);
  } else if (section === 'initiatives') {
    const main = ui.main;
    const code = decodeURIComponent(path.split('/')[2] || '');
    mount(main, h('p', { class: 'loading' }, t('common.loading')));
    document.title = `${t(code ? 'title.initiative' : 'title.initiatives')} · Wijkwerk`;
    loadInitiatives().then((m) => {
      if (!main.isConnected) return;
      const ctx = { go, loadMapModule, lazyMap, live: () => ui.live };
      const shown = code ? m.showInitiative(main, code, ctx) : m.showInitiatives(main, ctx);
      // An initiative's own page has its heading once it is fetched.
      if (focus && code) Promise.resolve(shown).finally(() => { if (main.isConnected) focusMain(main); });
      else if (focus) focusMain(main);
    }, () => {
      mount(main, h('p', { class: 'alert alert-error', role: 'alert' }, t('error.offline')),
        h('button', { type: 'button', class: 'btn', onclick: () => location.reload() }, t('common.retry')));
    });
    return;
  } else {
    reportPage(ui.main);
  }
  document.title = `${t(`title.${section}`)} · Wijkwerk`;
  if (focus) focusMain(ui.main);
}

// The initiatives' screens are a module of their own, loaded when they are opened.
let initiativesModule = null;
function loadInitiatives() {
  if (!initiativesModule) initiativesModule = import('./initiatives.js').catch((err) => { initiativesModule = null; throw err; });
  return initiativesModule;
}

// ---------------------------------------------------------------- report

// The report being written. Its text is kept in sessionStorage while the page is hidden,
// its photos in IndexedDB as they are chosen (draft.js): a phone may close the tab while
// the camera app is open, and a reload must not lose what the resident typed or chose.
// draft.key names the draft (its photos are kept under it); draft.sent is the
// Idempotency-Key it was last sent with and a fingerprint of what was sent (see draftSender).
const DRAFT_KEY = 'wijkwerk.draft';
let draft = loadDraft();
// The kept photos come back (asynchronously) into the draft they were chosen for.
const restoring = restorePhotos();

function newDraft() {
  return { main: null, sub: null, answers: {}, loc: null, photos: [], description: '', key: newKey(), sent: null };
}

function loadDraft() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || 'null');
    if (kept && typeof kept.key === 'string') return { ...newDraft(), ...kept, photos: [] };
  } catch { /* storage may be off or the value old */ }
  return newDraft();
}

function keepDraft() {
  const { main, sub, answers, loc, description, key, sent } = draft;
  try {
    if (main || loc || description || draft.photos.length) sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ main, sub, answers, loc, description, key, sent }));
    else sessionStorage.removeItem(DRAFT_KEY);
  } catch { /* storage may be full or off */ }
}

// resetDraft starts an empty report (after sending it, or after "Ik heb dit ook").
function resetDraft() {
  draft.photos.forEach((p) => URL.revokeObjectURL(p.url));
  dropPhotos(draft.key);
  draft = newDraft();
  try { sessionStorage.removeItem(DRAFT_KEY); } catch { /* storage may be off */ }
}

// restorePhotos puts the kept photos of the draft back in front of any chosen meanwhile;
// it answers whether there were any.
async function restorePhotos() {
  const d = draft;
  const blobs = await keptPhotos(d.key);
  if (!blobs.length || d !== draft) return false;
  d.photos = [...blobs.map((blob) => ({ blob, url: URL.createObjectURL(blob) })), ...d.photos];
  d.photos.splice(MAX_PHOTOS).forEach((p) => URL.revokeObjectURL(p.url));
  return true;
}

// savePhotos keeps the draft's photos (and its key, with its text) after a change; it
// answers whether all of them are kept (the rest is over draft.js's size cap).
async function savePhotos() {
  await restoring;
  const d = draft;
  keepDraft();
  const n = await keepPhotos(d.key, d.photos.map((p) => p.blob));
  return d !== draft || n >= d.photos.length;
}

// fingerprint names what a send of the draft carries: the report as sent and its photos.
async function fingerprint(report, photos) {
  const parts = [JSON.stringify(report)];
  for (const p of photos) {
    if (globalThis.crypto && crypto.subtle) {
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', await p.blob.arrayBuffer()));
      parts.push(Array.from(hash, (x) => x.toString(16).padStart(2, '0')).join(''));
    } else {
      parts.push(`${p.blob.type}:${p.blob.size}`); // no digests outside a secure context
    }
  }
  return parts.join('\n');
}

// draftSender sends the draft with its Idempotency-Key (Idempotent): the key it was last
// sent with while nothing changed, kept with the draft before each send, so that a reload
// after a lost answer retries with it. A changed report is a new request; if the first
// one was filed after all, the second joins its job as another report of the same thing.
function draftSender() {
  const d = draft;
  return new Idempotent(d.sent, (sent) => {
    d.sent = sent;
    if (d === draft) keepDraft();
  });
}

document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') keepDraft(); });
window.addEventListener('pagehide', keepDraft);

function catName(c) { return getLang() === 'en' ? c.name_en || c.name_nl : c.name_nl; }

function deviceID() {
  let id = localStorage.getItem('wijkwerk.device');
  if (!id) {
    id = newKey();
    localStorage.setItem('wijkwerk.device', id);
  }
  return id;
}

async function reportPage(main) {
  const title = h('h1', { id: 'report-title' }, t('report.title'));
  const loading = h('p', { class: 'loading' }, t('common.loading'));
  mount(main, title, h('p', { class: 'lead' }, t('report.intro')), loading);
  let cats;
  try {
    cats = (await categoriesPromise).categories;
  } catch (err) {
    mount(main, title, h('p', { class: 'alert alert-error', role: 'alert' }, err instanceof ApiError && err.status ? problemText(err) : t('error.offline')),
      h('button', { type: 'button', class: 'btn', onclick: () => location.reload() }, t('common.retry')));
    return;
  }
  loading.remove();
  const mains = cats.filter((c) => !c.parent_code);
  const subsOf = (code) => cats.filter((c) => c.parent_code === code && c.reportable);
  const byCode = new Map(cats.map((c) => [c.code, c]));

  const errorSummary = h('div', { class: 'alert alert-error', role: 'alert', tabindex: '-1', hidden: true });

  // 1. What
  const mainName = uid('main');
  const mainGrid = h('div', { class: 'cat-grid' }, mains.map((c) => {
    const id = uid('cat');
    return h('div', { class: 'tile-option' },
      h('input', { type: 'radio', name: mainName, id, value: c.code, class: 'tile-input', checked: draft.main === c.code, onchange: () => chooseMain(c.code) }),
      h('label', { for: id, class: 'tile' }, icon(c.icon, 'icon icon-lg'), h('span', null, catName(c))));
  }));
  const mainError = h('p', { class: 'field-error', id: 'cat-error', hidden: true });
  const subBox = h('div', { class: 'sub-box' });
  const questionBox = h('div');
  const whatSet = h('fieldset', { class: 'step', id: 'step-what', 'aria-describedby': 'cat-error' },
    h('legend', null, h('span', { class: 'step-no' }, '1'), t('report.what')), mainError, mainGrid, subBox, questionBox);

  function chooseMain(code) {
    draft.main = code;
    loadMapModule();
    const subs = subsOf(code);
    if (!subs.some((s) => s.code === draft.sub)) draft.sub = subs.length === 1 ? subs[0].code : null;
    renderSubs();
  }
  function renderSubs() {
    if (!draft.main) { mount(subBox); mount(questionBox); return; }
    const name = uid('sub');
    mount(subBox, h('fieldset', { class: 'subgroup' },
      h('legend', null, t('report.which')),
      h('div', { class: 'option-list' }, subsOf(draft.main).map((c) => {
        const id = uid('sub');
        return h('div', { class: 'option' },
          h('input', { type: 'radio', name, id, value: c.code, checked: draft.sub === c.code, onchange: () => { draft.sub = c.code; draft.answers = {}; renderQuestions(); lookNearby(); } }),
          h('label', { for: id }, catName(c)));
      }))));
    renderQuestions();
    lookNearby();
  }
  function renderQuestions() {
    const c = draft.sub && byCode.get(draft.sub);
    if (!c || !c.questions || !c.questions.length) { mount(questionBox); return; }
    mount(questionBox, c.questions.map((q) => {
      const text = getLang() === 'en' ? q.text_en || q.text_nl : q.text_nl;
      const label = q.required ? text : `${text} ${t('common.optional')}`;
      if (q.type === 'choice' && q.options) {
        const name = uid('q');
        return h('fieldset', { class: 'subgroup', 'data-question': q.key },
          h('legend', null, label),
          h('p', { class: 'field-error', id: `q-${q.key}-error`, hidden: true }),
          h('div', { class: 'option-list' }, q.options.map((o, i) => {
            const id = uid('opt');
            // The option is the value sent and stored (Dutch); options_en names it in English.
            const optName = getLang() === 'en' ? (q.options_en && q.options_en[i]) || o : o;
            return h('div', { class: 'option' },
              h('input', { type: 'radio', name, id, value: o, checked: draft.answers[q.key] === o, onchange: () => { draft.answers[q.key] = o; } }),
              h('label', { for: id }, optName));
          })));
      }
      if (q.type === 'bool') {
        const id = uid('q');
        return h('div', { class: 'option' },
          h('input', { type: 'checkbox', id, checked: draft.answers[q.key] === 'ja', onchange: (e) => { draft.answers[q.key] = e.target.checked ? 'ja' : 'nee'; } }),
          h('label', { for: id }, label));
      }
      const input = h('input', { type: 'text', maxlength: '500', value: draft.answers[q.key] || '', oninput: (e) => { draft.answers[q.key] = e.target.value; } });
      return field({ label, input });
    }));
  }

  // 2. Where
  const mapEl = h('div', { id: 'report-map', class: 'map' }, h('p', { class: 'map-loading' }, t('map.loading')));
  const locText = h('p', { class: 'loc-text', role: 'status', id: 'loc-text' }, t('report.noPlace'));
  const locError = h('p', { class: 'field-error', id: 'loc-error', hidden: true });
  const latInput = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', name: 'lat', value: draft.loc ? String(draft.loc.lat) : '' });
  const lonInput = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', name: 'lon', value: draft.loc ? String(draft.loc.lon) : '' });
  const locateBtn = h('button', { type: 'button', class: 'btn btn-secondary', onclick: locate }, icon('locate'), t('report.useLocation'));
  const centerBtn = h('button', { type: 'button', class: 'btn btn-secondary', disabled: true, onclick: () => { const c = map.getCenter(); setLoc(c.lat, c.lng); } }, icon('pin'), t('report.pinCenter'));
  const coords = h('details', { class: 'coords' },
    h('summary', null, t('report.coords')),
    h('p', { class: 'hint' }, t('report.coordsHint')),
    h('div', { class: 'coord-row' },
      field({ label: t('report.lat'), input: latInput }),
      field({ label: t('report.lon'), input: lonInput })),
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: fromInputs }, t('report.coordsApply')));
  const whereSet = h('fieldset', { class: 'step', id: 'step-where', 'aria-describedby': 'loc-error' },
    h('legend', null, h('span', { class: 'step-no' }, '2'), t('report.where')),
    h('p', { class: 'hint' }, t('report.whereHint')),
    locError,
    h('div', { class: 'btn-row' }, locateBtn, centerBtn),
    mapEl, locText, coords);

  // Already reported nearby?
  const nearbyBox = h('section', { class: 'nearby', 'aria-labelledby': 'nearby-title', hidden: true },
    h('h2', { id: 'nearby-title' }, t('nearby.title')), h('div', { class: 'nearby-list', 'aria-live': 'polite' }),
    // "Ik heb dit ook" can ask for updates as a report can.
    updatesOffered() ? updatesChoice() : null);

  // 3. Photos
  const photoInput = h('input', { type: 'file', accept: 'image/*', multiple: true, id: 'photo-input', class: 'file-input', onchange: addPhotos });
  const photoList = h('ul', { class: 'photo-list' });
  const photoNote = h('p', { class: 'hint', id: 'photo-note', 'aria-live': 'polite' });
  const photoSet = h('fieldset', { class: 'step', id: 'step-photos' },
    h('legend', null, h('span', { class: 'step-no' }, '3'), t('report.photos')),
    h('p', { class: 'hint' }, t('report.photosHint')),
    h('div', { class: 'file-picker' }, photoInput, h('label', { for: 'photo-input', class: 'btn btn-secondary' }, icon('camera'), t('report.addPhoto'))),
    photoNote, photoList);

  // 4. Description and contact
  const desc = h('textarea', { rows: '4', maxlength: '2000', name: 'description', value: draft.description, oninput: (e) => { draft.description = e.target.value; } });
  const descSet = h('fieldset', { class: 'step', id: 'step-desc' },
    h('legend', null, h('span', { class: 'step-no' }, '4'), t('report.describe')),
    field({ label: `${t('report.description')} ${t('common.optional')}`, hint: t('report.descriptionHint'), input: desc }),
    // No e-mail address: nothing would be sent to it (the tracking code shows how it
    // goes), and what is not needed is not asked (AVG).
    h('p', { class: 'hint' }, t('report.followHint')),
    // Updates by push, where the server and the browser can: only when asked for.
    updatesOffered() ? updatesChoice() : null);

  const submitBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, icon('send'), t('report.submit'));
  const form = h('form', { novalidate: true, 'aria-labelledby': 'report-title', onsubmit: submit },
    errorSummary, whatSet, whereSet, nearbyBox, photoSet, descSet, submitBtn);
  main.appendChild(form);

  let map = null;
  let mapLib = null;
  let marker = null;
  // Declared before the draft is restored below, which may look nearby at once.
  let nearbyTimer = 0;
  let nearbySeq = 0;
  // The map needs its element in the document to measure itself.
  lazyMap(mapEl, mapWords(t('report.mapLabel'), 'pick'), (m, created) => {
    mapLib = m;
    map = created;
    map.on('click', (e) => setLoc(e.latlng.lat, e.latlng.lng));
    centerBtn.disabled = false;
    if (draft.loc) placePin({ zoom: 17 });
  });
  if (draft.main) chooseMain(draft.main);
  if (draft.loc) setLoc(draft.loc.lat, draft.loc.lon, { zoom: 17 });
  renderPhotos();
  restoring.then((back) => { if (back && photoList.isConnected) renderPhotos(); });
  performance.mark('wijkwerk:interactive');

  function placePin({ zoom } = {}) {
    if (!map || !draft.loc) return;
    const ll = [draft.loc.lat, draft.loc.lon];
    if (!marker) {
      marker = mapLib.L.marker(ll, { icon: mapLib.pinIcon(), draggable: true, keyboard: false, title: t('report.pin'), alt: t('report.pin') }).addTo(map);
      marker.on('dragend', () => { const p = marker.getLatLng(); setLoc(p.lat, p.lng); });
    } else {
      marker.setLatLng(ll);
    }
    if (zoom) map.setView(ll, zoom);
    else if (!map.getBounds().contains(ll)) map.panTo(ll);
  }

  function setLoc(lat, lon, { zoom } = {}) {
    lat = Math.round(lat * 1e6) / 1e6;
    lon = Math.round(lon * 1e6) / 1e6;
    draft.loc = { lat, lon };
    placePin({ zoom });
    latInput.value = String(lat);
    lonInput.value = String(lon);
    locText.textContent = t('report.place', { lat: lat.toFixed(5), lon: lon.toFixed(5) });
    setFieldError(latInput, '');
    locError.hidden = true;
    lookNearby();
  }

  function locate() {
    if (!navigator.geolocation) { locText.textContent = t('report.noGeo'); return; }
    locText.textContent = t('report.locating');
    locateBtn.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (pos) => { locateBtn.disabled = false; setLoc(pos.coords.latitude, pos.coords.longitude, { zoom: 17 }); },
      () => { locateBtn.disabled = false; locText.textContent = t('report.noGeo'); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function fromInputs() {
    const lat = Number(latInput.value.trim().replace(',', '.'));
    const lon = Number(lonInput.value.trim().replace(',', '.'));
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 || latInput.value.trim() === '' || lonInput.value.trim() === '') {
      setFieldError(latInput, t('report.coordsInvalid'));
      latInput.focus();
      return;
    }
    setFieldError(latInput, '');
    setLoc(lat, lon, { zoom: 17 });
  }

  function lookNearby() {
    clearTimeout(nearbyTimer);
    if (!draft.loc || !draft.sub) { nearbyBox.hidden = true; return; }
    nearbyTimer = setTimeout(async () => {
      // Sent (or cleared) meanwhile: the form starts empty, nothing to look up.
      if (!draft.loc || !draft.sub) { nearbyBox.hidden = true; return; }
      const seq = ++nearbySeq;
      const list = nearbyBox.querySelector('.nearby-list');
      const q = new URLSearchParams({ lon: draft.loc.lon, lat: draft.loc.lat, category: draft.sub });
      let res;
      try {
        res = await api(`/api/v1/reports/nearby?${q}`);
      } catch {
        if (seq === nearbySeq) nearbyBox.hidden = true;
        return;
      }
      if (seq !== nearbySeq) return;
      nearbyBox.hidden = false;
      if (!res.jobs.length) {
        mount(list, h('p', null, t('nearby.none', { m: Math.round(res.radius_m) })));
        return;
      }
      mount(list, h('p', null, t('nearby.intro')), h('ul', { class: 'card-list' }, res.jobs.map((j) => nearbyItem(j))));
    }, 250);
  }

  function nearbyItem(j) {
    const msg = h('div', { class: 'support-msg', role: 'status', tabindex: '-1' });
    const facts = (n) => `${statusLabel(j.status)} · ${t('nearby.distance', { m: Math.round(j.distance_m) })} · ${plural('nearby.count', n)}`;
    const count = h('p', null, facts(j.report_count + j.support_count));
    const btn = h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
      btn.disabled = true;
      try {
        const updates = await updatesToken();
        const json = { device_id: deviceID() };
        if (updates.token) json.contact = { app_token: updates.token, wants_updates: true };
        const r = await api(`/api/v1/jobs/${j.job_id}/support`, { method: 'POST', json });
        if (updates.token) await follow(j.job_id);
        count.textContent = facts(r.report_count + r.support_count);
        btn.textContent = t('nearby.supported');
        // Done: say so plainly, so that nobody sends the same thing again as a report.
        mount(msg, h('div', { class: 'alert alert-ok alert-block' },
          h('p', { class: 'alert-title' }, getLang() === 'en' ? r.message_en : r.message),
          h('p', null, t('nearby.doneText')),
          updates.state ? h('p', { 'data-testid': 'updates-result' }, t(updates.token ? 'updates.on' : 'updates.supportFailed')) : null,
          // Back to an empty form: this resident is counted, not to report it again.
          h('a', { class: 'btn btn-primary', href: '/', 'data-link': '', onclick: resetDraft }, t('nearby.doneHome'))));
        msg.focus();
      } catch (err) {
        btn.disabled = false;
        msg.textContent = problemText(err);
        msg.focus();
      }
    } }, icon('people'), t('nearby.metoo'));
    return h('li', { class: 'card' },
      h('p', { class: 'card-title' }, j.category_name),
      count,
      h('p', { class: 'hint' }, t('nearby.since', { date: fmtDate(j.created_at) })),
      btn, msg);
  }

  async function addPhotos() {
    const files = Array.from(photoInput.files || []);
    photoInput.value = '';
    const room = MAX_PHOTOS - draft.photos.length;
    if (files.length > room) announce(photoNote, t('report.photosMax', { n: MAX_PHOTOS }));
    let refused = 0;
    for (const f of files.slice(0, Math.max(room, 0))) {
      const blob = await shrink(f);
      if (!blob) { refused += 1; continue; }
      draft.photos.push({ blob, url: URL.createObjectURL(blob) });
    }
    renderPhotos();
    if (refused) announce(photoNote, t('photo.notPhoto'));
    if (!(await savePhotos()) && photoNote.isConnected) announce(photoNote, t('report.photosNotKept'));
  }

  function renderPhotos() {
    mount(photoList, draft.photos.map((p, i) => h('li', { class: 'photo-item' },
      h('img', { src: p.url, alt: t('report.photoAlt', { n: i + 1 }) }),
      h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => {
          URL.revokeObjectURL(p.url); draft.photos.splice(i, 1); renderPhotos(); announce(photoNote, t('report.photoRemoved'));
          savePhotos();
          // Keep the keyboard in the list: on the next photo's button, else on adding one.
          const next = photoList.querySelectorAll('button')[Math.min(i, draft.photos.length - 1)];
          (next || photoInput).focus();
        } },
        icon('cross'), t('report.photoRemove', { n: i + 1 })))));
    photoNote.textContent = draft.photos.length ? plural('report.photoCount', draft.photos.length) : '';
    photoInput.disabled = draft.photos.length >= MAX_PHOTOS;
  }

  function validate() {
    const errors = [];
    mainError.hidden = true;
    if (!draft.sub) {
      const msg = draft.main ? t('report.errSub') : t('report.errCategory');
      mainError.textContent = msg;
      mainError.hidden = false;
      errors.push({ msg, target: whatSet.querySelector('input') });
    }
    const c = draft.sub && byCode.get(draft.sub);
    for (const q of (c && c.questions) || []) {
      const errEl = document.getElementById(`q-${q.key}-error`);
      if (errEl) errEl.hidden = true;
      if (q.required && !draft.answers[q.key]) {
        const msg = t('report.errQuestion');
        if (errEl) { errEl.textContent = msg; errEl.hidden = false; }
        errors.push({ msg, target: questionBox.querySelector(`[data-question="${q.key}"] input`) });
      }
    }
    if (!draft.loc) {
      locError.textContent = t('report.errPlace');
      locError.hidden = false;
      errors.push({ msg: t('report.errPlace'), target: locateBtn });
    }
    return errors;
  }

  function showErrors(errors, title = t('report.errTitle')) {
    mount(errorSummary, h('h2', null, title), h('ul', null, errors.map((e) => h('li', null,
      e.target ? h('a', { href: '#', onclick: (ev) => { ev.preventDefault(); e.target.focus(); } }, e.msg) : e.msg))));
    errorSummary.hidden = false;
    errorSummary.focus();
  }

  async function submit(e) {
    e.preventDefault();
    const errors = validate();
    if (errors.length) { showErrors(errors); return; }
    errorSummary.hidden = true;
    const report = {
      category: draft.sub,
      location: { type: 'Point', coordinates: [draft.loc.lon, draft.loc.lat] },
      description: draft.description.trim(),
      answers: draft.answers,
    };
    submitBtn.disabled = true;
    submitBtn.setAttribute('aria-busy', 'true');
    // Said at once: asking Google for the push token below may take a while.
    announce(ui.live, t('report.sending'));
    // The push token, when the resident asked for updates; without one (refused, not
    // possible here) the report goes all the same.
    const updates = await updatesToken();
    if (updates.token) report.contact = { app_token: updates.token, wants_updates: true };
    const body = new FormData();
    body.append('report', JSON.stringify(report));
    draft.photos.forEach((p, i) => body.append('photo', p.blob, `foto-${i + 1}.jpg`));
    try {
      const fp = await fingerprint(report, draft.photos);
      const rc = await draftSender().send(fp, (key) => api('/api/v1/reports', { method: 'POST', body, headers: { 'Idempotency-Key': key } }));
      rememberReport(rc.tracking_code);
      if (updates.token) await follow(rc.job_id, rc.tracking_code);
      wantsUpdates = false; // a next report asks again
      resetDraft();
      confirmation(main, rc, updates);
    } catch (err) {
      // The server's remarks at the fields they are about, linked from the summary.
      const items = [];
      if (!err.offline && (err.type === 'outside-area' || err.type === 'invalid-location')) {
        locError.textContent = problemText(err);
        locError.hidden = false;
        items.push({ msg: problemText(err), target: locateBtn });
      }
      for (const f of (!err.offline && err.problem && err.problem.errors) || []) {
        if (f.name === 'description') {
          setFieldError(desc, f.reason);
          items.push({ msg: f.reason, target: desc });
        }
      }
      const msg = err.offline ? t('report.errOffline') : err.type === 'idempotency-key-reused' ? t('report.errAgain') : problemText(err);
      showErrors(items.length ? items : [{ msg }], t('report.errSend'));
    } finally {
      submitBtn.disabled = false;
      submitBtn.removeAttribute('aria-busy');
    }
  }
}

function rememberReport(code) {
  const list = myReports().filter((c) => c !== code);
  list.unshift(code);
  localStorage.setItem('wijkwerk.reports', JSON.stringify(list.slice(0, 20)));
}

function myReports() {
  try { return JSON.parse(localStorage.getItem('wijkwerk.reports') || '[]'); } catch { return []; }
}

function confirmation(main, rc, updates = {}) {
  const msg = getLang() === 'en' ? rc.message_en : rc.message;
  mount(main,
    h('div', { class: 'confirm' },
      h('div', { class: 'confirm-icon' }, icon('check', 'icon icon-xl')),
      h('h1', { tabindex: '-1' }, t('confirm.title')),
      h('p', null, t('confirm.code')),
      h('p', { class: 'tracking-code', 'data-testid': 'tracking-code' }, rc.tracking_code),
      msg ? h('p', null, msg) : rc.duplicate_of ? h('p', { class: 'alert alert-info' }, plural('confirm.duplicate', rc.report_count + (rc.support_count || 0))) : null,
      // A date only when the server promises one (a crew has it, as on the tracking page).
      // No team for this place (yet): the planners pick it up.
      !(rc.team && rc.team.id) ? h('p', null, t('confirm.noTeam'))
        : rc.due_date ? h('p', { 'data-testid': 'confirm-due' }, t('confirm.due', { date: fmtDate(rc.due_date) })) : null,
      h('p', { class: 'hint' }, t('confirm.keep')),
      updates.state ? h('p', { class: updates.token ? 'alert alert-ok' : 'alert alert-info', 'data-testid': 'updates-result' },
        icon('bell'), h('span', null, t(updates.token ? 'updates.on' : 'updates.failed'))) : null,
      h('div', { class: 'btn-col' },
        h('a', { class: 'btn btn-primary', href: `/volg/${encodeURIComponent(rc.tracking_code)}`, 'data-link': '' }, icon('clock'), t('confirm.follow')),
        h('a', { class: 'btn btn-secondary', href: '/', 'data-link': '' }, icon('plus'), t('confirm.another')))));
  focusMain(main);
  announce(ui.live, `${t('confirm.title')} ${t('confirm.code')} ${rc.tracking_code}`);
}

// ---------------------------------------------------------------- updates by push

// A resident who ticks "Stuur mij bericht als er iets verandert" gets a push (web push
// through FCM, as the crew app) when the job ends: done, or could not be done and why.
// Only then does the page ask for notifications and load the Firebase SDK (push.js); the
// token goes with the report as contact.app_token, as a resident app's does. Nothing is
// preselected, and without the tick nothing goes to Google.
const PUSH = readPushSettings();
let wantsUpdates = false;
let tokenPromise = null; // {state: 'on', token} or {state: 'denied' | 'unsupported' | 'failed'}
const TOKEN_TIMEOUT_MS = 15000;

// updatesOffered: the server can push to browsers, and this browser can receive pushes.
function updatesOffered() {
  return pushPossible(PUSH);
}

// fetchToken asks for permission (when not asked before), then for this browser's FCM
// token, registering the app's service worker if it is not yet.
async function fetchToken() {
  if (Notification.permission === 'default') await Notification.requestPermission();
  if (Notification.permission !== 'granted') return { state: 'denied' };
  const push = await import('./push.js');
  if (!(await push.supported())) return { state: 'unsupported' };
  await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  const registration = await navigator.serviceWorker.ready;
  return { state: 'on', token: await push.token(PUSH, registration, null, 'wijkwerk-resident') };
}

// updatesToken is what sending a report or support gives the server: {} when the resident
// did not ask for updates, else the outcome of fetchToken (within a time limit).
async function updatesToken() {
  if (!wantsUpdates || !updatesOffered()) return {};
  if (!tokenPromise) startToken();
  const limit = new Promise((resolve) => setTimeout(() => resolve({ state: 'failed' }), TOKEN_TIMEOUT_MS));
  const res = await Promise.race([tokenPromise, limit]);
  if (res.state !== 'on') tokenPromise = null; // try again next time
  return res;
}

function startToken() {
  tokenPromise = fetchToken().catch((err) => {
    console.warn('wijkwerk: updates', err);
    return { state: 'failed' };
  });
  return tokenPromise;
}

// The page may offer updates in two places (the form, and the reports nearby for "Ik heb
// dit ook"); they are one choice.
const choices = new Set();

function setChoice(on, note = '') {
  wantsUpdates = on;
  for (const c of choices) {
    if (!c.box.isConnected) { choices.delete(c); continue; }
    c.box.checked = on;
    c.note.textContent = note;
    c.note.hidden = !note;
  }
}

// updatesChoice is the opt-in checkbox. Ticking it asks for permission at once (the
// browser wants that to follow a click) and gets the token in the background; when that
// cannot work, it says so and the box is unticked.
function updatesChoice() {
  const id = uid('updates');
  const noteId = `${id}-note`;
  const note = h('p', { class: 'hint updates-note', id: noteId, role: 'status', hidden: true });
  const box = h('input', { type: 'checkbox', id, 'aria-describedby': `${id}-hint ${noteId}`, checked: wantsUpdates,
    'data-testid': 'updates-choice',
    onchange: async () => {
      if (!box.checked) { setChoice(false); return; }
      setChoice(true);
      const res = await (tokenPromise || startToken());
      if (res.state === 'on' || !wantsUpdates) return;
      tokenPromise = null;
      setChoice(false, t(res.state === 'failed' ? 'updates.failed' : 'updates.refused'));
    } });
  choices.add({ box, note });
  return h('div', { class: 'updates' },
    h('div', { class: 'option' }, box, h('label', { for: id }, t('updates.label'))),
    h('p', { class: 'hint', id: `${id}-hint` }, t('updates.hint')),
    note);
}

// ---------------------------------------------------------------- tracking

async function trackingPage(main, code) {
  const input = h('input', { type: 'text', name: 'code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', value: code });
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'inline-form', onsubmit: (e) => {
    e.preventDefault();
    const c = input.value.trim();
    if (c) { go(`/volg/${encodeURIComponent(c)}`); return; }
    input.setAttribute('aria-invalid', 'true');
    mount(result, h('p', { class: 'alert alert-error', role: 'alert' }, t('track.empty')));
    input.focus();
  } },
    field({ label: t('track.codeLabel'), hint: t('track.codeHint'), input }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('track.look')));
  const mine = myReports();
  const title = h('h1', null, code ? t('track.titleCode', { code: code.toUpperCase() }) : t('track.title'));
  mount(main,
    title,
    form, result,
    !code && mine.length ? h('section', { 'aria-labelledby': 'mine-title' },
      h('h2', { id: 'mine-title' }, t('track.mine')),
      h('ul', { class: 'link-list' }, mine.map((c) => h('li', null, h('a', { href: `/volg/${encodeURIComponent(c)}`, 'data-link': '' }, c))))) : null);
  if (!code) return;
  mount(result, h('p', { class: 'loading' }, t('common.loading')));
  let tr;
  try {
    tr = await api(`/api/v1/reports/${encodeURIComponent(code)}`);
  } catch (err) {
    title.textContent = t('track.title'); // no report of that code: not "Melding XXXXX"
    mount(result, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(err)));
    return;
  }
  mount(result,
    h('section', { class: 'card track', 'aria-labelledby': 'track-status' },
      h('p', { class: 'card-title' }, tr.category_name),
      h('p', { id: 'track-status', class: `status-badge status-${tr.status}` }, statusLabel(tr.status)),
      // What happens next, while the municipality decides after the crew could not do it.
      tr.next ? h('p', { class: 'hint', 'data-testid': 'track-next' }, tr.next) : null,
      // The municipality closed it after the crew could not do it: that, and the reason.
      tr.closed_note ? h('p', { class: 'hint', 'data-testid': 'track-closed' }, tr.closed_note) : null,
      h('dl', { class: 'facts' },
        // Named by its kind: the smallest area may be a municipality or a district.
        tr.area ? [h('dt', { 'data-testid': 'track-area-kind' }, t(`track.area.${tr.area.kind}`)), h('dd', null, tr.area.name)] : null,
        tr.team_name ? [h('dt', null, t('track.team')), h('dd', null, tr.team_name)] : null,
        h('dt', null, t('track.reported')), h('dd', null, plural('nearby.count', tr.report_count + (tr.support_count || 0))),
        dueFact(tr)),
      // Only while the reporter gets updates: the page never shows how they get them.
      tr.wants_updates ? stopUpdates(code) : null),
    h('section', { 'aria-labelledby': 'timeline-title' },
      h('h2', { id: 'timeline-title' }, t('track.timeline')),
      h('ol', { class: 'timeline' }, tr.timeline.map((s) => h('li', { class: `step-${s.status}` },
        h('span', { class: 'timeline-dot', 'aria-hidden': 'true' }),
        h('span', { class: 'timeline-text' }, s.text),
        h('time', { datetime: s.at }, fmtDateTime(s.at)))))),
    tr.photos && tr.photos.length ? h('section', { 'aria-labelledby': 'after-title' },
      h('h2', { id: 'after-title' }, t('track.after')),
      h('ul', { class: 'photo-list' }, tr.photos.map((u, i) => h('li', { class: 'photo-item' }, h('img', { src: u, alt: t('track.afterAlt', { n: i + 1 }), loading: 'lazy' }))))) : null,
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
      await trackingPage(main, code);
      focusMain(main); // drawn anew: start reading at the top again
    } }, icon('sync'), t('common.refresh')));
}

// stopUpdates lets a reporter who asked for updates stop them, after a short question:
// DELETE /api/v1/reports/{code}/contact erases their contact details, so no message about
// the report comes any more.
function stopUpdates(code) {
  const box = h('div', { class: 'stop-updates' });
  const ask = () => {
    const open = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => confirm() }, t('track.stop'));
    mount(box, open);
    return open;
  };
  const confirm = () => {
    const result = h('div');
    const yes = h('button', { type: 'button', class: 'btn btn-primary', onclick: async () => {
      yes.disabled = true;
      try {
        await api(`/api/v1/reports/${encodeURIComponent(code)}/contact`, { method: 'DELETE' });
      } catch (err) {
        yes.disabled = false;
        mount(result, h('p', { class: 'alert alert-error', role: 'alert' }, problemText(err)));
        return;
      }
      const done = h('p', { class: 'alert alert-ok', role: 'status', tabindex: '-1', 'data-testid': 'track-updates-stopped' }, t('track.stopped'));
      mount(box, done);
      done.focus();
    } }, t('track.stopYes'));
    mount(box,
      h('p', null, t('track.stopAsk')),
      result,
      h('div', { class: 'btn-row' }, yes, h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => ask().focus() }, t('common.cancel'))));
    yes.focus();
  };
  ask();
  return box;
}

// The job states in which the work still has to be done (the server's job.OpenStatuses).
const OPEN_STATUSES = ['open', 'assigned', 'accepted', 'in_progress'];

// dueFact is what the tracking page says about when it is done. The server gives a
// due_date only while it promises one (open work that a crew has); open work without one
// waits for a planner, so no date is known yet; a closed job says nothing about a date.
function dueFact(tr) {
  if (tr.due_date) return [h('dt', null, t('track.due')), h('dd', { 'data-testid': 'track-due' }, fmtDate(tr.due_date))];
  if (OPEN_STATUSES.includes(tr.status)) return [h('dt', null, t('track.due')), h('dd', { 'data-testid': 'track-due' }, t('track.dueUnknown'))];
  return null;
}

// ---------------------------------------------------------------- start

linkHandler(go);
window.addEventListener('popstate', () => render(true));
onLangChange(() => render(false));
ready.then(() => render(false));
whenIdle(() => registerServiceWorker('resident'));
