// Residents' initiatives, loaded by the resident app (resident.js) when someone opens
// /initiatieven, so that the report page, which must be usable quickly on a slow
// network, does not carry them: the public map, a proposal drawn on it, and following
// an initiative by its code, with its status and a form to log the residents' work.
import { api, Idempotent, problemText } from './api.js';
import { announce, field, h, mount, setFieldError } from './dom.js';
import { fmtDate, fmtDateTime, fmtNumber, getLang, parseNumber, plural, t } from './i18n.js';
import { icon } from './icons.js';
import { mapWords, statusLabel } from './shell.js';

// app holds what the resident app lends this module: go(path) for in-app navigation,
// loadMapModule() and lazyMap() for the map, and the live region of the current screen.
let app;

// showInitiatives shows the public map of initiatives, the "follow by code" form and
// the proposal form, in main.
export function showInitiatives(main, ctx) {
  app = ctx;
  return initiativesPage(main);
}

// showInitiative shows the initiative with code in main.
export function showInitiative(main, code, ctx) {
  app = ctx;
  return initiativePage(main, code);
}

const THEMES = ['green', 'paving', 'cleanliness', 'furniture'];
const THEME_COLOURS = { green: '#1b7a3a', paving: '#6b4f2a', cleanliness: '#0b5cad', furniture: '#7a2e8f' };

async function initiativesPage(main) {
  const mapEl = h('div', { id: 'initiative-map', class: 'map' });
  const notice = h('div', { 'aria-live': 'polite' });
  const list = h('div');
  const formBox = h('div');
  const proposeBtn = h('button', { type: 'button', class: 'btn btn-primary', onclick: () => openForm() }, icon('plus'), t('init.propose'));
  // The map comes first: a proposal is drawn on it, right above the form.
  mount(main,
    h('h1', null, t('init.title')),
    h('p', { class: 'lead' }, t('init.intro')),
    followSection(),
    h('section', { 'aria-labelledby': 'init-map-title' }, h('h2', { id: 'init-map-title' }, t('init.mapTitle')), notice, mapEl),
    proposeBtn, formBox, list);
  const { createMap, L } = await app.loadMapModule();
  if (!mapEl.isConnected) return;
  const map = createMap(mapEl, mapWords(t('init.mapLabel'), 'pick'));

  try {
    const fc = await api('/api/v1/initiatives.geojson');
    const feats = (fc && fc.features) || [];
    if (feats.length) {
      const layer = L.geoJSON(fc, {
        // A paused one still holds its place (no overlapping proposal of its theme): drawn
        // dashed and paler, and said in words in its summary.
        style: (f) => ({ color: THEME_COLOURS[f.properties && f.properties.theme] || '#154273', weight: 2,
          fillOpacity: isPaused(f.properties) ? 0.1 : 0.25, dashArray: isPaused(f.properties) ? '6 6' : null }),
        onEachFeature: (f, l) => l.bindPopup(() => initiativeSummary(f.properties || {}).outerHTML),
      }).addTo(map);
      // Not under a resident who started drawing a proposal meanwhile: the map would jump
      // away from their corners (and a few taps would draw a whole district).
      if (!map.getContainer().classList.contains('map-drawing')) map.fitBounds(layer.getBounds(), { maxZoom: 16, animate: false });
    }
    mount(list, feats.length
      ? h('ul', { class: 'card-list' }, feats.map((f) => h('li', { class: 'card', 'data-testid': 'initiative-card' }, initiativeSummary(f.properties || {}))))
      : h('p', null, t('init.none')));
  } catch (err) {
    mount(notice, h('p', { class: 'alert alert-info', 'data-state': err.status === 404 ? 'unavailable' : 'error' },
      err.status === 404 ? t('common.notYet', { what: t('init.mapTitle') }) : problemText(err)));
  }

  function openForm() {
    proposeBtn.hidden = true;
    initiativeForm(formBox, map, L, () => { proposeBtn.hidden = false; mount(formBox); });
  }
}

