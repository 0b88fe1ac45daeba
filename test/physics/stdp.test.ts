// STDP in the kernel against hand-computed cases and a plain reference
// (test/support/stdp-reference.ts) driven by random Poisson trains.
import { describe, it, expect } from 'vitest';
import { validateModel } from '../../src/model/validate.js';
import { Simulation } from '../../src/sim/simulation.js';
import { Philox } from '../../src/core/philox.js';
import { referenceWeight, type Rule } from '../support/stdp-reference.js';
import { expectClose } from '../support/helpers.js';
import { recordingSink } from '../../src/sim/recording.js';
import { runPlastic } from '../support/plastic.js';

const PAIR = { tau_plus: 20, tau_minus: 20, a_plus: 0.01, a_minus: 0.0105 };
const pairRule = (o: Partial<{ nearest: boolean; mu: number; aPlus: number; aMinus: number; wMax: number; wMin: number }> = {}): Rule => ({
  kind: 'pair', nearest: o.nearest ?? false, tauPlus: 20, tauMinus: 20, aPlus: o.aPlus ?? 0.01, aMinus: o.aMinus ?? 0.0105, mu: o.mu ?? 0, wMin: o.wMin ?? 0, wMax: o.wMax ?? 1,
});

function poisson(rng: Philox, stream: number, rate: number, tEnd: number, t0 = 0): number[] {
  const out: number[] = [];
  let t = t0, k = 0;
  for (;;) {
    t += -Math.log(rng.uniformPos(k++, stream, 99, 0)) * 1000 / rate;
    if (t >= tEnd) return out;
    out.push(Math.round(t * 1e6) / 1e6);
  }
}

