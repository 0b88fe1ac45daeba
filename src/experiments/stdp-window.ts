// The STDP window: one pre/post spike pair per synapse, at intervals from
// -100 to +100 ms, the measured weight change against the rule's analytic
// window, for every variant of the rule.
//
// Each pair lives on its own synapse: presynaptic spike sources fire once at
// T0; the postsynaptic lif_delta neurons are made to fire at the exact time
// wanted by a strong input; the plastic weight is too small to move them.

import type { ExperimentContext, ExperimentResult, Check } from './types.js';
import { validateModel, type Limits } from '../model/validate.js';
import { slug, type Figure } from '../protocol/figures.js';
import { Simulation } from '../sim/simulation.js';
import type { Plasticity } from '../model/schema.js';

export interface WindowOptions {
  /** Largest |interval| (ms). */
  range: number;
  /** Interval step (ms). */
  step: number;
  delay: number;
  dt: number;
}

export const WINDOW_DEFAULTS: WindowOptions = { range: 100, step: 1, delay: 1, dt: 0.1 };

const T0 = 200;
const W_MAX = 1;
/** Starting weight for weight-dependent rules (whose window depends on it). */
const W0 = 0.5;
/**
 * Starting weight of the synapse measuring interval s: for weight-independent
 * rules the change is measured from the bound it moves away from (0 for
 * potentiation, w_max for depression), where f64 holds even a 1e-12 change
 * to full relative precision.
 */
function startWeight(v: Variant, s: number): number {
  return v.weightDependent ? W0 : s >= 0 ? 0 : W_MAX;
}

/** The variants measured, each a plasticity block (w_max 1) and its analytic window. */
export interface Variant {
  name: string;
  plasticity: Plasticity;
  /** Expected weight (or eligibility) change for synaptic interval s = t_post - t_pre at the synapse. */
  expected(s: number): number;
  /** Reads eligibility instead of weights. */
  eligibility?: boolean;
  /** The change depends on the weight (measured from W0). */
  weightDependent?: boolean;
}

export function variants(): Variant[] {
  const pair = { tau_plus: 20, tau_minus: 20, a_plus: 0.01, a_minus: 0.0105 };
  const additive = (s: number) => (s >= 0 ? W_MAX * pair.a_plus * Math.exp(-s / pair.tau_plus) : -W_MAX * pair.a_minus * Math.exp(s / pair.tau_minus));
  const trip = { tau_plus: 16.8, tau_minus: 33.7, a2_plus: 5e-10, a2_minus: 7e-3 };
  return [
    { name: 'stdp additive, all-to-all', plasticity: { rule: 'stdp', w_max: W_MAX, ...pair }, expected: additive },
    { name: 'stdp additive, nearest', plasticity: { rule: 'stdp', w_max: W_MAX, pairing: 'nearest', ...pair }, expected: additive },
    { name: 'stdp additive, dendritic delay', plasticity: { rule: 'stdp', w_max: W_MAX, delay: 'dendritic', ...pair }, expected: additive },
    {
      name: 'stdp multiplicative (mu = 1)', plasticity: { rule: 'stdp', w_max: W_MAX, mu: 1, ...pair }, weightDependent: true,
      expected: (s) => (s >= 0 ? W_MAX * pair.a_plus * (1 - W0 / W_MAX) * Math.exp(-s / pair.tau_plus) : -W_MAX * pair.a_minus * (W0 / W_MAX) * Math.exp(s / pair.tau_minus)),
    },
    {
      name: 'stdp weight-dependent (mu = 0.5)', plasticity: { rule: 'stdp', w_max: W_MAX, mu: 0.5, ...pair }, weightDependent: true,
      expected: (s) => (s >= 0 ? W_MAX * pair.a_plus * Math.sqrt(1 - W0 / W_MAX) * Math.exp(-s / pair.tau_plus) : -W_MAX * pair.a_minus * Math.sqrt(W0 / W_MAX) * Math.exp(s / pair.tau_minus)),
    },
    {
      // An isolated pair meets empty slow traces: only the pair terms act.
      name: 'triplet (Pfister & Gerstner 2006, visual cortex)', plasticity: { rule: 'triplet', w_max: W_MAX },
      expected: (s) => (s >= 0 ? W_MAX * trip.a2_plus * Math.exp(-s / trip.tau_plus) : -W_MAX * trip.a2_minus * Math.exp(s / trip.tau_minus)),
    },
    {
      name: 'reward-modulated (eligibility)', plasticity: { rule: 'reward_stdp', w_max: W_MAX, tau_c: 1e9, a_plus: 1, a_minus: 1.05 },
      expected: (s) => (s >= 0 ? Math.exp(-s / 20) : -1.05 * Math.exp(s / 20)), eligibility: true,
    },
  ];
}

/** Synaptic intervals measured: -range..range in steps, on the dt grid. */
export function intervals(o: WindowOptions): number[] {
  const n = Math.round(o.range / o.step);
  return Array.from({ length: 2 * n + 1 }, (_, k) => Math.round(((k - n) * o.step) / o.dt) * o.dt);
}

/**
 * The model for one variant: pre source i fires at T0; post neuron i fires at
 * T0 + interval_i (+ delay under axonal semantics, - delay under dendritic),
 * so that the synapse sees post - pre = interval_i.
 */
