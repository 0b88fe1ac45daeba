// Adaptive threshold, weight normalisation, lateral inhibition wiring, and the
// reward-modulated rule's weight change in closed form.
import { describe, it, expect } from 'vitest';
import { simulate, expectClose } from '../support/helpers.js';
import { validateModel } from '../../src/model/validate.js';
import { Simulation } from '../../src/sim/simulation.js';
import { readCsr, rowOf } from '../support/csr.js';

describe('adaptive threshold', () => {
  const TAU = 20, C = 250, R = TAU / C, V_REST = -70, V_TH = -55, T_REF = 2, I = 600, TH_PLUS = 0.5;
  const vInf = V_REST + R * I;

  it('raises the threshold by theta_plus per spike: ISI n is t_ref + tau ln((V_inf - V_reset)/(V_inf - V_th - n theta_plus))', () => {
    const { spikes } = simulate({
      dt: 0.01, duration: 300,
      populations: [{ name: 'n', size: 1, model: 'lif', params: { tau_m: TAU, c_m: C, v_rest: V_REST, v_reset: V_REST, v_thresh: V_TH, t_ref: T_REF, i_e: I, theta_plus: TH_PLUS, tau_theta: 1e12 } }],
    });
    const t = spikes.n!.times;
    expect(t.length).toBeGreaterThan(10);
    for (let n = 1; n < 10; n++) {
      const isi = T_REF + TAU * Math.log((vInf - V_REST) / (vInf - V_TH - n * TH_PLUS));
      expectClose(t[n]! - t[n - 1]!, isi, { abs: 0.021 }, `ISI ${n}`);
    }
  });

  it('decays with tau_theta: theta(t) = sum over spikes of theta_plus e^{-(t - t_k)/tau_theta}', () => {
    const tauTheta = 50;
    const { spikes, samples } = simulate({
      dt: 0.1, duration: 200,
      populations: [{ name: 'n', size: 1, model: 'lif', params: { tau_m: TAU, c_m: C, v_rest: V_REST, v_reset: V_REST, v_thresh: V_TH, t_ref: T_REF, i_e: I, theta_plus: TH_PLUS, tau_theta: tauTheta } }],
      record: { state: [{ population: 'n', variable: 'theta', ids: [0] }] },
    });
    const t = spikes.n!.times;
    samples.timesMs.forEach((ts, r) => {
      const expected = t.filter((tk) => tk <= ts + 1e-9).reduce((a, tk) => a + TH_PLUS * Math.exp(-(ts - tk) / tauTheta), 0);
      expectClose(samples.values[r]![0]!, expected, { abs: 1e-5, rel: 1e-5 }, `theta at ${ts}`);
    });
  });
});

describe('lateral inhibition wiring', () => {
  it('all_but_one connects source i to every target but i', () => {
    const model = validateModel({
      duration: 0,
      populations: [{ name: 'e', size: 7, model: 'lif' }, { name: 'i', size: 7, model: 'lif' }],
      projections: [{ name: 'lat', from: 'i', to: 'e', connect: { rule: 'all_but_one' }, weight: -1 }],
    });
    const csr = readCsr(new Simulation(model), 'lat');
    for (let i = 0; i < 7; i++) expect(rowOf(csr, i)).toEqual([0, 1, 2, 3, 4, 5, 6].filter((j) => j !== i));
  });
});

describe('weight normalisation', () => {
  it('rescales each target neuron\'s incoming weights to the given sum at every interval', () => {
    const model = validateModel({
      duration: 10,
      populations: [{ name: 'a', size: 30, model: 'poisson', params: { rate: 0 } }, { name: 'b', size: 4, model: 'lif' }],
      projections: [{ name: 'p', from: 'a', to: 'b', connect: { rule: 'fixed_probability', p: 0.5 }, weight: { uniform: [0, 1] }, receptor: 'exc', normalize: { total: 3, interval: 5 } }],
    });
    const sim = new Simulation(model);
    sim.run();
    const csr = readCsr(sim, 'p');
    const sums = [0, 0, 0, 0];
    csr.targets.forEach((j, s) => { sums[j]! += csr.weights[s]!; });
    for (const s of sums) expectClose(s, 3, { rel: 1e-5 });
  });
});

describe('reward-modulated STDP', () => {
  it('turns eligibility into weight change only while the neuromodulator acts: eta w_max M c0 tau_c e^{-(t_on - t_pair)/tau_c}(1 - e^{-T/tau_c})', () => {
    // One causal pair at the synapse (pre arrives at 11, post at 14): c0 = a_plus e^{-3/20}.
    const model = validateModel({
      dt: 0.1, duration: 1000, seed: 1,
      populations: [
        { name: 'pre', size: 1, model: 'spike_source', params: { spike_times: [[10]] } },
        { name: 'drive', size: 1, model: 'spike_source', params: { spike_times: [[13.9]] } },
        { name: 'post', size: 1, model: 'lif_delta', params: { t_ref: 0.5 } },
      ],
      projections: [
        { name: 'drive', from: 'drive', to: 'post', connect: { rule: 'all_to_all' }, weight: 100, delay: 0.1 },
        { name: 'plastic', from: 'pre', to: 'post', connect: { rule: 'all_to_all' }, weight: 0.5, delay: 1, plasticity: { rule: 'reward_stdp', w_max: 1, a_plus: 1, a_minus: 1, tau_c: 200, learning_rate: 0.01 } },
      ],
    });
    const sim = new Simulation(model);
    sim.run({ steps: 1000 });                         // to 100 ms: eligibility only
    expect(sim.projection('plastic').weights()[0]).toBe(0.5);
    sim.projection('plastic').setModulator(0.3);
    sim.run({ steps: 500 });                          // 100 .. 150 ms: M = 0.3
    sim.projection('plastic').setModulator(0);
    sim.run({ steps: 1000 });                         // then nothing more
    const c0 = Math.exp(-3 / 20);
    const expected = 0.5 + 0.01 * 1 * 0.3 * c0 * 200 * Math.exp(-(100 - 14) / 200) * (1 - Math.exp(-50 / 200));
    expectClose(sim.projection('plastic').weights()[0]!, expected, { abs: 1e-12 });
  });
});
