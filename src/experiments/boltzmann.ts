// Boltzmann machines of stochastic binary units (0/1, energy
// E = -sum_{i<j} w_ij s_i s_j - sum_i b_i s_i, P(s) ~ exp(-E/T)).
//
// boltzmann-exact: Gibbs (heat-bath) and Metropolis samples of n <= 12 units
// with random couplings, against the distribution computed by enumerating
// all 2^n states; the KL divergence of the samples from it.
//
// boltzmann-learn: a Boltzmann machine learns the bars-and-stripes images
// (3 x 3: the 14 images whose rows, or whose columns, are all on or all off).
// The gradient of the log-likelihood is <s_i s_j>_data - <s_i s_j>_model:
// the model term from persistent Gibbs chains run by the engine (Tieleman
// 2008), the data term with the visible units on each image and the hidden
// units at their exact conditional mean given them (they do not couple to
// each other). Fully visible and with hidden units; the learning curve is
// the exact KL(data || model) by enumeration.

import type { Figure } from '../protocol/figures.js';
import { validateModel } from '../model/validate.js';
import { Simulation } from '../sim/simulation.js';
import { Philox, STREAM_USER_TS } from '../core/philox.js';
import type { ExperimentContext, ExperimentResult, Check } from './types.js';

// ---------------------------------------------------------------- exact

/** Exact distribution of n 0/1 units: w dense n x n symmetric (zero diagonal), b biases. */
export function boltzmannDistribution(n: number, w: Float64Array, b: ArrayLike<number>, T: number): Float64Array {
  const p = new Float64Array(1 << n);
  const energies = new Float64Array(1 << n);
  let eMin = Infinity;
  for (let k = 0; k < p.length; k++) {
    let e = 0;
    for (let i = 0; i < n; i++) {
      if (!((k >> i) & 1)) continue;
      e -= b[i]!;
      for (let j = i + 1; j < n; j++) if ((k >> j) & 1) e -= w[i * n + j]!;
    }
    energies[k] = e;
    eMin = Math.min(eMin, e);
  }
  let z = 0;
  for (let k = 0; k < p.length; k++) { p[k] = Math.exp(-(energies[k]! - eMin) / T); z += p[k]!; }
  for (let k = 0; k < p.length; k++) p[k]! /= z;
  return p;
}

/** KL(q || p) in nats, q given as counts (0 log 0 = 0). */
export function klFromCounts(counts: ArrayLike<number>, p: Float64Array): number {
  let total = 0;
  for (let k = 0; k < counts.length; k++) total += counts[k]!;
  let d = 0;
  for (let k = 0; k < p.length; k++) {
    const q = counts[k]! / total;
    if (q > 0) d += q * Math.log(q / p[k]!);
  }
  return d;
}

export interface ExactOptions { n: number; temperature: number; weight_sd: number; bias_sd: number; sweeps: number; seed: number }
export const EXACT_DEFAULTS: ExactOptions = { n: 10, temperature: 1, weight_sd: 0.5, bias_sd: 0.5, sweeps: 200000, seed: 1 };

/** Random symmetric couplings (f32-exact, as the kernel holds them) and biases. */
function randomMachine(o: ExactOptions): { w: Float64Array; b: number[]; pre: number[]; post: number[]; weights: number[] } {
  const n = o.n, rng = new Philox(o.seed);
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.fround(o.weight_sd * rng.normal(i, j, 0, STREAM_USER_TS | 8));
      w[i * n + j] = v; w[j * n + i] = v;
    }
  }
  const b = Array.from({ length: n }, (_, i) => Math.fround(o.bias_sd * rng.normal(i, 0, 1, STREAM_USER_TS | 8)));
  const pre: number[] = [], post: number[] = [], weights: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) { pre.push(i); post.push(j); weights.push(w[i * n + j]!); }
  return { w, b, pre, post, weights };
}

