// The crew's offline queue. Every task action (start, complete, cannot-complete) and
// every photo goes into the outbox in IndexedDB first, with its Idempotency-Key and the
// task version it expects (If-Match), and is sent from there: at once when online, else
// when the connection returns. A replay can therefore never do an action twice: the
// server answers a repeated key with the first result. A 409 means the task changed on
// the server; the action is dropped and the current task is kept, with a notice that
// keeps what was lost (hours, note) readable until the crew member has seen it. A task
// that a planner moved to another crew meanwhile is for the server to judge: work done
// before the new crew began still counts (see movedStep).
//
// This module runs in the page and in the service worker (Background Sync), so it uses
// no DOM. A Web Lock keeps the two from sending at the same time.
import * as db from './idb.js';

const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('wijkwerk-crew') : null;

// notify tells every open page (and the worker) that the queue or the tasks changed.
export function notify(what = 'changed') {
  if (channel) channel.postMessage({ type: what });
}

// onNotify calls fn for every notice, this context's own included (a channel does not
// hear itself, so the listener has a channel of its own).
export function onNotify(fn) {
  if (typeof BroadcastChannel === 'undefined') return;
  const listener = new BroadcastChannel('wijkwerk-crew');
  listener.onmessage = (e) => fn(e.data);
}

export const getToken = () => db.get('kv', 'token');
export const getLang = async () => (await db.get('kv', 'lang')) || 'nl';

// What each action does to a task's status, for the phone's own view until the server
// confirms (the server's state machine in backend/job/state.go decides).
const NEXT = { accept: 'accepted', start: 'in_progress', complete: 'done', 'cannot-complete': 'cannot_complete' };
export const FINAL = new Set(['done', 'cannot_complete', 'cancelled']);

function key() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// enqueueAction queues action on task with body and updates the task on the phone as if
// it had worked. Every action raises a task's version by one on the server, so an action
// queued after another expects the version after that one. names are the names, by
// worker id, of the people whose hours body holds, as the crew member picked them: kept
// with the item (not sent), so that a notice of lost hours can name them even when the
// phone's list of colleagues no longer has them (one who left the crew meanwhile).
export async function enqueueAction(task, action, body = {}, { names = {} } = {}) {
  const item = { type: 'action', taskId: task.id, action, body, names, key: key(), ifMatch: task.version, queuedAt: new Date().toISOString(), attempts: 0 };
  await db.put('outbox', item);
  const local = { ...task, status: NEXT[action] || task.status, version: task.version + 1, pending: true };
  if (action === 'complete' && body.note) local.note = body.note;
  await db.put('tasks', local);
  notify();
  return local;
}

// enqueuePhoto queues a photo (a Blob) of kind before/after for a task.
export async function enqueuePhoto(task, blob, kind) {
  await db.put('outbox', { type: 'photo', taskId: task.id, kind, blob, key: key(), queuedAt: new Date().toISOString(), attempts: 0 });
  const local = { ...task, pending: true, localPhotos: [...(task.localPhotos || []), { kind, blob }] };
  await db.put('tasks', local);
  notify();
  return local;
}

export async function pending() {
  return db.count('outbox');
}

function withLock(fn) {
  const locks = typeof navigator !== 'undefined' && navigator.locks;
  if (locks) return locks.request('wijkwerk-outbox', fn);
  return fn();
}

let flushing = null;

// flush sends what waits in the outbox, in order. It returns
// {sent, waiting, offline, conflicts, unpaired}.
export function flush() {
  if (!flushing) {
    flushing = withLock(flushLocked).finally(() => { flushing = null; });
  }
  return flushing;
}

