// report.html of an experiment: one self-contained page (no server, no
// network) with what it checked, its figures (the same SVG files the
// command line writes), its images and its tables, collapsed behind the
// figures. stdp-vs-backprop writes its own, richer report (stdp-report.ts).

import { figureSvg } from '../figures/svg.js';
import type { ExperimentResult } from './types.js';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function value(x: unknown): string {
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(3) : String(Number(x.toPrecision(4)));
  if (Array.isArray(x)) return x.length > 12 ? `${x.slice(0, 12).map(value).join(', ')}, ... (${x.length})` : x.map(value).join(', ');
  return typeof x === 'string' ? x : JSON.stringify(x);
}

/** Rows shown of a table before "... N more rows" (the file has them all). */
const MAX_ROWS = 200;

function csvTable(name: string, text: string): string {
  const lines = text.trimEnd().split('\n');
  const head = lines[0]?.split(',') ?? [];
  const rows = lines.slice(1, 1 + MAX_ROWS).map((l) => `<tr>${l.split(',').map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  const more = lines.length - 1 > MAX_ROWS ? `<p class="note">... ${lines.length - 1 - MAX_ROWS} more rows in ${esc(name)}</p>` : '';
  return `<details><summary>${esc(name)} (${lines.length - 1} rows)</summary><table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.join('')}</table>${more}</details>`;
}

export function experimentReport(name: string, description: string, params: Record<string, unknown>, result: ExperimentResult): string {
  const checks = result.checks.map((c) => `<tr class="${c.pass ? 'pass' : 'fail'}"><td>${c.pass ? 'pass' : 'FAIL'}</td><td class="l">${esc(c.name)}</td><td>${value(c.measured)}</td><td>${value(c.expected)}</td><td>${value(c.tolerance)}</td></tr>`);
  const figures = (result.figures ?? []).map((f) => `<figure>${figureSvg(f)}${f.caption ? `<figcaption>${esc(f.caption)}</figcaption>` : ''}</figure>`);
  const images = Object.entries(result.binaries ?? {}).filter(([file]) => file.endsWith('.png'))
    .map(([file, bytes]) => `<figure><img alt="${esc(file)}" src="data:image/png;base64,${Buffer.from(bytes).toString('base64')}"><figcaption>${esc(file)}</figcaption></figure>`);
  const tables = Object.entries(result.files).filter(([file]) => file.endsWith('.csv')).map(([file, text]) => csvTable(file, text));
  const allParams = { ...params, ...result.params };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hebb: ${esc(name)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 0.5rem 0; }
td, th { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; text-align: right; }
td.l, th.l { text-align: left; }
tr.pass td:first-child { color: #070; } tr.fail td:first-child { color: #b00; font-weight: 600; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; max-width: 640px; } figure svg, figure img { max-width: 100%; height: auto; }
figure img { image-rendering: pixelated; border: 1px solid #ccc; }
figcaption { color: #555; font-size: 0.9rem; }
details { margin: 0.4rem 0; } summary { cursor: pointer; }
.note { color: #555; font-size: 0.9rem; }
</style></head><body>
<h1>${esc(name)}${result.interrupted ? ' (stopped before its end: partial results)' : ''}</h1>
<p>${esc(description)}</p>
<p class="note">hebb experiment ${esc(name)}: ${Object.entries(allParams).map(([k, v]) => `${esc(k)} = ${esc(value(v))}`).join(', ')}</p>
<h2>Checks</h2>
<table><tr><th></th><th class="l">check</th><th>measured</th><th>expected</th><th>tolerance</th></tr>${checks.join('')}</table>
${figures.length ? `<h2>Figures</h2><div class="figures">${figures.join('\n')}</div>` : ''}
${images.length ? `<h2>Images</h2><div class="figures">${images.join('\n')}</div>` : ''}
${tables.length ? `<h2>Tables</h2>${tables.join('\n')}` : ''}
</body></html>
`;
}