describe('STDP: hand-computed cases', () => {
  it('pre, post, pre (two neurons, three spikes): w0 + A+ e^{-4/20} - A- e^{-6/20}', () => {
    // Axonal delay 1 ms: at the synapse the pre spikes are at 11 and 21, the post spike at 15.
    const { w, postSpikes } = runPlastic({ rule: 'stdp', w_max: 1, ...PAIR }, [[10, 20]], [15], { duration: 50 });
    expect(postSpikes).toEqual([15]);
    // 0.5 + 0.01 * 0.818730753078 - 0.0105 * 0.740818220682
    expectClose(w[0]!, 0.5 + 0.00818730753078 - 0.00777859131716, { abs: 1e-12 });
  });

  it('a learning rate set mid-run scales the later changes only, survives a checkpoint, and refuses rate <= 0', () => {
    // Pairs at 10/15 and 110/115 (axonal delay 1: intervals 4 ms): the second pair at rate 0.5.
    const model = validateModel({
      dt: 0.1, duration: 200, seed: 1,
      populations: [
        { name: 'pre', size: 1, model: 'spike_source', params: { spike_times: [[10, 110]] } },
        { name: 'drive', size: 1, model: 'spike_source', params: { spike_times: [[14.9, 114.9]] } },
        { name: 'post', size: 1, model: 'lif_delta', params: { tau_m: 10, v_rest: -70, v_reset: -70, v_thresh: -55, t_ref: 0.01 } },
      ],
      projections: [
        { name: 'drive', from: 'drive', to: 'post', connect: { rule: 'all_to_all' }, weight: 100, delay: 0.1 },
        { name: 'plastic', from: 'pre', to: 'post', delay: 1, plasticity: { rule: 'stdp', w_max: 1, ...PAIR, a_minus: 0 }, connect: { rule: 'all_to_all' }, weight: 0.5 },
      ],
    });
    const weight = (sim: Simulation) => sim.projection('plastic').weights()[0]!;
    const sim = new Simulation(model);
    sim.run({ steps: 600 });
    const w1 = weight(sim);
    expectClose(w1, 0.5 + 0.01 * Math.exp(-4 / 20), { abs: 1e-12 });
    sim.projection('plastic').setLearningRate(0.5);
    const saved = sim.saveState();
    sim.run({ steps: 1400 });
    // The second pair also sees the first pre spike (all-to-all): 0.5 A+ (e^{-4/20} + e^{-104/20}).
    expectClose(weight(sim), w1 + 0.5 * 0.01 * (Math.exp(-4 / 20) + Math.exp(-104 / 20)), { abs: 1e-12 });
    const restored = new Simulation(model);
    restored.loadState(saved);
    restored.run({ steps: 1400 });
    expect(weight(restored)).toBe(weight(sim));
    expect(() => sim.projection('plastic').setLearningRate(0)).toThrow('plastic.setLearningRate: must be a finite number > 0 (got 0)');
    expect(() => sim.projection('drive').setLearningRate(1)).toThrow('drive.setLearningRate: the projection is not plastic');
  });

  it('nearest pairing pairs each spike with the latest of the other side only', () => {
    // Synapse: pre 11, 13, post 15 -> LTP from 13 only: A+ e^{-2/20}; all-to-all adds e^{-4/20} too.
    const nearest = runPlastic({ rule: 'stdp', w_max: 1, pairing: 'nearest', ...PAIR }, [[10, 12]], [15], { duration: 50 }).w[0]!;
    const all = runPlastic({ rule: 'stdp', w_max: 1, ...PAIR }, [[10, 12]], [15], { duration: 50 }).w[0]!;
    expectClose(nearest, 0.5 + 0.01 * Math.exp(-2 / 20), { abs: 1e-12 });
    expectClose(all, 0.5 + 0.01 * (Math.exp(-2 / 20) + Math.exp(-4 / 20)), { abs: 1e-12 });
  });

  it('simultaneous pre and post at the synapse count as pre before post: A+ and no depression', () => {
    // pre at 9 + 1 ms delay = 10 = post.
    const { w } = runPlastic({ rule: 'stdp', w_max: 1, ...PAIR }, [[9]], [10], { duration: 30 });
    expectClose(w[0]!, 0.51, { abs: 1e-12 });
  });

  it('axonal and dendritic delays shift the interval the synapse sees by the delay, in opposite directions', () => {
    // pre at 10, post at 14, delay 3: axonal sees 14 - 13 = +1; dendritic sees 17 - 10 = +7.
    const axonal = runPlastic({ rule: 'stdp', w_max: 1, ...PAIR }, [[10]], [14], { duration: 40, delay: 3 }).w[0]!;
    const dendritic = runPlastic({ rule: 'stdp', w_max: 1, delay: 'dendritic', ...PAIR }, [[10]], [14], { duration: 40, delay: 3 }).w[0]!;
    expectClose(axonal, 0.5 + 0.01 * Math.exp(-1 / 20), { abs: 1e-12 });
    expectClose(dendritic, 0.5 + 0.01 * Math.exp(-7 / 20), { abs: 1e-12 });
    // pre at 10, post at 12, delay 3: axonal sees 12 - 13 = -1 (depression), dendritic +5.
    const ax2 = runPlastic({ rule: 'stdp', w_max: 1, ...PAIR }, [[10]], [12], { duration: 40, delay: 3 }).w[0]!;
    expectClose(ax2, 0.5 - 0.0105 * Math.exp(-1 / 20), { abs: 1e-12 });
  });

  it('a pre spike whose arrival falls after the end of the run is not counted', () => {
    const { w } = runPlastic({ rule: 'stdp', w_max: 1, ...PAIR }, [[29.5]], [20], { duration: 30, delay: 1 });
    expect(w[0]).toBe(0.5);
  });

  it('hard bounds: weights stay in [w_min, w_max] however strong the rule', () => {
    const up = runPlastic({ rule: 'stdp', w_max: 1, tau_plus: 20, tau_minus: 20, a_plus: 0.4, a_minus: 0.4 }, [[10, 20, 30]], [12, 22, 32], { duration: 60 }).w[0]!;
    const down = runPlastic({ rule: 'stdp', w_max: 1, tau_plus: 20, tau_minus: 20, a_plus: 0.4, a_minus: 0.4 }, [[12, 22, 32]], [10, 20, 30], { duration: 60 }).w[0]!;
    expect(up).toBe(1);
    expect(down).toBe(0);
  });

  it('the triplet rule adds the triplet terms: post-pre-post', () => {
    // Synapse (delay 1): post 10, pre 16, post 20.
    const { w } = runPlastic({ rule: 'triplet', w_max: 1 }, [[15]], [10, 20], { duration: 40 });
    const [tp, tm, ty] = [16.8, 33.7, 125];
    const ltd = 7e-3 * Math.exp(-6 / tm); // o1 at 16 from post at 10; r2(16-) = 0
    const ltp = Math.exp(-4 / tp) * (5e-10 + 6.2e-3 * Math.exp(-10 / ty)); // r1 from pre at 16, o2(20-) from post at 10
    expectClose(w[0]!, 0.5 - ltd + ltp, { abs: 1e-12 });
  });
});

