// A figure (src/protocol/figures.ts) as a standalone SVG document: axes
// with ticks (linear or logarithmic), the measurements as lines, markers or
// a histogram outline, the theory dashed over them, marks, a legend. No
// dependencies, no fonts to embed: a file that opens in any browser and
// goes into a paper's draft.

import { axisTitle, seriesColours, type Axis, type Figure, type Series } from '../protocol/figures.js';

const W = 640, H = 400;
const M = { left: 72, right: 20, top: 40, bottom: 56 };

interface Scale { lo: number; hi: number; log: boolean; ticks: number[]; map(v: number): number }

export function figureSvg(f: Figure): string {
  const pw = W - M.left - M.right, ph = H - M.top - M.bottom;
  const xs = scale(f.x, f.series.flatMap((s) => s.x).concat((f.marks ?? []).filter((m) => m.axis === 'x').map((m) => m.at)), M.left, M.left + pw);
  const ys = scale(f.y, f.series.flatMap((s) => s.y).concat((f.marks ?? []).filter((m) => m.axis === 'y').map((m) => m.at)), M.top + ph, M.top);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<title>${esc(f.title)}</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(f.title)}</text>`);
  // Grid and ticks.
  for (const t of xs.ticks) {
    const x = xs.map(t);
    out.push(`<line x1="${r(x)}" y1="${M.top}" x2="${r(x)}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${r(x)}" y="${M.top + ph + 16}" text-anchor="middle">${tickLabel(t, xs)}</text>`);
  }
  for (const t of ys.ticks) {
    const y = ys.map(t);
    out.push(`<line x1="${M.left}" y1="${r(y)}" x2="${M.left + pw}" y2="${r(y)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${r(y + 4)}" text-anchor="end">${tickLabel(t, ys)}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle">${esc(axisTitle(f.x))}</text>`);
  out.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(axisTitle(f.y))}</text>`);
  out.push(`<clipPath id="plot"><rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}"/></clipPath>`);
  out.push('<g clip-path="url(#plot)">');
  for (const m of f.marks ?? []) {
    if (m.axis === 'x') {
      const x = xs.map(m.at);
      out.push(`<line x1="${r(x)}" y1="${M.top}" x2="${r(x)}" y2="${M.top + ph}" stroke="#777" stroke-dasharray="2 3"/>`);
      // Along the line, reading upwards: clear of the legend and of other marks.
      out.push(`<text transform="translate(${r(x - 4)} ${M.top + 6}) rotate(-90)" text-anchor="end" fill="#555">${esc(m.label)}</text>`);
    } else {
      const y = ys.map(m.at);
      out.push(`<line x1="${M.left}" y1="${r(y)}" x2="${M.left + pw}" y2="${r(y)}" stroke="#777" stroke-dasharray="2 3"/>`);
      out.push(`<text x="${M.left + pw - 4}" y="${r(y - 4)}" text-anchor="end" fill="#555">${esc(m.label)}</text>`);
    }
  }
  const colours = seriesColours(f.series);
  // Data first, theory on top (dashed): the reference stays visible.
  const order = [...f.series.keys()].sort((a, b) => Number(f.series[a]!.kind === 'theory') - Number(f.series[b]!.kind === 'theory'));
  for (const k of order) out.push(seriesSvg(f.series[k]!, colours[k]!, xs, ys));
  out.push('</g>');
  out.push(legend(f.series, colours, occupied(f.series, xs, ys), pw, ph));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function seriesSvg(s: Series, colour: string, xs: Scale, ys: Scale): string {
  const pts: [number, number][] = [];
  for (let i = 0; i < Math.min(s.x.length, s.y.length); i++) {
    const x = s.x[i]!, y = s.y[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y) || (xs.log && x <= 0) || (ys.log && y <= 0)) continue;
    pts.push([xs.map(x), ys.map(y)]);
  }
  if (!pts.length) return '';
  if (s.kind === 'points') {
    return `<g fill="${colour}" fill-opacity="0.8">${pts.map(([x, y]) => `<circle cx="${r(x)}" cy="${r(y)}" r="2.6"/>`).join('')}</g>`;
  }
  let d: string;
  if (s.kind === 'step') {
    // x are left edges: each bin a flat top to the next edge (the last as wide as the one before).
    const parts: string[] = [];
    for (let i = 0; i < pts.length; i++) {
      const [x, y] = pts[i]!;
      const next = i + 1 < pts.length ? pts[i + 1]![0] : x + (i > 0 ? x - pts[i - 1]![0] : 10);
      parts.push(`${i === 0 ? 'M' : 'L'}${r(x)} ${r(y)}L${r(next)} ${r(y)}`);
    }
    d = parts.join('');
  } else d = pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${r(x)} ${r(y)}`).join('');
  const dash = s.kind === 'theory' ? ' stroke-dasharray="6 4"' : '';
  return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="${s.kind === 'theory' ? 1.6 : 1.8}"${dash}/>`;
}

