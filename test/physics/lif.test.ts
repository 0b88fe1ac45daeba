// Current-based LIF against its closed forms.
import { describe, it, expect } from 'vitest';
import { simulate, expectClose, trainOf } from '../support/helpers.js';

const TAU = 20, C = 250, V_REST = -70, V_RESET = -70, V_TH = -55, T_REF = 2;
const R = TAU / C; // GOhm = mV/pA

function fiModel(currents: number[], dt: number, duration: number) {
  return {
    dt, duration,
    populations: currents.map((i, k) => ({
      name: `p${k}`, size: 1, model: 'lif',
      params: { tau_m: TAU, c_m: C, v_rest: V_REST, v_reset: V_RESET, v_thresh: V_TH, t_ref: T_REF, i_e: i },
    })),
  };
}

describe('lif: f-I curve', () => {
  const currents = [200, 250, 300, 400, 600, 1000];
  const { spikes } = simulate(fiModel(currents, 0.01, 2000));

  it.each(currents.map((c, k) => [c, k]))('at %d pA the interspike interval is t_ref + tau ln((V_inf - V_reset)/(V_inf - V_th)) within 1 %%', (current, k) => {
    const vInf = V_REST + R * current;
    const period = T_REF + TAU * Math.log((vInf - V_RESET) / (vInf - V_TH));
    const train = spikes[`p${k}`]!.times;
    expect(train.length).toBeGreaterThan(10);
    const isi = (train[train.length - 1]! - train[0]!) / (train.length - 1);
    expectClose(isi, period, { rel: 0.01 }, `ISI at ${current} pA`);
    // The first crossing starts from rest, without refractoriness.
    expectClose(train[0]!, TAU * Math.log((vInf - V_REST) / (vInf - V_TH)), { abs: 0.011 }, 'first spike');
    // Rate = 1 / period within 1 %.
    expectClose(1000 / isi, 1000 / period, { rel: 0.01 }, 'rate');
  });

  it('stays silent below rheobase (R I < V_th - V_rest)', () => {
    const rheobase = (V_TH - V_REST) / R; // 187.5 pA
    const { spikes: s } = simulate(fiModel([0.99 * rheobase, 150, 0], 0.1, 5000));
    for (const k of [0, 1, 2]) expect(s[`p${k}`]!.times).toEqual([]);
  });

  it('integrates subthreshold v(t) = V_inf + (v0 - V_inf) exp(-t/tau) exactly on the grid', () => {
    const current = 150;
    const { samples } = simulate({
      dt: 0.1, duration: 50,
      populations: [{ name: 'n', size: 1, model: 'lif', params: { tau_m: TAU, c_m: C, v_rest: V_REST, v_reset: V_RESET, v_thresh: V_TH, i_e: current } }],
      record: { state: [{ population: 'n', variable: 'v', ids: [0] }] },
    });
    const vInf = V_REST + R * current;
    samples.timesMs.forEach((t, r) => {
      expectClose(samples.values[r]![0]!, vInf + (V_REST - vInf) * Math.exp(-t / TAU), { abs: 2e-5 }, `v at ${t} ms`); // f32 state relative to v_rest: a few ulp of 6 mV per step, contracted by em
    });
  });

  it('follows a step current: silent before, periodic at the analytic rate after', () => {
    const { spikes: s } = simulate({
      dt: 0.01, duration: 600,
      populations: [{ name: 'n', size: 1, model: 'lif', params: { tau_m: TAU, c_m: C, v_rest: V_REST, v_reset: V_RESET, v_thresh: V_TH, t_ref: T_REF }, current: { times: [0, 200, 400], amplitudes: [0, 500, 0] } }],
    });
    const train = s.n!.times;
    const vInf = V_REST + R * 500;
    expectClose(train[0]!, 200 + TAU * Math.log((vInf - V_REST) / (vInf - V_TH)), { abs: 0.011 }, 'first spike after the step');
    expect(train.every((t) => t > 200 && t < 400.01)).toBe(true);
    const period = T_REF + TAU * Math.log((vInf - V_RESET) / (vInf - V_TH));
    expectClose((train[train.length - 1]! - train[0]!) / (train.length - 1), period, { rel: 0.01 });
  });

  it('holds v at v_reset for t_ref after a spike', () => {
    const { samples, spikes: s } = simulate({
      dt: 0.1, duration: 100,
      populations: [{ name: 'n', size: 1, model: 'lif', params: { tau_m: 10, c_m: 250, v_rest: -70, v_reset: -65, v_thresh: -55, t_ref: 5, i_e: 2000 } }],
      record: { state: [{ population: 'n', variable: 'v', ids: [0] }] },
    });
    const train = trainOf(s.n!, 0);
    expect(train.length).toBeGreaterThan(3);
    for (const ts of train.filter((t) => t + 5 <= 100)) {
      const held = samples.timesMs.map((t, r) => [t, samples.values[r]![0]!] as const).filter(([t]) => t >= ts - 1e-9 && t <= ts + 5 + 1e-9);
      expect(held.length).toBe(51);
      for (const [, v] of held) expect(v).toBe(-65);
    }
  });

  it('adds an exponential PSC: one input spike gives w tau_s/(tau_s - tau_m)(e^-t/tau_s - e^-t/tau_m)', () => {
    const w = 2, tauS = 5;
    const { samples } = simulate({
      dt: 0.1, duration: 60,
      populations: [
        { name: 'src', size: 1, model: 'spike_source', params: { spike_times: [[10]] } },
        { name: 'n', size: 1, model: 'lif', params: { tau_m: TAU, c_m: C, v_rest: V_REST, v_reset: V_RESET, v_thresh: V_TH, tau_syn_e: tauS } },
      ],
      projections: [{ from: 'src', to: 'n', connect: { rule: 'all_to_all' }, weight: w, delay: 1 }],
      record: { state: [{ population: 'n', variable: 'v', ids: [0] }, { population: 'n', variable: 'ge', ids: [0] }] },
    });
    samples.timesMs.forEach((t, r) => {
      const s = t - 11; // arrival
      const v = s < 0 ? V_REST : V_REST + w * tauS / (tauS - TAU) * (Math.exp(-s / tauS) - Math.exp(-s / TAU));
      const ge = s < 0 ? 0 : w * Math.exp(-s / tauS);
      expectClose(samples.values[r]![0]!, v, { abs: 2e-5 }, `v at ${t} ms`);
      expectClose(samples.values[r]![1]!, ge, { abs: 1e-6, rel: 1e-5 }, `ge at ${t} ms`);
    });
  });
});
