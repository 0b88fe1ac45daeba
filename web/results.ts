// The results of an experiment (its summary.json, or an experiment run's
// results frame): the checks against theory, its figures (web/figures.ts,
// the same ones the command line writes as SVG), image grids (RBM filters
// and samples, STDP receptive fields), and its tables collapsed behind them.
// Summaries written before experiments had figures get charts guessed from
// their curves.

import uPlot from 'uplot';
import { panelElement, colorOf, chartWidth } from './panels.js';
import { drawFigure } from './figures.js';
import type { Figure } from '../src/protocol/figures.js';

interface Summary {
  experiment: string;
  params?: Record<string, unknown>;
  results?: Record<string, unknown>;
  checks?: { name: string; measured: number; expected: number; tolerance: number; pass: boolean }[];
  figures?: Figure[];
  /** Stopped before its end: partial. */
  interrupted?: boolean;
}

type Row = Record<string, unknown>;
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const fmt = (x: unknown) => (isNum(x) ? (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : Number(x.toFixed(4)).toString()) : String(x));

function table(rows: Row[], columns: string[]): HTMLTableElement {
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const c of columns) { const th = document.createElement('th'); th.textContent = c; head.append(th); }
  const body = t.createTBody();
  for (const r of rows) { const tr = body.insertRow(); for (const c of columns) tr.insertCell().textContent = fmt(r[c]); }
  return t;
}

/** A line chart: one series per group, y = key, x = xKey. */
function chart(parent: HTMLElement, title: string, groups: [string, Row[]][], xKey: string, yKey: string, width: number): uPlot {
  const xs = [...new Set(groups.flatMap(([, rows]) => rows.map((r) => r[xKey] as number)))].sort((a, b) => a - b);
  const series = groups.map(([, rows]) => {
    const byX = new Map(rows.map((r) => [r[xKey] as number, r[yKey] as number]));
    return xs.map((x) => byX.get(x) ?? null);
  });
  const box = document.createElement('div');
  parent.append(box);
  return new uPlot({
    width, height: 230, title,
    scales: { x: { time: false } },
    axes: [{ label: xKey }, { size: 60 }],
    series: [{}, ...groups.map(([name], k) => ({ label: name, stroke: colorOf(k), width: 1.5, spanGaps: true, points: { show: xs.length < 40 } }))],
    cursor: { show: false }, legend: { live: false },
  }, [xs, ...series] as unknown as uPlot.AlignedData, box);
}

/** Tiles images (side x side, values scaled per image) onto one canvas. */
function grid(parent: HTMLElement, caption: string, images: number[][], normalise: boolean): void {
  const n = images.length;
  if (!n) return;
  const side = Math.round(Math.sqrt(images[0]!.length));
  const cols = Math.min(10, n), rows = Math.ceil(n / cols);
  const canvas = document.createElement('canvas');
  canvas.width = cols * (side + 1) + 1;
  canvas.height = rows * (side + 1) + 1;
  canvas.style.width = `${canvas.width * 2}px`;
  canvas.style.imageRendering = 'pixelated';
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(canvas.width, canvas.height);
  img.data.fill(255);
  images.forEach((im, k) => {
    let lo = 0, hi = 1;
    if (normalise) { lo = Math.min(...im); hi = Math.max(...im); if (!(hi > lo)) hi = lo + 1; }
    const ox = 1 + (k % cols) * (side + 1), oy = 1 + Math.floor(k / cols) * (side + 1);
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, (im[y * side + x]! - lo) / (hi - lo))));
      const i = 4 * ((oy + y) * canvas.width + ox + x);
      img.data[i] = v; img.data[i + 1] = v; img.data[i + 2] = v;
    }
  });
  ctx.putImageData(img, 0, 0);
  const fig = document.createElement('figure');
  fig.className = 'state-image';
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  fig.append(canvas, cap);
  parent.append(fig);
}