function isPaused(p) { return !!p && p.status === 'paused'; }

// initiativeSummary is an initiative of the public map in words. Its number is the one a
// refused proposal names ("Het vlak overlapt met het initiatief … (nr. 4)"); a paused one says
// that its place is back at the basic level for now.
function initiativeSummary(p) {
  const theme = p.theme && THEMES.includes(p.theme) ? t(`theme.${p.theme}`) : p.theme || '';
  return h('div', null,
    h('p', { class: 'card-title' }, p.title || p.name || t('init.untitled')),
    h('p', null, [p.id ? t('init.number', { n: p.id }) : null, theme, p.target_level || p.level ? t('init.levelShort', { level: p.target_level || p.level }) : null,
      p.status ? t(`initStatus.${p.status}`) : null].filter(Boolean).join(' · ')),
    isPaused(p) ? h('p', { class: 'hint' }, t('init.pausedNote')) : null,
    p.area || p.area_m2 ? h('p', { class: 'hint' }, [typeof p.area === 'string' ? p.area : p.area && p.area.name, p.area_m2 ? t('init.m2', { n: fmtNumber(Math.round(p.area_m2), 0) }) : null].filter(Boolean).join(' · ')) : null);
}

function initiativeForm(box, map, L, close) {
  // A retry of the same proposal after a lost answer files it once; a changed one is a
  // new request (Idempotent).
  const sender = new Idempotent();
  const points = [];
  const vertexLayer = L.layerGroup().addTo(map);
  let shape = null;
  const pointsText = h('p', { class: 'loc-text', role: 'status' }, t('init.points0'));
  const title = h('input', { type: 'text', maxlength: '120', name: 'title', required: true });
  const description = h('textarea', { rows: '3', maxlength: '2000', name: 'description' });
  const theme = h('select', { name: 'theme' }, THEMES.map((x) => h('option', { value: x }, t(`theme.${x}`))));
  const level = h('select', { name: 'level' }, ['A+', 'A'].map((x) => h('option', { value: x }, t('init.level', { level: x }))));
  const tasks = h('textarea', { rows: '2', maxlength: '1000', name: 'tasks' });
  const hours = h('input', { type: 'number', min: '1', max: '500', step: '1', inputmode: 'numeric', name: 'hours', value: '4' });
  const people = h('input', { type: 'number', min: '1', max: '500', step: '1', inputmode: 'numeric', name: 'people', value: '2' });
  const materials = h('textarea', { rows: '2', maxlength: '1000', name: 'materials' });
  const guidance = h('input', { type: 'number', min: '0', max: '200', step: '1', inputmode: 'numeric', name: 'guidance', value: '2' });
  const email = h('input', { type: 'email', autocomplete: 'email', name: 'email', required: true });
  const name = h('input', { type: 'text', autocomplete: 'name', name: 'name', maxlength: '200' });
  const errorBox = h('div', { class: 'alert alert-error', role: 'alert', tabindex: '-1', hidden: true });
  const result = h('div', { 'aria-live': 'polite' });

  const onClick = (e) => addPoint(e.latlng.lat, e.latlng.lng);
  map.on('click', onClick);
  // While drawing, a tap on an existing initiative is a corner, not its popup.
  map.closePopup();
  map.getContainer().classList.add('map-drawing');
  // An initiative is a street corner or a square, not a district: draw it close up.
  // Without animation: Leaflet ignores a zoom asked for while another one still runs
  // (the map fitting the initiatives as the page opened), and taps during one land
  // elsewhere.
  if (map.getZoom() < 17) map.setZoom(17, { animate: false });
  function addPoint(lat, lon) {
    points.push([Math.round(lat * 1e6) / 1e6, Math.round(lon * 1e6) / 1e6]);
    redraw();
  }
  function redraw() {
    vertexLayer.clearLayers();
    points.forEach((p) => L.circleMarker(p, { radius: 7, color: '#154273', weight: 3, fillColor: '#fff', fillOpacity: 1 }).addTo(vertexLayer));
    if (shape) { shape.remove(); shape = null; }
    if (points.length >= 2) shape = L.polygon(points, { color: '#154273', weight: 3, fillOpacity: 0.2, interactive: false }).addTo(map);
    pointsText.textContent = points.length >= 3
      ? `${plural('init.points', points.length)} ${t('init.areaIs', { n: fmtNumber(Math.round(areaM2(points)), 0) })}`
      : t('init.pointsFew', { n: points.length });
  }
  function cleanup() {
    map.off('click', onClick);
    map.getContainer().classList.remove('map-drawing');
    vertexLayer.remove();
    if (shape) shape.remove();
  }

  const submitBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('send'), t('init.submit'));
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'init-form-title', onsubmit: submit },
    h('h2', { id: 'init-form-title', tabindex: '-1' }, t('init.formTitle')),
    errorBox,
    h('fieldset', { class: 'step' },
      h('legend', null, t('init.drawLegend')),
      h('p', { class: 'hint' }, t('init.drawHint')),
      pointsText,
      h('div', { class: 'btn-row' },
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { const c = map.getCenter(); addPoint(c.lat, c.lng); } }, icon('plus'), t('init.addCenter')),
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { points.pop(); redraw(); } }, icon('undo'), t('init.undo')),
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => { points.length = 0; redraw(); } }, icon('cross'), t('init.clear')))),
    field({ label: t('init.name'), input: title }),
    field({ label: `${t('init.description')} ${t('common.optional')}`, input: description }),
    field({ label: t('init.theme'), input: theme }),
    field({ label: t('init.target'), hint: t('init.targetHint'), input: level }),
    field({ label: t('init.tasks'), hint: t('init.tasksHint'), input: tasks }),
    h('div', { class: 'coord-row' }, field({ label: t('init.hours'), input: hours }), field({ label: t('init.people'), input: people })),
    field({ label: `${t('init.materials')} ${t('common.optional')}`, hint: t('init.materialsHint'), input: materials }),
    field({ label: t('init.guidance'), input: guidance }),
    field({ label: t('init.contactName'), input: name }),
    field({ label: t('init.email'), hint: t('init.emailHint'), input: email }),
    h('div', { class: 'btn-row' }, submitBtn,
      h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => { cleanup(); close(); } }, t('common.cancel'))),
    result);
  mount(box, form);
  form.querySelector('h2').focus();

  async function submit(e) {
    e.preventDefault();
    const errors = [];
    errorBox.hidden = true;
    setFieldError(title, '');
    setFieldError(email, '');
    if (points.length < 3) errors.push(t('init.errPoints'));
    else if (areaM2(points) < 20 || areaM2(points) > 20000) errors.push(t('init.errSize', { n: Math.round(areaM2(points)) }));
    for (const input of [title, tasks, name, email, description, hours, people, guidance, materials]) setFieldError(input, '');
    if (!title.value.trim()) { errors.push(t('init.errName')); setFieldError(title, t('init.errName')); }
    if (!tasks.value.trim()) { errors.push(t('init.errTasks')); setFieldError(tasks, t('init.errTasks')); }
    if (!name.value.trim()) { errors.push(t('init.errContactName')); setFieldError(name, t('init.errContactName')); }
    if (!email.value.trim()) { errors.push(t('init.errEmail')); setFieldError(email, t('init.errEmail')); }
    if (errors.length) {
      mount(errorBox, h('ul', null, errors.map((x) => h('li', null, x))));
      errorBox.hidden = false;
      errorBox.focus();
      return;
    }
    const ring = points.map(([lat, lon]) => [lon, lat]);
    ring.push(ring[0]);
    const body = {
      title: title.value.trim(),
      description: description.value.trim(),
      theme: theme.value,
      target_level: level.value,
      polygon: { type: 'Polygon', coordinates: [ring] },
      commitment: { tasks: tasks.value.trim(), hours_per_month: Number(hours.value) || 0, people: Number(people.value) || 0 },
      requests: { materials: parseMaterials(materials.value), guidance_hours: Number(guidance.value) || 0 },
      contact: { name: name.value.trim(), email: email.value.trim() },
    };
    submitBtn.disabled = true;
    try {
      const res = await sender.send(JSON.stringify(body), (key) => api('/api/v1/initiatives', { method: 'POST', json: body, headers: { 'Idempotency-Key': key } }));
      cleanup();
      const code = res && (res.code || res.tracking_code);
      if (code) rememberInitiative(code, body.title);
      mount(box, h('div', { class: 'panel' },
        h('h2', { tabindex: '-1' }, t('init.thanks')),
        code ? h('p', null, t('init.thanksCode'), ' ', h('strong', { class: 'tracking-code', 'data-testid': 'initiative-code' }, code)) : null,
        res && (res.message || res.message_en) ? h('p', null, getLang() === 'en' ? res.message_en || res.message : res.message) : null,
        h('p', null, t('init.thanksNext')),
        code ? h('a', { class: 'btn btn-primary', href: `/initiatieven/${encodeURIComponent(code)}`, 'data-link': '' }, icon('clock'), t('init.thanksOpen')) : null));
      box.querySelector('h2').focus();
    } catch (err) {
      const text = err.status === 404 ? t('common.notYet', { what: t('init.formTitle') }) : problemText(err);
      // Put the server's remarks next to the fields they are about.
      const inputs = { title, description, 'commitment.tasks': tasks, 'commitment.hours_per_month': hours, 'commitment.people': people,
        'requests.guidance_hours': guidance, 'contact.name': name, 'contact.email': email };
      for (const f of (err.problem && err.problem.errors) || []) {
        const input = inputs[f.name] || (f.name.startsWith('requests.materials') ? materials : null);
        if (input) setFieldError(input, f.reason);
      }
      mount(errorBox, h('p', { 'data-state': err.status === 404 ? 'unavailable' : 'error' }, text));
      errorBox.hidden = false;
      errorBox.focus();
    } finally {
      submitBtn.disabled = false;
    }
  }
}

