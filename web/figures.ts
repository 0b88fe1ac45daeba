// An experiment's figures (src/protocol/figures.ts) drawn with uPlot: the
// same description the command line renders to SVG, so the page and the
// files show the same thing. Series with different x are merged into one
// ascending x array (each point its own entry; other series null there),
// which uPlot's aligned data needs; lines span the gaps.

import uPlot from 'uplot';
import { axisTitle, seriesColours, type Figure } from '../src/protocol/figures.js';

/** Draws one figure into parent; returns the plot (to destroy). */
export function drawFigure(parent: HTMLElement, f: Figure, width: number): uPlot {
  const points: { s: number; x: number; y: number }[] = [];
  f.series.forEach((s, k) => {
    for (let i = 0; i < Math.min(s.x.length, s.y.length); i++) {
      const x = s.x[i]!, y = s.y[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y) || (f.x.log && x <= 0) || (f.y.log && y <= 0)) continue;
      points.push({ s: k, x, y });
    }
  });
  points.sort((a, b) => a.x - b.x);
  const xs = points.map((p) => p.x);
  const ys = f.series.map(() => new Array<number | null>(points.length).fill(null));
  points.forEach((p, i) => { ys[p.s]![i] = p.y; });

  const colours = seriesColours(f.series);
  const series: uPlot.Series[] = [{}, ...f.series.map((s, k): uPlot.Series => {
    const colour = colours[k]!;
    const base: uPlot.Series = { label: s.label || undefined, stroke: colour, width: s.kind === 'theory' ? 1.5 : 1.8, spanGaps: true };
    if (s.kind === 'points') return { ...base, paths: () => null, points: { show: true, size: 5, fill: colour, stroke: colour } };
    if (s.kind === 'theory') return { ...base, dash: [6, 4], points: { show: false } };
    if (s.kind === 'step') return { ...base, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } };
    return { ...base, points: { show: s.x.length <= 40 } };
  })];

  const marks = f.marks ?? [];
  const box = document.createElement('figure');
  box.className = 'figure';
  parent.append(box);
  const plot = new uPlot({
    width, height: Math.round(width * 0.6), title: f.title,
    scales: {
      x: { time: false, ...(f.x.log ? { distr: 3 } : {}), ...(f.x.min !== undefined || f.x.max !== undefined ? { range: (_u, lo, hi) => [f.x.min ?? lo, f.x.max ?? hi] } : {}) },
      y: { ...(f.y.log ? { distr: 3 } : {}), ...(f.y.min !== undefined || f.y.max !== undefined ? { range: (_u, lo, hi) => [f.y.min ?? lo, f.y.max ?? hi] } : {}) },
    },
    axes: [{ label: axisTitle(f.x), values: ticks }, { label: axisTitle(f.y), size: 64, values: ticks }],
    series,
    legend: { live: false },
    cursor: { drag: { x: true, y: false } },
    hooks: {
      draw: [(u) => {
        if (!marks.length) return;
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = '#777';
        ctx.fillStyle = '#555';
        ctx.setLineDash([2, 3]);
        ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
        for (const m of marks) {
          ctx.beginPath();
          if (m.axis === 'x') {
            const x = u.valToPos(m.at, 'x', true);
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            if (m.label) ctx.fillText(m.label, x + 4, u.bbox.top + 14 * devicePixelRatio);
          } else {
            const y = u.valToPos(m.at, 'y', true);
            ctx.moveTo(u.bbox.left, y);
            ctx.lineTo(u.bbox.left + u.bbox.width, y);
            ctx.stroke();
            if (m.label) ctx.fillText(m.label, u.bbox.left + u.bbox.width - ctx.measureText(m.label).width - 4, y - 4);
          }
        }
        ctx.restore();
      }],
    },
  }, [xs, ...ys] as unknown as uPlot.AlignedData, box);
  if (f.caption) {
    const cap = document.createElement('figcaption');
    cap.textContent = f.caption;
    box.append(cap);
  }
  return plot;
}

/** Tick labels that stay readable on log axes and at any magnitude (uPlot's default rounds 1e-4 to 0). */
function ticks(_u: uPlot, splits: (number | null)[]): string[] {
  return splits.map((v) => {
    if (v === null || v === undefined) return '';
    if (v === 0) return '0';
    const a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) return v.toExponential(0);
    return String(Number(v.toPrecision(6)));
  });
}