/** Renders a summary into panels appended to container; returns the charts (to destroy). */
export function renderResults(container: HTMLElement, summary: Summary, name: string): uPlot[] {
  const plots: uPlot[] = [];
  const res = summary.results ?? {};
  const checks = panelElement(summary.interrupted
    ? `${summary.experiment}: stopped before its end (${name}): what it had measured; the checks of a complete run are not made`
    : `${summary.experiment}: checks against theory (${name})`, true);
  checks.body.append(table((summary.checks ?? []).map((c) => ({ ...c, pass: c.pass ? 'yes' : 'NO' })), ['name', 'measured', 'expected', 'tolerance', 'pass']));
  container.append(checks.element);
  const width = Math.max(320, Math.floor(chartWidth(container) / 2) - 30);

  const figures = summary.figures ?? [];
  if (figures.length) {
    const panel = panelElement('Figures', true);
    const row = document.createElement('div');
    row.className = 'row figures';
    panel.body.append(row);
    container.append(panel.element);
    for (const f of figures) plots.push(drawFigure(row, f, width));
  }

  // Curves: an array of points with a grouping field, or groups of points by name.
  const curves = figures.length ? undefined : res.curves;
  const curveGroups: [string, Row[]][] = [];
  if (Array.isArray(curves)) {
    const key = ['method', 'model', 'variant'].find((k) => (curves[0] as Row | undefined)?.[k] !== undefined);
    for (const r of curves as Row[]) {
      const g = key ? String(r[key]) : 'curve';
      let entry = curveGroups.find(([n]) => n === g);
      if (!entry) curveGroups.push((entry = [g, []]));
      entry[1].push(r);
    }
  } else if (curves && typeof curves === 'object') {
    for (const [g, rows] of Object.entries(curves as Record<string, unknown>)) if (Array.isArray(rows)) curveGroups.push([g, rows as Row[]]);
  }
  if (curveGroups.length) {
    const panel = panelElement('Learning curves', true);
    const row = document.createElement('div');
    row.className = 'row';
    panel.body.append(row);
    container.append(panel.element);
    const sample = curveGroups[0]![1][0] ?? {};
    const xKey = ['epoch', 'step', 'iteration', 'trials', 'digits'].find((k) => isNum(sample[k])) ?? Object.keys(sample).find((k) => isNum(sample[k]))!;
    const yKeys = Object.keys(sample).filter((k) => k !== xKey && isNum(sample[k]) && k !== 'seconds');
    for (const y of yKeys) plots.push(chart(row, y.replace(/_/g, ' '), curveGroups, xKey, y, width));
  }

  // Tables of rows (lstm-vs-rnn, capacity curves, ising points), collapsed
  // behind the figures: a 1,400-row table is data to look up, not to scroll past.
  for (const key of ['rows', 'points', 'curve', 'presentations']) {
    const rows = res[key];
    if (!Array.isArray(rows) || !rows.length || typeof rows[0] !== 'object') continue;
    const details = document.createElement('details');
    details.className = 'table';
    details.open = !figures.length && rows.length <= 30;
    const summaryLine = document.createElement('summary');
    summaryLine.textContent = `table: ${key} (${rows.length} rows)`;
    details.append(summaryLine, table(rows as Row[], Object.keys(rows[0] as Row)));
    container.append(details);
  }

  // Image grids: results.images { name: { filters, samples, ... } } or { name: number[][] }.
  const images = res.images;
  if (images && typeof images === 'object') {
    const panel = panelElement('Images', true);
    const row = document.createElement('div');
    row.className = 'row images';
    panel.body.append(row);
    container.append(panel.element);
    for (const [group, value] of Object.entries(images as Record<string, unknown>)) {
      if (Array.isArray(value)) grid(row, group, value as number[][], true);
      else if (value && typeof value === 'object') {
        for (const [kind, list] of Object.entries(value as Record<string, unknown>)) {
          // Weights (filters) are scaled per image; everything else is a pixel value in [0, 1], drawn as it is.
          if (Array.isArray(list)) grid(row, `${group} ${kind}`, list as number[][], kind === 'filters');
        }
      }
    }
  }
  return plots;
}
