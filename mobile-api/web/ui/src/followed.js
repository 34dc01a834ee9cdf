// The reports (and supported jobs) this browser asked updates for, by job id, with the
// tracking code of the report (none for a job the resident only supported). The resident
// page writes them when it sends a report with a push token; the service worker reads
// them when a push about the job comes in, so that a click opens that report's tracking
// page. Only on this device: the server's push carries the job id, never a code.
import { database } from './idb.js';

const MAX = 50;
const db = database('wijkwerk-followed', 1, (d) => {
  if (!d.objectStoreNames.contains('jobs')) d.createObjectStore('jobs');
});

// follow remembers that this device follows job jobID, with the report's code (or '').
export async function follow(jobID, code = '') {
  try {
    const prev = await db.get('jobs', String(jobID));
    // A supported job that this device later reported too keeps the report's code.
    await db.put('jobs', { code: code || (prev && prev.code) || '', at: Date.now() }, String(jobID));
    const all = await db.getAll('jobs');
    if (all.length > MAX) {
      const d = await db.open();
      const keys = await new Promise((resolve, reject) => {
        const r = d.transaction('jobs').objectStore('jobs').getAllKeys();
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const old = keys.map((k, i) => [k, all[i].at]).sort((a, b) => a[1] - b[1]).slice(0, all.length - MAX);
      for (const [k] of old) await db.del('jobs', k);
    }
  } catch { /* storage may be off: the tracking list still has the code */ }
}

// trackingPath is where a click on a push about job jobID goes: its report's tracking
// page, or the tracking page's start (with this device's codes) when there is no code.
export async function trackingPath(jobID) {
  try {
    const f = await db.get('jobs', String(jobID));
    if (f && f.code) return `/volg/${encodeURIComponent(f.code)}`;
  } catch { /* storage may be off */ }
  return '/volg';
}
