// A spiking population drives an RBM through the bridge, and the RBM's
// output drives another spiking population. 784 Poisson neurons fire at
// rates proportional to the pixels of a digit (a new digit every 200 ms);
// the spike counts of each 20 ms, over a 100 ms window, are the RBM's
// visible input; its hidden probabilities set the rates of 100 regular
// generators, which excite 100 LIF neurons. The RBM is trained first (CD-1,
// one pass over 8000 digits). The check: the hidden activity the bridge
// computes from spikes matches the RBM's response to the digit itself.
// With source "vae" or "gan" a trained generator is the module instead and
// the spiking network is shown its samples (generator-bridge.ts).

import type { Figure } from '../protocol/figures.js';
import { Dense } from '../kernel/dense.js';
import { Rbm } from '../dense/rbm.js';
import { loadDigits, split, permutation, PIXELS } from '../data/mnist.js';
import { validateModel } from '../model/validate.js';
import { Simulation } from '../sim/simulation.js';
import type { ModuleSample } from '../modules/runtime.js';
import type { ExperimentContext, ExperimentResult, Check } from './types.js';
import { correlation } from './stats.js';
import { recordingSink } from '../sim/recording.js';
import { generatorModel, runGeneratorBridge } from './generator-bridge.js';

export interface BridgeOptions { source: 'rbm' | 'vae' | 'gan'; digits: number; present_ms: number; max_input_rate: number; hidden: number; seed: number }
export const BRIDGE_DEFAULTS: BridgeOptions = { source: 'rbm', digits: 10, present_ms: 200, max_input_rate: 100, hidden: 100, seed: 1 };

export function bridgeModel(o: BridgeOptions, firstDigit?: Float32Array): Record<string, unknown> {
  if (o.source !== 'rbm') return generatorModel({ ...o, source: o.source });
  return {
    name: 'bridge-demo', dt: 0.1, duration: o.digits * o.present_ms, seed: o.seed,
    populations: [
      { name: 'pixels', size: PIXELS, model: 'poisson', params: { rate: 0 }, ...(firstDigit ? { init: { rate: Array.from(firstDigit, (p) => p * o.max_input_rate) } } : {}) },
      { name: 'features', size: o.hidden, model: 'poisson', params: { rate: 0, process: 'regular' } },
      { name: 'cortex', size: o.hidden, model: 'lif', params: { tau_m: 20, v_rest: -70, v_reset: -70, v_thresh: -55, t_ref: 2, tau_syn_e: 5 } },
    ],
    projections: [
      { from: 'features', to: 'cortex', connect: { rule: 'one_to_one' }, weight: 80, delay: 1, receptor: 'exc' },
    ],
    modules: [{ name: 'rbm', type: 'rbm', input: 'pixels', output: 'features', interval: 20, encoder: { kind: 'count', window: 100 }, input_scale: o.max_input_rate, max_rate: 60 }],
    record: { spikes: 'all' },
  };
}

