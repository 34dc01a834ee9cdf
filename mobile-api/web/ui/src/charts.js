// Small SVG charts for the desk, without a chart library. Every chart carries its figures
// as text too (labels and values in the SVG, and an aria-label), so it is readable without
// colour or sight.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) el.setAttribute(k, String(v));
  for (const c of children) if (c != null) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

// barChart draws horizontal bars: data [{label, value}], fmt formats a value.
export function barChart({ title, data, fmt = (v) => String(v), colour = '#154273' }) {
  const rowH = 30;
  const labelW = 150;
  const valueW = 64;
  const width = 520;
  const barW = width - labelW - valueW;
  const max = Math.max(1, ...data.map((d) => d.value));
  const height = data.length * rowH + 8;
  const summary = `${title}: ${data.map((d) => `${d.label} ${fmt(d.value)}`).join(', ')}`;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': summary, class: 'chart', preserveAspectRatio: 'xMinYMin meet' },
    ...data.map((d, i) => {
      const y = i * rowH + 4;
      const w = Math.max(2, Math.round((d.value / max) * barW));
      return s('g', null,
        s('text', { x: labelW - 8, y: y + rowH / 2 + 5, 'text-anchor': 'end', class: 'chart-label' }, truncate(d.label, 20)),
        s('rect', { x: labelW, y: y + 4, width: w, height: rowH - 10, rx: 3, fill: colour }),
        s('text', { x: labelW + w + 6, y: y + rowH / 2 + 5, class: 'chart-value' }, fmt(d.value)));
    }));
  return h('figure', { class: 'chart-figure' }, h('figcaption', null, title), svg);
}

function truncate(text, n) {
  const str = String(text);
  return str.length > n ? `${str.slice(0, n - 1)}…` : str;
}

// meter is a bar of used against available (utilisation), with the figures in words.
// Over 100 % shows the overflow in a second colour and a marker at capacity.
export function meter({ used, capacity, label }) {
  const ratio = capacity > 0 ? used / capacity : used > 0 ? 2 : 0;
  const pct = Math.round(ratio * 100);
  const level = ratio > 1 ? 'over' : ratio >= 0.85 ? 'full' : 'ok';
  const shown = Math.min(ratio, 1.5) / 1.5; // the bar's scale runs to 150 %
  const width = 200;
  const cap = Math.round(width / 1.5);
  const svg = s('svg', { viewBox: `0 0 ${width} 18`, width: '100%', height: 18, 'aria-hidden': 'true', class: `meter meter-${level}`, preserveAspectRatio: 'none' },
    s('rect', { x: 0, y: 2, width, height: 14, rx: 3, class: 'meter-track' }),
    s('rect', { x: 0, y: 2, width: Math.max(0, Math.round(shown * width)), height: 14, rx: 3, class: 'meter-fill' }),
    s('line', { x1: cap, x2: cap, y1: 0, y2: 18, class: 'meter-cap' }));
  return h('div', { class: 'meter-wrap', role: 'img', 'aria-label': label || `${pct}%` }, svg, h('span', { class: `meter-pct meter-${level}` }, `${pct}%`));
}