export function runBoltzmannExact(o: ExactOptions, ctx: ExperimentContext): ExperimentResult {
  if (o.n > 12) throw new RangeError(`n must be at most 12 for exact enumeration (got ${o.n})`);
  const m = randomMachine(o);
  const exact = boltzmannDistribution(o.n, m.w, m.b, o.temperature);
  const sampled: Record<string, Uint32Array> = {};
  const kls: Record<string, number> = {};
  const runs = [['heat_bath', 'sequential'], ['heat_bath', 'random'], ['metropolis', 'sequential']] as const;
  runs.forEach(([dynamics, update], r) => {
    const sim = new Simulation(validateModel({
      dt: 1, duration: o.sweeps + 100, seed: o.seed,
      populations: [{ name: 'units', size: o.n, model: 'binary', params: { values: '01', dynamics, update, temperature: o.temperature }, init: { state: 'random', bias: m.b } }],
      projections: [{ from: 'units', to: 'units', connect: { rule: 'list', pre: m.pre, post: m.post, weights: m.weights } }],
      record: { spikes: [] },
    }, { limits: ctx.limits }));
    sim.run({ steps: 100 });
    sim.population('units').enableStateHistogram();
    sim.run({ steps: o.sweeps, onProgress: (d, t) => ctx.fraction?.(r * t + d, runs.length * t), shouldStop: () => ctx.shouldStop?.() ?? false });
    const key = `${dynamics}_${update}`;
    sampled[key] = sim.population('units').stateHistogram();
    kls[key] = klFromCounts(sampled[key]!, exact);
    ctx.progress?.(`${dynamics}, ${update} order: KL ${kls[key]!.toExponential(3)}`);
  });
  const states = 1 << o.n;
  // The KL of a perfect sampler's histogram is not 0: about (states - 1) / (2 samples).
  const floor = (states - 1) / (2 * o.sweeps);
  const checks: Check[] = Object.entries(kls).map(([key, kl]) => ({ name: `KL(samples || exact), ${key.startsWith('heat') ? 'heat bath' : 'Metropolis'}, ${key.endsWith('random') ? 'random' : 'sequential'} order`, measured: kl, expected: 0, tolerance: 0.01, pass: kl < 0.01 }));
  const keys = Object.keys(sampled);
  return {
    params: { ...o, states, samples: o.sweeps },
    results: { kl: kls.heat_bath_sequential, kl_by_sampler: kls, kl_floor_of_finite_samples: floor, couplings: Array.from(m.w), biases: m.b },
    checks,
    figures: keys.map((key) => {
      const nonzero = [...exact.keys()].filter((k) => sampled[key]![k]! > 0);
      const lo = Math.min(...Array.from(exact).filter((p) => p > 0));
      return {
        name: `sampled-vs-exact-${key.replace(/_/g, '-')}`,
        title: `${key.startsWith('heat') ? 'Heat bath' : 'Metropolis'}, ${key.endsWith('random') ? 'random' : 'sequential'} order: ${o.n} units, ${states} states`,
        x: { label: 'exact probability', log: true }, y: { label: 'sampled frequency', log: true },
        series: [
          { label: `states (${o.sweeps} samples)`, kind: 'points' as const, x: nonzero.map((k) => exact[k]!), y: nonzero.map((k) => sampled[key]![k]! / o.sweeps) },
          { label: 'sampled = exact', kind: 'theory' as const, x: [lo, 1], y: [lo, 1] },
        ],
        marks: [{ axis: 'y' as const, at: 1 / o.sweeps, label: 'one sample' }],
        caption: `Every state of the machine, its frequency in the samples against its Boltzmann probability (enumerated): on the diagonal, down to the resolution of ${o.sweeps} samples. KL ${kls[key]!.toExponential(2)} (a perfect sampler's floor: ${floor.toExponential(2)}).`,
      };
    }),
    files: {
      'distribution.csv': `${[`state,exact,${keys.join(',')}`, ...Array.from(exact, (p, k) => `${k},${p},${keys.map((key) => sampled[key]![k]! / o.sweeps).join(',')}`)].join('\n')}\n`,
    },
  };
}

// ---------------------------------------------------------------- learning

/** The 14 bars-and-stripes images of side `side` (0/1, row-major), without repeats. */
export function barsAndStripes(side: number): number[][] {
  const seen = new Set<string>();
  const out: number[][] = [];
  for (let code = 0; code < 1 << side; code++) {
    for (const rows of [true, false]) {
      const img: number[] = [];
      for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) img.push((code >> (rows ? y : x)) & 1);
      const key = img.join('');
      if (!seen.has(key)) { seen.add(key); out.push(img); }
    }
  }
  return out;
}

export interface LearnOptions { hidden: number; iterations: number; chains: number; rate: number; eval_every: number; seed: number }
export const LEARN_DEFAULTS: LearnOptions = { hidden: 8, iterations: 6000, chains: 32, rate: 0.1, eval_every: 100, seed: 1 };

interface Machine { nv: number; nh: number; wvv: Float64Array; wvh: Float64Array; bv: Float64Array; bh: Float64Array }

/** Exact visible marginal p(v) = sum_h exp(-E(v, h)) / Z (T = 1). */
function visibleMarginal(m: Machine): Float64Array {
  const { nv, nh } = m;
  const logp = new Float64Array(1 << nv);
  let mx = -Infinity;
  for (let v = 0; v < 1 << nv; v++) {
    let ev = 0;
    for (let i = 0; i < nv; i++) {
      if (!((v >> i) & 1)) continue;
      ev += m.bv[i]!;
      for (let j = i + 1; j < nv; j++) if ((v >> j) & 1) ev += m.wvv[i * nv + j]!;
    }
    // Hidden units sum out in closed form: prod_j (1 + exp(c_j + sum_i w_ij v_i)).
    let hs = 0;
    for (let j = 0; j < nh; j++) {
      let x = m.bh[j]!;
      for (let i = 0; i < nv; i++) if ((v >> i) & 1) x += m.wvh[i * nh + j]!;
      hs += x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }
    logp[v] = ev + hs;
    mx = Math.max(mx, logp[v]!);
  }
  let z = 0;
  const p = new Float64Array(1 << nv);
  for (let v = 0; v < p.length; v++) { p[v] = Math.exp(logp[v]! - mx); z += p[v]!; }
  for (let v = 0; v < p.length; v++) p[v]! /= z;
  return p;
}

