// Reward-modulated STDP learns which pattern to answer. Two groups of
// Poisson inputs drive one output neuron through reward-modulated STDP.
// Each trial shows one group's pattern (its inputs at a high rate) for
// 100 ms. If the output fires, the reward is +1 after pattern A and -1
// after pattern B; the neuromodulator is the reward minus its running mean
// (the baseline), held for 100 ms, then zero. Eligibility (decaying over
// 500 ms) turns into weight change only while the neuromodulator acts: A's
// synapses grow, B's shrink, and the neuron comes to fire for A only.

import { validateModel } from '../model/validate.js';
import { Simulation } from '../sim/simulation.js';
import { Philox } from '../core/philox.js';
import type { ExperimentContext, ExperimentResult, Check } from './types.js';
import { recordingSink } from '../sim/recording.js';

export interface RstdpOptions { trials: number; block: number; seed: number }
export const RSTDP_DEFAULTS: RstdpOptions = { trials: 400, block: 20, seed: 1 };

const GROUP = 50;            // inputs per pattern
const ACTIVE_HZ = 40;        // rate of the shown pattern's inputs
const IDLE_HZ = 2;           // background rate of every input
const TRIAL_MS = 100;
const REWARD_MS = 100;
const REST_MS = 100;

export function rstdpModel(seed: number): Record<string, unknown> {
  return {
    name: 'rstdp', dt: 0.1, duration: 3_600_000, seed,
    populations: [
      { name: 'inputs', size: 2 * GROUP, model: 'poisson', params: { rate: IDLE_HZ } },
      { name: 'out', size: 1, model: 'lif', params: { tau_m: 20, c_m: 250, v_rest: -70, v_reset: -70, v_thresh: -54, t_ref: 2, tau_syn_e: 5, tau_syn_i: 5 }, init: { v: -70 } },
    ],
    projections: [{
      name: 'plastic', from: 'inputs', to: 'out', connect: { rule: 'all_to_all' }, weight: 1.5, delay: 1, receptor: 'exc',
      plasticity: { rule: 'reward_stdp', w_max: 4, tau_plus: 20, tau_minus: 20, a_plus: 1, a_minus: 1.05, tau_c: 500, learning_rate: 0.0005 },
    }],
    record: { spikes: ['out'] },
  };
}

export function runRstdp(o: RstdpOptions, ctx: ExperimentContext): ExperimentResult {
  const sim = new Simulation(validateModel(rstdpModel(o.seed), { limits: ctx.limits }));
  const dt = sim.model.dt;
  const rng = new Philox(o.seed);
  let outSpikes = 0;
  const sink = recordingSink({ spikes: (c: { times: Float64Array }) => { outSpikes += c.times.length; } });
  const steps = (ms: number) => Math.round(ms / dt);
  const idle = new Float64Array(2 * GROUP).fill(IDLE_HZ);
  const trials: { trial: number; pattern: 'A' | 'B'; fired: boolean; reward: number }[] = [];
  const baseline = { A: 0, B: 0 };
  for (let k = 0; k < o.trials && !ctx.shouldStop?.(); k++) {
    const pattern = rng.uniform(k, 0, 0, 7 << 24) < 0.5 ? 'A' : 'B';
    const rates = Float64Array.from(idle, (r, j) => ((j < GROUP) === (pattern === 'A') ? ACTIVE_HZ : r));
    sim.population('inputs').setRates(rates);
    const before = outSpikes;
    sim.run({ steps: steps(TRIAL_MS), sink });
    const fired = outSpikes > before;
    const reward = fired ? (pattern === 'A' ? 1 : -1) : 0;
    // Reward minus its running mean for this pattern (the critic's expectation).
    const m = reward - baseline[pattern];
    baseline[pattern] += 0.1 * (reward - baseline[pattern]);
    sim.population('inputs').setRates(idle);
    sim.projection('plastic').setModulator(m);
    sim.run({ steps: steps(REWARD_MS), sink });
    sim.projection('plastic').setModulator(0);
    sim.run({ steps: steps(REST_MS), sink });
    trials.push({ trial: k, pattern, fired, reward });
    ctx.fraction?.(k + 1, o.trials);
  }
  const w = sim.projection('plastic').weights();
  const mean = (a: ArrayLike<number>, from: number, to: number) => { let s = 0; for (let j = from; j < to; j++) s += a[j]!; return s / (to - from); };
  const curve: { block: number; trials: number; p_fire_a: number; p_fire_b: number }[] = [];
  for (let b = 0; b * o.block < trials.length; b++) {
    const xs = trials.slice(b * o.block, (b + 1) * o.block);
    const pa = xs.filter((t) => t.pattern === 'A'), pb = xs.filter((t) => t.pattern === 'B');
    curve.push({ block: b, trials: (b + 1) * o.block, p_fire_a: pa.filter((t) => t.fired).length / Math.max(1, pa.length), p_fire_b: pb.filter((t) => t.fired).length / Math.max(1, pb.length) });
  }
  const last = trials.slice(-Math.min(100, trials.length));
  const la = last.filter((t) => t.pattern === 'A'), lb = last.filter((t) => t.pattern === 'B');
  const pA = la.filter((t) => t.fired).length / Math.max(1, la.length);
  const pB = lb.filter((t) => t.fired).length / Math.max(1, lb.length);
  const first = curve[0];
  const wA = mean(w, 0, GROUP), wB = mean(w, GROUP, 2 * GROUP);
  const checks: Check[] = [
    { name: 'P(fire | A) - P(fire | B) over the last 100 trials', measured: pA - pB, expected: 1, tolerance: 0.4, pass: pA - pB >= 0.6 },
    { name: 'learned: that difference grew from the first block', measured: pA - pB, expected: first ? first.p_fire_a - first.p_fire_b : 0, tolerance: 0, pass: !first || pA - pB > first.p_fire_a - first.p_fire_b + 0.3 },
    { name: 'mean weight of A inputs above that of B inputs (mV)', measured: wA, expected: wB, tolerance: 0, pass: wA > wB },
  ];
  return {
    params: { ...o, group: GROUP, active_hz: ACTIVE_HZ, idle_hz: IDLE_HZ, trial_ms: TRIAL_MS, reward_ms: REWARD_MS, rest_ms: REST_MS },
    results: { curve, final: { p_fire_a: pA, p_fire_b: pB, mean_weight_a: wA, mean_weight_b: wB }, weights: Array.from(w) },
    checks,
    figures: [{
      name: 'learning-curve', title: 'Reward-modulated STDP: learning to answer pattern A only',
      x: { label: 'trials' }, y: { label: 'probability that the neuron fires', min: 0, max: 1 },
      series: [
        { label: 'pattern A (rewarded)', kind: 'line', x: curve.map((c) => c.trials), y: curve.map((c) => c.p_fire_a) },
        { label: 'pattern B (punished)', kind: 'line', x: curve.map((c) => c.trials), y: curve.map((c) => c.p_fire_b) },
      ],
      caption: `Each point is a block of ${o.block} trials. Dopamine after the right answer turns the eligibility of the synapses that caused it into weight (Izhikevich 2007; Florian 2007).`,
    }],
    files: {
      'rstdp_curve.csv': `${['block,trials,p_fire_a,p_fire_b', ...curve.map((c) => `${c.block},${c.trials},${c.p_fire_a},${c.p_fire_b}`)].join('\n')}\n`,
      'rstdp_trials.csv': `${['trial,pattern,fired,reward', ...trials.map((t) => `${t.trial},${t.pattern},${t.fired ? 1 : 0},${t.reward}`)].join('\n')}\n`,
    },
  };
}
