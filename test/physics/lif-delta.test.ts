// lif_delta: event-driven, exact spike times (not on the grid), against closed forms.
import { describe, it, expect } from 'vitest';
import { simulate, expectClose } from '../support/helpers.js';

const TAU = 10, C = 250, V_REST = -70, V_RESET = -70, V_TH = -55, T_REF = 2;
const R = TAU / C;
const params = (i_e = 0) => ({ tau_m: TAU, c_m: C, v_rest: V_REST, v_reset: V_RESET, v_thresh: V_TH, t_ref: T_REF, i_e });

describe('lif_delta: exact spike times', () => {
  it('fires periodically under a constant current at t_1 + (n-1) T, to 1e-9 ms', () => {
    const currents = [400, 600, 1234.5];
    const { spikes } = simulate({
      dt: 0.1, duration: 1000,
      populations: currents.map((i, k) => ({ name: `p${k}`, size: 1, model: 'lif_delta', params: params(i) })),
    });
    currents.forEach((current, k) => {
      const vInf = V_REST + R * current;
      const t1 = TAU * Math.log((vInf - V_REST) / (vInf - V_TH));
      const period = T_REF + TAU * Math.log((vInf - V_RESET) / (vInf - V_TH));
      const train = spikes[`p${k}`]!.times;
      expect(train.length).toBe(Math.floor((1000 - t1) / period) + 1);
      train.forEach((t, n) => expectClose(t, t1 + n * period, { abs: 1e-9 }, `spike ${n} at ${current} pA`));
      // Off the grid: the times are not multiples of dt.
      expect(train.some((t) => Math.abs(t / 0.1 - Math.round(t / 0.1)) > 1e-6)).toBe(true);
    });
  });

  it('an inhibitory input postpones the crossing to its closed-form time; an input above threshold fires at its arrival', () => {
    // V_inf = -50 mV > V_th: free crossing at tau ln(20/5) = 13.86 ms.
    const current = 20 / R;
    const { spikes } = simulate({
      dt: 0.1, duration: 30,
      populations: [
        { name: 'src', size: 2, model: 'spike_source', params: { spike_times: [[4.5], [7.3]] } },
        { name: 'inhibited', size: 1, model: 'lif_delta', params: params(current) },
        { name: 'kicked', size: 1, model: 'lif_delta', params: params(current) },
      ],
      projections: [
        { from: 'src', to: 'inhibited', connect: { rule: 'list', pre: [0], post: [0], weights: [-5] }, delay: 0.5 },
        { from: 'src', to: 'kicked', connect: { rule: 'list', pre: [1], post: [0], weights: [10] }, delay: 0.7 },
      ],
    });
    const vInf = -50;
    // inhibited: at t = 5 ms v = vInf - 20 e^{-1/2}, jumps by -5, then crosses.
    const v5 = vInf - 20 * Math.exp(-5 / TAU) - 5;
    const tInh = 5 + TAU * Math.log((vInf - v5) / (vInf - V_TH));
    expectClose(spikes.inhibited!.times[0]!, tInh, { abs: 1e-9 }, 'postponed spike');
    // kicked: at t = 8 ms v = -58.99 mV, +10 mV takes it over threshold at 8 ms exactly.
    expect(vInf - 20 * Math.exp(-8 / TAU) + 10).toBeGreaterThan(V_TH);
    expectClose(spikes.kicked!.times[0]!, 8, { abs: 1e-12 }, 'kick');
    // After the kick: reset, refractory, then the free period.
    const period = T_REF + TAU * Math.log((vInf - V_RESET) / (vInf - V_TH));
    expectClose(spikes.kicked!.times[1]!, 8 + period, { abs: 1e-9 }, 'next spike after the kick');
  });

  it('sums simultaneous inputs before testing the threshold, and drops inputs during the refractory period', () => {
    const { spikes } = simulate({
      dt: 0.1, duration: 20,
      populations: [
        { name: 'src', size: 4, model: 'spike_source', params: { spike_times: [[3.33], [3.33], [6.0], [6.5]] } },
        { name: 'n', size: 1, model: 'lif_delta', params: params(0) },
      ],
      // +20 and -10 at the same instant: the sum (+10) stays below threshold (15 mV away).
      projections: [{ from: 'src', to: 'n', connect: { rule: 'list', pre: [0, 1, 2, 3], post: [0, 0, 0, 0], weights: [20, -10, 16, 16] }, delay: 1 }],
    });
    // 4.33: sum +10, no spike; 7.0: v = -70 + 10 e^{-2.67/10} + 16 > -55, spike at 7.0;
    // 7.5 falls inside the refractory period [7, 9) and is dropped.
    expect(spikes.n!.times.length).toBe(1);
    expectClose(spikes.n!.times[0]!, 7, { abs: 1e-12 });
  });

  it('relaxes exactly between events: v(t) from the probe equals the closed form', () => {
    const vInf = V_REST + 10, v0 = -68;
    const { samples } = simulate({
      dt: 0.1, duration: 20,
      populations: [{ name: 'n', size: 1, model: 'lif_delta', params: params(10 / R), init: { v: v0 } }],
      record: { state: [{ population: 'n', variable: 'v', ids: [0] }] },
    });
    expect(samples.timesMs.length).toBe(200);
    samples.timesMs.forEach((t, r) => {
      expectClose(samples.values[r]![0]!, vInf + (v0 - vInf) * Math.exp(-t / TAU), { abs: 1e-9 }, `v at ${t}`);
    });
  });
});