function klData(data: number[][], p: Float64Array): number {
  const q = 1 / data.length;
  let d = 0;
  for (const img of data) {
    let k = 0;
    img.forEach((x, i) => { k |= x << i; });
    d += q * Math.log(q / p[k]!);
  }
  return d;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function learnMachine(data: number[][], nh: number, o: LearnOptions, ctx: ExperimentContext, label: string, share: [number, number]): { curve: { iteration: number; kl: number }[]; machine: Machine } {
  const nv = data[0]!.length;
  const m: Machine = { nv, nh, wvv: new Float64Array(nv * nv), wvh: new Float64Array(nv * nh), bv: new Float64Array(nv), bh: new Float64Array(nh) };
  const rng = new Philox(o.seed);
  // Small random couplings to hidden units break their symmetry.
  for (let k = 0; k < m.wvh.length; k++) m.wvh[k] = 0.1 * rng.normal(k, nh, 0, STREAM_USER_TS | 9);
  const model = {
    dt: 1, duration: o.iterations, seed: o.seed,
    populations: [
      { name: 'v', size: nv, model: 'binary', params: { values: '01', dynamics: 'heat_bath', update: 'sequential' }, init: { state: 'random' } },
      ...(nh ? [{ name: 'h', size: nh, model: 'binary', params: { values: '01', dynamics: 'heat_bath', update: 'sequential' }, init: { state: 'random' } }] : []),
    ],
    projections: [
      { name: 'vv', from: 'v', to: 'v', connect: { rule: 'all_to_all', allow_autapses: false }, weight: 0 },
      ...(nh ? [
        { name: 'vh', from: 'v', to: 'h', connect: { rule: 'all_to_all' }, weight: 0 },
        { name: 'hv', from: 'h', to: 'v', connect: { rule: 'all_to_all' }, weight: 0 },
      ] : []),
    ],
    record: { spikes: [] },
  };
  const valid = validateModel(model, { limits: ctx.limits });
  const chains = Array.from({ length: o.chains }, (_, c) => new Simulation({ ...valid, seed: o.seed * 1000 + c }));
  const pairs = Object.fromEntries(['vv', 'vh', 'hv'].filter((p) => nh || p === 'vv').map((p) => [p, chains[0]!.projection(p).synapsePairs()]));
  const push = (sim: Simulation) => {
    const vv = pairs.vv!;
    sim.projection('vv').setWeights(Float64Array.from(vv.pre, (i, s) => m.wvv[i * nv + vv.post[s]!]!));
    sim.population('v').setBiases(m.bv);
    if (nh) {
      const vh = pairs.vh!, hv = pairs.hv!;
      sim.projection('vh').setWeights(Float64Array.from(vh.pre, (i, s) => m.wvh[i * nh + vh.post[s]!]!));
      sim.projection('hv').setWeights(Float64Array.from(hv.pre, (j, s) => m.wvh[hv.post[s]! * nh + j]!));
      sim.population('h').setBiases(m.bh);
    }
  };
  // Data statistics of the visible pairs are fixed; the hidden ones follow the weights.
  const dataVV = new Float64Array(nv * nv), dataV = new Float64Array(nv);
  for (const img of data) for (let i = 0; i < nv; i++) { dataV[i]! += img[i]! / data.length; for (let j = 0; j < nv; j++) dataVV[i * nv + j]! += (img[i]! * img[j]!) / data.length; }
  const curve: { iteration: number; kl: number }[] = [{ iteration: 0, kl: klData(data, visibleMarginal(m)) }];
  for (let it = 1; it <= o.iterations && !ctx.shouldStop?.(); it++) {
    const dataVH = new Float64Array(nv * nh), dataH = new Float64Array(nh);
    for (const img of data) {
      for (let j = 0; j < nh; j++) {
        let x = m.bh[j]!;
        for (let i = 0; i < nv; i++) x += img[i]! * m.wvh[i * nh + j]!;
        const ph = sigmoid(x) / data.length;
        dataH[j]! += ph;
        for (let i = 0; i < nv; i++) dataVH[i * nh + j]! += img[i]! * ph;
      }
    }
    const modelVV = new Float64Array(nv * nv), modelV = new Float64Array(nv), modelVH = new Float64Array(nv * nh), modelH = new Float64Array(nh);
    for (const sim of chains) {
      push(sim);
      sim.run({ steps: 1 });
      const v = sim.population('v').binaryStates();
      const h = nh ? sim.population('h').binaryStates() : new Int8Array(0);
      for (let i = 0; i < nv; i++) {
        if (!v[i]) continue;
        modelV[i]! += 1 / o.chains;
        for (let j = 0; j < nv; j++) if (v[j]) modelVV[i * nv + j]! += 1 / o.chains;
        for (let j = 0; j < nh; j++) if (h[j]) modelVH[i * nh + j]! += 1 / o.chains;
      }
      for (let j = 0; j < nh; j++) if (h[j]) modelH[j]! += 1 / o.chains;
    }
    const eta = o.rate / (1 + it / (o.iterations / 4));
    for (let i = 0; i < nv; i++) {
      m.bv[i]! += eta * (dataV[i]! - modelV[i]!);
      for (let j = 0; j < nv; j++) if (i !== j) m.wvv[i * nv + j]! += eta * (dataVV[i * nv + j]! - modelVV[i * nv + j]!);
      for (let j = 0; j < nh; j++) m.wvh[i * nh + j]! += eta * (dataVH[i * nh + j]! - modelVH[i * nh + j]!);
    }
    for (let j = 0; j < nh; j++) m.bh[j]! += eta * (dataH[j]! - modelH[j]!);
    if (it % o.eval_every === 0 || it === o.iterations) {
      curve.push({ iteration: it, kl: klData(data, visibleMarginal(m)) });
      ctx.progress?.(`${label}: iteration ${it}, KL ${curve[curve.length - 1]!.kl.toFixed(4)}`);
    }
    ctx.fraction?.(share[0] + it, share[1]);
  }
  return { curve, machine: m };
}

export function runBoltzmannLearn(o: LearnOptions, ctx: ExperimentContext): ExperimentResult {
  const data = barsAndStripes(3);
  const total = 2 * o.iterations;
  const visible = learnMachine(data, 0, o, ctx, 'fully visible', [0, total]);
  const hidden = learnMachine(data, o.hidden, o, ctx, `${o.hidden} hidden`, [o.iterations, total]);
  const first = hidden.curve[0]!.kl, lastV = visible.curve[visible.curve.length - 1]!.kl, lastH = hidden.curve[hidden.curve.length - 1]!.kl;
  const p = visibleMarginal(hidden.machine);
  const dataMass = data.reduce((s, img) => s + p[img.reduce((k, x, i) => k | (x << i), 0)]!, 0);
  const checks: Check[] = [
    { name: 'KL(data || model) fell to below a third of its start (hidden units)', measured: lastH, expected: first / 3, tolerance: 0, pass: lastH < first / 3 },
    { name: 'KL(data || model) fell to below a third of its start (fully visible)', measured: lastV, expected: visible.curve[0]!.kl / 3, tolerance: 0, pass: lastV < visible.curve[0]!.kl / 3 },
    { name: 'probability the learned machine gives the 14 images', measured: dataMass, expected: 1, tolerance: 0.5, pass: dataMass >= 0.5 },
  ];
  const rows: string[] = ['iteration,kl_fully_visible,kl_hidden'];
  hidden.curve.forEach((c, k) => rows.push(`${c.iteration},${visible.curve[k]?.kl ?? ''},${c.kl}`));
  return {
    params: { ...o, data: 'bars and stripes 3 x 3 (14 images)', visible: 9, temperature: 1 },
    results: { curve: { fully_visible: visible.curve, hidden: hidden.curve }, kl_start: first, kl_final: { fully_visible: lastV, hidden: lastH }, data_probability: dataMass, kl_uniform: Math.log(512 / 14) },
    checks,
    figures: [{
      name: 'learning-curve', title: 'Boltzmann machine learning bars and stripes (3 x 3)',
      x: { label: 'gradient steps' }, y: { label: 'KL(data || model)', unit: 'nats', log: true },
      series: [
        { label: 'fully visible (9 units)', kind: 'line', x: visible.curve.map((c) => c.iteration), y: visible.curve.map((c) => c.kl) },
        { label: `with ${o.hidden} hidden units`, kind: 'line', x: hidden.curve.map((c) => c.iteration), y: hidden.curve.map((c) => c.kl) },
      ],
      marks: [{ axis: 'y', at: Math.log(512 / 14), label: 'uniform model' }],
      caption: 'The exact KL (the visible marginal enumerated) along persistent-chain learning (Ackley, Hinton & Sejnowski 1985): pairwise visible couplings cannot hold bars and stripes, hidden units can.',
    }],
    files: { 'learning_curve.csv': `${rows.join('\n')}\n` },
  };
}