async function flushLocked() {
  const result = { sent: 0, waiting: 0, offline: false, conflicts: 0, unpaired: false };
  const token = await getToken();
  if (!token) return result;
  const lang = await getLang();
  const items = (await db.getAll('outbox')).sort((a, b) => a.seq - b.seq);
  const skipTasks = new Set();
  // rebased: tasks whose actions go on from the server's version rather than the one the
  // phone predicted, after someone else changed the task first (see below).
  const rebased = new Map();
  notify('flushing');
  for (const [i, it] of items.entries()) {
    if (skipTasks.has(it.taskId)) { result.waiting += 1; continue; }
    if (it.type === 'action' && rebased.has(it.taskId) && it.ifMatch !== rebased.get(it.taskId)) {
      it.ifMatch = rebased.get(it.taskId);
      await db.put('outbox', it); // a retry of this request must be the same request
    }
    let res;
    try {
      res = await send(it, token, lang);
      // Someone else changed the task first (a colleague accepted it, the planner changed
      // its estimate): send the action again on the task as it is now. The first try
      // changed nothing (the server keeps no key of a refused action); what no longer
      // fits the task (it is done already) the server refuses, and then it is dropped.
      const cur = res.status === 409 && it.type === 'action' ? await staleCurrent(res) : null;
      if (cur) {
        it.ifMatch = cur.version;
        await db.put('outbox', it);
        rebased.set(it.taskId, cur.version);
        res = await send(it, token, lang);
      }
    } catch {
      result.offline = true;
      break;
    }
    if (res.ok) {
      if (it.type === 'action' && rebased.has(it.taskId)) {
        const task = await res.clone().json().catch(() => null);
        if (task && typeof task.version === 'number') rebased.set(it.taskId, task.version);
      }
      await db.del('outbox', it.seq);
      result.sent += 1;
      await carry(it, it.carried || 0, items.slice(i + 1));
      await settle(it, res);
      continue;
    }
    const problem = await res.json().catch(() => ({}));
    if (res.status === 401) {
      result.unpaired = true;
      await db.put('kv', true, 'unpaired');
      break;
    }
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      // Try again later; keep this task's later actions behind it.
      it.attempts += 1;
      it.lastError = problem.title || `HTTP ${res.status}`;
      await db.put('outbox', it);
      skipTasks.add(it.taskId);
      result.waiting += 1;
      continue;
    }
    if (await movedStep(it, problem, res.status, items.slice(i + 1), rebased)) continue;
    result.conflicts += 1;
    if (it.type === 'photo' && (res.status === 422 || problem.type === '/problems/task-closed')) {
      // The photo itself was refused (the task has as many of its kind as it may, or it
      // was closed meanwhile and takes no more photos): drop it alone, and the task's
      // steps after it still go out (what no longer fits a closed task the server refuses
      // in turn, with the task as it is now).
      await dropStep(it, problem, res.status);
      continue;
    }
    // The server refused: the task changed in a way this action no longer fits (409), or
    // the action itself is wrong (4xx). Drop this action and those queued after it for the
    // same task (none of them goes out now), keep the server's task.
    await dropTask(it, problem, res.status);
    skipTasks.add(it.taskId);
  }
  result.waiting = await db.count('outbox');
  notify();
  return result;
}

// movedStep handles a step refused because the task moved to another crew (409 with the
// task removed) when the crew's work on it still waits behind it: an accept or start
// (the new crew's task now) or a photo. The server takes the crew's complete, with the
// photos before it, while the new crew has not begun; whether it does is for the server
// to say. So this step alone is dropped, without a notice, and the task's later steps
// go out: its actions on the version this step expected (it changed nothing), which
// the crew saw while the task was theirs. The steps dropped so are counted on the next
// one (carried), so that a notice, if the server refuses that too, says how many
// steps were lost. It returns whether it handled it.
async function movedStep(it, problem, status, later, rebased) {
  const moved = status === 409 && problem && problem.current && problem.current.removed;
  if (!moved || (it.type === 'action' && it.action !== 'accept' && it.action !== 'start')) return false;
  const rest = later.filter((x) => x.taskId === it.taskId);
  if (!rest.length) return false;
  await dropStep(it, null, status, { quiet: true });
  await carry(it, 1 + (it.carried || 0), rest);
  if (it.type === 'action') {
    rebased.set(it.taskId, it.ifMatch);
    // Kept in the outbox at once, so a flush cut short goes on the same way.
    for (const x of rest.filter((y) => y.type === 'action')) {
      x.ifMatch = it.ifMatch;
      await db.put('outbox', x);
    }
  }
  return true;
}

// carry counts n steps dropped quietly (movedStep) on the next step of the same task among
// later, kept in the outbox; a step that is sent passes its count on.
async function carry(it, n, later) {
  const next = n > 0 && later.find((x) => x.taskId === it.taskId);
  if (!next) return;
  next.carried = (next.carried || 0) + n;
  await db.put('outbox', next);
}

// staleCurrent returns the task as the server has it now when res refused an action for a
// stale version, or null.
async function staleCurrent(res) {
  const problem = await res.clone().json().catch(() => null);
  const cur = problem && problem.current;
  if (!problem || problem.type !== '/problems/stale-version' || !cur || cur.removed || typeof cur.version !== 'number') return null;
  return cur;
}

async function send(it, token, lang) {
  const headers = { Authorization: `Bearer ${token}`, 'Accept-Language': lang, 'Idempotency-Key': it.key, Accept: 'application/json' };
  if (it.type === 'photo') {
    const form = new FormData();
    form.append('kind', it.kind);
    form.append('photo', it.blob, `${it.kind}.jpg`);
    return fetch(`/mobile/v1/tasks/${it.taskId}/photos`, { method: 'POST', headers, body: form, cache: 'no-store' });
  }
  headers['Content-Type'] = 'application/json';
  headers['If-Match'] = `"${it.ifMatch}"`;
  return fetch(`/mobile/v1/tasks/${it.taskId}/${it.action}`, { method: 'POST', headers, body: JSON.stringify(it.body), cache: 'no-store' });
}