// ---------------------------------------------------------------- following an initiative

const INITIATIVES_KEY = 'wijkwerk.initiatives';

// The initiatives this device follows, newest first: [{code, title}].
function myInitiatives() {
  try {
    const list = JSON.parse(localStorage.getItem(INITIATIVES_KEY) || '[]');
    return Array.isArray(list) ? list.filter((x) => x && typeof x.code === 'string') : [];
  } catch {
    return [];
  }
}

function saveInitiatives(list) {
  try { localStorage.setItem(INITIATIVES_KEY, JSON.stringify(list.slice(0, 20))); } catch { /* storage may be off */ }
}

function rememberInitiative(code, title) {
  saveInitiatives([{ code, title: title || '' }, ...myInitiatives().filter((x) => x.code !== code)]);
}

function forgetInitiative(code) {
  saveInitiatives(myInitiatives().filter((x) => x.code !== code));
}

// followSection is the "follow by code" form, with the initiatives this device follows.
function followSection() {
  const input = h('input', { type: 'text', name: 'initiative-code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '40' });
  const form = h('form', { class: 'inline-form', novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const code = input.value.trim().toUpperCase();
    setFieldError(input, code ? '' : t('initf.errCode'));
    if (!code) { input.focus(); return; }
    app.go(`/initiatieven/${encodeURIComponent(code)}`);
  } },
  field({ label: t('initf.codeLabel'), hint: t('initf.codeHint'), input }),
  h('button', { type: 'submit', class: 'btn btn-primary' }, t('initf.look')));
  const mine = myInitiatives();
  return h('section', { class: 'follow', 'aria-labelledby': 'follow-title' },
    h('h2', { id: 'follow-title' }, t('initf.followTitle')),
    form,
    mine.length ? [
      h('h3', { id: 'mine-init-title' }, t('initf.mine')),
      h('ul', { class: 'link-list', 'aria-labelledby': 'mine-init-title', 'data-testid': 'followed-initiatives' },
        mine.map((x) => h('li', null, h('a', { href: `/initiatieven/${encodeURIComponent(x.code)}`, 'data-link': '' },
          x.title ? `${x.title} (${x.code})` : x.code)))),
    ] : null);
}

// Which states take residents' work (backend/initiative: approved and active), and what
// to say in the others.
const CONTRIBUTE_OPEN = new Set(['approved', 'active']);
const CONTRIBUTE_CLOSED = { proposed: 'initf.notYet', paused: 'initf.notPaused', ended: 'initf.notEnded', rejected: 'initf.notRejected' };


// todayISO is today in the municipality (YYYY-MM-DD), the day the server checks a
// contribution's date against (not in the future, not before the approval). A phone set
// to another time zone would otherwise offer yesterday or tomorrow for an hour or more
// around midnight, and the server would refuse the work with no date the form allows.
function todayISO() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

// initiativePage shows an initiative by its code: status, place, residents' work so far,
// the help from the municipality and what happened, and a form to log work.
async function initiativePage(main, code, flash = null) {
  const back = h('a', { href: '/initiatieven', class: 'back-link', 'data-link': '' }, icon('back'), t('initf.back'));
  mount(main, back, h('h1', null, t('initf.titleCode', { code })), h('p', { class: 'loading' }, t('common.loading')));
  let p;
  try {
    p = await api(`/api/v1/initiatives/${encodeURIComponent(code)}`);
  } catch (err) {
    if (!main.isConnected) return;
    mount(main, back, h('h1', null, t('initf.titleCode', { code })),
      h('p', { class: 'alert alert-error', role: 'alert', 'data-testid': 'initiative-error' }, err.offline ? t('error.offline') : problemText(err)),
      err.status === 404 && myInitiatives().some((x) => x.code === code)
        ? h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => { forgetInitiative(code); app.go('/initiatieven'); } }, icon('cross'), t('initf.forget'))
        : h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => initiativePage(main, code) }, icon('sync'), t('common.retry')));
    return;
  }
  if (!main.isConnected) return;
  code = p.code || code;
  rememberInitiative(code, p.title);
  const theme = THEMES.includes(p.theme) ? t(`theme.${p.theme}`) : p.theme;
  const mapEl = h('div', { id: 'initiative-detail-map', class: 'map map-small' }, h('p', { class: 'map-loading' }, t('map.loading')));
  const flashEl = flash ? h('p', { class: 'alert alert-ok', role: 'status', tabindex: '-1', 'data-testid': 'contribution-flash' }, icon('check'), flash) : null;
  const totals = p.contributions || { count: 0, hours: 0 };
  mount(main,
    back,
    h('h1', null, p.title || t('init.untitled')),
    h('p', { class: `status-badge init-status-${p.status}`, 'data-testid': 'initiative-status' }, t(`initStatus.${p.status}`)),
    h('dl', { class: 'facts' },
      h('dt', null, t('initf.code')), h('dd', null, h('span', { class: 'code' }, code)),
      h('dt', null, t('initf.theme')), h('dd', null, theme),
      h('dt', null, t('initf.level')), h('dd', null, t('initf.levelText', { target: p.target_level, basic: p.basic_level })),
      h('dt', null, t('initf.area')), h('dd', null, [p.area && p.area.name, p.area_m2 ? t('init.m2', { n: fmtNumber(Math.round(p.area_m2), 0) }) : null].filter(Boolean).join(' · ')),
      h('dt', null, t('initf.since')), h('dd', null, fmtDate(p.created_at))),
    p.conditions ? h('div', { class: 'alert alert-info' }, h('p', null, h('strong', null, t('initf.conditions')), ' ', p.conditions)) : null,
    p.reason ? h('div', { class: 'alert alert-info' }, h('p', null, h('strong', null, t('initf.reason')), ' ', p.reason)) : null,
    h('section', { 'aria-labelledby': 'work-title' },
      h('h2', { id: 'work-title' }, t('initf.totalsTitle')),
      flashEl,
      h('dl', { class: 'facts', 'data-testid': 'initiative-totals' },
        h('dt', null, t('initf.count')), h('dd', { 'data-testid': 'contribution-count' }, fmtNumber(totals.count, 2)),
        h('dt', null, t('initf.hoursTotal')), h('dd', { 'data-testid': 'contribution-hours' }, t('initf.h', { n: fmtNumber(totals.hours, 2) }))),
      CONTRIBUTE_OPEN.has(p.status)
        ? contributionForm(main, code)
        : h('p', { class: 'alert alert-info', 'data-testid': 'contribution-closed' }, icon('info'), t(CONTRIBUTE_CLOSED[p.status] || 'initf.notYet'))),
    p.support && p.support.length ? h('section', { 'aria-labelledby': 'support-title' },
      h('h2', { id: 'support-title' }, t('initf.support')),
      h('ul', { class: 'card-list compact' }, p.support.map((j) => h('li', { class: 'card' },
        h('p', { class: 'card-title' }, j.name),
        h('p', null, [statusLabel(j.status), j.due_date && !['done', 'cancelled', 'cannot_complete'].includes(j.status) ? t('initf.supportDue', { date: fmtDate(j.due_date) }) : null].filter(Boolean).join(' · ')))))) : null,
    h('section', { 'aria-labelledby': 'init-timeline-title' },
      h('h2', { id: 'init-timeline-title' }, t('initf.timeline')),
      h('ol', { class: 'timeline' }, (p.timeline || []).map((s) => h('li', { class: `step-${s.status}` },
        h('span', { class: 'timeline-dot', 'aria-hidden': 'true' }),
        h('span', { class: 'timeline-text' }, s.text),
        h('time', { datetime: s.at }, fmtDateTime(s.at)))))),
    h('section', { 'aria-labelledby': 'init-place-title' },
      h('h2', { id: 'init-place-title' }, t('initf.place')), mapEl),
    h('div', { class: 'btn-row' },
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => initiativePage(main, code) }, icon('sync'), t('common.refresh')),
      h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => {
        forgetInitiative(code);
        announce(app.live(), t('initf.forgotten'));
        app.go('/initiatieven');
      } }, icon('cross'), t('initf.forget'))));
  if (flashEl) flashEl.focus();
  if (p.geometry && p.geometry.coordinates) {
    app.lazyMap(mapEl, mapWords(t('initf.mapLabel'), 'view'), (m, map) => {
      const layer = m.L.geoJSON(p.geometry, { style: { color: THEME_COLOURS[p.theme] || '#154273', weight: 3, fillOpacity: 0.25 } }).addTo(map);
      map.fitBounds(layer.getBounds(), { maxZoom: 18, padding: [16, 16] });
    });
  }
}

