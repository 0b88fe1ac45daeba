// Song, Miller & Abbott (2000): competitive Hebbian learning through STDP.
// One conductance-based neuron, 1000 Poisson inputs through additive STDP
// with A-/A+ slightly above 1: the weights split to the two bounds and the
// output rate settles at a level that barely depends on the input rate.
// A second run at another input rate shows the regulation.

import type { Figure } from '../protocol/figures.js';
import { validateModel } from '../model/validate.js';
import { loadPreset } from '../model/load.js';
import { Simulation } from '../sim/simulation.js';
import type { ExperimentContext, ExperimentResult, Check } from './types.js';
import { recordingSink } from '../sim/recording.js';

export interface SongOptions {
  duration_s: number;
  input_rate: number;
  compare_rate: number;
  a_plus: number;
  ratio: number;
  seed: number;
}

export const SONG_DEFAULTS: SongOptions = { duration_s: 400, input_rate: 30, compare_rate: 15, a_plus: 0.005, ratio: 1.05, seed: 1 };

/** The song2000 preset with the experiment's options applied. */
export function songModel(o: SongOptions, inputRate = o.input_rate, weightIntervalMs = 10_000): Record<string, unknown> {
  const m = loadPreset('song2000') as { duration: number; seed: number; populations: { params: { rate?: number } }[]; projections: { plasticity?: Record<string, number> }[]; record: { weights: { interval: number }[] } };
  m.duration = o.duration_s * 1000;
  m.seed = o.seed;
  m.populations[0]!.params.rate = inputRate;
  Object.assign(m.projections[0]!.plasticity!, { a_plus: o.a_plus, a_minus: o.a_plus * o.ratio });
  m.record.weights[0]!.interval = weightIntervalMs;
  return m as unknown as Record<string, unknown>;
}

interface SongRun {
  inputRate: number;
  histograms: { t_s: number; counts: number[] }[];
  rates: { t_s: number; rate_hz: number }[];
  final: number[];
  wMax: number;
  wallMs: number;
}

function runSong(o: SongOptions, inputRate: number, ctx: ExperimentContext): SongRun {
  const model = validateModel(songModel(o, inputRate), { limits: ctx.limits });
  const sim = new Simulation(model);
  const binMs = 10_000;
  const counts = new Array(Math.ceil(model.duration / binMs)).fill(0);
  const histograms: SongRun['histograms'] = [];
  const t0 = performance.now();
  sim.run({
    sink: recordingSink({
      spikes: (c) => { for (const t of c.times) counts[Math.min(counts.length - 1, Math.floor((t - 1e-9) / binMs))]++; },
      weights: (w) => { if (w.histogram) histograms.push({ t_s: w.tMs / 1000, counts: Array.from(w.histogram.counts) }); },
    }),
    onProgress: (d, n) => ctx.fraction?.(d, n),
    shouldStop: () => ctx.shouldStop?.() ?? false,
  });
  const wMax = (model.projections[0]!.plasticity as { w_max: number }).w_max;
  return {
    inputRate,
    histograms,
    rates: counts.map((n, k) => ({ t_s: ((k + 1) * binMs) / 1000, rate_hz: n / (binMs / 1000) })),
    final: Array.from(sim.projection('plastic').weights()),
    wMax,
    wallMs: performance.now() - t0,
  };
}