/** Where the data are drawn, in pixels: the points, and lines sampled along their segments. */
function occupied(series: Series[], xs: Scale, ys: Scale): [number, number][] {
  const out: [number, number][] = [];
  for (const sr of series) {
    const pts: [number, number][] = [];
    for (let i = 0; i < Math.min(sr.x.length, sr.y.length); i++) {
      const x = sr.x[i]!, y = sr.y[i]!;
      if (Number.isFinite(x) && Number.isFinite(y) && (!xs.log || x > 0) && (!ys.log || y > 0)) pts.push([xs.map(x), ys.map(y)]);
    }
    out.push(...pts);
    if (sr.kind === 'points') continue;
    for (let i = 1; i < pts.length; i++) {
      for (let k = 1; k < 8; k++) out.push([pts[i - 1]![0] + ((pts[i]![0] - pts[i - 1]![0]) * k) / 8, pts[i - 1]![1] + ((pts[i]![1] - pts[i - 1]![1]) * k) / 8]);
    }
  }
  return out;
}

function legend(series: Series[], colours: string[], points: readonly (readonly [number, number])[], pw: number, ph: number): string {
  const items = series.map((s, k) => ({ s, c: colours[k]! })).filter((i) => i.s.label);
  if (!items.length) return '';
  const w = 24 + Math.max(...items.map((i) => i.s.label.length)) * 6.6, h = items.length * 16 + 4;
  // The corner of the plot with the fewest data points under the box.
  const corners = [[M.left + 8, M.top + 8], [M.left + pw - 8 - w, M.top + 8], [M.left + 8, M.top + ph - 8 - h], [M.left + pw - 8 - w, M.top + ph - 8 - h]] as const;
  const under = (x: number, y: number) => points.filter(([px, py]) => px >= x - 4 && px <= x + w + 4 && py >= y - 4 && py <= y + h + 4).length;
  const [x, y] = corners.reduce((best, c) => (under(c[0], c[1]) < under(best[0], best[1]) ? c : best));
  const rows = items.map((i, k) => {
    const yy = y + 10 + k * 16;
    const sample = i.s.kind === 'points'
      ? `<circle cx="${r(x + 12)}" cy="${r(yy)}" r="3" fill="${i.c}"/>`
      : `<line x1="${r(x + 4)}" y1="${r(yy)}" x2="${r(x + 20)}" y2="${r(yy)}" stroke="${i.c}" stroke-width="2"${i.s.kind === 'theory' ? ' stroke-dasharray="5 3"' : ''}/>`;
    return `${sample}<text x="${r(x + 26)}" y="${r(yy + 4)}">${esc(i.s.label)}</text>`;
  });
  return `<g><rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${h}" fill="#fff" fill-opacity="0.85" stroke="#ccc"/>${rows.join('')}</g>`;
}

function scale(a: Axis, values: number[], from: number, to: number): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && (!a.log || v > 0));
  let lo = a.min ?? (finite.length ? Math.min(...finite) : 0);
  let hi = a.max ?? (finite.length ? Math.max(...finite) : 1);
  if (a.log) {
    if (!(lo > 0)) lo = hi > 0 ? hi / 10 : 1;
    if (!(hi > lo)) hi = lo * 10;
    const l0 = Math.floor(Math.log10(lo)), l1 = Math.ceil(Math.log10(hi));
    lo = a.min ?? 10 ** l0;
    hi = a.max ?? 10 ** Math.max(l1, l0 + 1);
    const ticks: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) if (10 ** e >= lo * 0.999 && 10 ** e <= hi * 1.001) ticks.push(10 ** e);
    const L0 = Math.log10(lo), L1 = Math.log10(hi);
    return { lo, hi, log: true, ticks, map: (v) => from + ((Math.log10(v) - L0) / (L1 - L0)) * (to - from) };
  }
  if (hi === lo) { lo -= 1; hi += 1; }
  if (a.min === undefined || a.max === undefined) {
    // Round outwards to the ticks, with a little room.
    const step = niceStep((hi - lo) / 6);
    if (a.min === undefined) lo = Math.floor(lo / step) * step;
    if (a.max === undefined) hi = Math.ceil(hi / step) * step;
  }
  const step = niceStep((hi - lo) / 6);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return { lo, hi, log: false, ticks, map: (v) => from + ((v - lo) / (hi - lo)) * (to - from) };
}

function niceStep(raw: number): number {
  const e = 10 ** Math.floor(Math.log10(raw));
  const f = raw / e;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * e;
}

function tickLabel(t: number, s: Scale): string {
  if (s.log) {
    const e = Math.round(Math.log10(t));
    return e >= -2 && e <= 4 ? String(10 ** e >= 1 ? 10 ** e : Number((10 ** e).toFixed(-e))) : `1e${e}`;
  }
  if (t === 0) return '0';
  const a = Math.abs(t);
  if (a >= 1e5 || a < 1e-3) return t.toExponential(0);
  return String(Number(t.toPrecision(6)));
}

const r = (v: number) => Math.round(v * 10) / 10;

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