// contributionForm logs residents' work (date, hours, how many people, what) on the
// initiative with code. A retry after a lost connection sends the same Idempotency-Key,
// so the work is never counted twice; changed work is a new request (Idempotent).
function contributionForm(main, code) {
  const sender = new Idempotent();
  const date = h('input', { type: 'date', name: 'date', value: todayISO(), max: todayISO(), required: true });
  const hours = h('input', { type: 'text', name: 'hours', inputmode: 'decimal', autocomplete: 'off', required: true, class: 'input-short' });
  const people = h('input', { type: 'number', name: 'people', inputmode: 'numeric', min: '1', max: '500', step: '1', value: '1', class: 'input-short' });
  const what = h('textarea', { name: 'what', rows: '3', maxlength: '500', required: true });
  const errorBox = h('div', { class: 'alert alert-error', role: 'alert', tabindex: '-1', hidden: true });
  const submitBtn = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, icon('send'), t('initf.submit'));
  const inputs = { date, hours, people, what };
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'log-title', onsubmit: submit },
    h('h3', { id: 'log-title' }, t('initf.logTitle')),
    h('p', null, t('initf.logIntro')),
    errorBox,
    field({ label: t('initf.date'), hint: t('initf.dateHint'), input: date }),
    field({ label: t('initf.people'), input: people }),
    field({ label: t('initf.hours'), hint: t('initf.hoursHint'), input: hours }),
    field({ label: t('initf.what'), hint: t('initf.whatHint'), input: what }),
    submitBtn);
  return form;

  function showErrors(title, items) {
    mount(errorBox, h('p', { class: 'alert-title' }, title), items.length ? h('ul', null, items.map((x) => h('li', null, x))) : null);
    errorBox.hidden = false;
    errorBox.focus();
  }

  async function submit(e) {
    e.preventDefault();
    errorBox.hidden = true;
    Object.values(inputs).forEach((x) => setFieldError(x, ''));
    const body = {
      date: date.value,
      hours: parseNumber(hours.value),
      people: Number(people.value) || 1,
      what: what.value.trim(),
    };
    const errors = [];
    const bad = (input, msg) => { setFieldError(input, msg); errors.push(msg); };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(body.date) || body.date > todayISO()) bad(date, t('initf.errDate'));
    if (!(body.hours > 0)) bad(hours, t('initf.errHours'));
    if (!(Number.isInteger(body.people) && body.people >= 1)) bad(people, t('initf.errPeople'));
    if (!body.what) bad(what, t('initf.errWhat'));
    if (errors.length) { showErrors(t('initf.errTitle'), errors); return; }
    submitBtn.disabled = true;
    submitBtn.setAttribute('aria-busy', 'true');
    try {
      const rc = await sender.send(JSON.stringify(body),
        (key) => api(`/api/v1/initiatives/${encodeURIComponent(code)}/contributions`, { method: 'POST', json: body, headers: { 'Idempotency-Key': key } }));
      await initiativePage(main, code, t('initf.logged', { hours: fmtNumber(rc.hours, 2), date: fmtDate(rc.date) }));
      return;
    } catch (err) {
      if (err.offline) {
        showErrors(t('initf.errTitle'), [t('initf.errOffline')]);
      } else {
        // Put the server's remarks next to the fields they are about.
        const fields = (err.problem && err.problem.errors) || [];
        for (const f of fields) if (inputs[f.name]) setFieldError(inputs[f.name], f.reason);
        showErrors(t('initf.errTitle'), [problemText(err)]);
        if (err.status === 409 || err.status === 404) {
          // The initiative changed meanwhile (paused, ended): show how it is now.
          const why = problemText(err);
          await initiativePage(main, code);
          const box = main.querySelector('[data-testid="contribution-closed"]');
          if (box) { box.textContent = why; box.setAttribute('role', 'alert'); }
          return;
        }
      }
    } finally {
      if (submitBtn.isConnected) {
        submitBtn.disabled = false;
        submitBtn.removeAttribute('aria-busy');
      }
    }
  }
}

// parseMaterials reads one material a line, "40 vaste planten" or "potgrond".
function parseMaterials(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const m = l.match(/^(\d+(?:[.,]\d+)?)\s+(.+)$/);
    return m ? { item: m[2], quantity: Number(m[1].replace(',', '.')), unit: '' } : { item: l, quantity: 1, unit: '' };
  });
}

// areaM2 is the area of a small polygon of [lat, lon] points, on a local flat projection
// (good to a fraction of a percent at street scale).
function areaM2(points) {
  if (points.length < 3) return 0;
  const lat0 = (points.reduce((a, p) => a + p[0], 0) / points.length) * (Math.PI / 180);
  const xy = points.map(([lat, lon]) => [lon * 111320 * Math.cos(lat0), lat * 110574]);
  let sum = 0;
  for (let i = 0; i < xy.length; i++) {
    const [x1, y1] = xy[i];
    const [x2, y2] = xy[(i + 1) % xy.length];
    sum += x1 * y2 - x2 * y1;
  }
  return Math.abs(sum) / 2;
}
