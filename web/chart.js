// chart.js: small SVG charts built with createElementNS: a histogram and a line chart.
// Each carries a <title> and an aria-label that says in words what it shows.
import { svg } from './dom.js';
import { fmtNum } from './i18n.js';

/** Bars: [{label, value}], with the value above each bar. */
export function bars(data, { label, width = 360, height = 180 } = {}) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const pad = 24;
  const bw = (width - pad) / Math.max(1, data.length);
  const g = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label });
  g.append(svg('title', { text: label }));
  g.append(svg('line', { class: 'axis', x1: pad / 2, x2: width, y1: height - 20, y2: height - 20 }));
  data.forEach((d, i) => {
    const bh = ((height - 44) * d.value) / max;
    const x = pad / 2 + i * bw + 2;
    g.append(svg('rect', { class: 'bar', x, y: height - 20 - bh, width: Math.max(1, bw - 4), height: bh }));
    g.append(svg('text', { x: x + (bw - 4) / 2, y: height - 24 - bh, 'text-anchor': 'middle', text: d.value }));
    g.append(svg('text', { x: x + (bw - 4) / 2, y: height - 6, 'text-anchor': 'middle', text: d.label }));
  });
  return g;
}

/** Lines over x labels: series [{cls, points: [{x: label, y: number|null}]}], y in 0..100. */
export function lines(xs, series, { label, width = 360, height = 180 } = {}) {
  const left = 30;
  const top = 10;
  const bottom = height - 22;
  const step = xs.length > 1 ? (width - left - 50) / (xs.length - 1) : 0;
  const X = (i) => left + 10 + i * step;
  const Y = (v) => bottom - ((bottom - top) * v) / 100;
  const g = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label });
  g.append(svg('title', { text: label }));
  for (const v of [0, 50, 100]) {
    g.append(svg('line', { class: 'axis', x1: left, x2: width - 5, y1: Y(v), y2: Y(v), 'stroke-opacity': v ? 0.3 : 1 }));
    g.append(svg('text', { x: left - 4, y: Y(v) + 4, 'text-anchor': 'end', text: v }));
  }
  xs.forEach((x, i) => g.append(svg('text', { x: X(i), y: height - 6, 'text-anchor': 'middle', text: x })));
  for (const s of series) {
    const pts = s.points.map((p, i) => (p.y === null || p.y === undefined ? null : [X(i), Y(p.y), p.y])).filter(Boolean);
    if (pts.length > 1) g.append(svg('polyline', { class: s.cls, points: pts.map((p) => `${p[0]},${p[1]}`).join(' ') }));
    if (s.cls === 'line') {
      for (const p of pts) {
        g.append(svg('circle', { class: 'dot', cx: p[0], cy: p[1], r: 3 }));
        g.append(svg('text', { x: p[0], y: p[1] - 7, 'text-anchor': 'middle', text: fmtNum(p[2]) }));
      }
    }
  }
  return g;
}
