// Pictograms: simple line drawings on a 24×24 grid, shown next to words (never instead of
// them). Category icons use the names of categories.json ("trash", "tree", ...).
import { svg } from './dom.js';

const P = (d) => `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${d}</svg>`;

const ICONS = {
  trash: P('<path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3"/>'),
  tree: P('<path d="M12 22v-6M12 16c-4 0-7-2.5-7-6 0-2.5 1.8-4.3 3.6-5A4.5 4.5 0 0 1 16 4c2 .8 3 2.6 3 4.8 1.2.9 2 2.3 2 3.7 0 2-1.8 3.5-4 3.5z"/>'),
  road: P('<path d="M8 3 4 21M16 3l4 18M12 4v3M12 10v3M12 16v4"/>'),
  lamp: P('<path d="M9 21h6M12 21V9M12 9c-3 0-5-1.5-5-4h10c0 2.5-2 4-5 4zM5 13l-1.5 1M19 13l1.5 1"/>'),
  swing: P('<path d="M3 21 7 3h10l4 18M9 3v11M15 3v11M8 14h8"/>'),
  drain: P('<rect x="4" y="4" width="16" height="16" rx="2"/><path d="M8 8v8M12 8v8M16 8v8"/>'),
  alert: P('<path d="M12 3 2 20h20L12 3z"/><path d="M12 10v4M12 17h.01"/>'),
  pin: P('<path d="M12 22s7-6.3 7-12a7 7 0 0 0-14 0c0 5.7 7 12 7 12z"/><circle cx="12" cy="10" r="2.5"/>'),
  locate: P('<circle cx="12" cy="12" r="4"/><path d="M12 2v3M12 19v3M2 12h3M19 12h3"/>'),
  camera: P('<path d="M4 8h3l2-3h6l2 3h3v11H4z"/><circle cx="12" cy="13" r="3.5"/>'),
  check: P('<path d="m4 12 5 5L20 6"/>'),
  cross: P('<path d="M6 6l12 12M18 6 6 18"/>'),
  play: P('<path d="M7 4v16l13-8z"/>'),
  navigate: P('<path d="M3 11 21 3l-8 18-2-8z"/>'),
  sync: P('<path d="M20 11a8 8 0 0 0-14.6-4.5M4 13a8 8 0 0 0 14.6 4.5M5 3v4h4M19 21v-4h-4"/>'),
  cloudOff: P('<path d="M3 3l18 18M8 8a5 5 0 0 0-2 9.5h11M12 6a5 5 0 0 1 7 4 4 4 0 0 1 1.5 6.5"/>'),
  clock: P('<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>'),
  list: P('<path d="M9 6h11M9 12h11M9 18h11M4 6h.01M4 12h.01M4 18h.01"/>'),
  map: P('<path d="M9 4 3 6v14l6-2 6 2 6-2V4l-6 2-6-2zM9 4v14M15 6v14"/>'),
  people: P('<circle cx="9" cy="8" r="3"/><path d="M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6M16 5a3 3 0 0 1 0 6M18 14c2 .6 3 2.8 3 6"/>'),
  back: P('<path d="M15 5 8 12l7 7"/>'),
  plus: P('<path d="M12 5v14M5 12h14"/>'),
  minus: P('<path d="M5 12h14"/>'),
  undo: P('<path d="M9 14 4 9l5-5M4 9h10a6 6 0 0 1 0 12h-3"/>'),
  globe: P('<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c3 3.5 3 14.5 0 18M12 3c-3 3.5-3 14.5 0 18"/>'),
  logout: P('<path d="M15 4h4v16h-4M10 16l-4-4 4-4M6 12h10"/>'),
  send: P('<path d="M3 11 21 3l-6 18-3-7z"/><path d="m12 14 9-11"/>'),
  flower: P('<circle cx="12" cy="9" r="2.5"/><path d="M12 11.5V21M12 6.5c0-2 1-3.5 2.5-3.5S17 5 15.5 7M9.5 9c-2 0-3.5-1-3.5-2.5S8 4 10 5.5M14.5 9c2 0 3.5 1 3.5 2.5S16 14 14 12.5M12 17c-2-2-5-2-6 0 2 1.5 4 1.5 6 0z"/>'),
  qr: P('<path d="M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h2v2h-2zM18 18h2v2h-2zM14 18h2M18 14h2"/>'),
  bell: P('<path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 21h4"/>'),
  info: P('<circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5h.01"/>'),
};

// icon returns the pictogram named name (a neutral pin when unknown).
export function icon(name, cls = 'icon') {
  return svg(ICONS[name] || ICONS.pin, cls);
}
