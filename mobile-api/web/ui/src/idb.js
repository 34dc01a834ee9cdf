// A minimal promise wrapper around IndexedDB for the crew app and its service worker.
// Stores: kv (settings such as the device token and the sync cursor), tasks (by id) and
// outbox (actions waiting to be sent, in order).
const NAME = 'wijkwerk-crew';
const VERSION = 1;
let opening = null;

export function openDB() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
      if (!db.objectStoreNames.contains('tasks')) db.createObjectStore('tasks', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    req.onerror = () => { opening = null; reject(req.error); };
  });
  return opening;
}

function done(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function store(name, mode = 'readonly') {
  const db = await openDB();
  return db.transaction(name, mode).objectStore(name);
}

export async function get(name, key) { return done((await store(name)).get(key)); }
export async function getAll(name) { return done((await store(name)).getAll()); }
export async function put(name, value, key) { return done((await store(name, 'readwrite')).put(value, key)); }
export async function del(name, key) { return done((await store(name, 'readwrite')).delete(key)); }
export async function clear(name) { return done((await store(name, 'readwrite')).clear()); }
export async function count(name) { return done((await store(name)).count()); }
