// adex against a fine RK4 reference of the same equations (NEST's
// aeif_cond_exp; test/support/adex-reference.ts, h = 0.001 ms with the
// upstroke resolved to 1e-9 ms): the six firing patterns of Naud et al.
// (2008, Table 1) at the default step, spike for spike.

import { describe, it, expect } from 'vitest';
import { simulate, expectClose } from '../support/helpers.js';
import { NAUD_PATTERNS, naudAdexParams, naudProtocol, simulateNaud, simulateAdex, AEIF_COND_EXP_DEFAULTS, type NaudPattern } from '../support/adex-reference.js';

function hebbNaud(pat: NaudPattern, dt: number): number[] {
  const p = naudAdexParams(pat);
  const protocol = naudProtocol(pat);
  const { spikes } = simulate({
    dt, duration: protocol.durationMs,
    populations: [{
      name: 'n', size: 1, model: 'adex',
      params: { c_m: p.c_m, g_l: p.g_l, e_l: p.e_l, v_t: p.v_t, delta_t: p.delta_t, a: p.a, tau_w: p.tau_w, b: p.b, v_reset: p.v_reset, v_peak: p.v_peak, t_ref: p.t_ref },
      current: protocol.stepCurrent,
    }],
  });
  return spikes.n!.times;
}

describe('adex (aeif_cond_exp) against a fine RK4 reference', () => {
  const reference = new Map(NAUD_PATTERNS.map((pat) => [pat.name, simulateNaud(pat, 0.001).spikes]));

  it.each(NAUD_PATTERNS.map((p) => [p.name, p] as const))('%s: the same spikes at dt = 0.1 ms (count exact, latency and every spike time within 0.01 ms)', (_name, pat) => {
    const ref = reference.get(pat.name)!;
    const got = hebbNaud(pat, 0.1);
    expect(got.length, `${pat.name}: spike count`).toBe(ref.length);
    const onset = naudProtocol(pat).onsetMs;
    expectClose(got[0]! - onset, ref[0]! - onset, { abs: 0.01 }, `${pat.name}: first-spike latency`);
    for (let k = 0; k < ref.length; k++) expectClose(got[k]!, ref[k]!, { abs: 0.01 }, `${pat.name}: spike ${k}`);
  });

  it('the patterns are the ones Naud et al. name: regular, adapting, bursting, delayed, transient', () => {
    const isis = (t: number[]) => t.slice(1).map((x, k) => x - t[k]!);
    const tonic = isis(hebbNaud(NAUD_PATTERNS[0]!, 0.1));
    expect(Math.max(...tonic.slice(5)) / Math.min(...tonic.slice(5)), 'tonic: steady ISIs').toBeLessThan(1.1);
    const adapting = isis(hebbNaud(NAUD_PATTERNS[1]!, 0.1));
    expect(adapting.every((d, k) => k === 0 || d >= adapting[k - 1]!), 'adapting: ISIs grow').toBe(true);
    const burst = isis(hebbNaud(NAUD_PATTERNS[2]!, 0.1));
    expect(Math.max(burst[0]!, burst[1]!) * 5, 'initial burst: two short ISIs, then long ones').toBeLessThan(Math.min(...burst.slice(2)));
    const bursting = isis(hebbNaud(NAUD_PATTERNS[3]!, 0.1));
    expect(bursting.filter((d) => d > 50).length, 'regular bursting: several long pauses between bursts').toBeGreaterThanOrEqual(3);
    expect(bursting.filter((d) => d < 10).length, 'regular bursting: short ISIs within bursts').toBeGreaterThanOrEqual(4);
    const delayed = hebbNaud(NAUD_PATTERNS[4]!, 0.1);
    expect(delayed[0]! - 20, 'delayed: the first spike comes late').toBeGreaterThan(30);
    expect(isis(delayed).every((d, k, a) => k === 0 || d <= a[k - 1]! + 1e-9), 'delayed accelerating: ISIs shrink').toBe(true);
    const transient = hebbNaud(NAUD_PATTERNS[5]!, 0.1);
    expect(transient.length, 'transient: a spike at onset, then silence though the current stays on').toBe(1);
  });

  it('converges: at dt = 0.01 ms the spike times are as close to the reference', () => {
    const pat = NAUD_PATTERNS[3]!;
    const ref = reference.get(pat.name)!;
    const got = hebbNaud(pat, 0.01);
    expect(got.length).toBe(ref.length);
    for (let k = 0; k < ref.length; k++) expectClose(got[k]!, ref[k]!, { abs: 0.01 }, `spike ${k}`);
  });

  it('holds v at v_reset for t_ref while w relaxes, and takes conductance input (NEST defaults, 2 ms refractory)', () => {
    const p = { ...AEIF_COND_EXP_DEFAULTS, t_ref: 2 };
    const inputs = Array.from({ length: 40 }, (_, k) => ({ t: 5 + 2.5 * k, weight_nS: 25, receptor: 'exc' as const }));
    const ref = simulateAdex(p, { durationMs: 200, stepCurrent: { times: [0], amplitudes: [800] }, inputSpikes: inputs, h: 0.001 }).spikes;
    const { spikes } = simulate({
      dt: 0.1, duration: 200,
      populations: [
        { name: 'src', size: 1, model: 'spike_source', params: { spike_times: [inputs.map((s) => s.t - 0.1)] } },
        { name: 'n', size: 1, model: 'adex', params: { t_ref: 2, i_e: 800 } },
      ],
      projections: [{ from: 'src', to: 'n', connect: { rule: 'one_to_one' }, weight: 25, receptor: 'exc', delay: 0.1 }],
    });
    const got = spikes.n!.times;
    expect(ref.length).toBeGreaterThan(4);
    expect(got.length).toBe(ref.length);
    // Inputs arrive on the grid in both; refractory periods run t_ref from each crossing.
    for (let k = 0; k < ref.length; k++) expectClose(got[k]!, ref[k]!, { abs: 0.01 }, `spike ${k}`);
  });
});