// settle merges the server's answer into the phone's copy of the task.
async function settle(it, res) {
  const local = await db.get('tasks', it.taskId);
  const rest = (await db.getAll('outbox')).filter((x) => x.taskId === it.taskId);
  if (it.type === 'photo') {
    const photo = await res.json().catch(() => null);
    if (!local) return;
    // The first waiting photo of this kind is the one just sent (the queue keeps order).
    const localPhotos = [...(local.localPhotos || [])];
    const i = localPhotos.findIndex((p) => p.kind === it.kind);
    if (i >= 0) localPhotos.splice(i, 1);
    const photos = [...(local.photos || [])];
    if (photo && !photos.some((p) => p.hash === photo.hash)) photos.push(photo);
    await db.put('tasks', { ...local, photos, localPhotos, pending: rest.length > 0 });
    return;
  }
  const task = await res.json().catch(() => null);
  if (!task) return;
  // Later queued actions already moved the phone's copy on; keep that view until they
  // are sent, but take everything else from the server.
  if (rest.some((x) => x.type === 'action') && local) {
    await db.put('tasks', { ...task, status: local.status, version: local.version, pending: true, localPhotos: local.localPhotos || [] });
  } else {
    await db.put('tasks', { ...task, pending: rest.length > 0, localPhotos: (local && local.localPhotos) || [] });
  }
}

// dropStep drops one refused step alone, not the task's others: from the outbox and, for
// a photo, from the photos the task shows as waiting (the first of its kind, as settle
// takes it). A refused photo leaves a notice; a quiet drop (movedStep) leaves none.
async function dropStep(it, problem, status, { quiet = false } = {}) {
  await db.del('outbox', it.seq);
  const local = await db.get('tasks', it.taskId);
  if (local && it.type === 'photo') {
    const localPhotos = [...(local.localPhotos || [])];
    const i = localPhotos.findIndex((p) => p.kind === it.kind);
    if (i >= 0) localPhotos.splice(i, 1);
    const rest = (await db.getAll('outbox')).filter((x) => x.taskId === it.taskId);
    await db.put('tasks', { ...local, localPhotos, pending: rest.length > 0 });
  }
  if (!quiet) await noteConflict(it, problem, status, [it]);
}

async function dropTask(it, problem, status) {
  const all = await db.getAll('outbox');
  const dropped = all.filter((x) => x.taskId === it.taskId);
  for (const x of dropped) await db.del('outbox', x.seq);
  if (problem && problem.current && problem.current.removed) await db.del('tasks', it.taskId); // another team's now
  else if (problem && problem.current) await db.put('tasks', { ...problem.current, pending: false, localPhotos: [] });
  else {
    const local = await db.get('tasks', it.taskId);
    // Without the current task, fetch it on the next sync from scratch; its photos that
    // were waiting were dropped with the rest.
    if (local) await db.put('tasks', { ...local, pending: false, stale: true, localPhotos: [] });
    await db.del('kv', 'cursor');
  }
  await noteConflict(it, problem, status, dropped);
}

// noteConflict keeps, for the crew to read, why queued item it was not sent, how many
// items were dropped with it (it included) and what of theirs the server will not have:
// hours and notes, for the crew to pass on. A notice stays until the crew member has
// read it (see unreadDropped).
async function noteConflict(it, problem, status, dropped) {
  const conflicts = (await db.get('kv', 'conflicts')) || [];
  conflicts.push({
    taskId: it.taskId,
    action: it.type === 'photo' ? 'photo' : it.action,
    dropped: dropped.reduce((n, x) => n + 1 + (x.carried || 0), 0), // with the steps dropped before (movedStep)
    lost: await lostWork(dropped),
    status,
    type: (problem && problem.type) || '',
    title: (problem && problem.title) || '',
    detail: (problem && problem.detail) || '',
    currentStatus: problem && problem.current ? problem.current.status : '',
    removed: !!(problem && problem.current && problem.current.removed),
    at: new Date().toISOString(),
  });
  await db.put('kv', conflicts, 'conflicts');
}

// lostWork is what the dropped actions said that no one else has now: per action the
// hours per person (by the name the crew member picked, kept with the item; for an item
// queued before items kept names, as this phone knows them now), the note, and for
// "could not complete" the reason and its text. Photos are dropped with their action.
async function lostWork(items) {
  const worker = (await db.get('kv', 'worker')) || {};
  const specialists = (await db.get('kv', 'specialists')) || [];
  const known = (id) => (id === worker.id ? worker.name : (specialists.find((s) => s.id === id) || {}).name);
  const out = [];
  for (const x of items) {
    if (x.type !== 'action') continue;
    const b = x.body || {};
    const name = (id) => (x.names && x.names[id]) || known(id) || `#${id}`;
    const lost = {
      action: x.action,
      hours: (Array.isArray(b.hours) ? b.hours : []).map((e) => ({ name: name(e.worker_id), hours: e.hours })),
      note: b.note || '',
      reason: x.action === 'cannot-complete' ? b.reason || '' : '',
      text: x.action === 'cannot-complete' ? b.text || '' : '',
    };
    if (lost.hours.length || lost.note || lost.reason || lost.text) out.push(lost);
  }
  return out;
}

// unreadDropped counts the queued items dropped (refused by the server) whose notice the
// crew member has not yet acknowledged.
export async function unreadDropped() {
  return ((await db.get('kv', 'conflicts')) || []).reduce((n, c) => n + (c.dropped || 1), 0);
}