export function runSong2000(o: SongOptions, ctx: ExperimentContext): ExperimentResult {
  ctx.progress?.(`simulating ${o.duration_s} s with inputs at ${o.input_rate} Hz`);
  const main = runSong(o, o.input_rate, ctx);
  ctx.progress?.(`simulating ${o.duration_s} s with inputs at ${o.compare_rate} Hz (rate regulation)`);
  const other = runSong(o, o.compare_rate, ctx);

  const n = main.final.length;
  const low = main.final.filter((w) => w <= 0.1 * main.wMax).length / n;
  const high = main.final.filter((w) => w >= 0.9 * main.wMax).length / n;
  const edges = Array.from({ length: 21 }, (_, b) => b / 20);
  const histogram = edges.slice(0, 20).map((_, b) => main.final.filter((w) => {
    const x = w / main.wMax;
    return b === 19 ? x >= edges[b]! : x >= edges[b]! && x < edges[b + 1]!;
  }).length);
  // Output rate over the last fifth of the run.
  const tail = (r: SongRun) => {
    const k0 = Math.floor(r.rates.length * 0.8);
    const xs = r.rates.slice(k0);
    return xs.reduce((a, b) => a + b.rate_hz, 0) / Math.max(1, xs.length);
  };
  const finalRate = tail(main), otherRate = tail(other);
  const initialRate = main.rates[0]?.rate_hz ?? 0;
  const checks: Check[] = [
    { name: 'weights near a bound (within 10 % of 0 or w_max)', measured: low + high, expected: 1, tolerance: 0.2, pass: low + high >= 0.8 },
    { name: 'fraction near 0 (both ends populated: at least 5 %)', measured: low, expected: 0.5, tolerance: 0.45, pass: low >= 0.05 },
    { name: 'fraction near w_max (both ends populated: at least 5 %)', measured: high, expected: 0.5, tolerance: 0.45, pass: high >= 0.05 },
    {
      name: `output rate regulated: ${o.input_rate} Hz and ${o.compare_rate} Hz inputs end within 35 % of each other (Hz)`,
      measured: finalRate, expected: otherRate, tolerance: 0.35 * otherRate, pass: Math.abs(finalRate - otherRate) <= 0.35 * otherRate,
    },
    { name: 'output rate brought down from its start (Hz)', measured: finalRate, expected: initialRate, tolerance: initialRate, pass: finalRate < 0.5 * initialRate && finalRate > 1 },
  ];
  const histCsv = ['input_rate_hz,t_s,bin,w_low,w_high,count'];
  for (const r of [main, other]) {
    for (const h of r.histograms) h.counts.forEach((c, b) => histCsv.push(`${r.inputRate},${h.t_s},${b},${(b / 20) * r.wMax},${((b + 1) / 20) * r.wMax},${c}`));
  }
  const rateCsv = ['input_rate_hz,t_s,output_rate_hz', ...[main, other].flatMap((r) => r.rates.map((x) => `${r.inputRate},${x.t_s},${x.rate_hz}`))];
  // Histograms at the start, the middle and the end of the main run.
  const hs = main.histograms;
  const picks = hs.length ? [hs[0]!, hs[Math.floor((hs.length - 1) / 2)]!, hs[hs.length - 1]!] : [];
  const figures: Figure[] = [
    {
      name: 'weight-histograms', title: `Weights under STDP (inputs at ${o.input_rate} Hz)`,
      x: { label: 'w / w_max', min: 0, max: 1 }, y: { label: 'synapses' },
      series: picks.map((h) => ({ label: `t = ${Number(h.t_s.toFixed(1))} s`, kind: 'step' as const, x: h.counts.map((_, b) => b / h.counts.length), y: h.counts })),
      caption: 'Additive STDP with dominant depression pushes the weights to the bounds: the histogram splits towards 0 and w_max (Song et al. 2000, Fig. 2).',
    },
    {
      name: 'output-rate', title: 'Output rate under STDP',
      x: { label: 'time', unit: 's' }, y: { label: 'output rate', unit: 'Hz', log: true },
      series: [main, other].map((r) => ({ label: `inputs at ${r.inputRate} Hz`, kind: 'line' as const, x: r.rates.map((p) => p.t_s), y: r.rates.map((p) => p.rate_hz) })),
      caption: 'Whatever the input rate, the output rate comes down to a similar value: STDP regulates it (Song et al. 2000, Fig. 3).',
    },
  ];
  return {
    figures,
    params: { ...o, w_max_nS: main.wMax },
    results: {
      histogram,
      histogram_edges: edges,
      frac_low: low,
      frac_high: high,
      output_rate_hz: finalRate,
      initial_output_rate_hz: initialRate,
      compare: { input_rate_hz: o.compare_rate, output_rate_hz: otherRate },
      histograms: main.histograms,
      output_rates: main.rates,
      wall_ms: main.wallMs,
    },
    checks,
    files: { 'song2000_histograms.csv': `${histCsv.join('\n')}\n`, 'song2000_rates.csv': `${rateCsv.join('\n')}\n` },
  };
}
