// HTTP calls to the Wijkwerk API. Errors come back as RFC 9457 problem documents; an
// ApiError carries one, or status 0 when the network did not answer.
import { getLang, t } from './i18n.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  get offline() { return this.status === 0; }

  get type() { return (this.problem.type || '').replace('/problems/', ''); }
}

// api sends a request and returns the decoded JSON answer (null for 204 or 304).
export async function api(path, { method = 'GET', json, body, headers = {}, token, signal, raw = false } = {}) {
  const hdrs = { Accept: 'application/json, application/problem+json', 'Accept-Language': getLang(), ...headers };
  if (json !== undefined) {
    body = JSON.stringify(json);
    hdrs['Content-Type'] = 'application/json';
  }
  if (token) hdrs.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, { method, body, headers: hdrs, cache: 'no-store', signal });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, { title: t('error.offline') });
  }
  if (raw) return res;
  return decode(res);
}

// decode turns a response into JSON or throws its problem.
export async function decode(res) {
  if (res.status === 204 || res.status === 304) return null;
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(res.status, data || { title: t('error.generic'), status: res.status });
  return data;
}

// problemText is what to tell a person about an error: the server's Dutch or English
// explanation, with the fields it names.
export function problemText(err) {
  if (!(err instanceof ApiError)) return t('error.generic');
  const p = err.problem;
  const main = p.detail || p.title || t('error.generic');
  const fields = Array.isArray(p.errors) ? p.errors.map((f) => f.reason).filter((r) => r && r !== main) : [];
  return [main, ...fields].join(' ');
}

// newKey returns a random key for Idempotency-Key headers and device ids.
export function newKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// Idempotent keeps the Idempotency-Key of one form's sends (a report, a proposal, logged
// work). Sending what was sent before, unchanged (fp: a fingerprint of the request),
// keeps its key: the answer may have been lost, and a retry must not file it twice. A
// changed request gets a new key: a key names one request, and the server refuses it for
// another (idempotency-key-reused). keep hears the state ({ key, fp }, or null) before
// each send and after a refusal, so that a draft kept over a reload retries with its key.
export class Idempotent {
  constructor(sent = null, keep = () => {}) {
    this.sent = sent;
    this.keep = keep;
  }

  key(fp) {
    if (!this.sent || this.sent.fp !== fp) this.sent = { key: newKey(), fp };
    this.keep(this.sent);
    return this.sent.key;
  }

  // send calls request with the key for fp and returns its answer. A key the server says
  // went with something else before (this phone cannot tell what) is dropped and the
  // request sent once more with a new one: never a dead end. Refused (4xx), nothing was
  // filed, so the next send is a new request with a new key; offline or on a 5xx it may
  // have arrived, so an unchanged retry keeps the key.
  async send(fp, request) {
    try {
      try {
        return await request(this.key(fp));
      } catch (err) {
        if (err.type !== 'idempotency-key-reused') throw err;
        this.sent = null;
        return await request(this.key(fp));
      }
    } catch (err) {
      if (err.status >= 400 && err.status < 500) {
        this.sent = null;
        this.keep(null);
      }
      throw err;
    }
  }
}