export function windowModel(v: Variant, o: WindowOptions): object {
  const s = intervals(o);
  const dendritic = v.plasticity.delay === 'dendritic';
  const postTimes = s.map((x) => T0 + x + (dendritic ? -o.delay : o.delay));
  const driveDelay = o.dt;
  return {
    name: 'stdp-window', dt: o.dt, duration: T0 + o.range + 3 * o.delay + 50, seed: 1,
    populations: [
      { name: 'pre', size: s.length, model: 'spike_source', params: { spike_times: s.map(() => [T0]) } },
      { name: 'drive', size: s.length, model: 'spike_source', params: { spike_times: postTimes.map((t) => [t - driveDelay]) } },
      { name: 'post', size: s.length, model: 'lif_delta', params: { tau_m: 10, v_rest: -70, v_reset: -70, v_thresh: -55, t_ref: 0.5 } },
    ],
    projections: [
      { name: 'drive', from: 'drive', to: 'post', connect: { rule: 'one_to_one' }, weight: 100, delay: driveDelay },
      {
        name: 'plastic', from: 'pre', to: 'post', delay: o.delay, plasticity: v.plasticity,
        connect: { rule: 'list', pre: s.map((_, k) => k), post: s.map((_, k) => k), weights: s.map((x) => startWeight(v, x)) },
      },
    ],
    record: { spikes: ['post'] },
  };
}

/**
 * The additive all-to-all variant's network, recording every synapse: in the
 * live view the weight profile (synapse k = interval k) draws the window.
 */
export function watchableWindowModel(o: WindowOptions): Record<string, unknown> {
  // Every synapse starts at W0, so the profile of weights is the window itself.
  const m = windowModel({ ...variants()[0]!, weightDependent: true }, o) as Record<string, unknown> & { record: Record<string, unknown> };
  const s = intervals(o);
  // Synapse k saw the interval s[k]: the page plots the weights against Delta t.
  m.record = { spikes: 'all', weights: [{ projection: 'plastic', synapses: s.map((_, k) => [k, k]), interval: 2, axis: { label: 'Delta t = t_post - t_pre', unit: 'ms', values: s } }] };
  return m;
}

/** Runs one variant; returns the measured change per interval. */
export function measureWindow(v: Variant, o: WindowOptions, limits?: Partial<Limits>): { interval: number; dw: number; expected: number }[] {
  const model = validateModel(windowModel(v, o), { limits });
  const sim = new Simulation(model);
  sim.run();
  const s = intervals(o);
  const w = sim.projection('plastic').weights();
  const tEnd = sim.timeMs;
  return s.map((interval, k) => {
    // One-to-one: synapse k joins pre k and post k.
    let dw: number;
    if (v.eligibility) {
      // Eligibility decays with tau_c (huge here) from the later spike of the pair to the end.
      const tLater = T0 + Math.max(0, interval) + (v.plasticity.delay === 'dendritic' ? 0 : o.delay);
      const tauC = (v.plasticity as { tau_c: number }).tau_c;
      dw = sim.projection('plastic').eligibility(k) * Math.exp((tEnd - tLater) / tauC);
    } else {
      dw = w[k]! - startWeight(v, interval);
    }
    return { interval, dw, expected: v.expected(interval) };
  });
}

export function runStdpWindow(o: WindowOptions, ctx: ExperimentContext): ExperimentResult {
  const checks: Check[] = [];
  const points: { variant: string; dt_ms: number; dw: number; expected: number }[] = [];
  for (const v of variants()) {
    ctx.progress?.(`measuring ${v.name}`);
    const rows = measureWindow(v, o, ctx.limits);
    let worst = 0;
    for (const r of rows) {
      points.push({ variant: v.name, dt_ms: r.interval, dw: r.dw, expected: r.expected });
      const scale = Math.abs(r.expected);
      if (scale > 0) worst = Math.max(worst, Math.abs(r.dw - r.expected) / scale);
    }
    checks.push({ name: `${v.name}: max relative error against the analytic window`, measured: worst, expected: 0, tolerance: 1e-6, pass: worst <= 1e-6 });
  }
  const csv = ['variant,dt_ms,dw,expected', ...points.map((p) => `"${p.variant}",${p.dt_ms},${p.dw},${p.expected}`)].join('\n');
  const figures: Figure[] = variants().map((v) => {
    const mine = points.filter((p) => p.variant === v.name);
    return {
      name: `window-${slug(v.name)}`,
      title: `STDP window: ${v.name}`,
      x: { label: 'Delta t = t_post - t_pre', unit: 'ms' },
      y: { label: v.eligibility ? 'eligibility of one pair' : 'weight change of one pair', unit: 'weight' },
      series: [
        { label: 'measured (one synapse per interval)', kind: 'points', x: mine.map((p) => p.dt_ms), y: mine.map((p) => p.dw) },
        // In two pieces: the window jumps at Delta t = 0.
        { label: 'analytic window', kind: 'theory', x: mine.filter((p) => p.dt_ms <= 0).map((p) => p.dt_ms), y: mine.filter((p) => p.dt_ms <= 0).map((p) => p.expected) },
        { label: '', kind: 'theory', x: mine.filter((p) => p.dt_ms > 0).map((p) => p.dt_ms), y: mine.filter((p) => p.dt_ms > 0).map((p) => p.expected) },
      ],
      marks: [{ axis: 'x', at: 0, label: '' }, { axis: 'y', at: 0, label: '' }],
      caption: 'Each point is one synapse that saw one pre/post pair at that interval; the dashed curve is the rule\'s closed form.',
    };
  });
  return {
    params: { ...o, t0_ms: T0, w0_weight_dependent: W0, w_max: W_MAX },
    // DESIGN.md: results.points [{ dt_ms, dw, expected }] (here with the variant of each point).
    results: { points },
    checks,
    files: { 'stdp-window.csv': `${csv}\n` },
    figures,
  };
}
