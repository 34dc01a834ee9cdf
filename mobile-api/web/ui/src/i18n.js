// The screens' words: Dutch by default (strings.nl.js, always loaded), English on request
// (strings.en.js, loaded when someone picks it). {name} is filled in by t(); plural()
// picks "key.one" or "key.other" by count and fills in {n}.
import NL from './strings.nl.js';

export const STRINGS = { nl: NL, en: null };

// loadLang fetches the English strings the first time they are needed.
async function loadLang(l) {
  if (l === 'en' && !STRINGS.en) STRINGS.en = (await import('./strings.en.js')).default;
}

const KEY = 'wijkwerk.lang';
let lang = 'nl';
try {
  const saved = globalThis.localStorage && localStorage.getItem(KEY);
  if (saved === 'en' || saved === 'nl') lang = saved;
} catch { /* storage may be off */ }
if (globalThis.document) document.documentElement.lang = lang;

// ready settles when the chosen language's strings are there; the apps render after it.
export const ready = loadLang(lang).catch(() => {
  lang = 'nl';
  if (globalThis.document) document.documentElement.lang = lang;
});

const listeners = new Set();

export function getLang() { return lang; }

// setLang switches the language, remembers it and tells the screens to redraw.
export async function setLang(l) {
  l = l === 'en' ? 'en' : 'nl';
  try {
    await loadLang(l);
  } catch {
    return; // offline and never loaded: stay in the current language
  }
  lang = l;
  try { localStorage.setItem(KEY, lang); } catch { /* storage may be off */ }
  document.documentElement.lang = lang;
  listeners.forEach((fn) => fn(lang));
  // The screens are drawn anew (some after loading): keep the keyboard on the switch.
  const refocus = () => {
    const sw = document.querySelector('.lang-switch');
    if (sw && (document.activeElement === document.body || !document.activeElement)) sw.focus();
  };
  setTimeout(refocus, 0);
  setTimeout(refocus, 300);
}

export function onLangChange(fn) { listeners.add(fn); }

// t returns the text for key in the current language (Dutch when English lacks it, the
// key itself when both do).
export function t(key, params) {
  let s = (STRINGS[lang] || STRINGS.nl)[key];
  if (s == null) s = STRINGS.nl[key];
  if (s == null) return key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] != null ? String(params[k]) : m));
  return s;
}

// plural picks key.one or key.other by n.
export function plural(key, n) {
  return t(`${key}.${n === 1 ? 'one' : 'other'}`, { n });
}

const locale = () => (lang === 'en' ? 'en-GB' : 'nl-NL');

// parseNumber reads a number as people type it, "1,5" or "1.5", with at most two
// decimals (NaN for anything else, such as "1,5 uur" or "15,,"). Not type=number
// fields: those drop the comma of "1,5" and read 15.
export function parseNumber(text) {
  const s = String(text || '').trim().replace(',', '.');
  return /^\d+(\.\d{1,2})?$/.test(s) ? Number(s) : NaN;
}

// fmtNumber shows a number in the language's way ("1.234,5"), with at most digits
// decimals.
export function fmtNumber(v, digits) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(Number(v || 0));
}

// fmtDate shows a date ("2026-11-26" or an ISO time) as "26 nov. 2026".
export function fmtDate(v) {
  if (!v) return '';
  const d = typeof v === 'string' && v.length === 10 ? new Date(`${v}T12:00:00`) : new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toLocaleDateString(locale(), { day: 'numeric', month: 'short', year: 'numeric' });
}

// fmtTime shows a clock time ("10:45"); '' when v is not a time.
export function fmtTime(v) {
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
}

export function fmtDateTime(v) {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toLocaleString(locale(), { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
