// web/lib/chart.js — small SVG charts: a stacked bar and a sparkline.
import { h, s } from './dom.js';

// parts: [{label, value, cls}] → a horizontal stacked bar with a legend.
export function stackedBar(parts, { title, fmt = String } = {}) {
  const total = parts.reduce((a, p) => a + Math.max(0, p.value), 0) || 1;
  const svg = s('svg', { viewBox: '0 0 100 8', preserveAspectRatio: 'none', class: 'bar', role: 'img',
    'aria-label': `${title ? title + ': ' : ''}${parts.map((p) => `${p.label} ${fmt(p.value)}`).join(', ')}` });
  let x = 0;
  for (const p of parts) {
    const w = (Math.max(0, p.value) / total) * 100;
    if (w > 0) svg.append(s('rect', { x: x.toFixed(3), y: 0, width: w.toFixed(3), height: 8, class: p.cls }, s('title', {}, `${p.label}: ${fmt(p.value)}`)));
    x += w;
  }
  const legend = h('ul', { class: 'legend' }, parts.map((p) => h('li', {}, h('span', { class: `swatch ${p.cls}`, 'aria-hidden': 'true' }), `${p.label} `, h('strong', {}, fmt(p.value)))));
  return h('figure', { class: 'chart' }, title ? h('figcaption', {}, title) : null, svg, legend);
}

// points: [{t, v}] with v in [lo, hi] → a sparkline with the last value marked.
export function sparkline(points, { lo = 0, hi = 1, label = '' } = {}) {
  const W = 120, H = 32, pad = 3;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'spark', role: 'img', 'aria-label': label });
  if (points.length === 0) return svg;
  const xs = (i) => points.length === 1 ? W / 2 : pad + (i * (W - 2 * pad)) / (points.length - 1);
  const ys = (v) => H - pad - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo || 1)) * (H - 2 * pad);
  svg.append(s('line', { x1: 0, x2: W, y1: ys((lo + hi) / 2), y2: ys((lo + hi) / 2), class: 'spark-mid' }));
  svg.append(s('polyline', { points: points.map((p, i) => `${xs(i).toFixed(1)},${ys(p.v).toFixed(1)}`).join(' '), class: 'spark-line' }));
  const last = points[points.length - 1];
  svg.append(s('circle', { cx: xs(points.length - 1), cy: ys(last.v), r: 2.5, class: 'spark-dot' }));
  return svg;
}

// A labelled progress meter (native <progress> for accessibility).
export function meter(value, max, label) {
  const pct = max > 0 ? Math.round((100 * value) / max) : 0;
  return h('div', { class: 'meter' },
    h('div', { class: 'meter-head' }, h('span', {}, label), h('span', { class: 'num' }, `${pct}%`)),
    h('progress', { value: String(value), max: String(max || 1), 'aria-label': `${label} ${pct}%` }));
}

// counts: Map(value → count) → a small column chart (votes per item).
export function histogram(counts, { title, xlabel = '' } = {}) {
  const keys = [...counts.keys()].sort((a, b) => a - b);
  const max = Math.max(1, ...counts.values());
  const W = 240, H = 90, bw = Math.min(36, (W - 10) / Math.max(1, keys.length) - 6);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'hist', role: 'img', preserveAspectRatio: 'xMinYMid meet',
    'aria-label': `${title || ''}: ${keys.map((k) => `${counts.get(k)} items with ${k} ${xlabel}`).join(', ')}` });
  keys.forEach((k, i) => {
    const x = 5 + i * (bw + 6), hgt = ((H - 26) * counts.get(k)) / max;
    svg.append(s('rect', { x, y: H - 14 - hgt, width: bw, height: hgt, rx: 2 }, s('title', {}, `${counts.get(k)} items with ${k} ${xlabel}`)),
      s('text', { x: x + bw / 2, y: H - 3, 'text-anchor': 'middle' }, String(k)),
      s('text', { x: x + bw / 2, y: H - 17 - hgt, 'text-anchor': 'middle' }, String(counts.get(k))));
  });
  return h('figure', { class: 'chart' }, title ? h('figcaption', {}, title) : null, svg);
}