export function runBridgeDemo(o: BridgeOptions, ctx: ExperimentContext): ExperimentResult {
  if (o.source !== 'rbm') return runGeneratorBridge({ ...o, source: o.source }, ctx);
  const digits = loadDigits();
  const sp = split(digits, 8000, 2000, o.seed);
  ctx.progress?.('training the RBM (CD-1, one pass over 8000 digits)');
  const dense = new Dense();
  dense.setSeed(o.seed);
  const trained = new Rbm(dense, PIXELS, o.hidden, o.seed);
  trained.initVisibleBias(digits.images, sp.train);
  const opt = trained.optimizer({ kind: 'sgd', lr: 0.01, momentum: 0.9 });
  trained.trainEpoch(digits.images, Array.from(permutation(sp.train.length, o.seed), (i) => sp.train[i]!), opt, { k: 1, persistent: false, batch: 20 });

  const shown = Array.from(sp.test.slice(0, o.digits));
  const sim = new Simulation(validateModel(bridgeModel(o), { limits: ctx.limits }));
  const mod = sim.modules[0]!;
  mod.rbm!.W.set(trained.W.data);
  mod.rbm!.b.set(trained.b.data);
  mod.rbm!.c.set(trained.c.data);
  const samples: ModuleSample[] = [];
  const spikes: { t: number; id: number }[] = [];
  const sink = recordingSink({
    modules: (s: ModuleSample) => samples.push(s),
    spikes: (c: { times: Float64Array; ids: Uint32Array }) => c.times.forEach((t, k) => spikes.push({ t, id: c.ids[k]! })),
  });
  const steps = Math.round(o.present_ms / sim.model.dt);
  const rows: { digit: number; label: number; correlation: number; cortex_rate_hz: number }[] = [];
  const direct: number[] = [], bridged: number[] = [];
  for (let k = 0; k < shown.length && !ctx.shouldStop?.(); k++) {
    const img = digits.images.subarray(shown[k]! * PIXELS, (shown[k]! + 1) * PIXELS);
    sim.population('pixels').setRates(Array.from(img, (p) => p * o.max_input_rate));
    const cortex = sim.population(sim.network.populations[2]!.name);
    const cortexBefore = cortex.spikes();
    const t0 = sim.timeMs;
    sim.run({ steps, sink });
    // The RBM's own response to the digit, and the bridge's over the presentation's second half.
    const v = dense.mat(1, PIXELS, img), h = dense.mat(1, o.hidden);
    trained.hiddenProbs(v, h);
    const expected = h.toArray();
    v.free(); h.free();
    const late = samples.filter((s) => s.tMs > t0 + o.present_ms / 2 && s.tMs <= t0 + o.present_ms);
    const got = new Float64Array(o.hidden);
    for (const s of late) s.activity.forEach((a, j) => { got[j]! += a / late.length; });
    rows.push({ digit: k, label: digits.labels[shown[k]!]!, correlation: correlation(got, Float64Array.from(expected)), cortex_rate_hz: (cortex.spikes() - cortexBefore) / o.hidden / (o.present_ms / 1000) });
    for (let j = 0; j < o.hidden; j++) { direct.push(expected[j]!); bridged.push(got[j]!); }
    ctx.fraction?.(k + 1, shown.length);
  }
  const meanCorr = rows.reduce((a, r) => a + r.correlation, 0) / rows.length;
  const cortexRate = rows.reduce((a, r) => a + r.cortex_rate_hz, 0) / rows.length;
  const checks: Check[] = [
    { name: 'hidden activity computed from spikes vs the RBM\'s response to the digit (mean correlation)', measured: meanCorr, expected: 1, tolerance: 0.15, pass: meanCorr >= 0.85 },
    { name: 'the RBM\'s output drives the LIF population (mean rate, Hz)', measured: cortexRate, expected: 0, tolerance: 0, pass: cortexRate > 1 },
  ];
  const pops = sim.network.populations;
  const nameOf = (id: number) => { const p = pops.find((q) => id >= q.first && id < q.first + q.size)!; return [p.name, id - p.first] as const; };
  return {
    params: { ...o, interval_ms: 20, window_ms: 100, module: 'rbm 784 -> ' + o.hidden, rbm_training: 'CD-1, one pass over 8000 digits' },
    results: { presentations: rows, mean_correlation: meanCorr, cortex_rate_hz: cortexRate, spikes: spikes.length },
    checks,
    figures: [{
      name: 'bridged-vs-direct', title: 'The RBM driven through the spike bridge against the RBM itself',
      x: { label: 'hidden activity, the RBM on the digit (direct)', min: 0, max: 1 }, y: { label: 'hidden activity, from the pixels\' spikes (bridged)', min: 0, max: 1 },
      series: [
        { label: `${o.hidden} hidden units x ${rows.length} digits`, kind: 'points', x: direct, y: bridged },
        { label: 'bridged = direct', kind: 'theory', x: [0, 1], y: [0, 1] },
      ],
      caption: `Each point is one hidden unit on one digit: its activity when the RBM reads the digit's pixels, against its activity when it reads rates estimated from the pixels' Poisson spikes (mean correlation ${meanCorr.toFixed(3)}).`,
    }],
    files: {
      'raster.csv': `${['t_ms,population,neuron', ...spikes.map((s) => { const [p, j] = nameOf(s.id); return `${Number(s.t.toFixed(6))},${p},${j}`; })].join('\n')}\n`,
      'module_activity.csv': `${['t_ms,unit,activity', ...samples.flatMap((s) => Array.from(s.activity, (a, j) => `${s.tMs},${j},${a}`))].join('\n')}\n`,
      'presentations.csv': `${['digit,label,correlation,cortex_rate_hz', ...rows.map((r) => `${r.digit},${r.label},${r.correlation},${r.cortex_rate_hz}`)].join('\n')}\n`,
    },
  };
}
