// The photos of the resident's unsent report, kept in IndexedDB (its text is kept in
// sessionStorage by resident.js): a phone may close the tab while the camera app is open,
// and a reload must not lose them. Each draft's photos are stored under the draft's key,
// so two tabs keep their own; they are dropped when the report is sent or discarded, and
// photos of drafts nobody came back to are dropped after a day.
import { database } from './idb.js';

// MAX_BYTES caps what one draft keeps: three photos from a phone's camera, made smaller
// by photos.js, fit easily. Photos past the cap stay in the page only (and are sent).
export const MAX_BYTES = 6 << 20;
const MAX_AGE = 24 * 3600 * 1000;

const db = database('wijkwerk-resident', 1, (d) => {
  if (!d.objectStoreNames.contains('draftPhotos')) d.createObjectStore('draftPhotos', { keyPath: 'key' });
});

// Writes go one after the other, so that the last one wins.
let writing = Promise.resolve();
function queued(fn) {
  writing = writing.then(fn, fn).catch(() => { /* storage may be off or full */ });
  return writing;
}

// fitting is the first blobs whose sizes together stay within max.
export function fitting(blobs, max = MAX_BYTES) {
  const out = [];
  let total = 0;
  for (const b of blobs) {
    if (total + b.size > max) break;
    out.push(b);
    total += b.size;
  }
  return out;
}

// keptPhotos returns the photos kept for the draft key ([] when there are none), and drops
// the photos of drafts left for more than a day.
export async function keptPhotos(key) {
  try {
    const all = await db.getAll('draftPhotos');
    let mine = [];
    for (const rec of all) {
      if (rec.key === key) mine = Array.isArray(rec.blobs) ? rec.blobs : [];
      else if (!(Date.now() - rec.at < MAX_AGE)) queued(() => db.del('draftPhotos', rec.key));
    }
    return mine;
  } catch {
    return [];
  }
}

// keepPhotos stores the draft's photos, as many as fit (in order), and returns how many
// are kept.
export async function keepPhotos(key, blobs) {
  const kept = fitting(blobs);
  let n = 0;
  await queued(async () => {
    if (kept.length) await db.put('draftPhotos', { key, at: Date.now(), blobs: kept });
    else await db.del('draftPhotos', key);
    n = kept.length;
  });
  return n;
}

// dropPhotos forgets the draft's photos (sent or discarded).
export function dropPhotos(key) {
  return queued(() => db.del('draftPhotos', key));
}
