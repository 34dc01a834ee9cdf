// A minimal promise wrapper around IndexedDB. database() opens one database with its
// stores; the crew app and its service worker use the crew's database below (the module's
// own get/put/...), the resident app a small one of its own (draft.js).
export function database(name, version, upgrade) {
  let opening = null;

  function open() {
    if (opening) return opening;
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(name, version);
      req.onupgradeneeded = () => upgrade(req.result);
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(req.error); };
    });
    return opening;
  }

  async function store(s, mode = 'readonly') {
    const db = await open();
    return db.transaction(s, mode).objectStore(s);
  }

  return {
    open,
    get: async (s, key) => done((await store(s)).get(key)),
    getAll: async (s) => done((await store(s)).getAll()),
    put: async (s, value, key) => done((await store(s, 'readwrite')).put(value, key)),
    del: async (s, key) => done((await store(s, 'readwrite')).delete(key)),
    clear: async (s) => done((await store(s, 'readwrite')).clear()),
    count: async (s) => done((await store(s)).count()),
  };
}

function done(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// The crew's database. Stores: kv (settings such as the device token and the sync
// cursor), tasks (by id) and outbox (actions waiting to be sent, in order).
const crew = database('wijkwerk-crew', 1, (db) => {
  if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
  if (!db.objectStoreNames.contains('tasks')) db.createObjectStore('tasks', { keyPath: 'id' });
  if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
});

export const openDB = crew.open;
export const { get, getAll, put, del, clear, count } = crew;