describe('STDP against the plain reference on random Poisson trains', () => {
  const rules: [string, object, Rule][] = [
    ['pair additive, all-to-all', { rule: 'stdp', w_max: 1, ...PAIR }, pairRule()],
    ['pair additive, nearest', { rule: 'stdp', w_max: 1, pairing: 'nearest', ...PAIR }, pairRule({ nearest: true })],
    ['pair multiplicative', { rule: 'stdp', w_max: 1, mu: 1, ...PAIR }, pairRule({ mu: 1 })],
    ['pair, mu = 0.4, strong (bounds hit)', { rule: 'stdp', w_max: 2, w_min: 0.1, mu: 0.4, tau_plus: 20, tau_minus: 20, a_plus: 0.08, a_minus: 0.09 }, pairRule({ mu: 0.4, aPlus: 0.08, aMinus: 0.09, wMax: 2, wMin: 0.1 })],
    ['pair additive, strong (bounds hit)', { rule: 'stdp', w_max: 1, tau_plus: 20, tau_minus: 20, a_plus: 0.1, a_minus: 0.12 }, pairRule({ aPlus: 0.1, aMinus: 0.12 })],
    ['triplet, all-to-all', { rule: 'triplet', w_max: 1 }, { kind: 'triplet', nearest: false, tauPlus: 16.8, tauMinus: 33.7, tauX: 101, tauY: 125, a2p: 5e-10, a3p: 6.2e-3, a2m: 7e-3, a3m: 2.3e-4, wMin: 0, wMax: 1 }],
    ['triplet, nearest', { rule: 'triplet', w_max: 1, pairing: 'nearest', a2_plus: 4.6e-3, a3_plus: 9.1e-3, a2_minus: 3e-3, a3_minus: 7.5e-9, tau_x: 714, tau_y: 40 }, { kind: 'triplet', nearest: true, tauPlus: 16.8, tauMinus: 33.7, tauX: 714, tauY: 40, a2p: 4.6e-3, a3p: 9.1e-3, a2m: 3e-3, a3m: 7.5e-9, wMin: 0, wMax: 1 }],
  ];

  it.each(rules)('%s: every synapse ends where the reference puts it', (_name, plasticity, rule) => {
    const rng = new Philox(2024);
    const n = 24, duration = 3000, delay = 2;
    // Post train: Poisson at 15 Hz, plus a spike at the first step and at the very end.
    const post = [0.15, ...poisson(rng, 0, 15, duration - 1, 0.5), duration];
    const pre: number[][] = [];
    for (let k = 0; k < n; k++) {
      const train = poisson(rng, k + 1, 20, duration);
      // Some exact coincidences at the synapse (pre + delay = post) and first/last-step spikes.
      if (k % 3 === 0) train.push(...post.slice(2, 6).map((t) => Math.round((t - delay) * 1e6) / 1e6));
      if (k === 1) train.push(0.05);
      if (k === 2) train.push(duration - delay);
      pre.push([...new Set(train)].filter((t) => t > 0).sort((a, b) => a - b));
    }
    const { w, postSpikes } = runPlastic(plasticity, pre, post, { delay, duration });
    expect(postSpikes.length).toBe(post.length);
    for (let k = 0; k < n; k++) {
      const expected = referenceWeight(rule, 0.5, pre[k]!.map((t) => t + delay), postSpikes, duration);
      expectClose(w[k]!, expected, { abs: 1e-10 }, `synapse ${k}`);
    }
  });
});
