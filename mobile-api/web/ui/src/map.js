// The base map: Leaflet with tiles from a configurable URL (default PDOK's
// BRT-Achtergrondkaart). Without tiles (offline, blocked, slow) the map stays a plain
// grid that still takes taps and drags, and a notice says so. (Each page imports Leaflet's
// stylesheet itself, before its own.)
// It imports nothing of the app's own, so that the resident page can load it (with
// Leaflet) later as one file: the words come in as options.
import L from 'leaflet';

// Doetinchem, the demo municipality: where a map starts before it knows better.
export const START = { lat: 51.965, lon: 6.295, zoom: 14 };

function meta(name) {
  const el = document.querySelector(`meta[name="${name}"]`);
  return el ? el.getAttribute('content') || '' : '';
}

// tileConfig is the tile URL and attribution the server wrote into the page.
export function tileConfig() {
  return { url: meta('wijkwerk-tile-url'), attribution: meta('wijkwerk-tile-attribution') };
}

// createMap makes a map in el. Options: label names the map for screen readers, noTiles
// is the notice shown when tiles do not load, zoomIn and zoomOut name the buttons.
export function createMap(el, { label, noTiles, zoomIn, zoomOut, center = [START.lat, START.lon], zoom = START.zoom } = {}) {
  el.classList.add('map');
  el.setAttribute('role', 'region');
  el.setAttribute('aria-label', label);
  const map = L.map(el, { center, zoom, zoomControl: true, attributionControl: true, tap: true });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  // Leaflet's zoom buttons (also without tiles) are links with role=button; give them our words.
  const zin = el.querySelector('.leaflet-control-zoom-in');
  const zout = el.querySelector('.leaflet-control-zoom-out');
  if (zin && zoomIn) { zin.setAttribute('aria-label', zoomIn); zin.title = zoomIn; }
  if (zout && zoomOut) { zout.setAttribute('aria-label', zoomOut); zout.title = zoomOut; }
  const notice = document.createElement('p');
  notice.className = 'map-notice';
  notice.setAttribute('role', 'status');
  notice.hidden = true;
  notice.textContent = noTiles;
  el.parentNode.insertBefore(notice, el.nextSibling);
  const { url, attribution } = tileConfig();
  if (!url) {
    notice.hidden = false;
    return map;
  }
  const layer = L.tileLayer(url, { maxZoom: 20, maxNativeZoom: 19, attribution, crossOrigin: false });
  let loaded = 0;
  let failed = 0;
  layer.on('tileload', () => {
    loaded += 1;
    notice.hidden = true;
  });
  layer.on('tileerror', () => {
    failed += 1;
    if (loaded === 0) notice.hidden = false;
  });
  // Tiles that never answer count as failed after a while.
  setTimeout(() => { if (loaded === 0) notice.hidden = false; }, 6000);
  layer.addTo(map);
  map.whenReady(() => setTimeout(() => map.invalidateSize(), 0));
  map.getFailedTiles = () => failed;
  return map;
}

const pinSVG = (fill) => `<svg viewBox="0 0 36 48" width="36" height="48" aria-hidden="true" focusable="false"><path d="M18 47S33 30 33 17A15 15 0 0 0 3 17c0 13 15 30 15 30z" fill="${fill}" stroke="#fff" stroke-width="2.5"/><circle cx="18" cy="17" r="6" fill="#fff"/></svg>`;

// pinIcon is the drop pin a resident places.
export function pinIcon(fill = '#b3261e') {
  return L.divIcon({ className: 'map-pin', html: pinSVG(fill), iconSize: [36, 48], iconAnchor: [18, 46] });
}

// dotIcon is a round marker for jobs and tasks, coloured per team. (Colours go in SVG
// attributes: the page's Content-Security-Policy allows no inline style attributes.)
export function dotIcon(fill, size = 22) {
  const r = size / 2;
  return L.divIcon({
    className: 'map-dot',
    html: `<svg viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" aria-hidden="true" focusable="false"><circle cx="${r}" cy="${r}" r="${r - 2}" fill="${fill}" stroke="#fff" stroke-width="2.5"/></svg>`,
    iconSize: [size, size],
    iconAnchor: [r, r],
  });
}

export { L };
